"""A real PostgreSQL streaming replica of the local server (127.0.0.1:5432), for tests.

`pg_basebackup` copies the server into a temporary directory and the replica runs from it
on a free port, as the `postgres` OS user, until `stop()` ends it by its PID and removes
the directory. No replication slot is made (one left behind would keep WAL on the shared
server for ever). If the server's pg_hba.conf allows no replication connection from
127.0.0.1, one line allowing it for the postgres superuser is added for the time of the
test (marked with this process's id, under a file lock, since several test processes may
do the same) and removed afterwards; nothing else of the server's configuration changes.
"""

import contextlib
import fcntl
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from .conftest import free_port

PRIMARY = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
BIN = Path("/usr/lib/postgresql/15/bin")
HBA_LOCK = Path(tempfile.gettempdir()) / "undersigned-test-pg-hba.lock"
HBA_MARK = "# undersigned test replica, temporary:"
# A hot standby needs these at least as high as on its primary.
AS_ON_PRIMARY = [
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
]


def unavailable_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root, to run a second PostgreSQL as the postgres user"
    if not (BIN / "postgres").exists() or not shutil.which("pg_basebackup"):
        return "needs PostgreSQL 15's server binaries and pg_basebackup"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "needs the postgres OS user"
    return None


def as_postgres() -> dict:
    return {"user": "postgres", "group": "postgres"}


def replication_allowed() -> bool:
    try:
        psycopg.connect(PRIMARY + " replication=true connect_timeout=3").close()
        return True
    except psycopg.OperationalError:
        return False


@contextlib.contextmanager
def hba_lock():
    with HBA_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def reload_primary() -> None:
    with psycopg.connect(PRIMARY, autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")


class Replica:
    def __init__(self):
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="undersigned-replica-"))
        self.data = self.directory / "data"
        self.process = None
        self.hba_line = None

    # pg_hba.conf, only when replication is not allowed already

    def allow_replication(self) -> None:
        if replication_allowed():
            return
        with psycopg.connect(PRIMARY) as conn:
            self.hba_file = Path(conn.execute("SHOW hba_file").fetchone()[0])
        self.hba_line = (
            f"host replication postgres 127.0.0.1/32 trust {HBA_MARK} pid {os.getpid()}\n"
        )
        with hba_lock():
            text = self.hba_file.read_text()
            self.hba_file.write_text(self.hba_line + text)
            reload_primary()
        deadline = time.monotonic() + 10
        while not replication_allowed():
            assert time.monotonic() < deadline, "the primary did not allow replication"
            time.sleep(0.1)

    def restore_hba(self) -> None:
        if self.hba_line is None:
            return
        with hba_lock():
            text = self.hba_file.read_text()
            self.hba_file.write_text(text.replace(self.hba_line, "", 1))
            reload_primary()
        self.hba_line = None

    # the replica itself

    def start(self) -> None:
        shutil.chown(self.directory, "postgres", "postgres")
        self.allow_replication()
        subprocess.run(
            [
                *("pg_basebackup", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres"),
                *("-D", str(self.data), "-X", "stream", "-R", "-c", "fast", "--no-sync"),
            ],
            check=True,
            capture_output=True,
            **as_postgres(),
        )
        (self.data / "postgresql.conf").write_text(self.config())
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        )
        for name in ("postgresql.conf", "pg_hba.conf"):
            shutil.chown(self.data / name, "postgres", "postgres")
        self.process = subprocess.Popen(
            [str(BIN / "postgres"), "-D", str(self.data)],
            stdout=subprocess.DEVNULL,
            stderr=(self.directory / "log").open("w"),
            **as_postgres(),
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with self.connect() as conn:
                    assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
                return
            except psycopg.OperationalError:
                assert self.process.poll() is None, (self.directory / "log").read_text()
                assert time.monotonic() < deadline, "the replica did not start"
                time.sleep(0.2)

    def config(self) -> str:
        with psycopg.connect(PRIMARY) as conn:
            same = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in AS_ON_PRIMARY}
        lines = {
            "port": self.port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.directory}'",
            "hot_standby": "on",
            "shared_buffers": "'32MB'",
            "fsync": "off",
            "wal_receiver_status_interval": "'1s'",
            **same,
        }
        return "".join(f"{name} = {value}\n" for name, value in lines.items())

    def connect(self, dbname: str = "postgres"):
        return psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname} connect_timeout=3",
            autocommit=True,
        )

    def run(self, sql: str, dbname: str = "postgres"):
        with self.connect(dbname) as conn:
            return conn.execute(sql).fetchone()

    def pause_replay(self) -> None:
        self.run("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.run("SELECT pg_wal_replay_resume()")

    def caught_up(self, timeout: float = 30) -> None:
        """Wait until the replica has replayed everything the primary wrote so far."""
        with psycopg.connect(PRIMARY, autocommit=True) as conn:
            target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        while self.run(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0] is not True:
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGINT)  # PostgreSQL's fast shutdown
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def remove(self) -> None:
        self.stop()
        self.restore_hba()
        shutil.rmtree(self.directory, ignore_errors=True)
