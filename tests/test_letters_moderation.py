"""Staff moderate endorsements in the admin: approve, reject with a reason, merge, add, export."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model

from undersigned.audit.models import AuditEntry
from undersigned.letters import services
from undersigned.letters.models import Endorsement

from .letters_fixtures import add_signatory, details, make_letter

pytestmark = pytest.mark.django_db

QUEUE = "/admin/letters/endorsementtoreview/"
ENDORSEMENTS = "/admin/letters/endorsement/"
PAGE = "/en/letters/stop-the-attacks/"


def pending(letter, name, country="SY"):
    endorsement = services.create_endorsement(
        letter, details(name, country), status=Endorsement.Status.PENDING_REVIEW
    )
    return endorsement


def test_reject_asks_for_a_reason_then_records_it(admin_client, client):
    letter = make_letter()
    endorsement = pending(letter, "Fake Front")
    ask = admin_client.post(
        QUEUE, {"action": "reject_selected", "_selected_action": [endorsement.pk]}
    )
    assert ask.status_code == 200
    assert "Reason" in ask.content.decode() and "Fake Front" in ask.content.decode()
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.PENDING_REVIEW

    admin_client.post(
        QUEUE,
        {
            "action": "reject_selected",
            "_selected_action": [endorsement.pk],
            "apply": "1",
            "reason": "Not a real organisation",
        },
    )
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.REJECTED
    assert endorsement.rejection_reason == "Not a real organisation"
    entry = AuditEntry.objects.get(action="endorsement.rejected")
    assert (entry.username, entry.detail) == ("admin", {"reason": "Not a real organisation"})
    assert "Fake Front" not in client.get(PAGE).content.decode()
    assert "Fake Front" not in admin_client.get(QUEUE).content.decode()


def test_merge_a_duplicate_into_the_endorsement_to_keep(admin_client, client):
    letter = make_letter()
    keep = add_signatory(letter, "Syria Relief", "GB")
    twin = pending(letter, "Syria Relief UK", "GB")
    ask = admin_client.post(
        ENDORSEMENTS, {"action": "merge_selected", "_selected_action": [keep.pk, twin.pk]}
    )
    assert "Keep this endorsement" in ask.content.decode()
    admin_client.post(
        ENDORSEMENTS,
        {
            "action": "merge_selected",
            "_selected_action": [keep.pk, twin.pk],
            "apply": "1",
            "into": keep.pk,
        },
    )
    twin.refresh_from_db()
    keep.refresh_from_db()
    assert (twin.status, twin.merged_into) == (Endorsement.Status.MERGED, keep)
    assert keep.status == Endorsement.Status.APPROVED
    entry = AuditEntry.objects.get(action="endorsement.merged")
    assert (entry.object_id, entry.detail["into"]) == (str(twin.pk), keep.pk)
    assert "Signed by 1 organisation" in client.get(PAGE).content.decode()


def test_merging_across_letters_is_refused(admin_client):
    one = add_signatory(make_letter(), "Syria Relief", "GB")
    other = add_signatory(make_letter("another", arabic=False), "Syria Relief", "GB")
    response = admin_client.post(
        ENDORSEMENTS,
        {"action": "merge_selected", "_selected_action": [one.pk, other.pk]},
        follow=True,
    )
    assert "Choose endorsements of one letter." in response.content.decode()
    assert Endorsement.objects.filter(status="merged").count() == 0


def test_approving_twice_changes_it_once():
    letter = make_letter()
    endorsement = pending(letter, "Baytna")
    assert services.approve(endorsement, None) is True
    assert services.approve(endorsement, None) is False
    assert AuditEntry.objects.filter(action="endorsement.approved").count() == 1


def test_staff_add_an_endorsement_directly(admin_client, client):
    letter = make_letter()
    network = letter.networks().get()
    response = admin_client.post(
        f"{ENDORSEMENTS}add/",
        {
            "letter": letter.pk,
            "name": "Women Now",
            "country": "FR",
            "website": "",
            "networks": [network.pk],
            "position": 0,
            "contact_name": "",
            "contact_email": "",
            "language": "en",
        },
    )
    assert response.status_code == 302, response.content.decode()
    endorsement = Endorsement.objects.get(name="Women Now")
    assert endorsement.status == Endorsement.Status.APPROVED
    assert endorsement.markers() == "*"
    assert AuditEntry.objects.get(action="endorsement.added").object_id == str(endorsement.pk)
    assert "Women Now" in client.get(PAGE).content.decode()

    again = admin_client.post(
        f"{ENDORSEMENTS}add/",
        {"letter": letter.pk, "name": "WOMEN  NOW", "country": "FR", "position": 0},
    )
    assert "This organisation is already on the letter." in again.content.decode()
    assert Endorsement.objects.count() == 1


def test_csv_export_is_staff_only_and_includes_the_contact(admin_client, client):
    letter = make_letter()
    pending(letter, "=HYPERLINK(evil)")
    add_signatory(letter, "Baytna", "TR")
    url = f"/admin/letters/letter/{letter.pk}/export/"

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    outsider = get_user_model().objects.create_user("outsider", password="pw", is_staff=True)
    client.force_login(outsider)  # staff of no organisation: the letter is not theirs
    assert client.get(url).status_code == 404

    response = admin_client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["name"] for row in rows} == {"'=HYPERLINK(evil)", "Baytna"}
    assert rows[0]["contact_email"] == "rana@example.org"


def test_csv_export_action_on_selected_endorsements(admin_client):
    letter = make_letter()
    one = add_signatory(letter, "Baytna", "TR")
    response = admin_client.post(
        ENDORSEMENTS, {"action": "export_selected", "_selected_action": [one.pk]}
    )
    assert "Baytna,TR" in response.content.decode("utf-8-sig")


def test_the_admin_pages_are_staff_only(client):
    for path in [QUEUE, ENDORSEMENTS, "/admin/letters/letter/"]:
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
