"""Graceful reload and worker restart under an app server, while it is being asked.

    .venv/bin/python benchmarks/reload_check.py --server granian --port 8442
    .venv/bin/python benchmarks/reload_check.py --server gunicorn --port 8442

It starts the server as `make bench` does (on a throwaway SQLite database, the bare
`/bench/constant` view), keeps one client asking it without pause, then sends the master
SIGHUP (a graceful reload: every worker replaced) and later SIGKILLs one worker (a crash:
it must be replaced). It prints, for each of the three periods, the answers and the
failures, and how long the replacements took. Everything it starts, it stops (by PID).
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import viral


def children(pid: int) -> set[int]:
    found = set()
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == pid and stat[0] != "Z":
            found.add(int(entry))
    return found


class Client(threading.Thread):
    """Asks the constant view without pause; counts answers and failures per period."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.period, self.counts, self.errors = url, "before", {}, {}
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                urllib.request.urlopen(self.url, timeout=10).read()
                outcome = "answered"
            except OSError as error:
                outcome = "failed"
                self.errors.setdefault(self.period, set()).add(str(error)[:80])
                time.sleep(0.05)
            counts = self.counts.setdefault(self.period, {"answered": 0, "failed": 0})
            counts[outcome] += 1


def wait_for(condition, timeout: float = 120) -> float:
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > timeout:
            raise RuntimeError("timed out")
        time.sleep(0.1)
    return round(time.monotonic() - began, 1)


def check(server: str, workers: int, threads: int) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="undersigned-reload-"))
    env = viral.environment(f"sqlite:///{data_dir / 'db.sqlite3'}", data_dir)
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([sys.executable, "-m", "undersigned.manage", *command], env=env, check=True)
    master = subprocess.Popen(
        viral.server_command(server, workers, threads), cwd=viral.ROOT, env=env
    )
    client = Client(f"http://127.0.0.1:{viral.PORT}/bench/constant")
    try:
        wait_for(lambda: len(children(master.pid)) == workers and answers(client.url))
        client.start()
        print("serving; sending SIGHUP in 3 s", flush=True)
        time.sleep(3)
        old = children(master.pid)
        client.period = "graceful reload (SIGHUP)"
        master.send_signal(signal.SIGHUP)
        reload_seconds = wait_for(
            lambda: (
                len(children(master.pid) - old) == workers and len(children(master.pid)) == workers
            )
        )
        print(f"reloaded in {reload_seconds} s; killing a worker in 3 s", flush=True)
        time.sleep(3)
        client.period = "one worker killed (SIGKILL)"
        victim = min(children(master.pid))
        os.kill(victim, signal.SIGKILL)
        respawn_seconds = wait_for(
            lambda: victim not in children(master.pid) and len(children(master.pid)) == workers
        )
        time.sleep(3)
        client.period = "after"
        time.sleep(2)
    finally:
        client.stopping.set()
        workers_left = children(master.pid)
        stopped = stop(master)
        time.sleep(1)
        orphans = workers_left & children(1)
        for pid in orphans:  # outlived their master: ours to end
            os.kill(pid, signal.SIGKILL)
    return {
        "stopped by SIGTERM within 30 s": stopped,
        "workers left behind": sorted(orphans),
        "server": server,
        "periods": client.counts,
        "errors": client.errors,
        "reload_seconds": reload_seconds,
        "respawn_seconds": respawn_seconds,
    }


def stop(master: subprocess.Popen) -> bool:
    master.send_signal(signal.SIGTERM)
    try:
        master.wait(timeout=30)
        return True
    except subprocess.TimeoutExpired:
        master.kill()
        master.wait()
        return False


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).read()
        return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["gunicorn", "granian"], default="granian")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="granian's blocking threads")
    parser.add_argument("--port", type=int, default=viral.PORT)
    args = parser.parse_args()
    viral.PORT = args.port
    result = check(args.server, args.workers, args.threads)
    print(f"{result['server']}: all workers replaced {result['reload_seconds']} s after SIGHUP;")
    print(f"  a killed worker replaced after {result['respawn_seconds']} s")
    print(f"  stopped by SIGTERM within 30 s: {result['stopped by SIGTERM within 30 s']}")
    print(f"  workers left running after the master ended: {result['workers left behind']}")
    for period, counts in result["periods"].items():
        print(f"  {period:<30} answered {counts['answered']:>6}  failed {counts['failed']:>4}")
        for error in sorted(result["errors"].get(period, ())):
            print(f"    {error}")


if __name__ == "__main__":
    main()
