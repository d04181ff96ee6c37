"""Staff pages that stay flat at millions of signatures: the admin's signature list counts
at most COUNT_CAP rows and offers no country sidebar, no date drill-down; the abuse review
groups only the latest REVIEW_ROWS signatures of a busy window. (The timings at 1,000,000
and 10,000,000 signatures are in docs/performance.md.)"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from undersigned.petitions import admin as petitions_admin
from undersigned.petitions.models import Signature
from undersigned.protection.crypto import email_digest
from undersigned.supporters import abuse

from .factories import make_petition

pytestmark = pytest.mark.django_db

LIST = "/admin/petitions/signature/"


def add(petition, n, *, start=0, ago=timedelta(minutes=30), country="LB"):
    for index in range(start, start + n):
        email = f"person{index}@example.org"
        Signature.objects.create(
            petition=petition,
            name=f"Person {index}",
            email=email,
            email_digest=email_digest(email),
            ip_hash="f" * 32,
            country=country,
            language="en",
            status="confirmed",
            created_at=timezone.now() - ago,
        )


@pytest.fixture
def cap(monkeypatch):
    def set_cap(n):
        monkeypatch.setattr(petitions_admin, "COUNT_CAP", n)
        monkeypatch.setattr(petitions_admin.SignatureAdmin, "count_cap", n)

    return set_cap


def test_the_signature_list_counts_up_to_its_cap_and_says_so(client, personas, cap):
    petition = make_petition()
    add(petition, 5)
    client.force_login(personas.data_officer_a)
    cap(3)
    html = client.get(LIST).content.decode()
    assert "More than 3 signatures: choose a petition, a status or a date" in html
    assert html.count("Person ") >= 5
    cap(10)
    html = client.get(LIST).content.decode()
    assert "5 signatures" in html and "More than" not in html
    assert "Lebanon" in html  # the country's name, read from its code
    # no 250-country sidebar, no date drill-down; a date filter of fixed ranges instead
    assert "By country" not in html and "date-hierarchy" not in html
    assert "By signed at" in html and "Past 7 days" in html
    assert "Free the detained" in html  # the petition filter: the user's own petitions


def test_the_signature_list_in_arabic(client, personas, cap):
    add(make_petition(), 4)
    client.force_login(personas.data_officer_a)
    cap(3)
    html = client.get(LIST, headers={"accept-language": "ar"}).content.decode()
    assert "أكثر من 3 توقيعات" in html


def test_the_signature_list_costs_the_same_queries_for_ten_rows_or_a_hundred(client, personas):
    petition = make_petition()
    add(petition, 10, country="SY")
    client.force_login(personas.data_officer_a)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    add(petition, 90, start=10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).status_code == 200
    assert len(many) == len(few)
    assert not any("DISTINCT" in q["sql"] for q in many.captured_queries)  # no scan for choices


def test_a_busy_window_of_the_abuse_review_is_shortened_to_its_latest_signatures(
    client, personas, monkeypatch
):
    petition = make_petition()
    add(petition, 3, ago=timedelta(hours=5))
    add(petition, 2, start=3, ago=timedelta(minutes=5))
    client.force_login(personas.data_officer_a)
    url = f"/admin/supporters/invalidationbatch/review/{petition.pk}/"
    html = client.get(url).content.decode()
    assert "5 signatures since" in html and "A busy window" not in html
    monkeypatch.setattr(abuse, "REVIEW_ROWS", 2)
    html = client.get(url).content.decode()
    assert "2 signatures since" in html
    assert "A busy window: only its latest signatures are grouped, up to 2 confirmed" in html
    review = abuse.review(petition, *abuse.window(24))
    assert review.shortened and review.total == 2
    assert review.since > timezone.now() - timedelta(hours=1)
