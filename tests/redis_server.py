"""A real redis-server of the test's own, on a free port: tests stop, hang and restart it
(the system's Redis on 6379 is never touched)."""

import os
import signal
import subprocess
import time

import redis

from .conftest import free_port


class RedisServer:
    def __init__(self, directory):
        self.directory = directory
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def caches(self, retry_seconds: float = 5) -> dict:
        """CACHES as production sets them with REDIS_URL, pointed at this server."""
        return {
            "default": {
                "BACKEND": "undersigned.pages.cache.ForgivingRedisCache",
                "LOCATION": self.url,
                "RETRY_SECONDS": retry_seconds,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def hang(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def keys(self) -> list:
        return self.client().keys("*")
