"""The abuse review shows operators the busiest address hashes and email domains of the
last hour across every petition, so a flood spread over several actions stands out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from undersigned.petitions.models import Signature
from undersigned.protection.crypto import email_digest

from .factories import make_petition

pytestmark = pytest.mark.django_db

FLOOD_IP = "a" * 32


def signed(petition, count, *, ip, domain, minutes_ago=10):
    for _ in range(count):
        email = f"person{Signature.objects.count()}@{domain}"
        Signature.objects.create(
            petition=petition,
            name="Someone",
            email=email,
            email_digest=email_digest(email),
            ip_hash=ip,
            country="LB",
            language="en",
            status="pending",
            created_at=timezone.now() - timedelta(minutes=minutes_ago),
        )


@pytest.fixture
def spread_flood():
    first, second = make_petition(), make_petition(slug="stop-the-sieges")
    signed(first, 4, ip=FLOOD_IP, domain="floodmail.example")
    signed(second, 3, ip=FLOOD_IP, domain="floodmail.example")
    signed(second, 2, ip="b" * 32, domain="gmail.com")
    signed(first, 9, ip="c" * 32, domain="gmail.com", minutes_ago=90)  # over an hour ago
    return first


def url(petition) -> str:
    return f"/admin/supporters/invalidationbatch/review/{petition.pk}/"


def test_operators_see_the_busiest_of_the_last_hour_across_petitions(admin_client, spread_flood):
    response = admin_client.get(url(spread_flood))
    busiest = response.context["busiest"]
    assert busiest.addresses == [(FLOOD_IP[:12], 7), ("b" * 12, 2)]
    assert busiest.domains == [("floodmail.example", 7), ("gmail.com", 2)]
    html = response.content.decode()
    assert "Busiest in the last hour, across every petition you review" in html
    assert "<code>floodmail.example</code>" in html  # named, though stored as a digest


def test_staff_see_only_their_own_organisations_traffic(client, spread_flood, personas):
    from .factories import make_organiser

    elsewhere = make_petition(slug="elsewhere", organiser=make_organiser("other", "Other", "أخرى"))
    signed(elsewhere, 20, ip="d" * 32, domain="elsewhere.example")
    client.force_login(personas.data_officer_a)
    response = client.get(url(spread_flood))
    busiest = response.context["busiest"]
    assert busiest.addresses == [(FLOOD_IP[:12], 7), ("b" * 12, 2)]
    assert "elsewhere.example" not in response.content.decode()
    client.force_login(personas.operator)
    operator_view = client.get(url(spread_flood)).context["busiest"]
    assert operator_view.addresses[0] == ("d" * 12, 20)
