"""Hand-over packages: made by a background task through the staff pages, downloaded by staff."""

import csv
import io
import re
import shutil
import subprocess

import pytest

from undersigned.audit.models import AuditEntry
from undersigned.delivery.models import Package
from undersigned.petitions.models import State

from .delivery_fixtures import closed_petition, packages_dir, staff_member  # noqa: F401
from .factories import make_petition
from .letters_fixtures import add_signatory, make_letter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("packages_dir")]


def request_package(client, petition, **fields):
    data = {"kind": "handover", "language": "en", **fields}
    response = client.post(f"/admin/delivery/petitionaction/{petition.pk}/package/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Package.objects.latest("pk"), response


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def pdf_text(response, tmp_path) -> str:
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "package.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # pdftotext marks right-to-left runs with bidi controls; the words between are what count.
    return re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)


def test_package_is_made_by_the_task_and_downloaded_by_staff(admin_client, run_tasks, tmp_path):
    petition = closed_petition()
    package, response = request_package(admin_client, petition)
    assert response["Location"] == f"/admin/delivery/package/{package.pk}/change/"
    assert package.status == Package.Status.QUEUED
    page = admin_client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page  # follows progress without JS

    run_tasks()
    package.refresh_from_db()
    assert package.status == Package.Status.DONE, package.error
    assert (package.rows_written, package.total_rows) == (5, 5)
    page = admin_client.get(f"/admin/delivery/package/{package.pk}/change/").content.decode()
    assert "http-equiv" not in page
    assert "5 of 5 rows written" in page

    rows = read_csv(admin_client.get(f"/admin/delivery/package/{package.pk}/download/csv/"))
    assert rows[0] == ["name", "country", "country_name", "signed_at"]
    assert len(rows) - 1 == 5  # confirmed signatures only: the pending one is left out
    assert rows[1] == ["Amal Haddad", "LB", "Lebanon", "2025-03-01T09:30:00Z"]
    assert ["رنا العلي", "SY", "Syria", "2025-03-01T11:30:00Z"] in rows
    assert "'=cmd|' /C calc'!A0" in [row[0] for row in rows]  # no formula for spreadsheets
    assert not any("@" in cell for row in rows for cell in row)  # no email column

    text = pdf_text(
        admin_client.get(f"/admin/delivery/package/{package.pk}/download/pdf/"), tmp_path
    )
    assert "Free the detained" in text
    assert "The UN Secretary-General" in text  # addressed to its targets
    assert "Rights Watchers" in text  # the organiser
    assert "I call on you to act for every detainee." in text  # the petition text
    assert "Signatures by country" in text
    assert "Syria" in text and "Lebanon" in text
    assert "@example.org" not in text

    downloads = AuditEntry.objects.filter(action="package.downloaded")
    assert sorted(entry.detail["file"] for entry in downloads) == ["csv", "pdf"]


def test_arabic_pdf_is_shaped_right_to_left(admin_client, run_tasks, tmp_path):
    from undersigned.delivery.pdf import package_html

    petition = closed_petition()
    package, _ = request_package(admin_client, petition, language="ar", include_names="on")
    html = package_html(package)
    assert '<html lang="ar" dir="rtl">' in html
    assert '"Noto Naskh Arabic", "DejaVu Sans"' in html
    assert "الأمين العام للأمم المتحدة" in html
    run_tasks()
    package.refresh_from_db()
    text = pdf_text(
        admin_client.get(f"/admin/delivery/package/{package.pk}/download/pdf/"), tmp_path
    )
    # pdftotext gives Arabic back in logical order when the PDF has real shaped text.
    assert "الحرية للمعتقلين" in text
    assert "أدعوكم إلى التحرك من أجل كل معتقل." in text
    assert "رنا العلي" in text  # the names list, with an Arabic name
    assert "سوريا" in text  # country names in Arabic


def test_names_list_is_capped_and_says_so(admin_client, monkeypatch):
    from undersigned.delivery import pdf

    monkeypatch.setattr(pdf, "NAMES_CAP", 2)
    petition = closed_petition()
    package, _ = request_package(admin_client, petition, include_names="on")
    html = pdf.package_html(package, "free-the-detained-en-signatures.csv")
    assert "The first 2 of 5 signers" in html
    assert "free-the-detained-en-signatures.csv" in html
    assert html.count("&#x2068;") == 2  # two names, each isolated in its own direction


def test_staff_export_with_emails_is_audited_with_the_user(admin_client, admin_user, run_tasks):
    petition = closed_petition()
    package, _ = request_package(admin_client, petition, kind="emails")
    run_tasks()
    package.refresh_from_db()
    assert package.status == Package.Status.DONE and not package.pdf_file
    rows = read_csv(admin_client.get(f"/admin/delivery/package/{package.pk}/download/csv/"))
    assert rows[0] == ["name", "email", "country", "country_name", "signed_at"]
    assert rows[1][:2] == ["Amal Haddad", "signer0@example.org"]
    entry = AuditEntry.objects.get(action="package.downloaded")
    assert (entry.user, entry.username, entry.detail["kind"]) == (admin_user, "admin", "staff-csv")
    assert entry.object_id == str(package.pk)
    admin_client.get(f"/admin/delivery/package/{package.pk}/download/csv/")
    assert AuditEntry.objects.filter(action="package.downloaded").count() == 2


def test_staff_without_the_email_permission_cannot_export_emails(client, run_tasks):
    petition = closed_petition()
    user = staff_member(
        permissions=["petitions.view_petition", "delivery.add_package", "delivery.view_package"]
    )
    client.force_login(user)
    page = client.get(f"/admin/delivery/petitionaction/{petition.pk}/change/").content.decode()
    assert 'value="handover"' in page and 'value="emails"' not in page
    client.post(
        f"/admin/delivery/petitionaction/{petition.pk}/package/",
        {"kind": "emails", "language": "en"},
    )
    assert not Package.objects.exists()  # not a choice for this user

    emails = Package.objects.create(petition=petition, kind="emails", language="en")
    run_tasks()
    assert client.get(f"/admin/delivery/package/{emails.pk}/download/csv/").status_code == 403
    assert client.get(f"/admin/delivery/package/{emails.pk}/change/").status_code == 403


def test_open_petitions_are_not_packaged(admin_client):
    petition = make_petition(state=State.OPEN)
    admin_client.post(
        f"/admin/delivery/petitionaction/{petition.pk}/package/",
        {"kind": "handover", "language": "en"},
    )
    assert not Package.objects.exists()


def test_a_second_task_builds_nothing_but_a_requeued_one_starts_over(admin_client, run_tasks):
    from django_tasks_db.models import DBTaskResult

    from undersigned.delivery.tasks import build_package

    package, _ = request_package(admin_client, closed_petition())
    run_tasks()
    second = build_package.enqueue(package.pk)
    run_tasks()
    assert second.refresh() is None and second.return_value == "already taken"

    # The worker died half-way: the package says "running", the task goes back to the queue.
    Package.objects.filter(pk=package.pk).update(status="running", rows_written=2)
    DBTaskResult.objects.filter(pk=package.task_id).update(status="READY")
    run_tasks()
    package.refresh_from_db()
    assert (package.status, package.rows_written) == (Package.Status.DONE, 5)


def test_files_are_outside_media_and_can_be_deleted(admin_client, run_tasks, settings):
    package, _ = request_package(admin_client, closed_petition())
    run_tasks()
    package.refresh_from_db()
    directory = settings.DATA_DIR / "private" / "packages" / str(package.pk)
    assert (directory / package.csv_file).is_file() and (directory / package.pdf_file).is_file()
    assert not str(directory).startswith(str(settings.MEDIA_ROOT))
    admin_client.post(f"/admin/delivery/package/{package.pk}/delete-files/")
    package.refresh_from_db()
    assert package.status == Package.Status.DELETED and not directory.exists()
    assert (
        admin_client.get(f"/admin/delivery/package/{package.pk}/download/csv/").status_code == 404
    )
    assert AuditEntry.objects.filter(action="package.deleted").exists()


def test_letter_package_lists_every_signatory_with_footnotes(admin_client, run_tasks, tmp_path):
    from undersigned.letters.models import Letter

    letter = make_letter(state=Letter.State.CLOSED)
    network = letter.network_set.get()
    add_signatory(letter, "Alpha Aid", "SY", networks=[network])
    add_signatory(letter, "بسمة أمل", "LB")
    response = admin_client.post(
        f"/admin/delivery/letteraction/{letter.pk}/package/", {"kind": "handover", "language": "en"}
    )
    assert response.status_code == 302
    run_tasks()
    package = Package.objects.get()
    assert package.status == Package.Status.DONE, package.error
    rows = read_csv(admin_client.get(f"/admin/delivery/package/{package.pk}/download/csv/"))
    assert rows[0][:3] == ["number", "name", "networks"]
    assert [row[1:3] for row in rows[1:]] == [["Alpha Aid", "*"], ["بسمة أمل", ""]]
    assert "rana@example.org" not in str(rows)
    text = pdf_text(
        admin_client.get(f"/admin/delivery/package/{package.pk}/download/pdf/"), tmp_path
    )
    assert "Alpha Aid*" in text
    assert "Members of the Syria Relief Network." in text
    assert "We, the undersigned organisations" in text
