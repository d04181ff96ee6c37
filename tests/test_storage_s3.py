"""Files on an S3-compatible object store (a real moto server, tests/s3_server.py): photos in
the public bucket under content-derived names; packages in the private bucket, unreadable
without a signature, handed to authorised staff only through a signed URL that lapses in a
minute; a package made by a worker process is downloaded through another app server."""

import csv
import io
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from undersigned.audit.models import AuditEntry
from undersigned.config import file_storages
from undersigned.delivery.models import Package
from undersigned.petitions.models import Photo

from .delivery_fixtures import closed_petition
from .factories import make_petition
from .personas import PASSWORD
from .s3_server import fetch
from .test_photos import attribute, upload

PACKAGE_URL = "/admin/delivery/petitionaction/{pk}/package/"


def request_package(client, petition, kind="handover") -> Package:
    response = client.post(PACKAGE_URL.format(pk=petition.pk), {"kind": kind, "language": "en"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Package.objects.latest("pk")


def download(client, package, which="csv") -> tuple[str, bytes]:
    """Through the app: a redirect to a signed URL, then the file from the store itself."""
    response = client.get(f"/admin/delivery/package/{package.pk}/download/{which}/")
    assert response.status_code == 302, response.status_code
    assert "private, no-store" in response["Cache-Control"]
    url = response["Location"]
    status, body, headers = fetch(url)
    assert status == 200, body[:300]
    assert headers["Content-Disposition"].startswith("attachment; filename=")
    return url, body


def csv_rows(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_private_bucket_must_be_a_second_bucket(monkeypatch):
    monkeypatch.setenv("S3_BUCKET", "media")
    for private in ("", "media"):
        monkeypatch.setenv("S3_PRIVATE_BUCKET", private)
        with pytest.raises(ImproperlyConfigured, match="S3_PRIVATE_BUCKET"):
            file_storages(60)


@pytest.mark.django_db
def test_photos_are_public_in_their_bucket_under_content_names(s3, client):
    petition = make_petition()
    Photo.objects.create(
        petition=petition, image=upload("Amal Haddad, Saydnaya.jpg"), alt_text="A vigil"
    )
    response = client.get("/en/petitions/free-the-detained/")
    html = response.content.decode()
    # The page lets the browser load images from the store's origin, and nothing else new.
    assert f"img-src 'self' data: {s3.endpoint};" in response["Content-Security-Policy"]
    assert "script-src 'self';" in response["Content-Security-Policy"]
    tag = next(t for t in re.findall(r"<img [^>]*>", html) if s3.public in t)
    candidates = [item.split(" ") for item in attribute(tag, "srcset").split(", ")]
    assert [width for _url, width in candidates] == ["480w", "960w", "1600w"]
    for url, _width in candidates:
        assert url.startswith(f"{s3.endpoint}/{s3.public}/petitions/photos/")
        assert "X-Amz-Signature" not in url and "amal" not in url.lower()
        status, body, _headers = fetch(url)  # anyone may fetch a public photo
        assert status == 200 and body.startswith(b"\xff\xd8")
    og_image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert og_image.startswith(f"{s3.endpoint}/{s3.public}/petitions/photos/")
    assert all(
        re.fullmatch(r"petitions/photos/(original/)?[0-9a-f]{32}(-\d+w)?\.jpg", key)
        for key in s3.keys(s3.public)
    )
    assert s3.keys(s3.private) == []


@pytest.mark.django_db
def test_a_package_is_private_and_handed_only_to_allowed_staff(
    s3, admin_client, run_tasks, world, packages_dir
):
    petition = closed_petition()
    package = request_package(admin_client, petition)
    run_tasks()
    package.refresh_from_db()
    assert package.status == Package.Status.DONE, package.error
    folder = f"packages/{package.pk}"
    assert s3.keys(s3.private) == [f"{folder}/{package.csv_file}", f"{folder}/{package.pdf_file}"]
    assert s3.keys(s3.public) == []
    assert not packages_dir.exists()

    # Unsigned, the bucket path answers 403 to anyone.
    plain = f"{s3.endpoint}/{s3.private}/{folder}/{package.csv_file}"
    assert fetch(plain)[0] == 403

    url, body = download(admin_client, package)
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == [str(settings.PRIVATE_URL_SECONDS)] == ["60"]
    assert "X-Amz-Signature" in query
    rows = csv_rows(body)
    assert len(rows) == 6 and "Amal Haddad" in {row[0] for row in rows}
    _url, pdf = download(admin_client, package, "pdf")
    assert pdf.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="package.downloaded").count() == 2

    # Staff of another organisation, or no one signed in: no URL at all.
    admin_client.logout()
    assert admin_client.get(f"/admin/delivery/package/{package.pk}/download/csv/").status_code in (
        302,
        404,
    )
    admin_client.login(username=world.personas.campaigner_b.username, password=PASSWORD)
    response = admin_client.get(f"/admin/delivery/package/{package.pk}/download/csv/")
    assert response.status_code == 404 and s3.private not in response.get("Location", "")


@pytest.mark.django_db
def test_deleting_a_package_removes_it_from_the_bucket(s3, admin_client, run_tasks):
    package = request_package(admin_client, closed_petition(), kind="emails")
    run_tasks()
    assert len(s3.keys(s3.private)) == 1
    admin_client.post(f"/admin/delivery/package/{package.pk}/delete-files/")
    package.refresh_from_db()
    assert package.status == Package.Status.DELETED and s3.keys(s3.private) == []


def database_url() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(name).resolve()}"
    database = connection.settings_dict
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{name}"


@pytest.mark.django_db(transaction=True)
def test_a_package_made_by_a_worker_elsewhere_is_downloaded_through_this_server(
    s3, admin_client, tmp_path, packages_dir
):
    """The worker is another process with a data dir of its own (another machine, as far as
    files go); this test process is the app server that hands the package out."""
    petition = closed_petition()
    package = request_package(admin_client, petition)
    worker_dir = tmp_path / "worker-machine"
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": database_url(),
        "DATA_DIR": str(worker_dir),
        "SECRET_KEY": settings.SECRET_KEY,
        "ENCRYPTION_KEYS": ",".join(settings.ENCRYPTION_KEYS),
        "DIGEST_KEY": settings.DIGEST_KEY,
        **s3.env,
    }
    command = [str(Path(sys.executable).parent / "undersigned"), "worker", "--interval", "0.2"]
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while Package.objects.get(pk=package.pk).status != Package.Status.DONE:
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    package.refresh_from_db()
    # Neither machine's disk holds the package: only the shared bucket does.
    assert not list(worker_dir.glob("private/**/*.csv"))
    assert not packages_dir.exists()
    _url, body = download(admin_client, package)
    assert {"Amal Haddad", "Omar Khalil", "Lena Weber"} <= {row[0] for row in csv_rows(body)}
    assert package.csv_bytes == len(body)
