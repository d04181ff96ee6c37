"""A real S3-compatible server for the tests: moto in server mode, in a process of its own
on a free port of 127.0.0.1, with fresh buckets for each test (public media and private)."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

KEYS = {"S3_ACCESS_KEY_ID": "test-access-key", "S3_SECRET_ACCESS_KEY": "test-secret-key"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes, dict]:
    """An anonymous GET, as a browser without any credentials would make it."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def answers(endpoint: str) -> bool:
    try:
        fetch(endpoint)
    except OSError:
        return False
    return True


@dataclass
class Buckets:
    endpoint: str
    public: str
    private: str

    @property
    def env(self) -> dict[str, str]:
        return {
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": "us-east-1",
            "S3_ADDRESSING_STYLE": "path",
            "S3_BUCKET": self.public,
            "S3_PRIVATE_BUCKET": self.private,
            **KEYS,
        }

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEYS["S3_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["S3_SECRET_ACCESS_KEY"],
        )

    def keys(self, bucket: str) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    server = Path(sys.executable).parent / "moto_server"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(server), "-H", "127.0.0.1", "-p", str(port)], stdout=output, stderr=output
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not answers(endpoint):
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    yield endpoint
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def s3(s3_endpoint, settings, monkeypatch) -> Buckets:
    """STORAGES on two fresh buckets, configured from the environment as in production: the
    public one readable by anyone (a bucket policy), the private one by no one unsigned."""
    from undersigned.config import file_storages

    suffix = uuid.uuid4().hex[:12]
    buckets = Buckets(s3_endpoint, f"media-{suffix}", f"private-{suffix}")
    client = buckets.client()
    client.create_bucket(Bucket=buckets.public)
    client.create_bucket(Bucket=buckets.private)
    read_by_anyone = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{buckets.public}/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket=buckets.public, Policy=json.dumps(read_by_anyone))
    for name, value in buckets.env.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {
        **file_storages(settings.PRIVATE_URL_SECONDS),
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    return buckets
