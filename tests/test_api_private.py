"""The private API as a partner's CRM uses it: its own organisation's signers only,
pulled incrementally, erasures included, every use on the record."""

from datetime import timedelta

import pytest
from django.utils import timezone

from undersigned.api.keys import create_key, revoke_key
from undersigned.api.models import ApiKey
from undersigned.audit.models import AuditEntry
from undersigned.petitions.models import Petition, Signature, State, Visibility
from undersigned.petitions.services import sign_petition
from undersigned.protection.crypto import email_digest
from undersigned.supporters.services import erase_signer

from .factories import make_organiser, make_petition, signer
from .letters_fixtures import add_signatory, make_letter

pytestmark = pytest.mark.django_db

SIGNATURES = "/api/v1/private/signatures"


@pytest.fixture
def two_organisations():
    return make_two_organisations()


def make_two_organisations():
    """Ours with two signers (one opted in), theirs with one."""
    ours = make_organiser()
    theirs = make_organiser("other-org", "Other Org", "منظمة أخرى")
    our_petition = make_petition(double_opt_in=False, organiser=ours)
    their_petition = make_petition("their-petition", double_opt_in=False, organiser=theirs)
    sign(our_petition, "Amal Haddad", "amal@example.org", opt_in=True)
    sign(our_petition, "Omar Khalil", "omar@example.org", opt_in=False)
    sign(their_petition, "Secret Person", "secret@example.org", opt_in=True)
    return ours, theirs, our_petition


def sign(petition, name, email, opt_in=False, **extra):
    sign_petition(petition, **signer(name=name, email=email), opt_in=opt_in, language="en", **extra)


def test_a_signer_counted_only_reaches_no_partner(client, two_organisations):
    ours, _, petition = two_organisations
    sign(petition, "Quiet Person", "quiet@example.org", opt_in=True, visibility="count")
    response = get(client, SIGNATURES, key_for(ours))
    assert "quiet@example.org" not in response.content.decode()
    assert [item["email"] for item in response.json()["items"]][-1] is None


def key_for(organisation, scope=ApiKey.Scope.READ):
    return create_key(organisation, "CRM sync", scope, None)[1]


def get(client, url, key, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_key_reads_its_own_organisations_signers_only(client, two_organisations):
    ours, theirs, _ = two_organisations
    response = get(client, SIGNATURES, key_for(ours))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    items = response.json()["items"]
    assert [(item["name"], item["email"]) for item in items] == [
        ("Amal Haddad", "amal@example.org"),
        ("Omar Khalil", "omar@example.org"),
    ]
    assert "secret@example.org" not in response.content.decode()
    other = get(client, SIGNATURES, key_for(theirs)).json()["items"]
    assert [item["email"] for item in other] == ["secret@example.org"]


def test_subscribers_carry_the_consent_they_agreed_to(client, two_organisations):
    ours, _, _ = two_organisations
    (subscriber,) = get(client, "/api/v1/private/subscribers", key_for(ours)).json()["items"]
    assert subscriber["email"] == "amal@example.org"
    assert subscriber["opt_in"] is True
    assert "Rights Watchers" in subscriber["consent_text"]
    assert subscriber["consent_version"]


def test_pulling_incrementally_by_cursor_and_updated_since(client, two_organisations):
    ours, _, petition = two_organisations
    key = key_for(ours)
    first = get(client, SIGNATURES, key, limit=1).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = get(client, SIGNATURES, key, limit=1, cursor=first["next_cursor"]).json()
    assert [item["email"] for item in second["items"]] == ["omar@example.org"]
    assert second["next_cursor"] is None
    since = timezone.now()
    sign(petition, "Rana Nasser", "rana@example.org")
    newer = get(client, SIGNATURES, key, updated_since=since.isoformat()).json()["items"]
    assert [item["email"] for item in newer] == ["rana@example.org"]


def test_an_erased_signer_comes_back_as_a_tombstone(client, two_organisations):
    ours, _, _ = two_organisations
    key = key_for(ours)
    amal = get(client, SIGNATURES, key).json()["items"][0]
    since = timezone.now()
    erase_signer(Signature.objects.get(pk=amal["id"]).email_digest)
    items = get(client, SIGNATURES, key, updated_since=since.isoformat()).json()["items"]
    (tombstone,) = items
    assert tombstone["id"] == amal["id"]
    assert tombstone["status"] == "erased"
    assert tombstone["erased_at"]
    assert tombstone["name"] is None and tombstone["email"] is None
    assert "amal" not in get(client, SIGNATURES, key).content.decode().lower()
    subscribers = get(client, "/api/v1/private/subscribers", key).json()["items"]
    assert [item["status"] for item in subscribers] == ["erased"]


def test_endorsements_of_the_organisations_letters(client, two_organisations):
    ours, theirs, _ = two_organisations
    add_signatory(
        make_letter(organiser=ours), "Aid Without Borders", "SY", contact_email="rana@example.org"
    )
    add_signatory(make_letter("their-letter", organiser=theirs), "Hidden Aid", "SY")
    items = get(client, "/api/v1/private/endorsements", key_for(ours)).json()["items"]
    assert [item["name"] for item in items] == ["Aid Without Borders"]
    assert items[0]["contact_email"] == "rana@example.org"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer ",
        "Bearer nonsense",
        "Bearer us_000000000000_forged",
        "Basic dXM6eA==",
        "Bearer " + "x" * 5000,
    ],
)
def test_no_valid_key_no_signers(client, two_organisations, header):
    response = client.get(SIGNATURES, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json() == {"error": "a valid API key is needed"}
    assert response["WWW-Authenticate"] == "Bearer"


def test_revoked_and_expired_keys_are_refused(client, two_organisations):
    ours, _, _ = two_organisations
    revoked, secret = create_key(ours, "old", ApiKey.Scope.READ, None)
    assert revoke_key(revoked, None)
    assert not revoke_key(revoked, None)  # once
    response = get(client, SIGNATURES, secret)
    assert response.status_code == 401
    assert response.json() == {"error": "this API key is revoked or expired"}
    _, expired = create_key(
        ours, "short", ApiKey.Scope.READ, None, expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert get(client, SIGNATURES, expired).status_code == 401


def test_the_key_is_stored_only_as_a_digest(two_organisations):
    ours, _, _ = two_organisations
    api_key, secret = create_key(ours, "CRM", ApiKey.Scope.READ, None)
    stored = ApiKey.objects.filter(pk=api_key.pk).values().get()
    assert secret not in str(stored)
    assert secret.startswith(f"us_{api_key.prefix}_")


def test_every_use_of_a_key_is_audited(client, two_organisations):
    ours, _, _ = two_organisations
    key = key_for(ours)
    get(client, SIGNATURES, key, limit=5)
    entry = AuditEntry.objects.filter(action="api_key.used").get()
    assert entry.organisation_id == ours.pk
    assert entry.detail["path"] == SIGNATURES
    assert entry.detail["query"] == "limit=5"
    assert ApiKey.objects.get().last_used_at is not None
    assert AuditEntry.objects.filter(action="api_key.created").count() == 1


@pytest.mark.parametrize(
    "params",
    [
        {"updated_since": "yesterday"},
        {"updated_since": "2026-01-01T00:00:00"},  # no time zone
        {"updated_since": "0.5"},
        {"updated_since": "0001-01-01T00:00:00+01:00"},  # before the year 1 in UTC
        {"limit": "1000"},
        {"petition": "'; DROP TABLE x; --"},
        {"email": "amal@example.org"},  # unknown
    ],
)
def test_bad_parameters_change_nothing_and_say_why(client, two_organisations, params):
    ours, _, _ = two_organisations
    response = get(client, SIGNATURES, key_for(ours), **params)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid request"
    assert response.json()["fields"][0]["location"] == "query"


def test_a_far_offset_is_read_in_utc(client, two_organisations):
    ours, _, _ = two_organisations
    response = get(client, SIGNATURES, key_for(ours), updated_since="0634-02-19T09:47:45+20:09")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 2


def test_a_cursor_of_another_key_is_refused(client, two_organisations):
    ours, _, _ = two_organisations
    cursor = get(client, SIGNATURES, key_for(ours), limit=1).json()["next_cursor"]
    response = get(client, SIGNATURES, key_for(ours), cursor=cursor)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid cursor"}


def test_keys_have_their_own_rate_limit(client, two_organisations, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_key": {"key": "2/m"}}
    ours, _, _ = two_organisations
    key = key_for(ours)
    assert [get(client, SIGNATURES, key).status_code for _ in range(3)] == [200, 200, 429]


# Adding signatures collected elsewhere


def add(client, key, slug="free-the-detained", **body):
    data = {"name": "Huda Saleh", "email": "huda@example.org", "country": "SY", **body}
    return client.post(
        f"/api/v1/private/petitions/{slug}/signatures",
        data,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


def test_a_write_key_adds_a_signature_that_waits_for_email_confirmation(
    client, two_organisations, mailoutbox, run_tasks
):
    ours, _, petition = two_organisations
    key = key_for(ours, ApiKey.Scope.WRITE)
    response = add(client, key, source="Stall 3", opt_in=True, language="ar")
    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "confirmation": "email"}
    signature = Signature.objects.get(email_digest__isnull=False, name="Huda Saleh")
    assert signature.status == Signature.Status.PENDING
    assert signature.source == "stall3"
    assert signature.language == "ar"
    assert signature.opt_in and signature.consent_version
    again = add(client, key, name="Someone Else")
    assert again.status_code == 202 and again.json() == response.json()
    assert (
        Signature.objects.filter(petition=petition, name__in=["Huda Saleh", "Someone Else"]).count()
        == 1
    )


def test_a_read_key_may_not_write(client, two_organisations):
    ours, _, _ = two_organisations
    response = add(client, key_for(ours))
    assert response.status_code == 403
    assert not Signature.objects.filter(name="Huda Saleh").exists()


def test_a_key_writes_only_to_its_own_and_open_petitions(client, two_organisations):
    ours, _, _ = two_organisations
    key = key_for(ours, ApiKey.Scope.WRITE)
    assert add(client, key, slug="their-petition").status_code == 404
    make_petition("closed-one", organiser=ours, state=State.CLOSED)
    assert add(client, key, slug="closed-one").status_code == 409
    assert not Signature.objects.filter(name="Huda Saleh").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "someone@mailinator.com"}, "email"),
        ({"name": "12345"}, "name"),
        ({"name": "Huda\u202eSaleh"}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"country": "XX"}, "country"),
        ({"opt_in": "maybe"}, "opt_in"),
        ({"language": "fr"}, "language"),
        ({"role": "admin"}, "role"),
        ({"visibility": "secret"}, "visibility"),
        ({"visibility": ""}, "visibility"),
    ],
)
def test_a_bad_signature_is_refused_next_to_its_field(client, two_organisations, body, field):
    ours, _, _ = two_organisations
    response = add(client, key_for(ours, ApiKey.Scope.WRITE), **body)
    assert response.status_code == 422
    assert field in [entry["name"] for entry in response.json()["fields"]]
    assert (
        not Signature.objects.filter(email_digest__isnull=False, petition__slug="free-the-detained")
        .exclude(name__in=["Amal Haddad", "Omar Khalil"])
        .exists()
    )


def test_a_written_signature_keeps_the_signers_level_or_the_campaigns_default(
    client, two_organisations
):
    ours, _, petition = two_organisations
    Petition.objects.filter(pk=petition.pk).update(default_visibility=Visibility.COUNT)
    key = key_for(ours, ApiKey.Scope.WRITE)
    assert add(client, key).status_code == 202
    public = add(client, key, name="Rana Ali", email="rana@example.org", visibility="public")
    assert public.status_code == 202
    quiet = Signature.objects.get(email_digest=email_digest("huda@example.org"))
    assert (quiet.visibility, quiet.name) == ("count", "")  # counted only: no name kept
    public = Signature.objects.get(email_digest=email_digest("rana@example.org"))
    assert (public.visibility, public.name) == ("public", "Rana Ali")


def test_writes_count_against_the_public_forms_limit_per_address(
    client, two_organisations, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign": {"email": "1/h"}}
    ours, _, _ = two_organisations
    key = key_for(ours, ApiKey.Scope.WRITE)
    assert add(client, key).status_code == 202
    assert add(client, key).status_code == 429
