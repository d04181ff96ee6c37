"""Staff record a delivery; the public page and the home page then show it, in both languages."""

import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from undersigned.audit.models import AuditEntry
from undersigned.delivery.models import Delivery
from undersigned.letters.models import Letter
from undersigned.petitions.models import Petition, State

from .delivery_fixtures import closed_petition, staff_member
from .factories import make_petition
from .letters_fixtures import make_letter

pytestmark = pytest.mark.django_db

DELIVERED = datetime.date(2025, 4, 2)


def form(**overrides):
    data = {
        "delivered_on": "2025-04-02",
        "method": "in_person",
        "recipients_en": "the Secretary-General's office",
        "note_en": "We handed over **every** signature.",
        "recipients_ar": "مكتب الأمين العام",
        "note_ar": "سلّمنا **كل** التواقيع.",
        "photos-TOTAL_FORMS": "2",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "6",
    }
    data.update(overrides)
    return data


def jpeg() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (640, 400), (30, 60, 90)).save(buffer, "JPEG")
    return SimpleUploadedFile("handover.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_recording_a_delivery_marks_the_petition_delivered_and_shows_the_note(
    admin_client, admin_user, client
):
    petition = closed_petition()
    url = f"/admin/delivery/petitionaction/{petition.pk}/deliver/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        form(
            **{
                "photos-0-image": jpeg(),
                "photos-0-alt_text": "Two campaigners hand over boxes of signatures",
                "photos-0-alt_text_ar": "ناشطتان تسلّمان صناديق التواقيع",
                "photos-0-credit": "Rights Watchers",
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    petition.refresh_from_db()
    assert petition.state == State.DELIVERED
    delivery = Delivery.objects.get(petition=petition)
    assert (delivery.delivered_on, delivery.recorded_by) == (DELIVERED, admin_user)
    entry = AuditEntry.objects.get(action="delivery.recorded")
    assert (entry.user, entry.object_id, entry.detail["photos_added"]) == (
        admin_user,
        str(petition.pk),
        1,
    )

    page = client.get("/en/petitions/free-the-detained/").content.decode()
    assert "Delivered to the Secretary-General&#x27;s office on 2 April 2025" in page
    assert "We handed over <strong>every</strong> signature." in page
    assert 'alt="Two campaigners hand over boxes of signatures"' in page
    assert "Photo: Rights Watchers" in page

    arabic = client.get("/ar/petitions/free-the-detained/").content.decode()
    assert "مكتب الأمين العام" in arabic
    assert "2 إبريل 2025" in arabic  # the date in Arabic
    assert "سلّمنا <strong>كل</strong> التواقيع." in arabic
    assert 'alt="ناشطتان تسلّمان صناديق التواقيع"' in arabic


def test_home_page_marks_it_delivered(admin_client, client):
    petition = closed_petition()
    admin_client.post(f"/admin/delivery/petitionaction/{petition.pk}/deliver/", form())
    home = client.get("/en/").content.decode()
    assert "badge--delivered" in home
    assert "Delivered to the Secretary-General&#x27;s office on 2 April 2025" in home


def test_empty_recipients_name_the_targets_in_each_language(admin_client, client):
    petition = closed_petition()
    admin_client.post(
        f"/admin/delivery/petitionaction/{petition.pk}/deliver/",
        form(recipients_en="", recipients_ar="", note_ar=""),
    )
    assert (
        "Delivered to The UN Secretary-General on"
        in client.get("/en/petitions/free-the-detained/").content.decode()
    )
    arabic = client.get("/ar/petitions/free-the-detained/").content.decode()
    assert "الأمين العام للأمم المتحدة" in arabic
    assert 'lang="en"' in arabic  # the English note, marked as such on the Arabic page


def test_editing_keeps_one_delivery_and_is_audited(admin_client):
    petition = closed_petition()
    url = f"/admin/delivery/petitionaction/{petition.pk}/deliver/"
    admin_client.post(url, form())
    page = admin_client.get(url).content.decode()
    assert "the Secretary-General&#x27;s office" in page  # the form shows what was recorded
    admin_client.post(url, form(delivered_on="2025-04-03", note_ar=""))
    delivery = Delivery.objects.get()
    assert delivery.delivered_on == datetime.date(2025, 4, 3)
    assert delivery.texts.get(language="ar").note == ""
    assert AuditEntry.objects.filter(action="delivery.changed").count() == 1


def test_bad_input_changes_nothing(admin_client):
    petition = closed_petition()
    url = f"/admin/delivery/petitionaction/{petition.pk}/deliver/"
    future = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = admin_client.post(url, form(delivered_on=future, recipients_en="x" * 301))
    assert response.status_code == 200
    page = response.content.decode()
    assert "A delivery cannot be in the future." in page
    assert "Ensure this value has at most 300 characters" in page
    response = admin_client.post(url, form(**{"photos-0-image": jpeg()}))
    assert "Describe the photo for people who cannot see it." in response.content.decode()
    assert not Delivery.objects.exists()
    assert Petition.objects.get().state == State.CLOSED


def test_an_open_petition_cannot_be_delivered(admin_client):
    petition = make_petition(state=State.OPEN)
    response = admin_client.post(f"/admin/delivery/petitionaction/{petition.pk}/deliver/", form())
    assert response.status_code == 302
    assert not Delivery.objects.exists()
    assert Petition.objects.get().state == State.OPEN


def test_a_letter_and_its_translation_show_the_delivery(admin_client, client):
    letter = make_letter(state=Letter.State.CLOSED)
    response = admin_client.post(f"/admin/delivery/letteraction/{letter.pk}/deliver/", form())
    assert response.status_code == 302
    assert set(Letter.objects.values_list("state", flat=True)) == {"delivered"}
    english = client.get("/en/letters/stop-the-attacks/").content.decode()
    assert "Delivered to the Secretary-General&#x27;s office on 2 April 2025" in english
    arabic = client.get("/ar/letters/stop-the-attacks-ar/").content.decode()
    assert "مكتب الأمين العام" in arabic
    assert "badge--delivered" in client.get("/ar/").content.decode()


def test_staff_need_the_delivery_permission(client):
    petition = closed_petition()
    client.force_login(staff_member(permissions=["petitions.view_petition"]))
    url = f"/admin/delivery/petitionaction/{petition.pk}/deliver/"
    assert client.get(url).status_code == 403
    assert client.post(url, form()).status_code == 403
    assert not Delivery.objects.exists()


def test_demo_marks_the_closed_petition_delivered(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    call_command("load_demo")
    call_command("load_demo")  # twice: still one delivery
    petition = Petition.objects.get(slug="justice-for-syria")
    assert petition.state == State.DELIVERED
    delivery = Delivery.objects.get()
    assert delivery.recipients_in("ar").startswith("الأمين العام للأمم المتحدة")
