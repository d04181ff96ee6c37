"""The staff's abuse review: suspicious groups in a window, invalidating a batch (out of the
count, audited) and restoring it (back in, audited); who may see and do it."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from undersigned.audit.models import AuditEntry
from undersigned.emails.addresses import email_domain_label
from undersigned.petitions.models import Signature
from undersigned.protection.crypto import email_digest
from undersigned.supporters.models import InvalidationBatch

from .factories import make_petition
from .personas import member

pytestmark = pytest.mark.django_db

FLOOD_IP = "f" * 32
OTHER_IP = "e" * 32


def sign(petition, n, *, ip, domain, source="", status="confirmed", ago=timedelta(minutes=30)):
    start = Signature.objects.count()
    for index in range(start, start + n):
        email = f"person{index}@{domain}"
        Signature.objects.create(
            petition=petition,
            name=f"Person {index}",
            email=email,
            email_digest=email_digest(email),
            ip_hash=ip,
            country="LB",
            language="en",
            status=status,
            source=source,
            created_at=timezone.now() - ago,
        )


@pytest.fixture
def flooded():
    """A petition with a crafted data set: one flood from one client address and one
    uncommon domain, a campaign source, honest gmail signers, and older signatures."""
    petition = make_petition(double_opt_in=False)
    sign(petition, 3, ip=FLOOD_IP, domain="floodmail.example", source="bot-run")
    sign(petition, 2, ip=FLOOD_IP, domain="floodmail.example", source="bot-run", status="pending")
    sign(petition, 3, ip=OTHER_IP, domain="gmail.com", source="newsletter")
    sign(petition, 1, ip="d" * 32, domain="gmail.com")
    sign(petition, 4, ip=FLOOD_IP, domain="gmail.com", ago=timedelta(days=3))  # outside 24 h
    petition.recount()
    return petition


def review_url(petition, **query):
    url = f"/admin/supporters/invalidationbatch/review/{petition.pk}/"
    return f"{url}?{urlencode(query)}" if query else url


def shown_count(client) -> int:
    cache.clear()
    html = client.get("/en/petitions/free-the-detained/").content.decode()
    return int(re.search(r'<progress max="\d+" value="(\d+)"', html).group(1))


def test_email_domains_are_kept_only_for_big_providers():
    assert email_domain_label("Amal@GMAIL.com") == "gmail.com"
    label = email_domain_label("amal@haddad.family")
    assert label.startswith("#") and "haddad" not in label
    assert label == email_domain_label("rami@Haddad.Family")


def test_the_review_groups_a_window(admin_client, flooded):
    response = admin_client.get(review_url(flooded))
    assert response.status_code == 200
    review = response.context["review"]
    assert review.total == 9
    groups = {
        dimension: [(g.label, g.total, g.confirmed, g.pending) for g in found]
        for dimension, found in review.groups.items()
    }
    assert groups["ip_hash"] == [(FLOOD_IP[:12], 5, 3, 2), (OTHER_IP[:12], 3, 3, 0)]
    assert groups["email_domain"] == [("floodmail.example", 5, 3, 2), ("gmail.com", 4, 4, 0)]
    assert groups["source"] == [("bot-run", 5, 3, 2), ("newsletter", 3, 3, 0)]
    assert review.groups["ip_hash"][0].share == 55.6
    html = response.content.decode()
    assert "floodmail.example" in html  # named for staff, though stored as a digest
    assert not Signature.objects.filter(email_domain="floodmail.example").exists()

    week = admin_client.get(review_url(flooded, hours=168)).context["review"]
    assert week.total == 13 and week.groups["ip_hash"][0].total == 9
    hour = admin_client.get(review_url(flooded, hours=1)).context["review"]
    assert hour.total == 9
    bad = admin_client.get(review_url(flooded, hours=5))  # not a choice: the default window
    assert bad.status_code == 200 and bad.context["review"].total == 9


def test_invalidate_a_batch_then_restore_it(admin_client, client, flooded):
    assert shown_count(client) == 11
    page = admin_client.get(review_url(flooded))
    link = re.search(
        r'href="(/admin/supporters/invalidationbatch/review/\d+/invalidate/\?dimension=ip_hash[^"]+)"',
        page.content.decode(),
    ).group(1)
    link = link.replace("&amp;", "&")
    confirm = admin_client.get(link)
    assert confirm.status_code == 200 and confirm.context["matching"] == 5
    assert "Set aside 5 signatures" in confirm.content.decode()
    hidden = dict(
        re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', confirm.content.decode())
    )
    hidden = {k: v.replace("&#x2B;", "+").replace("&#x27;", "'") for k, v in hidden.items()}

    missing_reason = admin_client.post(
        link, {k: v for k, v in hidden.items() if k != "csrfmiddlewaretoken"}
    )
    assert missing_reason.status_code == 200 and not InvalidationBatch.objects.exists()

    done = admin_client.post(
        link, {**hidden, "reason": "500 signatures in a minute from one address"}
    )
    assert done.status_code == 302
    batch = InvalidationBatch.objects.get()
    flood = Signature.objects.filter(ip_hash=FLOOD_IP, created_at__gte=batch.since)
    assert set(flood.values_list("status", flat=True)) == {"invalidated"}
    assert len(batch.confirmed_ids) == 3 and len(batch.pending_ids) == 2
    assert Signature.objects.filter(ip_hash=FLOOD_IP, status="confirmed").count() == 4  # older
    assert shown_count(client) == 11 - 3
    assert flooded.recount() == 8  # the shards agree with the rows

    entry = AuditEntry.objects.get(action="batch.invalidated")
    assert entry.username == "admin" and entry.object_id == str(flooded.pk)
    assert entry.detail["reason"] == "500 signatures in a minute from one address"
    assert entry.detail["count"] == 5 and entry.detail["uncounted"] == 3
    assert entry.detail["ids"] == sorted(flood.values_list("pk", flat=True))

    review = admin_client.get(review_url(flooded)).context["review"]
    assert review.total == 4 and review.groups["ip_hash"][0].label == OTHER_IP[:12]

    restored = admin_client.post(f"/admin/supporters/invalidationbatch/{batch.pk}/restore/")
    assert restored.status_code == 302
    assert shown_count(client) == 11
    assert sorted(flood.values_list("status", flat=True)) == ["confirmed"] * 3 + ["pending"] * 2
    entry = AuditEntry.objects.get(action="batch.restored")
    assert entry.detail["count"] == 5 and entry.detail["counted_again"] == 3
    batch.refresh_from_db()
    assert batch.restored_at is not None and batch.restored_by.username == "admin"

    admin_client.post(f"/admin/supporters/invalidationbatch/{batch.pk}/restore/")  # twice
    assert shown_count(client) == 11
    assert AuditEntry.objects.filter(action="batch.restored").count() == 1
    assert "Restored on" in admin_client.get(review_url(flooded)).content.decode()
    assert admin_client.get("/admin/supporters/invalidationbatch/").status_code == 200
    assert (
        admin_client.get(f"/admin/supporters/invalidationbatch/{batch.pk}/change/").status_code
        == 200
    )


def test_a_batch_by_domain_and_an_erased_signature_inside_it(admin_client, client, flooded):
    since = timezone.now() - timedelta(hours=24)
    query = {
        "dimension": "email_domain",
        "value": email_domain_label("x@floodmail.example"),
        "since": since.isoformat(),
        "until": timezone.now().isoformat(),
        "reason": "one private domain, five names",
    }
    url = f"/admin/supporters/invalidationbatch/review/{flooded.pk}/invalidate/"
    assert admin_client.post(url, query).status_code == 302
    batch = InvalidationBatch.objects.get()
    assert batch.size == 5
    Signature.objects.get(pk=batch.confirmed_ids[0]).erase()  # a signer erases meanwhile
    admin_client.post(f"/admin/supporters/invalidationbatch/{batch.pk}/restore/")
    assert shown_count(client) == 11


def test_nothing_left_to_invalidate(admin_client, flooded):
    url = f"/admin/supporters/invalidationbatch/review/{flooded.pk}/invalidate/"
    query = {
        "dimension": "ip_hash",
        "value": "0" * 32,
        "since": (timezone.now() - timedelta(hours=1)).isoformat(),
        "until": timezone.now().isoformat(),
        "reason": "x",
    }
    response = admin_client.post(url, query, follow=True)
    assert "Nothing to set aside" in response.content.decode()
    assert not InvalidationBatch.objects.exists()
    bad = admin_client.get(url + "?dimension=name&value=x")
    assert bad.status_code == 302  # not a group the review offers


def staff(username, *permissions):
    return member(username, permissions=list(permissions))


def test_who_may_see_and_do_what(client, flooded):
    url = review_url(flooded)
    invalidate = f"/admin/supporters/invalidationbatch/review/{flooded.pk}/invalidate/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert "/admin/login/" in client.get(url)["Location"]

    get_user_model().objects.create_user("signer", password="pw")
    client.login(username="signer", password="pw")  # not staff
    assert client.get(url).status_code == 302

    client.force_login(staff("intern"))  # staff, no permission
    assert client.get(url).status_code == 403

    client.force_login(staff("reviewer", "petitions.view_signature"))
    page = client.get(url)
    assert page.status_code == 200 and "/invalidate/" not in page.content.decode()
    assert client.get(invalidate + "?dimension=ip_hash").status_code == 403
    assert client.post(invalidate, {"reason": "x"}).status_code == 403

    batch = InvalidationBatch.objects.create(
        petition=flooded,
        dimension="ip_hash",
        value=FLOOD_IP,
        since=timezone.now(),
        until=timezone.now(),
        reason="x",
    )
    client.force_login(
        staff("moderator", "petitions.view_signature", "supporters.add_invalidationbatch")
    )
    assert "/invalidate/" in client.get(url).content.decode()
    assert (
        client.post(f"/admin/supporters/invalidationbatch/{batch.pk}/restore/").status_code == 403
    )
    assert client.get(f"/admin/supporters/invalidationbatch/{batch.pk}/restore/").status_code == 404
    assert client.get("/admin/supporters/invalidationbatch/review/999999/").status_code == 404
