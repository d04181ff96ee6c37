"""Each signer chooses how far their name goes: public, to the target only, or counted only.
Signed through HTTP as a signer would; the hand-over package and exports built by the task."""

import re

import pytest
from django.core.cache import cache

from undersigned.audit.models import AuditEntry
from undersigned.delivery import exports, pdf
from undersigned.delivery.actions import ActionRef
from undersigned.petitions.models import Petition, Signature, State, Visibility

from .delivery_fixtures import packages_dir  # noqa: F401
from .factories import make_petition, signer
from .test_delivery_packages import pdf_text, read_csv, request_package

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("packages_dir")]

URL = "/en/petitions/free-the-detained/"
AR_URL = "/ar/petitions/free-the-detained/"


def radios(html: str) -> dict[str, bool]:
    """The visibility radios on the page: value -> checked."""
    found = re.findall(
        r'<input type="radio" name="visibility" value="(\w+)"[^>]*?( checked)?>', html
    )
    return {value: bool(checked) for value, checked in found}


def test_the_form_offers_three_levels_each_explained_target_by_default(client):
    make_petition()
    html = client.get(URL).content.decode()
    assert radios(html) == {"public": False, "target": True, "count": False}
    assert "<legend>Who may see your name</legend>" in html
    assert "Your first name, initial and country may appear in a public list" in html
    assert "never on a public page" in html
    assert "your name is not kept, shown or handed to anyone" in html

    arabic = client.get(AR_URL).content.decode()
    assert radios(arabic) == {"public": False, "target": True, "count": False}
    assert "من يمكنه رؤية اسمك" in arabic
    assert "Who may see your name" not in arabic


def test_a_campaign_may_choose_another_default(client):
    make_petition(default_visibility=Visibility.COUNT)
    assert radios(client.get(URL).content.decode())["count"] is True
    # a form without the field (an older page) takes the campaign's default
    assert client.post(URL, signer()).status_code == 302
    assert Signature.objects.get().visibility == Visibility.COUNT


@pytest.mark.parametrize(
    "level, kept_name",
    [("public", "Amal Haddad"), ("target", "Amal Haddad"), ("count", "")],
)
def test_the_choice_is_recorded_and_counted_only_keeps_no_name(client, level, kept_name):
    make_petition()
    assert client.post(URL, signer(visibility=level)).status_code == 302
    signature = Signature.objects.get()
    assert (signature.visibility, signature.name) == (level, kept_name)
    assert signature.email == "amal@example.org"  # still needed to confirm and to erase


@pytest.mark.parametrize(
    "bad", ["secret", "PUBLIC", "public ", "' OR 1=1 --", "<script>", "pub\x00lic", "x" * 5000]
)
def test_an_unknown_level_is_refused_next_to_the_field(client, bad):
    make_petition()
    response = client.post(URL, signer(visibility=bad))
    assert response.status_code == 400
    html = response.content.decode()
    fieldset = html[html.index('<fieldset class="field field--choices field--error"') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert "Please choose one of the three ways your name is shown." in fieldset
    assert 'value="Amal Haddad"' in html  # what was typed stays
    assert not Signature.objects.exists()


def test_malformed_utf8_in_the_level_changes_nothing(client):
    make_petition()
    body = b"name=Amal+Haddad&email=amal%40example.org&country=LB&visibility=%ff%fe"
    response = client.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Please choose one of the three ways your name is shown." in response.content.decode()
    assert not Signature.objects.exists()


def test_an_unknown_level_is_refused_in_arabic(client):
    make_petition()
    response = client.post(AR_URL, signer(visibility="secret"))
    assert response.status_code == 400
    assert "يرجى اختيار إحدى الطرق الثلاث" in response.content.decode()
    assert not Signature.objects.exists()


def test_the_public_list_shows_only_public_signers(client):
    make_petition(double_opt_in=False, show_recent_signers=True)
    client.post(URL, signer(name="Rana Ali", email="rana@example.org", visibility="public"))
    client.post(URL, signer(name="Omar Khalil", email="omar@example.org", visibility="target"))
    client.post(URL, signer(name="Lena Weber", email="lena@example.org", visibility="count"))
    cache.clear()
    html = client.get(URL).content.decode()
    assert "Rana A." in html
    assert "Omar" not in html and "Lena" not in html
    assert Signature.objects.filter(status="confirmed").count() == 3


def package_words(package, admin_client, tmp_path) -> str:
    """What the package's PDF says: its HTML always, and the PDF's own text when poppler's
    pdftotext is installed (the test then checks the very file handed over)."""
    html = pdf.package_html(package)
    words = " ".join(re.sub(r"<[^>]+>", " ", html.split("<body>")[1]).split())
    try:
        response = admin_client.get(f"/admin/delivery/package/{package.pk}/download/pdf/")
        text = " ".join(pdf_text(response, tmp_path).split())
    except pytest.skip.Exception:
        return words
    assert all(word in text for word in ("Rana", "Omar")) or "Rana" not in words
    return text


def sign_three_ways(client, smtp_server, run_tasks) -> Petition:
    """The issue's check: sign three times with the three levels, confirm each by email."""
    petition = make_petition()
    for name, email, level, country in [
        ("Rana Ali", "rana@example.org", "public", "SY"),
        ("Omar Khalil", "omar@example.org", "target", "SY"),
        ("Lena Weber", "lena@example.org", "count", "DE"),
    ]:
        form = signer(name=name, email=email, visibility=level, country=country)
        assert client.post(URL, form).status_code == 302
    client.post(URL, signer(name="Never Confirmed", email="late@example.org"))
    run_tasks()
    assert smtp_server.bodies(2)[0].startswith("Hello,\r\n")  # counted only: no name kept
    for index in range(3):
        text, _html = smtp_server.bodies(index)
        link = re.search(r"http://\S+/confirm/\S+/", text).group(0)
        assert client.post(link.replace("http://127.0.0.1:8000", "")).status_code == 302
    Petition.objects.filter(pk=petition.pk).update(state=State.CLOSED)
    return Petition.objects.get(pk=petition.pk)


def test_handover_package_names_target_and_public_never_count_only(
    admin_client, client, smtp_server, run_tasks, tmp_path
):
    petition = sign_three_ways(client, smtp_server, run_tasks)
    invalid = Signature.objects.get(name="Never Confirmed")
    Signature.objects.filter(pk=invalid.pk).update(status=Signature.Status.INVALIDATED)
    package, _response = request_package(admin_client, petition, include_names="on")
    run_tasks()
    package.refresh_from_db()
    assert package.status == "done", package.error

    rows = read_csv(admin_client.get(f"/admin/delivery/package/{package.pk}/download/csv/"))
    names = [row[0] for row in rows[1:]]
    assert sorted(names) == ["Omar Khalil", "Rana Ali"]
    assert (package.rows_written, package.total_rows) == (2, 2)

    text = package_words(package, admin_client, tmp_path)
    assert "Omar Khalil" in text and "Rana Ali" in text and "Lena" not in text
    assert "Confirmed signatures 3" in text
    assert "How signers chose to be named Public 1 To the target only 1 Counted only 1" in text
    assert "1 signature is counted only" in text
    # by country, counted-only signers included: they are counted, only never named
    assert "Signatures by country Country Signatures Share Syria 2 66.7" in text
    assert "Germany 1 33.3" in text
    assert "Signed between" in text
    assert "Each email address signs once" in text
    assert "opened the link we emailed and confirmed" in text
    assert "1 signature was set aside by staff as abuse" in text
    assert "0 signatures still waiting for their email confirmation" in text


def test_arabic_package_states_the_count_only_number(
    admin_client, client, smtp_server, run_tasks, tmp_path
):
    petition = sign_three_ways(client, smtp_server, run_tasks)
    package, _response = request_package(admin_client, petition, language="ar")
    run_tasks()
    package.refresh_from_db()
    assert package.status == "done", package.error
    text = pdf.package_html(package)  # pdftotext reorders Arabic marks: read what was laid out
    assert "كيف اختار الموقّعون أن تُذكر أسماؤهم" in text
    assert "يُحتسب فقط" in text


def test_every_export_leaves_out_counted_only_signatures(client, smtp_server, run_tasks, tmp_path):
    petition = sign_three_ways(client, smtp_server, run_tasks)
    action = ActionRef.of(petition)
    for with_emails in (False, True):
        path = tmp_path / f"export-{with_emails}.csv"
        rows, _method = exports.write_signatures_csv(
            action, path, language="en", with_emails=with_emails
        )
        body = path.read_text(encoding="utf-8")
        assert rows == 2
        assert "Lena" not in body and "lena@example.org" not in body
        assert "Omar Khalil" in body


# Changing the level later, from the my-data link in the signer's emails


def my_data_link(smtp_server, index=-1) -> str:
    text, _html = smtp_server.bodies(index)
    return re.search(r"http://127\.0\.0\.1:8000(/\w\w/my-data/[^/\s]+/)", text).group(1)


def test_a_signer_changes_the_level_from_the_my_data_link(client, smtp_server, run_tasks):
    make_petition(double_opt_in=False, show_recent_signers=True)
    client.post(URL, signer(visibility="target"))
    run_tasks()
    link = my_data_link(smtp_server)
    signature = Signature.objects.get()
    page = client.get(link).content.decode()
    assert "To the target only" in page
    assert radios(page) == {"public": False, "target": True, "count": False}
    assert "Amal H." not in client.get(URL).content.decode()

    response = client.post(f"{link}visibility/{signature.pk}/", {"visibility": "public"})
    assert response.status_code == 302 and response["Location"] == link + "?changed=1"
    assert "Your choice is saved." in client.get(response["Location"]).content.decode()
    signature.refresh_from_db()
    assert (signature.visibility, signature.name) == ("public", "Amal Haddad")
    assert "Amal H., Lebanon" in client.get(URL).content.decode()  # the cached page follows
    entry = AuditEntry.objects.get(action="signature.visibility_changed")
    assert entry.detail["before"] == "target" and entry.detail["after"] == "public"

    client.post(f"{link}visibility/{signature.pk}/", {"visibility": "count"})
    signature.refresh_from_db()
    assert (signature.visibility, signature.name) == ("count", "")  # the name goes
    assert "Amal" not in client.get(URL).content.decode()
    page = client.get(link).content.decode()
    assert "Not kept: you chose to be counted only" in page

    # leaving "counted only" needs the name again
    refused = client.post(f"{link}visibility/{signature.pk}/", {"visibility": "target"})
    assert refused.status_code == 400
    assert "Please give the name to show: we did not keep one." in refused.content.decode()
    signature.refresh_from_db()
    assert signature.visibility == "count"
    client.post(
        f"{link}visibility/{signature.pk}/", {"visibility": "target", "name": " Amal  Haddad "}
    )
    signature.refresh_from_db()
    assert (signature.visibility, signature.name) == ("target", "Amal Haddad")


@pytest.mark.parametrize("bad", ["", "secret", "<script>", "x" * 3000])
def test_an_unknown_level_on_my_data_is_refused_next_to_the_field(
    client, smtp_server, run_tasks, bad
):
    make_petition(double_opt_in=False)
    client.post(URL, signer(visibility="public"))
    run_tasks()
    link = my_data_link(smtp_server)
    signature = Signature.objects.get()
    response = client.post(f"{link}visibility/{signature.pk}/", {"visibility": bad})
    assert response.status_code == 400
    html = response.content.decode()
    fieldset = html[html.index("field--choices field--error") :]
    assert "Please choose one of the three ways your name is shown." in fieldset[:1000]
    signature.refresh_from_db()
    assert signature.visibility == "public"
    assert not AuditEntry.objects.filter(action="signature.visibility_changed").exists()


def test_nobody_changes_another_signers_level(client, smtp_server, run_tasks):
    make_petition(double_opt_in=False)
    client.post(URL, signer(email="amal@example.org"))
    run_tasks()
    amal_link = my_data_link(smtp_server)
    client.post(URL, signer(name="Omar Khalil", email="omar@example.org"))
    omar = Signature.objects.get(name="Omar Khalil")
    response = client.post(f"{amal_link}visibility/{omar.pk}/", {"visibility": "public"})
    assert response.status_code == 400
    assert "This link no longer works" in response.content.decode()
    forged = client.post(f"/en/my-data/forged-token/visibility/{omar.pk}/", {"visibility": "count"})
    assert forged.status_code == 400
    omar.refresh_from_db()
    assert (omar.visibility, omar.name) == ("target", "Omar Khalil")
