"""Endorsing a letter through HTTP, as an organisation would, with the email over real SMTP."""

import re

import pytest

from undersigned.audit.models import AuditEntry
from undersigned.letters.models import Endorsement, Letter

from .letters_fixtures import add_signatory, form_data, make_letter

pytestmark = pytest.mark.django_db

ENDORSE = "/en/letters/stop-the-attacks/endorse/"
PAGE = "/en/letters/stop-the-attacks/"


def confirm_path(smtp_server) -> str:
    text, html = smtp_server.bodies()
    url = re.search(r"http://\S+/confirm/\S+/", text).group(0)
    assert url in html
    return url.replace("http://127.0.0.1:8000", "")


def test_endorse_confirm_approve_and_see_the_numbered_list(
    client, admin_client, smtp_server, run_tasks, django_capture_on_commit_callbacks
):
    letter = make_letter()
    network = letter.networks().get()
    add_signatory(letter, "Amnesty International", "GB")

    assert "Add your organisation to this letter" in client.get(ENDORSE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ENDORSE, form_data(networks=[network.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/en/letters/stop-the-attacks/endorse/thanks/"
    assert "check your email" in client.get(response["Location"]).content.decode()
    endorsement = Endorsement.objects.get(name="Syrian Civil Defence")
    assert endorsement.status == Endorsement.Status.PENDING_EMAIL
    assert "Syrian Civil Defence" not in client.get(PAGE).content.decode()

    run_tasks()
    assert smtp_server.messages[0]["to"] == ["rana@example.org"]
    assert "Syrian Civil Defence" in smtp_server.messages[0]["message"]["Subject"] + str(
        smtp_server.bodies()[0]
    )
    link = confirm_path(smtp_server)
    run_tasks()
    assert len(smtp_server.messages) == 1  # the task does not send twice

    landing = client.get(link)
    assert landing.status_code == 200
    assert "Confirm the endorsement" in landing.content.decode()
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.PENDING_EMAIL  # GET changes nothing

    confirmed = client.post(link)
    assert confirmed["Location"] == "/en/letters/stop-the-attacks/endorse/confirmed/"
    assert client.post(link)["Location"] == confirmed["Location"]  # idempotent
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.PENDING_REVIEW
    assert endorsement.confirmed_at is not None

    queue = admin_client.get("/admin/letters/endorsementtoreview/").content.decode()
    assert "Syrian Civil Defence" in queue and "Amnesty International" not in queue
    admin_client.post(
        "/admin/letters/endorsementtoreview/",
        {"action": "approve_selected", "_selected_action": [endorsement.pk]},
    )
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.APPROVED
    assert AuditEntry.objects.filter(
        action="endorsement.approved", object_id=str(endorsement.pk), username="admin"
    ).exists()

    html = client.get(PAGE).content.decode()
    assert "Signed by 2 organisations from 2 countries" in html
    assert re.search(
        r'<li value="1"><span class="signatory-list__name" dir="auto">Amnesty International</span>',
        html,
    )
    assert re.search(
        r'<li value="2">.*Syrian Civil Defence<sup class="marker"[^>]*>\*</sup></span>', html
    )
    assert "rana@example.org" not in html and "Rana Example" not in html


def test_the_email_is_in_the_language_of_the_form(
    client, smtp_server, run_tasks, django_capture_on_commit_callbacks
):
    make_letter()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/ar/letters/stop-the-attacks-ar/endorse/", form_data())
    run_tasks()
    text, html = smtp_server.bodies()
    assert "أوقفوا الهجمات على المدنيين" in text
    assert '<html lang="ar" dir="rtl">' in html
    assert "/ar/confirm/" in text


@pytest.mark.parametrize(
    "twin",
    [
        "syrian civil defence",
        "  SYRIAN   Civil-Defence ",
        "Syrian Civil Défence",
        "SyrianCivilDefence",
    ],
)
def test_the_same_organisation_twice_is_refused_and_nothing_is_stored(client, twin):
    letter = make_letter()
    add_signatory(letter, "Syrian Civil Defence", "SY")
    response = client.post(ENDORSE, form_data(name=twin))
    assert response.status_code == 200
    assert "This organisation has already endorsed this letter" in response.content.decode()
    assert Endorsement.objects.count() == 1


def test_the_same_name_in_another_country_is_another_organisation(client):
    letter = make_letter()
    add_signatory(letter, "Syrian Civil Defence", "TR")
    assert client.post(ENDORSE, form_data()).status_code == 302
    assert Endorsement.objects.count() == 2


def test_an_imported_signatory_without_country_counts_as_the_same(client):
    letter = make_letter()
    add_signatory(letter, "Syrian Civil Defence", "")
    assert "already endorsed" in client.post(ENDORSE, form_data()).content.decode()


def test_a_rejected_endorsement_does_not_block_a_new_one(client, admin_client):
    letter = make_letter()
    from undersigned.letters import services

    first = add_signatory(letter, "Syrian Civil Defence", "SY")
    services.reject(first, "Spam", None)
    assert client.post(ENDORSE, form_data()).status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("name", "x" * 201, "Ensure this value has at most 200 characters"),
        ("name", "Civil\x00Defence", "Null characters are not allowed."),
        ("country", "", "This field is required."),
        ("country", "XX", "Select a valid choice."),
        ("website", "not a website", "Enter a valid URL."),
        ("website", "https://example.org/" + "a" * 200, "Ensure this value has at most 200"),
        ("contact_name", "", "This field is required."),
        ("contact_email", "rana@", "Enter a valid email address."),
        ("contact_email", "", "This field is required."),
        ("authorised", None, "Only someone authorised by the organisation may sign."),
        ("networks", "999999", "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_field_error_and_changes_nothing(client, field, value, message):
    make_letter()
    response = client.post(ENDORSE, form_data(**{field: value}))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html.replace("&#x27;", "'")
    assert f'id="id_{field}_error"' in html or field == "networks"
    assert Endorsement.objects.count() == 0


def test_input_is_kept_when_the_form_has_errors(client):
    make_letter()
    html = client.post(ENDORSE, form_data(contact_email="nope")).content.decode()
    assert 'value="Syrian Civil Defence"' in html
    assert '<option value="SY" selected>' in html


def test_errors_are_in_the_language_of_the_page(client):
    make_letter()
    html = client.post(
        "/ar/letters/stop-the-attacks-ar/endorse/", form_data(name="")
    ).content.decode()
    assert "هذا الحقل مطلوب" in html
    assert '<html lang="ar" dir="rtl">' in html


def test_html_and_sql_are_stored_exactly_and_shown_escaped(client, admin_client):
    letter = make_letter()
    hostile = "<script>alert(1)</script>'; DROP TABLE letters_letter; --"
    assert client.post(ENDORSE, form_data(name=hostile)).status_code == 302
    endorsement = Endorsement.objects.get()
    assert endorsement.name == hostile
    from undersigned.letters import services

    services.approve(endorsement, None)
    html = client.get(PAGE).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#x27;; DROP TABLE" in html
    assert Letter.objects.filter(pk=letter.pk).exists()


@pytest.mark.parametrize("state", [Letter.State.CLOSED, Letter.State.DELIVERED])
def test_a_closed_letter_refuses_endorsements_with_a_clear_message(client, state):
    make_letter(state=state)
    page = client.get(ENDORSE).content.decode()
    assert "This letter no longer takes new signatures" in page
    assert "<form" not in page.split("<main")[1]
    response = client.post(ENDORSE, form_data())
    assert response.status_code == 403
    assert Endorsement.objects.count() == 0


def test_a_letter_not_accepting_public_endorsements_refuses_them(client):
    make_letter(accepts_public_endorsements=False)
    assert client.post(ENDORSE, form_data()).status_code == 403
    assert "Add your organisation" not in client.get(PAGE).content.decode()


def test_a_draft_letter_is_not_found(client):
    make_letter(state=Letter.State.DRAFT)
    assert client.get(PAGE).status_code == 404
    assert client.get(ENDORSE).status_code == 404
    assert client.post(ENDORSE, form_data()).status_code == 404


def test_a_forged_or_deleted_confirmation_link_changes_nothing(client):
    from undersigned.pages import confirmations

    make_letter()
    assert client.post("/en/confirm/forged-token/").status_code == 400
    token = confirmations.make_token("endorsement", 987654)
    assert client.get(f"/en/confirm/{token}/").status_code == 404
