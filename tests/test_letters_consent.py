"""Organisations listed on a letter consent: staff add or import them, each contact is asked
by email (real SMTP, in its language) to confirm or withdraw, and the public list, its PDF
and the hand-over package follow the answer."""

import json
import re
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from undersigned.audit.models import AuditEntry
from undersigned.delivery.models import Package
from undersigned.emails.models import OutboxMessage
from undersigned.letters import consent
from undersigned.letters.models import Endorsement, Letter, ReadyPdf

from .delivery_fixtures import packages_dir  # noqa: F401
from .letters_fixtures import add_signatory, form_data, make_letter
from .test_delivery_packages import pdf_text, read_csv

pytestmark = pytest.mark.django_db

PAGE = "/en/letters/stop-the-attacks/"
CSV = (
    "name,country,website,networks,contact_name,contact_email,language\n"
    "Syria Relief Aid,SY,,,Rana Example,rana@example.org,en\n"
    "Baytna,TR,,,ليلى,layla@example.org,ar\n"
    "Women Now,FR,,,,,\n"
)


def import_csv(admin_client, letter, content=CSV):
    url = f"/admin/letters/letter/{letter.pk}/import/"
    upload = SimpleUploadedFile("list.csv", content.encode(), content_type="text/csv")
    preview = admin_client.post(url, {"csv_file": upload})
    assert preview.status_code == 200
    html = preview.content.decode()
    confirm = re.search(r'name="content" value="([^"]*)"', html)
    assert confirm, html[:3000]
    import html as html_lib

    saved = admin_client.post(
        url, {"confirm": "1", "kind": "csv", "content": html_lib.unescape(confirm.group(1))}
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    return html


def consent_link(smtp_server, address) -> str:
    """The link of the first email to `address`."""
    links = consent_links(smtp_server, address)
    assert links, f"no email to {address}"
    return links[0]


def consent_links(smtp_server, address) -> list[str]:
    """The "confirm or withdraw" link of each email to `address` (a link in each, as text
    and as a real link in the HTML part)."""
    links = []
    for index, message in enumerate(smtp_server.messages):
        if message["to"] == [address]:
            text, html = smtp_server.bodies(index)
            link = re.search(r"http://127\.0\.0\.1:8000(/\w\w/letters/consent/[^/\s]+/)", text)
            assert link, f"no withdraw link in {message['message']['Subject']!r}"
            assert f'href="http://127.0.0.1:8000{link.group(1)}"' in html
            links.append(link.group(1))
    return links


def public_list(client) -> str:
    html = client.get(PAGE).content.decode()
    return html[html.index('id="signatories"') :]


def test_import_with_contacts_asks_each_in_its_language(
    admin_client, client, smtp_server, run_tasks
):
    letter = make_letter()
    preview = import_csv(admin_client, letter)
    assert "no contact" in preview  # the preview says who will be asked
    entry = AuditEntry.objects.get(action="letter.imported")
    assert entry.detail["imported"] == 3 and entry.detail["asked_to_confirm"] == 2

    run_tasks()
    assert sorted(m["to"][0] for m in smtp_server.messages) == [
        "layla@example.org",
        "rana@example.org",
    ]
    subjects = {m["to"][0]: m["message"]["Subject"] for m in smtp_server.messages}
    assert "Please confirm or withdraw: Syria Relief Aid" in subjects["rana@example.org"]
    assert "يرجى التأكيد أو الانسحاب" in subjects["layla@example.org"]
    arabic_link = consent_link(smtp_server, "layla@example.org")
    assert arabic_link.startswith("/ar/letters/consent/")
    run_tasks()
    assert len(smtp_server.messages) == 2  # each is asked once

    listed = public_list(client)
    for name in ("Syria Relief Aid", "Baytna", "Women Now"):
        assert name in listed
    assert listed.count("(added by the organiser)") == 3
    assert "rana@example.org" not in listed


def test_confirm_and_withdraw_from_the_emails(
    admin_client, client, smtp_server, run_tasks, tmp_path
):
    letter = make_letter()
    import_csv(admin_client, letter)
    run_tasks()
    confirm_link = consent_link(smtp_server, "rana@example.org")
    withdraw_link = consent_link(smtp_server, "layla@example.org").replace("/ar/", "/en/")

    landing = client.get(confirm_link)  # a mail scanner opening it changes nothing
    assert landing.status_code == 200
    assert "Does Syria Relief Aid sign this letter?" in landing.content.decode()
    assert Endorsement.objects.get(name="Syria Relief Aid").consent == "asked"
    confirmed = client.post(confirm_link, {"answer": "confirm"})
    assert confirmed.status_code == 302
    assert "the endorsement is confirmed" in client.get(confirmed["Location"]).content.decode()
    endorsement = Endorsement.objects.get(name="Syria Relief Aid")
    assert endorsement.consent == "confirmed" and endorsement.consent_answered_at
    listed = public_list(client)
    syria = listed[listed.index("Syria Relief Aid") :]
    assert syria[: syria.index("</li>")].count(">confirmed<") == 1

    withdrawn = client.post(withdraw_link, {"answer": "withdraw"})
    assert withdrawn.status_code == 200
    assert "Baytna is withdrawn from this letter" in withdrawn.content.decode()
    assert Endorsement.objects.get(name="Baytna").status == "withdrawn"
    entry = AuditEntry.objects.get(action="endorsement.retracted")
    assert entry.detail["name"] == "Baytna" and entry.username == "system"
    assert "Baytna" not in public_list(client)
    pdf = client.get("/en/letters/stop-the-attacks/pdf/")
    assert pdf.status_code == 200
    path = tmp_path / "letter.pdf"
    path.write_bytes(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    import subprocess

    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Syria Relief Aid" in text and "Baytna" not in text
    assert Letter.objects.get(pk=letter.pk).counted_signatures().count() == 2

    # the used link changes nothing more, whatever is sent to it
    for answer in ("confirm", "withdraw"):
        again = client.post(withdraw_link, {"answer": answer})
        assert "This link has been used" in again.content.decode()
    assert client.get(withdraw_link).status_code == 200
    assert Endorsement.objects.get(name="Baytna").status == "withdrawn"
    assert AuditEntry.objects.filter(action="endorsement.retracted").count() == 1

    # a confirmed organisation can still withdraw later
    client.post(confirm_link, {"answer": "withdraw"})
    assert Endorsement.objects.get(name="Syria Relief Aid").status == "withdrawn"


@pytest.mark.parametrize("answer", ["", "yes", "<script>", "withdraw ", "x" * 5000])
def test_an_unknown_answer_changes_nothing(admin_client, client, smtp_server, run_tasks, answer):
    letter = make_letter()
    import_csv(admin_client, letter)
    run_tasks()
    link = consent_link(smtp_server, "rana@example.org")
    response = client.post(link, {"answer": answer})
    assert response.status_code == 400
    assert "Please press one of the two buttons." in response.content.decode()
    endorsement = Endorsement.objects.get(name="Syria Relief Aid")
    assert (endorsement.status, endorsement.consent) == ("approved", "asked")


@pytest.mark.parametrize(
    "token",
    ["forged", "x" * 400, "MQ:1tVNeS:forged-signature-forged-signature-forged-sig"],
)
def test_a_forged_link_answers_a_plain_page(client, token):
    letter = make_letter()
    add_signatory(letter, "Baytna", "TR", contact_email="layla@example.org")
    for method in (client.get, client.post):
        response = method(f"/en/letters/consent/{token}/", {"answer": "withdraw"})
        assert response.status_code == 400
        assert "This link no longer works" in response.content.decode()
    assert Endorsement.objects.get().status == "approved"


def test_an_expired_link_answers_a_plain_page(client, settings):
    letter = make_letter()
    endorsement = add_signatory(letter, "Baytna", "TR", contact_email="layla@example.org")
    token = consent.make_token(endorsement.pk)
    settings.ENDORSEMENT_LINK_DAYS = -1
    response = client.post(f"/en/letters/consent/{token}/", {"answer": "withdraw"})
    assert response.status_code == 400
    assert "This link no longer works" in response.content.decode()
    assert Endorsement.objects.get().status == "approved"


def test_staff_may_list_only_confirmed_organisations(admin_client, client, smtp_server, run_tasks):
    letter = make_letter(show_unconfirmed=False)
    import_csv(admin_client, letter)
    run_tasks()
    listed = public_list(client)
    assert "Syria Relief Aid" not in listed and "Women Now" not in listed
    client.post(consent_link(smtp_server, "rana@example.org"), {"answer": "confirm"})
    listed = public_list(client)
    assert "Syria Relief Aid" in listed and "Baytna" not in listed
    assert Letter.objects.get(pk=letter.pk).counted_signatures().count() == 1


def test_staff_adding_one_with_a_contact_asks_it_in_its_language(admin_client, run_tasks, settings):
    settings.EMAIL_BACKEND = "undersigned.emails.backends.OutboxBackend"
    letter = make_letter()
    response = admin_client.post(
        "/admin/letters/endorsement/add/",
        {
            "letter": letter.pk,
            "name": "Baytna",
            "country": "TR",
            "position": 0,
            "contact_name": "ليلى",
            "contact_email": "layla@example.org",
            "language": "ar",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Endorsement.objects.get().consent == "asked"
    run_tasks()
    message = OutboxMessage.objects.get()
    assert message.to == "layla@example.org"
    assert "/ar/letters/consent/" in message.text_body
    assert "Baytna" in message.subject


def test_a_contact_given_later_is_asked_then(admin_client, smtp_server, run_tasks):
    letter = make_letter()
    endorsement = add_signatory(letter, "Women Now", "FR")
    assert endorsement.consent == "not_asked"
    form = {
        "name": "Women Now",
        "country": "FR",
        "website": "",
        "position": endorsement.position,
        "contact_name": "Noor Example",
        "contact_email": "noor@example.org",
        "language": "ar",
    }
    url = f"/admin/letters/endorsement/{endorsement.pk}/change/"
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Endorsement.objects.get(pk=endorsement.pk).consent == "asked"
    run_tasks()
    assert consent_link(smtp_server, "noor@example.org").startswith("/ar/letters/consent/")
    admin_client.post(url, {**form, "contact_name": "Noor E."})  # nothing new to ask
    run_tasks()
    assert len(smtp_server.messages) == 1


# Endorsement contacts: my-data page, download, erasure and retention, like signers' emails


def my_data_link(smtp_server, address) -> str:
    for index, message in enumerate(smtp_server.messages):
        if message["to"] == [address]:
            text, _html = smtp_server.bodies(index)
            return re.search(r"http://127\.0\.0\.1:8000(/\w\w/my-data/[^/\s]+/)", text).group(1)
    raise AssertionError(f"no email to {address}")


def test_a_contact_sees_downloads_and_erases_its_data(admin_client, client, smtp_server, run_tasks):
    letter = make_letter()
    import_csv(admin_client, letter)
    run_tasks()
    link = my_data_link(smtp_server, "rana@example.org")
    page = client.get(link).content.decode()
    assert "Organisations you are the contact for" in page
    assert "Syria Relief Aid" in page and "Rana Example" in page and "rana@example.org" in page
    assert "Baytna" not in page  # another contact's

    data = json.loads(client.post(link + "download/").content)
    (contact,) = data["endorsement_contacts"]
    assert (contact["organisation"], contact["contact_email"]) == (
        "Syria Relief Aid",
        "rana@example.org",
    )

    client.post(link + "erase/")
    endorsement = Endorsement.objects.get(name="Syria Relief Aid")
    assert (
        endorsement.contact_name,
        endorsement.contact_email,
        endorsement.contact_email_digest,
    ) == ("", "", "")
    assert endorsement.contact_erased_at and endorsement.status == "approved"
    assert "Syria Relief Aid" in public_list(client)  # the organisation stays listed
    entry = AuditEntry.objects.get(action="signer.erased")
    assert entry.detail["endorsement_contacts"] == [endorsement.pk]
    assert "Organisations you are the contact for" not in client.get(link).content.decode()


def test_forgot_my_link_reaches_an_endorsement_contact(client, smtp_server, run_tasks):
    letter = make_letter()
    add_signatory(letter, "Baytna", "TR", contact_email="layla@example.org")
    run_tasks()
    before = len(smtp_server.messages)
    client.post("/en/my-data/", {"email": "layla@example.org"})
    run_tasks()
    assert len(smtp_server.messages) == before + 1
    assert "/en/my-data/" in smtp_server.bodies()[0]


def test_a_contact_withdraws_from_a_freshly_asked_my_data_link(client, smtp_server, run_tasks):
    # the link of the first email expires; the organisation can still withdraw, at any time
    letter = make_letter()
    add_signatory(letter, "Baytna", "TR", contact_email="layla@example.org")
    add_signatory(letter, "Women Now", "FR", contact_email="layla@example.org")
    Endorsement.objects.filter(name="Women Now").update(status="withdrawn")
    run_tasks()
    smtp_server.messages.clear()
    client.post("/en/my-data/", {"email": "layla@example.org"})
    run_tasks()
    page = client.get(my_data_link(smtp_server, "layla@example.org")).content.decode()
    links = re.findall(r'<a href="(/en/letters/consent/[^"]+/)">Confirm or withdraw</a>', page)
    assert len(links) == 1  # none for the one already withdrawn

    assert "Does Baytna sign this letter?" in client.get(links[0]).content.decode()
    client.post(links[0], {"answer": "withdraw"})
    assert Endorsement.objects.get(name="Baytna").status == "withdrawn"
    assert AuditEntry.objects.get(action="endorsement.retracted").detail["name"] == "Baytna"
    assert "Baytna" not in public_list(client)


def test_contacts_are_erased_when_the_letter_s_retention_runs_out(run_tasks, settings):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    settings.RETENTION_DAYS = 30
    old = make_letter()
    add_signatory(old, "Baytna", "TR", contact_email="layla@example.org")
    recent = make_letter("recent-letter", title="Recent")
    add_signatory(recent, "Women Now", "FR", contact_email="women@example.org")
    Letter.objects.filter(pk=old.pk).update(
        state=Letter.State.CLOSED, closed_at=timezone.now() - timedelta(days=31)
    )
    Letter.objects.filter(pk=recent.pk).update(
        state=Letter.State.CLOSED, closed_at=timezone.now() - timedelta(days=29)
    )
    call_command("housekeeping", verbosity=0)
    run_tasks()
    assert Endorsement.objects.get(name="Baytna").contact_email == ""
    assert Endorsement.objects.get(name="Women Now").contact_email == "women@example.org"
    entry = AuditEntry.objects.get(action="endorsement_contacts.erased")
    assert entry.detail["erased"] == 1


# An organisation that endorsed through the public form can withdraw from its emails too

ENDORSE = PAGE + "endorse/"


def endorse_and_confirm(client, smtp_server, run_tasks, capture) -> Endorsement:
    """The public form, then the link of the confirmation email (over real SMTP)."""
    with capture(execute=True):
        assert client.post(ENDORSE, form_data()).status_code == 302
    run_tasks()
    text, _html = smtp_server.bodies(0)
    confirm = re.search(r"http://127\.0\.0\.1:8000(/en/confirm/\S+/)", text).group(1)
    with capture(execute=True):
        client.post(confirm)
    return Endorsement.objects.get(name="Syrian Civil Defence")


def approve_in_admin(admin_client, endorsement):
    admin_client.post(
        "/admin/letters/endorsementtoreview/",
        {"action": "approve_selected", "_selected_action": [endorsement.pk]},
    )
    endorsement.refresh_from_db()


def test_a_self_endorsed_organisation_withdraws_from_the_approval_email(
    admin_client, client, smtp_server, run_tasks, django_capture_on_commit_callbacks
):
    make_letter()
    endorsement = endorse_and_confirm(
        client, smtp_server, run_tasks, django_capture_on_commit_callbacks
    )
    approve_in_admin(admin_client, endorsement)
    run_tasks()
    assert endorsement.status == "approved" and endorsement.consent == "own"
    subjects = [m["message"]["Subject"] for m in smtp_server.messages]
    assert len(subjects) == 2 and "Your organisation is on the letter" in subjects[1]
    # every email the organisation got carries a working link to withdraw
    from_confirmation, from_approval = consent_links(smtp_server, "rana@example.org")
    assert "Syrian Civil Defence" in public_list(client)

    landing = client.get(from_approval).content.decode()
    assert "The organisation has confirmed its endorsement" in landing
    assert "Yes, we sign this letter" not in landing  # it signed itself: nothing to confirm
    withdrawn = client.post(from_approval, {"answer": "withdraw"})
    assert "Syrian Civil Defence is withdrawn from this letter" in withdrawn.content.decode()
    assert Endorsement.objects.get(pk=endorsement.pk).status == "withdrawn"
    entry = AuditEntry.objects.get(action="endorsement.retracted")
    assert (entry.object_id, entry.detail["was"]) == (str(endorsement.pk), "approved")
    assert "Syrian Civil Defence" not in public_list(client)
    used = client.post(from_confirmation, {"answer": "withdraw"}).content.decode()
    assert "This link has been used" in used
    assert AuditEntry.objects.filter(action="endorsement.retracted").count() == 1


def test_withdrawn_before_review_staff_cannot_list_it(
    admin_client, client, smtp_server, run_tasks, django_capture_on_commit_callbacks
):
    make_letter()
    endorsement = endorse_and_confirm(
        client, smtp_server, run_tasks, django_capture_on_commit_callbacks
    )
    assert endorsement.status == "pending_review"
    (from_confirmation,) = consent_links(smtp_server, "rana@example.org")
    client.post(from_confirmation, {"answer": "withdraw"})
    queue = admin_client.get("/admin/letters/endorsementtoreview/").content.decode()
    assert "Syrian Civil Defence" not in queue
    approve_in_admin(admin_client, endorsement)
    assert endorsement.status == "withdrawn"
    assert "Syrian Civil Defence" not in public_list(client)


# A withdrawal reaches everything made from the list: the kept PDF at once, the hand-over
# package and its CSV, the CSV with contacts, the public API and partners' change feeds


def letter_pdf_text(client, tmp_path) -> str:
    response = client.get(PAGE + "pdf/")
    assert response.status_code == 200
    path = tmp_path / "letter.pdf"
    path.write_bytes(response.content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


@pytest.mark.usefixtures("packages_dir")
def test_a_withdrawal_leaves_the_kept_pdf_at_once_and_every_package(
    admin_client, client, smtp_server, run_tasks, tmp_path
):
    letter = make_letter()
    import_csv(admin_client, letter)
    run_tasks()
    assert "Baytna" in letter_pdf_text(client, tmp_path)  # rendered once, then kept
    assert ReadyPdf.objects.filter(letter=letter).exists()

    client.post(consent_link(smtp_server, "rana@example.org"), {"answer": "confirm"})
    client.post(consent_link(smtp_server, "layla@example.org"), {"answer": "withdraw"})
    assert "Baytna" not in letter_pdf_text(client, tmp_path)  # not the stale kept one
    run_tasks()
    text = letter_pdf_text(client, tmp_path)
    assert "Syria Relief Aid" in text and "Baytna" not in text
    api = client.get("/api/v1/letters/stop-the-attacks/signatories").json()
    assert [item["name"] for item in api["items"]] == ["Syria Relief Aid", "Women Now"]

    Letter.objects.filter(pk=letter.pk).update(state=Letter.State.CLOSED)
    for kind in ("handover", "emails"):
        url = f"/admin/delivery/letteraction/{letter.pk}/package/"
        assert admin_client.post(url, {"kind": kind, "language": "en"}).status_code == 302
    run_tasks()
    handover, emails = Package.objects.order_by("pk")
    assert (handover.status, emails.status) == ("done", "done"), handover.error + emails.error
    downloads = f"/admin/delivery/package/{handover.pk}/download/"
    rows = read_csv(admin_client.get(downloads + "csv/"))
    assert [row[1] for row in rows[1:]] == ["Syria Relief Aid", "Women Now"]
    text = pdf_text(admin_client.get(downloads + "pdf/"), tmp_path)
    assert "signed by 2 organisations" in text
    assert "Syria Relief Aid" in text and "Baytna" not in text
    rows = read_csv(admin_client.get(f"/admin/delivery/package/{emails.pk}/download/csv/"))
    assert [row[1] for row in rows[1:]] == ["Syria Relief Aid", "Women Now"]
    assert "layla@example.org" not in str(rows) and "rana@example.org" in str(rows)


def test_partners_pulling_changes_see_the_withdrawal(client, smtp_server, run_tasks):
    from datetime import timedelta

    from django.utils import timezone

    from undersigned.api.keys import create_key
    from undersigned.api.models import ApiKey

    letter = make_letter()
    endorsement = add_signatory(letter, "Baytna", "TR", contact_email="layla@example.org")
    run_tasks()
    Endorsement.objects.filter(pk=endorsement.pk).update(
        updated_at=timezone.now() - timedelta(days=1)
    )
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    key = create_key(letter.organiser, "CRM sync", ApiKey.Scope.READ, None)[1]

    def changed() -> list:
        response = client.get(
            "/api/v1/private/endorsements",
            {"updated_since": since},
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        return [(item["name"], item["status"]) for item in response.json()["items"]]

    assert changed() == []
    client.post(consent_link(smtp_server, "layla@example.org"), {"answer": "withdraw"})
    assert changed() == [("Baytna", "withdrawn")]
