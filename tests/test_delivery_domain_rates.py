"""The progress page's confirmation rate by email domain, and its alert when a large domain
confirms far less than the others (a mail scanner or a block eating the emails)."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from undersigned.petitions.models import Signature
from undersigned.protection.crypto import email_digest

from .factories import make_petition
from .test_delivery_progress import rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def add(petition, domain: str, confirmed: int, pending: int, hours_ago: float = 5) -> None:
    at = timezone.now() - timedelta(hours=hours_ago)
    for index in range(confirmed + pending):
        email = f"{domain.split('.')[0]}{index}-{hours_ago}@{domain}"
        status = "confirmed" if index < confirmed else "pending"
        Signature.objects.create(
            petition=petition,
            name=f"Signer {index}",
            email=email,
            email_digest=email_digest(email),
            country="SY",
            language="en",
            status=status,
            created_at=at,
            confirmed_at=at if status == "confirmed" else None,
        )


def progress_page(admin_client, petition) -> str:
    response = admin_client.get(f"/admin/delivery/petitionaction/{petition.pk}/progress/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_large_domain_far_below_the_others_raises_an_alert(admin_client):
    petition = make_petition()
    add(petition, "gmail.com", confirmed=12, pending=48)  # 20%
    add(petition, "yahoo.com", confirmed=45, pending=15)  # 75%
    add(petition, "example.org", confirmed=40, pending=10)  # 80%, pooled: not named
    add(petition, "gmail.com", confirmed=0, pending=30, hours_ago=0.2)  # too young to count
    html = progress_page(admin_client, petition)
    table = rows(html, "by-domain")
    assert table[1:] == [
        ["gmail.com", "12", "48", "20.0% ⚠", "77.3%"],
        ["yahoo.com", "45", "15", "75.0%", "47.3%"],
        ["other domains", "40", "10", "80.0%", "47.5%"],
    ]
    alerts = re.findall(r'<p class="errornote" role="alert">(.*?)</p>', html, re.S)
    assert len(alerts) == 1
    assert (
        "Signers at gmail.com confirm far less than the others (20.0% against 77.3%)" in alerts[0]
    )
    assert "example.org" not in html  # an organisation's domain is never named


def test_no_alert_for_a_small_domain_or_a_modest_gap(admin_client):
    petition = make_petition()
    add(petition, "gmail.com", confirmed=30, pending=30)  # 50% against 70%: within the gap
    add(petition, "yahoo.com", confirmed=42, pending=18)
    add(petition, "hotmail.com", confirmed=1, pending=20)  # far below, but small
    html = progress_page(admin_client, petition)
    assert 'role="alert"' not in html
    assert ["hotmail.com", "1", "20", "4.8%", "60.0%"] in rows(html, "by-domain")


def test_the_alert_is_in_arabic_for_arabic_staff(admin_client):
    petition = make_petition()
    add(petition, "gmail.com", confirmed=5, pending=55)
    add(petition, "yahoo.com", confirmed=50, pending=10)
    response = admin_client.get(
        f"/admin/delivery/petitionaction/{petition.pk}/progress/", HTTP_ACCEPT_LANGUAGE="ar"
    )
    html = response.content.decode()
    assert "يؤكّد الموقّعون لدى gmail.com" in html


def test_the_rates_read_from_the_daily_roll_ups_are_the_same(admin_client):
    """At ten million signatures the rates cannot be counted from every row: they come from
    the roll-ups, less the last hour's signatures, and show the same figures."""
    from undersigned.petitions import tallies

    petition = make_petition()
    add(petition, "gmail.com", confirmed=12, pending=48, hours_ago=30)
    add(petition, "yahoo.com", confirmed=45, pending=15, hours_ago=30)
    add(petition, "example.org", confirmed=40, pending=10, hours_ago=30)
    add(petition, "gmail.com", confirmed=0, pending=30, hours_ago=0.2)  # too young to count
    before = rows(progress_page(admin_client, petition), "by-domain")
    assert tallies.roll_up(petition.pk)
    gmail = Signature.objects.filter(
        email_domain="gmail.com",
        status="pending",
        created_at__lt=timezone.now() - timedelta(hours=1),
    ).first()
    gmail.confirm()  # after the roll-up: counted through its tally confirmation
    cache.clear()
    after = rows(progress_page(admin_client, petition), "by-domain")
    assert after[1] == ["gmail.com", "13", "47", "21.7% ⚠", "77.3%"]
    assert before[1] == ["gmail.com", "12", "48", "20.0% ⚠", "77.3%"]
    assert [row[:4] for row in after[2:]] == [row[:4] for row in before[2:]]  # others unchanged
