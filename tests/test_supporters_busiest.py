"""The abuse review shows operators the busiest address hashes and email domains of the
last hour across every petition, so a flood spread over several actions stands out."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from undersigned.emails.addresses import email_digest
from undersigned.petitions.models import Signature

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
    assert "Busiest in the last hour, across every petition" in html
    assert "<code>floodmail.example</code>" in html  # named, though stored as a digest


def test_staff_of_one_organisation_do_not_see_every_petitions_traffic(client, spread_flood):
    reviewer = get_user_model().objects.create_user("reviewer", password="pw", is_staff=True)
    reviewer.user_permissions.add(Permission.objects.get(codename="view_signature"))
    client.force_login(reviewer)
    response = client.get(url(spread_flood))
    assert response.status_code == 200
    assert response.context["busiest"] is None
    assert "Busiest in the last hour" not in response.content.decode()
