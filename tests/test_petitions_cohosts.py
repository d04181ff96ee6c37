"""Co-hosted petitions: partners with their own link, name on the page and opt-in line,
who see only the signers who opted in to them (docs/partners.md, "Co-hosted actions")."""

import re

import pytest
from django.test import Client

from undersigned.api.keys import create_key
from undersigned.api.models import ApiKey
from undersigned.audit.models import AuditEntry
from undersigned.petitions.consent import COHOST_OPT_IN_VERSION
from undersigned.petitions.models import CoHost, Petition, Signature
from undersigned.staff.roles import CAMPAIGNER, DATA_OFFICER

from .factories import make_organiser, make_petition, signer
from .personas import member

pytestmark = pytest.mark.django_db

PAGE = "/en/petitions/free-the-detained/"
EMBED = "/en/petitions/free-the-detained/embed/"
LINE = "Keep me updated by email by Partner Aid"
LINE_AR = "أبقوني على اطلاع بالبريد الإلكتروني من عون الشركاء"


@pytest.fixture
def cohosted(db):
    petition = make_petition(double_opt_in=False)
    partner = make_organiser("partner-aid", "Partner Aid", "عون الشركاء")
    other = make_organiser("other-ngo", "Other NGO", "منظمة أخرى")
    CoHost.objects.create(petition=petition, organisation=partner, code="partner-aid")
    CoHost.objects.create(petition=petition, organisation=other, code="other")
    return petition, partner, other


def test_a_cohosts_link_names_it_and_offers_its_own_unticked_line(client, cohosted):
    html = client.get(PAGE + "?source=partner-aid").content.decode()
    assert "co-hosted by Partner Aid" in html
    assert LINE in html
    assert 'name="cohost_opt_in"' in html and "checked" not in html.split("cohost_opt_in")[1][:80]
    assert "Other NGO" not in html  # only the co-host whose link was used
    plain = client.get(PAGE).content.decode()
    assert "co-hosted" not in plain and "cohost_opt_in" not in plain
    embed = client.get(EMBED + "?source=partner-aid").content.decode()
    assert "co-hosted by Partner Aid" in embed and LINE in embed


def test_the_cached_page_never_carries_a_cohosts_line(client, cohosted):
    client.get(PAGE)  # renders and caches the plain page
    assert LINE in client.get(PAGE + "?source=partner-aid").content.decode()
    assert LINE not in client.get(PAGE + "?source=newsletter").content.decode()
    assert LINE not in client.get(PAGE).content.decode()


def test_signing_through_a_cohost_records_its_own_consent(client, cohosted):
    _petition, partner, _other = cohosted
    response = client.post(PAGE, signer(source="partner-aid", cohost_opt_in="on"))
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.cohost == partner and signature.source == "partner-aid"
    assert signature.cohost_consent_version == COHOST_OPT_IN_VERSION
    assert "Partner Aid" in signature.cohost_consent_text
    assert signature.opt_in is False and signature.consent_text == ""  # the organiser's: apart


def test_in_arabic_the_line_and_consent_are_arabic(client, cohosted):
    html = client.get("/ar/petitions/free-the-detained/?source=partner-aid").content.decode()
    assert 'dir="rtl"' in html and LINE_AR in html
    client.post(
        "/ar/petitions/free-the-detained/", signer(source="partner-aid", cohost_opt_in="on")
    )
    assert LINE_AR in Signature.objects.get().cohost_consent_text


def test_left_unticked_nothing_goes_to_the_cohost(client, cohosted):
    client.post(PAGE, signer(source="partner-aid", opt_in="on"))
    signature = Signature.objects.get()
    assert signature.cohost is None and signature.cohost_consent_text == ""
    assert signature.opt_in and signature.source == "partner-aid"


def test_an_unknown_code_or_a_forged_tick_gives_no_cohost(client, cohosted):
    html = client.get(PAGE + "?source=nobody").content.decode()
    assert "co-hosted" not in html and "cohost_opt_in" not in html
    for source in ["nobody", "", "Partner-Aid'--", "partner-aid-x"]:
        client.post(
            PAGE, signer(email=f"x{len(source)}@example.org", source=source, cohost_opt_in="on")
        )
    # the sanitised "partner-aid'--" is "partner-aid--", no co-host: none of them opted in
    assert not Signature.objects.exclude(cohost=None).exists()
    assert Signature.objects.count() == 4


def test_a_signer_counted_only_cannot_be_handed_to_the_cohost(client, cohosted):
    response = client.post(
        PAGE, signer(source="partner-aid", cohost_opt_in="on", visibility="count")
    )
    assert response.status_code == 400
    assert "You chose to be counted only" in response.content.decode()
    assert not Signature.objects.exists()


def test_the_embed_records_the_cohost_consent_too(client, cohosted):
    response = client.post(EMBED, signer(source="other", cohost_opt_in="on"))
    assert response.status_code == 302
    assert Signature.objects.get().cohost.slug == "other-ngo"


def test_erasure_removes_the_cohost_consent_and_leaves_a_tombstone(client, cohosted):
    _petition, partner, _ = cohosted
    client.post(PAGE, signer(source="partner-aid", cohost_opt_in="on"))
    signature = Signature.objects.get()
    assert signature.erase()
    assert signature.cohost_consent_text == "" and signature.cohost_consent_version == ""
    key = create_key(partner, "CRM", ApiKey.Scope.READ, None)[1]
    items = api(Client(), key, "/api/v1/private/signatures")["items"]
    assert [(item["status"], item["email"]) for item in items] == [("erased", None)]


# Staff adding and removing co-hosts


def petition_form(petition, cohosts: list[tuple[str, str]], initial=0, delete=()):
    """The petition's change form as posted, with its co-host rows."""
    data = {
        "organiser": petition.organiser_id,
        "targets": [t.pk for t in petition.targets.all()],
        "original_language": "en",
        "opens_at_0": "2026-01-01",
        "opens_at_1": "00:00:00",
        "goal": "100",
        "default_visibility": "target",
        "slug": petition.slug,
        "en_title": "Free the detained",
        "en_summary": "Ask for every detainee to be released.",
        "en_pledge_heading": "To the UN,",
        "en_pledge": "I call on you.",
        "double_opt_in": "on",
    }
    for prefix in ["demands_en", "demands_ar", "key_facts_en", "key_facts_ar", "photos"]:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    data |= {"cohosts-TOTAL_FORMS": str(len(cohosts)), "cohosts-INITIAL_FORMS": str(initial)}
    existing = list(petition.cohosts.all())
    for index, (organisation, code) in enumerate(cohosts):
        data |= {f"cohosts-{index}-organisation": organisation, f"cohosts-{index}-code": code}
        if index < initial:
            data[f"cohosts-{index}-id"] = existing[index].pk
            data[f"cohosts-{index}-petition"] = petition.pk
            if index in delete:
                data[f"cohosts-{index}-DELETE"] = "on"
    return data


@pytest.fixture
def campaigner(db):
    return member("campaigner_a", CAMPAIGNER, make_organiser())


def test_staff_add_a_cohost_on_the_petitions_page_and_it_is_audited(client, campaigner):
    petition = make_petition()
    partner = make_organiser("partner-aid", "Partner Aid", "عون الشركاء")
    client.force_login(campaigner)
    url = f"/admin/petitions/petition/{petition.pk}/change/"
    form = client.get(url).content.decode()
    assert 'name="cohosts-__prefix__-organisation"' in form
    assert "Partner Aid" not in form  # typed by slug: no list of every organisation
    response = client.post(url, petition_form(petition, [("partner-aid", "")]))
    assert response.status_code == 302, re.findall(r"errorlist.{0,300}", response.content.decode())
    cohost = CoHost.objects.get()
    assert cohost.organisation == partner and cohost.code == "partner-aid"  # from its slug
    entry = AuditEntry.objects.get(action="cohost.added")
    assert entry.organisation_id == petition.organiser_id and entry.detail["code"] == "partner-aid"
    page = client.get(url).content.decode()
    assert 'name="cohosts-0-organisation" value="partner-aid"' in page  # its slug, not its id
    assert "?source=partner-aid" in page and "embed/?source=partner-aid" in page
    assert "0 confirmed signatures through this link" in page

    unchanged = client.post(url, petition_form(petition, [("partner-aid", "partner-aid")], 1))
    assert unchanged.status_code == 302 and CoHost.objects.count() == 1
    assert not AuditEntry.objects.filter(action="cohost.changed").exists()
    response = client.post(url, petition_form(petition, [("partner-aid", "partner-aid")], 1, {0}))
    assert response.status_code == 302
    assert not CoHost.objects.exists()
    assert AuditEntry.objects.filter(action="cohost.removed").count() == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("self", "cannot co-host it"),
        ("twice", "duplicate data for organisation"),
        ("long", "at most 64"),
        ("bad", "lower-case letters"),
        ("same-code", "duplicate data for code"),
        ("unknown", "No organisation on this site has this slug"),
        ("injection", "No organisation on this site has this slug"),
    ],
)
def test_bad_cohosts_are_refused_and_change_nothing(client, campaigner, rows, message):
    petition = make_petition()
    make_organiser("partner-aid", "Partner Aid", "عون الشركاء")
    other = make_organiser("other-ngo", "Other NGO", "منظمة أخرى")
    cases = {
        "self": [(petition.organiser.slug, "us")],
        "twice": [("partner-aid", "one"), ("partner-aid", "two")],
        "long": [("partner-aid", "x" * 65)],
        "bad": [("partner-aid", "<script>")],
        "same-code": [("partner-aid", "same"), (other.slug, "same")],
        "unknown": [("no-such-ngo", "x")],
        "injection": [("x' OR 1=1 --", "x")],
    }
    client.force_login(campaigner)
    url = f"/admin/petitions/petition/{petition.pk}/change/"
    response = client.post(url, petition_form(petition, cases[rows]))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, re.findall(r"errorlist.{0,300}", html)
    assert not CoHost.objects.exists() and not AuditEntry.objects.filter(action="cohost.added")


def test_a_viewer_or_another_organisation_cannot_add_cohosts(client, cohosted):
    petition, partner, _ = cohosted
    other_side = member("campaigner_b", CAMPAIGNER, make_organiser("b-org", "B", "ب"))
    client.force_login(other_side)
    url = f"/admin/petitions/petition/{petition.pk}/change/"
    assert client.post(url, petition_form(petition, [(partner.slug, "x")])).status_code == 404
    assert CoHost.objects.count() == 2


# What a co-host's staff and keys see


@pytest.fixture
def signed(cohosted):
    """Four signers: one opted in to Partner Aid, one came through its link without opting
    in, one opted in to the other co-host, one came straight to the organiser's page."""
    petition, partner, other = cohosted
    client = Client()
    client.post(
        PAGE,
        signer(
            name="Opted Partner", email="p@example.org", source="partner-aid", cohost_opt_in="on"
        ),
    )
    client.post(PAGE, signer(name="Unticked Visitor", email="u@example.org", source="partner-aid"))
    client.post(
        PAGE, signer(name="Other Fan", email="o@example.org", source="other", cohost_opt_in="on")
    )
    client.post(PAGE, signer(name="Direct Signer", email="d@example.org", opt_in="on"))
    assert Signature.objects.count() == 4
    return petition, partner, other


SIGNERS = ["Opted Partner", "Unticked Visitor", "Other Fan", "Direct Signer"]


def test_a_cohosts_data_officer_sees_only_its_opted_in_signers(client, signed):
    petition, partner, _ = signed
    officer = member("partner_officer", DATA_OFFICER, partner)
    client.force_login(officer)
    for url in [
        "/admin/petitions/signature/",
        f"/admin/petitions/signature/?petition__id__exact={petition.pk}",
        "/admin/petitions/signature/?opt_in__exact=1",
        "/admin/petitions/signature/?q=Signer",
        "/admin/petitions/signature/?status__exact=confirmed&o=1",
    ]:
        html = client.get(url).content.decode()
        assert [name for name in SIGNERS if name in html] == (
            [] if "q=" in url or "opt_in" in url else ["Opted Partner"]
        ), url
    mine = Signature.objects.get(name="Opted Partner")
    assert client.get(f"/admin/petitions/signature/{mine.pk}/change/").status_code == 200
    for name in SIGNERS[1:]:
        pk = Signature.objects.get(name=name).pk
        assert client.get(f"/admin/petitions/signature/{pk}/change/").status_code == 404, name
    # the petition itself, its progress, packages and abuse review stay the organiser's
    for url in [
        f"/admin/petitions/petition/{petition.pk}/change/",
        f"/admin/delivery/petitionaction/{petition.pk}/progress/",
        f"/admin/delivery/petitionaction/{petition.pk}/change/",
        f"/admin/supporters/invalidationbatch/review/{petition.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    # it may look, never change
    response = client.post(f"/admin/petitions/signature/{mine.pk}/change/", {"name": "Changed"})
    assert response.status_code == 403
    assert Signature.objects.get(pk=mine.pk).name == "Opted Partner"


def test_a_cohosts_campaigner_sees_counts_but_no_signer(client, signed):
    _petition, partner, _ = signed
    campaigner = member("partner_campaigner", CAMPAIGNER, partner)
    client.force_login(campaigner)
    assert client.get("/admin/petitions/signature/").status_code == 403
    html = client.get("/admin/petitions/cohost/").content.decode()
    assert "Partner Aid" in html and "Other NGO" not in html
    row = html.split("Partner Aid", 1)[1]
    assert '<td class="field-through_link">2</td>' in row
    assert '<td class="field-opted_in">1</td>' in row
    assert not any(name in html for name in SIGNERS)
    cohost = CoHost.objects.get(organisation=partner)
    assert client.get(f"/admin/petitions/cohost/{cohost.pk}/change/").status_code == 200
    other = CoHost.objects.exclude(organisation=partner).get()
    assert client.get(f"/admin/petitions/cohost/{other.pk}/change/").status_code == 404
    assert (
        client.post(f"/admin/petitions/cohost/{cohost.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert CoHost.objects.count() == 2


def test_the_organisers_staff_see_everyone_and_every_cohosts_counts(client, signed):
    petition, _, _ = signed
    officer = member("organiser_officer", DATA_OFFICER, petition.organiser)
    client.force_login(officer)
    html = client.get("/admin/petitions/signature/").content.decode()
    assert all(name in html for name in SIGNERS)
    counts = client.get("/admin/petitions/cohost/").content.decode()
    assert "Partner Aid" in counts and "Other NGO" in counts


def api(client, key, path, **params):
    response = client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_cohosts_key_reads_only_its_opted_in_signers_with_its_own_consent(signed):
    petition, partner, _other = signed
    key = create_key(partner, "CRM", ApiKey.Scope.READ, None)[1]
    client = Client()
    for path in ["/api/v1/private/signatures", "/api/v1/private/subscribers"]:
        items = api(client, key, path)["items"]
        assert [item["name"] for item in items] == ["Opted Partner"], path
        assert items[0]["consent_version"] == COHOST_OPT_IN_VERSION
        assert "Partner Aid" in items[0]["consent_text"]
    items = api(client, key, "/api/v1/private/signatures", petition=petition.slug)["items"]
    assert [item["name"] for item in items] == ["Opted Partner"]
    organiser_key = create_key(petition.organiser, "CRM", ApiKey.Scope.READ, None)[1]
    everyone = api(client, organiser_key, "/api/v1/private/signatures")["items"]
    assert sorted(item["name"] for item in everyone) == sorted(SIGNERS)
    direct = next(item for item in everyone if item["name"] == "Direct Signer")
    assert direct["opt_in"] is True and "Rights Watchers" in direct["consent_text"]
    # a co-host's key may not write to the organiser's petition
    response = client.post(
        f"/api/v1/private/petitions/{petition.slug}/signatures",
        {"name": "X Y", "email": "x@example.org", "country": "SY"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {create_key(partner, 'W', ApiKey.Scope.WRITE, None)[1]}",
    )
    assert response.status_code == 404


def test_a_counted_only_signer_never_reaches_a_cohost_even_if_stored(signed):
    """Defence in depth: a row stored with a co-host and "count" (not by the form) is not
    shared."""
    _petition, partner, _ = signed
    Signature.objects.filter(name="Opted Partner").update(visibility="count")
    key = create_key(partner, "CRM", ApiKey.Scope.READ, None)[1]
    assert api(Client(), key, "/api/v1/private/signatures")["items"] == []
    officer = member("partner_officer", DATA_OFFICER, partner)
    client = Client()
    client.force_login(officer)
    pk = Signature.objects.get(name="Opted Partner").pk
    assert client.get(f"/admin/petitions/signature/{pk}/change/").status_code == 404


def test_cohosts_are_no_one_elses(client, signed):
    """A third organisation's staff see neither the co-hostings nor the signers."""
    stranger = member("stranger", DATA_OFFICER, make_organiser("stranger", "Stranger", "غريب"))
    client.force_login(stranger)
    assert "Partner Aid" not in client.get("/admin/petitions/cohost/").content.decode()
    html = client.get("/admin/petitions/signature/").content.decode()
    assert not any(name in html for name in SIGNERS)
    assert Petition.objects.count() == 1


def test_osdi_gives_a_cohosts_key_its_opted_in_signers(signed):
    petition, partner, _ = signed
    key = create_key(partner, "CRM", ApiKey.Scope.READ, None)[1]
    response = Client().get(
        f"/api/v1/private/osdi/petitions/{petition.slug}/signatures", HTTP_OSDI_API_TOKEN=key
    )
    assert response.status_code == 200, response.content
    people = [
        s["_embedded"]["osdi:person"]["given_name"]
        for s in response.json()["_embedded"]["osdi:signatures"]
    ]
    assert people == ["Opted"]


def test_a_removed_cohost_loses_its_signers_at_once_but_hears_of_erasures(client, signed):
    _petition, partner, _ = signed
    key = create_key(partner, "CRM", ApiKey.Scope.READ, None)[1]
    officer = member("partner_officer", DATA_OFFICER, partner)
    mine = Signature.objects.get(name="Opted Partner")
    CoHost.objects.filter(organisation=partner).delete()
    assert api(Client(), key, "/api/v1/private/signatures")["items"] == []
    client.force_login(officer)
    assert client.get(f"/admin/petitions/signature/{mine.pk}/change/").status_code == 404
    assert "Opted Partner" not in client.get("/admin/petitions/signature/").content.decode()
    mine.refresh_from_db()
    assert mine.cohost == partner and mine.cohost_consent_text  # the signer's record stays
    assert mine.erase()
    items = api(Client(), key, "/api/v1/private/signatures")["items"]
    assert [(item["status"], item["name"]) for item in items] == [("erased", None)]
