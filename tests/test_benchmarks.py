"""The benchmark scripts import, parse their options, and the constant-rate load generator
sends exactly the requests it schedules (no timing is asserted: these machines are shared)."""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks import constant_rate, pages, reload_check, viral


def test_viral_options():
    args = viral.arguments(["--server", "both", "--port", "8440", "--sustained", "--rows", "10"])
    assert (args.server, args.port, args.sustained, args.rows) == ("both", 8440, 300, 10)
    assert viral.servers(args) == ["gunicorn", "granian"]
    assert viral.arguments(["--sustained", "20"]).sustained == 20
    assert "ceiling: safe insert" in [name for name, _mode, _paths in viral.make_plan(args)]


@pytest.mark.parametrize(
    "argv", [["--server", "nginx"], ["--sustained", "--sqlite"], ["--rows", "many"]]
)
def test_viral_refuses_bad_options(argv, capsys):
    with pytest.raises(SystemExit):
        viral.arguments(argv)
    assert "error" in capsys.readouterr().err


def test_pages_options(capsys):
    assert pages.arguments(["--pages", "home,letter"]).pages == "home,letter"
    with pytest.raises(SystemExit):
        pages.arguments(["--pages", "home,nowhere"])
    assert "unknown pages: nowhere" in capsys.readouterr().err


def test_granian_command_respawns_crashed_workers():
    command = [str(part) for part in viral.server_command("granian", 2, 2)]
    assert "--respawn-failed-workers" in command
    assert command[-1] == "undersigned.wsgi:application"
    assert reload_check.children(-1) == set()  # no process has that parent


class Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list = []

    def do_GET(self):
        Answer.seen.append(self.path)
        status = 404 if self.path == "/missing" else 200
        body = b"x" * 3000
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/close":
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_constant_rate_sends_each_scheduled_request_once():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    paths = ["/a", "/close", "/missing"]
    try:
        stream = constant_rate.Stream(
            "get",
            rate=60,
            connections=4,
            build=lambda n: f"GET {paths[n % 3]} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        )
        # in a thread of its own: a browser test before it may have left this thread an
        # event loop, in which asyncio.run() refuses to start another
        driver = threading.Thread(
            target=constant_rate.run,
            args=("127.0.0.1", server.server_address[1], [stream]),
            kwargs={"seconds": 1},
        )
        driver.start()
        driver.join(timeout=60)
    finally:
        server.shutdown()
    assert len(stream.results) == 60  # due at 0, 1/60, … 59/60 s: each exactly once
    assert sorted(Answer.seen) == sorted(paths[n % 3] for n in range(60))
    assert [status for _due, _latency, status in stream.results].count(404) == 20
    assert all(status in (200, 404) for _due, _latency, status in stream.results)
    window = constant_rate.windows(stream, 10)
    assert [(w["from_s"], w["requests"], w["errors"]) for w in window] == [(0, 60, 20)]


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="bench data is made on PostgreSQL only",
)
def test_bench_data_fills_a_database_the_staff_pages_can_read(worker_id):
    """The scale data keeps up with the signature table: every column filled as the app
    would, the indexes rebuilt, the count and the roll-ups made."""
    import json
    import subprocess
    import sys
    from urllib.parse import urlsplit

    import psycopg

    server = urlsplit(os.environ["DATABASE_URL"])
    url = f"{server.scheme}://{server.netloc}/undersigned_data_{worker_id}_bench"
    script = [sys.executable, "benchmarks/bench_data.py", "--database-url", url]
    try:
        made = subprocess.run([*script, "--rows", "3000"], capture_output=True, text=True)
        assert made.returncode == 0, made.stderr[-3000:]
        report = json.loads(made.stdout[made.stdout.index("{") :])
        assert report["rows"] == 3000
        with psycopg.connect(url) as conn:
            visibility = dict(
                conn.execute(
                    "SELECT visibility, count(*) FROM petitions_signature GROUP BY 1"
                ).fetchall()
            )
            indexes = conn.execute(
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'petitions_signature'"
            ).fetchone()[0]
        assert sum(visibility.values()) == 3000 and set(visibility) == {"public", "target", "count"}
        assert indexes >= 9
    finally:
        subprocess.run([*script, "--drop"], capture_output=True)
