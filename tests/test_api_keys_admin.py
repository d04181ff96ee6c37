"""Organisation admins make and revoke their keys in the back office."""

import pytest

from undersigned.api.models import ApiKey
from undersigned.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_an_organisation_admin_makes_a_key_and_sees_it_once(client, world):
    client.force_login(world.personas.admin_a)
    form = client.get("/admin/api/apikey/add/").content.decode()
    assert "Rights Watchers" in form and "Coalition B" not in form
    response = client.post(
        "/admin/api/apikey/add/",
        {"organisation": world.personas.organisation_a.pk, "name": "CRM sync", "scope": "write"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    api_key = ApiKey.objects.get(name="CRM sync")
    html = response.content.decode()
    start = html.index(f"us_{api_key.prefix}_")
    secret = html[start : html.index('"', start)]
    assert api_key.digest != secret and secret not in str(
        ApiKey.objects.filter(pk=api_key.pk).values().get()
    )
    assert api_key.created_by == world.personas.admin_a
    change = client.get(f"/admin/api/apikey/{api_key.pk}/change/").content.decode()
    assert secret not in change and api_key.prefix in change
    used = client.get("/api/v1/private/signatures", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert used.status_code == 200
    assert "Signer of B" not in used.content.decode()
    assert AuditEntry.objects.filter(
        action="api_key.created", organisation=world.personas.organisation_a
    ).exists()


def test_a_key_for_another_organisation_cannot_be_made(client, world):
    client.force_login(world.personas.admin_a)
    response = client.post(
        "/admin/api/apikey/add/",
        {"organisation": world.personas.organisation_b.pk, "name": "Sneaky", "scope": "read"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ApiKey.objects.filter(name="Sneaky").exists()


def test_revoking_is_audited_and_stops_the_key(client, world):
    client.force_login(world.personas.admin_a)
    client.post(
        "/admin/api/apikey/",
        {"action": "revoke", "_selected_action": [world.a.api_key.pk], "index": 0},
    )
    assert ApiKey.objects.get(pk=world.a.api_key.pk).revoked_at is not None
    assert AuditEntry.objects.filter(action="api_key.revoked").count() == 1


PUBLIC_HOOK = "https://93.184.215.14/hooks"


def test_an_organisation_admin_adds_a_webhook_endpoint_and_sees_its_secret_once(
    client, world, settings
):
    from undersigned.api.models import WebhookEndpoint

    settings.WEBHOOK_ALLOW_HTTP = False
    client.force_login(world.personas.admin_a)
    data = {
        "organisation": world.personas.organisation_a.pk,
        "name": "CRM hooks",
        "url": "http://crm.example.org/hooks",
        "events": ["signature.confirmed", "signature.erased"],
    }
    refused = client.post("/admin/api/webhookendpoint/add/", data)
    assert "Use an https:// address." in refused.content.decode()
    bad_event = client.post("/admin/api/webhookendpoint/add/", {**data, "events": ["everything"]})
    assert "Select a valid choice" in bad_event.content.decode()
    # a public address written as such: the tests resolve no name on the internet
    response = client.post("/admin/api/webhookendpoint/add/", {**data, "url": PUBLIC_HOOK})
    endpoint = WebhookEndpoint.objects.get(name="CRM hooks")
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in response.content.decode()
    assert endpoint.events == ["signature.confirmed", "signature.erased"]
    assert not endpoint.personal_data
    change = client.get(f"/admin/api/webhookendpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.secret not in change
    assert AuditEntry.objects.filter(action="webhook_endpoint.created").exists()
