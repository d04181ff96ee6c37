"""Co-hosted letters: a partner's link, name and opt-in line on the endorsement form; its
staff and keys read only the contacts who opted in to it, and lose them once removed."""

import pytest
from django.test import Client

from undersigned.actions.lifecycle import close_action
from undersigned.api.keys import create_key
from undersigned.api.models import ApiKey
from undersigned.letters import services
from undersigned.letters.cohosts import COHOST_OPT_IN_VERSION
from undersigned.letters.models import CoHost, Endorsement
from undersigned.staff.roles import CAMPAIGNER

from .factories import make_organiser
from .letters_fixtures import form_data, make_letter
from .personas import member

pytestmark = pytest.mark.django_db

PAGE = "/en/letters/stop-the-attacks/"
ENDORSE = PAGE + "endorse/"
EMBED = PAGE + "embed/"
LINE = "Keep me updated by email by Partner Aid, which co-hosts this letter"


@pytest.fixture
def cohosted(db):
    letter = make_letter()
    partner = make_organiser("partner-aid", "Partner Aid", "عون الشركاء")
    CoHost.objects.create(letter=letter, organisation=partner, code="partner-aid")
    return letter, partner


def endorse(client, url=ENDORSE, **fields):
    response = client.post(url, form_data(**fields))
    assert response.status_code == 302, response.content.decode()[:2000]
    endorsement = Endorsement.objects.get(name=fields.get("name", "Syrian Civil Defence"))
    services.confirm_endorsement(endorsement.pk)
    return Endorsement.objects.get(pk=endorsement.pk)


def test_a_cohosts_link_names_it_and_offers_its_line(client, cohosted):
    page = client.get(PAGE + "?source=partner-aid").content.decode()
    assert "Co-hosted by" in page and "Partner Aid" in page
    assert "endorse/?source=partner-aid" in page
    form = client.get(ENDORSE + "?source=partner-aid").content.decode()
    assert LINE in form and 'value="partner-aid"' in form
    embed = client.get(EMBED + "?source=partner-aid").content.decode()
    assert "co-hosted by Partner Aid" in embed and LINE in embed
    plain = client.get(ENDORSE).content.decode()
    assert "co-hosted" not in plain and "cohost_opt_in" not in plain


def test_endorsing_through_the_link_records_source_and_its_own_consent(client, cohosted):
    _letter, partner = cohosted
    endorsement = endorse(client, source="partner-aid", cohost_opt_in="on")
    assert endorsement.source == "partner-aid" and endorsement.cohost == partner
    assert endorsement.cohost_consent_version == COHOST_OPT_IN_VERSION
    assert LINE in endorsement.cohost_consent_text


def test_unticked_unknown_or_forged_gives_no_cohost(client, cohosted):
    assert endorse(client, source="partner-aid").cohost is None
    for index, source in enumerate(["nobody", "", "Partner-Aid'--"]):
        row = endorse(client, name=f"Org {index}", source=source, cohost_opt_in="on")
        assert row.cohost is None
    assert Endorsement.objects.get(name="Org 0").source == "nobody"


def test_the_embed_records_the_cohost_consent_too(client, cohosted):
    assert endorse(client, EMBED, source="partner-aid", cohost_opt_in="on").cohost_id


def api(key, path):
    response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_a_cohosts_key_and_staff_read_only_opted_in_contacts_until_removed(client, cohosted):
    letter, partner = cohosted
    endorse(client, name="Opted Org", source="partner-aid", cohost_opt_in="on")
    endorse(client, name="Unticked Org", source="partner-aid")
    endorse(client, name="Direct Org")
    key = create_key(partner, "CRM", ApiKey.Scope.READ, None)[1]
    items = api(key, "/api/v1/private/endorsements")
    assert [item["name"] for item in items] == ["Opted Org"]
    assert items[0]["consent_version"] == COHOST_OPT_IN_VERSION
    organiser_key = create_key(letter.organiser, "CRM", ApiKey.Scope.READ, None)[1]
    everyone = api(organiser_key, "/api/v1/private/endorsements")
    assert sorted(i["name"] for i in everyone) == ["Direct Org", "Opted Org", "Unticked Org"]
    assert all(i["consent_text"] is None for i in everyone)

    staff = member("partner_campaigner", CAMPAIGNER, partner)
    client.force_login(staff)
    html = client.get("/admin/letters/endorsement/").content.decode()
    assert "Opted Org" in html and "Unticked Org" not in html and "Direct Org" not in html
    mine = Endorsement.objects.get(name="Opted Org")
    assert client.get(f"/admin/letters/endorsement/{mine.pk}/change/").status_code == 200
    other = Endorsement.objects.get(name="Direct Org")
    assert client.get(f"/admin/letters/endorsement/{other.pk}/change/").status_code == 404
    counts = client.get("/admin/letters/cohost/").content.decode()
    assert '<td class="field-opted_in">0</td>' in counts  # none approved (listed) yet

    CoHost.objects.filter(organisation=partner).delete()  # removed: access goes at once
    assert api(key, "/api/v1/private/endorsements") == []
    assert client.get(f"/admin/letters/endorsement/{mine.pk}/change/").status_code == 404
    mine.refresh_from_db()
    assert mine.cohost == partner and mine.cohost_consent_text  # the consent stays recorded


def test_another_organisations_staff_see_nothing(client, cohosted):
    endorse(client, name="Opted Org", source="partner-aid", cohost_opt_in="on")
    stranger = member("stranger", CAMPAIGNER, make_organiser("stranger", "Stranger", "غريب"))
    client.force_login(stranger)
    assert "Opted Org" not in client.get("/admin/letters/endorsement/").content.decode()
    assert "Partner Aid" not in client.get("/admin/letters/cohost/").content.decode()


def test_a_closed_letters_form_pages_still_name_the_cohost(client, cohosted):
    letter, _partner = cohosted
    close_action(letter, None)
    for url in [ENDORSE, EMBED]:
        page = client.get(url + "?source=partner-aid").content.decode()
        assert "no longer takes new signatures" in page, url
        assert "co-hosted by Partner Aid" in page and "cohost_opt_in" not in page, url
        assert f'href="{PAGE}?source=partner-aid"' in page, url  # back through its own link
        assert "co-hosted" not in client.get(url).content.decode(), url


def test_the_embed_leads_to_the_letter_through_the_cohosts_link(client, cohosted):
    assert (
        f'href="{PAGE}?source=partner-aid"'
        in client.get(EMBED + "?source=partner-aid").content.decode()
    )
    assert f'href="{PAGE}"' in client.get(EMBED).content.decode()


def test_the_form_pages_in_arabic_lead_to_the_arabic_version_keeping_the_source(client, cohosted):
    for view in ["endorse", "embed"]:
        response = client.get(f"/ar/letters/stop-the-attacks/{view}/?source=partner-aid")
        assert response.status_code == 302, view
        assert response["Location"] == f"/ar/letters/stop-the-attacks-ar/{view}/?source=partner-aid"
        page = client.get(response["Location"]).content.decode()
        assert "أوقفوا الهجمات على المدنيين" in page and "عون الشركاء" in page, view


def test_the_other_version_is_read_through_the_cohosts_link_too(client, cohosted):
    page = client.get(PAGE + "?source=partner-aid").content.decode()
    assert 'href="/ar/letters/stop-the-attacks-ar/?source=partner-aid"' in page
    assert 'href="/ar/letters/stop-the-attacks-ar/"' in client.get(PAGE).content.decode()
