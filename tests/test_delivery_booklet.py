"""The hand-over package's booklet: the approved messages of support as a PDF, with the
signer's first name and country only, right to left in Arabic."""

import pytest

from undersigned.audit.models import AuditEntry
from undersigned.delivery.models import Package
from undersigned.petitions.models import Signature, SupportMessage

from .delivery_fixtures import closed_petition, packages_dir  # noqa: F401
from .test_delivery_packages import pdf_text, request_package

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("packages_dir")]


def add_messages(petition):
    """Messages of the fixture's signers: approved, rejected and pending."""
    signatures = {s.name: s for s in Signature.objects.filter(petition=petition)}
    rows = [
        ("Amal Haddad", "We stand with every family waiting for news.", "en", "approved"),
        ("رنا العلي", "لن ننسى أي معتقل في السجون.", "ar", "approved"),
        ("Lena Weber", "A rejected message", "en", "rejected"),
        ("Omar Khalil", "A message not yet reviewed", "en", "pending"),
        ("Pending Person", "An unconfirmed signer's message", "en", "approved"),
    ]
    for name, text, language, status in rows:
        SupportMessage.objects.create(
            signature=signatures[name],
            petition=petition,
            text=text,
            language=language,
            status=status,
        )
    Signature.objects.filter(name="Lena Weber").update(visibility="count", name="")


def booklet_text(client, package, tmp_path) -> str:
    response = client.get(f"/admin/delivery/package/{package.pk}/download/booklet/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response, tmp_path)


def test_the_booklet_holds_the_approved_messages_with_first_names_and_countries(
    admin_client, run_tasks, tmp_path
):
    petition = closed_petition(messages_enabled=True)
    add_messages(petition)
    package, _ = request_package(admin_client, petition, include_messages="on")
    assert package.include_messages
    run_tasks()
    package.refresh_from_db()
    assert package.status == Package.Status.DONE, package.error
    assert package.booklet_file == "free-the-detained-en-messages.pdf"
    page = admin_client.get(f"/admin/delivery/package/{package.pk}/change/").content.decode()
    assert "Download the booklet of messages" in page

    text = booklet_text(admin_client, package, tmp_path)
    assert "Messages of support" in text and "Free the detained" in text
    assert "2 messages from signers, approved by our team." in text
    assert "We stand with every family waiting for news." in text
    assert "Amal, Lebanon" in text and "Haddad" not in text
    assert "لن ننسى أي معتقل في السجون." in text
    assert "A rejected message" not in text
    assert "A message not yet reviewed" not in text
    assert "An unconfirmed signer's message" not in text
    assert "@" not in text
    assert AuditEntry.objects.filter(action="package.downloaded", detail__file="booklet").exists()


def test_the_arabic_booklet_is_right_to_left(admin_client, run_tasks, tmp_path):
    from undersigned.delivery.pdf import booklet_html

    petition = closed_petition(messages_enabled=True)
    add_messages(petition)
    package, _ = request_package(admin_client, petition, language="ar", include_messages="on")
    html = booklet_html(package)
    assert '<html lang="ar" dir="rtl">' in html
    assert '<p lang="en" dir="auto">We stand with every family' in html
    run_tasks()
    package.refresh_from_db()
    text = booklet_text(admin_client, package, tmp_path)
    assert "رسائل التضامن" in text
    assert "الحرية للمعتقلين" in text
    assert "لن ننسى أي معتقل في السجون" in text  # pdftotext moves the full stop
    assert "سوريا،رنا" in text  # "رنا، سوريا" as pdftotext lays it out
    assert "Haddad" not in text


def test_no_booklet_unless_asked_for(admin_client, run_tasks):
    petition = closed_petition(messages_enabled=True)
    add_messages(petition)
    package, _ = request_package(admin_client, petition)
    run_tasks()
    package.refresh_from_db()
    assert package.status == Package.Status.DONE and package.booklet_file == ""
    response = admin_client.get(f"/admin/delivery/package/{package.pk}/download/booklet/")
    assert response.status_code == 404


def test_a_staff_export_never_has_a_booklet(admin_client, run_tasks):
    petition = closed_petition(messages_enabled=True)
    add_messages(petition)
    package, _ = request_package(admin_client, petition, kind="emails", include_messages="on")
    assert not package.include_messages
