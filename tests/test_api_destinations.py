"""Webhooks go only to public internet addresses: an organisation admin cannot point one at
this server, its private network or a cloud metadata service, neither when saving the
endpoint nor later by changing what its name resolves to."""

import pytest

from undersigned.api.destinations import is_refused
from undersigned.api.models import WebhookDelivery, WebhookEndpoint
from undersigned.petitions.services import sign_petition

from .factories import make_petition, signer
from .test_api_webhooks import Receiver, endpoint_for

pytestmark = pytest.mark.django_db

ADD = "/admin/api/webhookendpoint/add/"
PRIVATE_MESSAGE = "This address leads to a private, local or internal network"
PRIVATE_MESSAGE_AR = "هذا العنوان يؤدي إلى شبكة خاصة أو محلية أو داخلية"


def endpoint_form(world, url):
    return {
        "organisation": world.personas.organisation_a.pk,
        "name": "CRM hooks",
        "url": url,
        "events": ["signature.confirmed"],
    }


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://127.8.9.10/hooks",
        "https://localhost/hooks",
        "https://10.0.0.7/hooks",
        "https://172.16.5.4/hooks",
        "https://172.31.255.1/hooks",
        "https://192.168.1.1:8443/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://0.0.0.0/hooks",
        "https://[::1]/hooks",
        "https://[fc00::5]/hooks",
        "https://[fd00:ec2::254]/hooks",
        "https://[fe80::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
    ],
)
def test_a_private_or_local_address_is_refused_on_save(client, world, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(world.personas.admin_a)
    before = WebhookEndpoint.objects.count()
    response = client.post(ADD, endpoint_form(world, url))
    assert response.status_code == 200
    assert PRIVATE_MESSAGE in response.content.decode()
    assert WebhookEndpoint.objects.count() == before


def test_the_refusal_is_explained_in_arabic(client, world, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(world.personas.admin_a)
    response = client.post(
        ADD, endpoint_form(world, "https://169.254.169.254/"), HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert PRIVATE_MESSAGE_AR in response.content.decode()
    unknown = client.post(
        ADD, endpoint_form(world, "https://no-such-host.invalid/"), HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert "تعذّر العثور على خادم هذا العنوان" in unknown.content.decode()


def test_a_host_that_cannot_be_found_is_refused(client, world, settings):
    client.force_login(world.personas.admin_a)
    before = WebhookEndpoint.objects.count()
    response = client.post(ADD, endpoint_form(world, "https://no-such-host.invalid/hooks"))
    assert "This address&#x27;s host could not be found." in response.content.decode()
    assert WebhookEndpoint.objects.count() == before


def test_a_public_address_is_accepted(client, world, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(world.personas.admin_a)
    client.post(ADD, endpoint_form(world, "https://93.184.215.14/hooks"))
    assert WebhookEndpoint.objects.filter(url="https://93.184.215.14/hooks").exists()


def test_the_local_receiver_is_allowed_only_by_the_setting(client, world, settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    client.force_login(world.personas.admin_a)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    client.post(ADD, endpoint_form(world, "http://127.0.0.1:8421/hooks"))
    assert not WebhookEndpoint.objects.filter(url="http://127.0.0.1:8421/hooks").exists()
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    client.post(ADD, endpoint_form(world, "http://127.0.0.1:8421/hooks"))
    assert WebhookEndpoint.objects.filter(url="http://127.0.0.1:8421/hooks").exists()


def test_an_address_that_turned_private_is_refused_at_delivery(settings, run_tasks):
    """Saved while allowed (as a name that resolved publicly would be), then found to lead
    to a local address when the delivery is sent: nothing reaches it."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_RETRY_SECONDS = []
    receiver = Receiver()
    try:
        petition = make_petition(double_opt_in=False)
        endpoint_for(petition.organiser, receiver, ["signature.confirmed"])
        settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
        sign_petition(petition, **signer(), opt_in=True, language="en")
        run_tasks()
    finally:
        receiver.stop()
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status != "delivered"
    assert delivery.last_error == "refused: private or local address 127.0.0.1"
    assert delivery.last_status_code is None


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("93.184.215.14", False),
        ("2606:2800:220:1:248:1893:25c8:1946", False),
        ("127.0.0.1", True),
        ("100.64.0.1", True),  # carrier-grade NAT: not on the internet either
        ("::ffff:10.0.0.1", True),
        ("fe80::1%eth0", True),
        ("224.0.0.1", True),
    ],
)
def test_which_addresses_are_refused(address, refused):
    assert is_refused(address) is refused
