"""After delivery, staff record what the target answered; the public pages show it."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from undersigned.audit.models import AuditEntry
from undersigned.delivery.models import TargetResponse

from .delivery_fixtures import closed_petition
from .personas import make_other_organiser, member
from .test_delivery_record import form as delivery_form

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def deliver(client, petition):
    client.force_login(member("deliverer", "campaigner"))
    url = f"/admin/delivery/petitionaction/{petition.pk}/deliver/"
    assert client.post(url, delivery_form()).status_code == 302
    client.logout()
    return petition.delivery


def response_form(delivery, **overrides) -> dict:
    data = {
        "delivery": delivery.pk,
        "responder": "The UN Secretary-General's office",
        "responded_on": "2025-05-10",
        "method": "letter",
        "texts-TOTAL_FORMS": "2",
        "texts-INITIAL_FORMS": "0",
        "texts-0-language": "en",
        "texts-0-summary": "The office **promised** to raise the mechanism's budget.",
        "texts-1-language": "ar",
        "texts-1-summary": "وعد المكتب **بزيادة** ميزانية الآلية.",
    }
    data.update(overrides)
    return data


def test_a_delivered_petition_awaits_a_response_until_staff_record_one(client):
    petition = closed_petition()
    delivery = deliver(client, petition)
    page = client.get("/en/petitions/free-the-detained/").content.decode()
    assert "Awaiting a response since 2 April 2025" in page
    assert "Awaiting a response since 2 April 2025" in client.get("/en/").content.decode()
    assert (
        "بانتظار الرد منذ 2 إبريل 2025"
        in client.get("/ar/petitions/free-the-detained/").content.decode()
    )

    campaigner = member("campaigner", "campaigner")
    client.force_login(campaigner)
    overview = client.get(f"/admin/delivery/petitionaction/{petition.pk}/change/")
    assert "Record a response" in overview.content.decode()
    document = SimpleUploadedFile("answer.pdf", PDF, content_type="application/pdf")
    response = client.post(
        "/admin/delivery/targetresponse/add/", response_form(delivery, document=document)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    answer = TargetResponse.objects.get()
    assert answer.recorded_by == campaigner
    assert AuditEntry.objects.filter(action="target_response.recorded").count() == 1
    client.logout()

    page = client.get("/en/petitions/free-the-detained/").content.decode()
    assert "Awaiting a response" not in page
    assert "The UN Secretary-General&#x27;s office answered on 10 May 2025" in page
    assert "The office <strong>promised</strong>" in page and "By letter" in page
    assert answer.document.url in page and "Read the answer (PDF)" in page
    arabic = client.get("/ar/petitions/free-the-detained/").content.decode()
    assert "وعد المكتب <strong>بزيادة</strong>" in arabic
    home = client.get("/en/").content.decode()
    assert "answered on 10 May 2025" in home


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"responded_on": "2025-03-01"}, "An answer cannot come before the delivery."),
        ({"responded_on": "2999-01-01"}, "This date is in the future."),
        ({"responded_on": "not a date"}, "Enter a valid date."),
        ({"responder": ""}, "This field is required."),
        ({"responder": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"method": "pigeon"}, "Select a valid choice."),
        ({"texts-0-summary": "x" * 5001}, "Ensure this value has at most 5000 characters"),
        ({"texts-1-language": "en"}, "Please correct the duplicate"),
        (
            {"document": SimpleUploadedFile("answer.pdf", b"<script>", "application/pdf")},
            "Upload the document as a PDF file.",
        ),
        (
            {"document": SimpleUploadedFile("answer.exe", PDF, "application/pdf")},
            "Upload the document as a PDF file.",
        ),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_changes_nothing(client, overrides, message):
    delivery = deliver(client, closed_petition())
    client.force_login(member("campaigner", "campaigner"))
    response = client.post(
        "/admin/delivery/targetresponse/add/", response_form(delivery, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TargetResponse.objects.exists()


def test_a_response_cannot_be_recorded_on_another_organisations_delivery(client):
    delivery = deliver(client, closed_petition())
    client.force_login(member("other", "campaigner", organisation=make_other_organiser()))
    response = client.post("/admin/delivery/targetresponse/add/", response_form(delivery))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not TargetResponse.objects.exists()
    client.force_login(member("viewer", "viewer"))
    assert (
        client.post("/admin/delivery/targetresponse/add/", response_form(delivery)).status_code
        == 403
    )
    assert not TargetResponse.objects.exists()
    answer = TargetResponse.objects.create(
        delivery=delivery,
        responder="Someone",
        responded_on=datetime.date(2025, 5, 1),
        method="email",
    )
    client.force_login(member("other2", "campaigner", organisation=make_other_organiser()))
    assert client.get(f"/admin/delivery/targetresponse/{answer.pk}/change/").status_code == 404


def test_the_news_list_shows_the_latest_responses(client):
    delivery = deliver(client, closed_petition())
    TargetResponse.objects.create(
        delivery=delivery,
        responder="The UN office",
        responded_on=datetime.date(2025, 5, 1),
        method="email",
    ).texts.create(language="en", summary="They will **look** into it.")
    html = client.get("/en/news/").content.decode()
    assert "What the targets answered" in html
    assert "The UN office answered." in html and "They will look into it." in html
    assert 'href="/en/petitions/free-the-detained/#response"' in html
