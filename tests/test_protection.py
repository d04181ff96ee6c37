"""Privacy and abuse protection on the signing path (issue: safety)."""

import subprocess
import time

import pytest
from django.core import signing
from django.core.exceptions import FieldError
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from undersigned.petitions.forms import START_SALT
from undersigned.petitions.models import Signature
from undersigned.protection import clients

from .factories import make_petition, signer

pytestmark = pytest.mark.django_db

URL = "/en/petitions/free-the-detained/"


def test_ip_addresses_are_kept_only_as_a_daily_keyed_hash(client):
    make_petition(double_opt_in=False)
    client.post(URL, signer(), REMOTE_ADDR="203.0.113.7")
    client.post(URL, signer(email="b@example.org"), REMOTE_ADDR="203.0.113.7")
    client.post(URL, signer(email="c@example.org"), REMOTE_ADDR="198.51.100.1")
    hashes = list(Signature.objects.order_by("pk").values_list("ip_hash", flat=True))
    assert hashes[0] == hashes[1] != hashes[2]
    assert all(len(h) == 32 and "203.0.113.7" not in h for h in hashes)


def test_forwarded_for_is_ignored_unless_proxies_are_configured(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    settings.PROXY_COUNT = 0
    assert clients.client_ip(request) == "10.0.0.2"
    settings.PROXY_COUNT = 1
    assert clients.client_ip(request) == "5.6.7.8"
    settings.PROXY_COUNT = 2
    assert clients.client_ip(request) == "1.2.3.4"
    settings.PROXY_COUNT = 3  # fewer hops than configured: do not trust any of them
    assert clients.client_ip(request) == "10.0.0.2"


def test_old_day_keys_are_forgotten(rf):
    from datetime import timedelta

    from django.utils import timezone

    from undersigned.protection.models import DailyKey

    today = timezone.now().date()
    for age in range(4):
        DailyKey.objects.create(day=today - timedelta(days=age))
    assert clients.forget_old_day_keys() == 1
    assert DailyKey.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_reveals_no_email_address(client, tmp_path):
    make_petition(double_opt_in=False)
    for number in range(3):
        client.post(URL, signer(email=f"secret.signer{number}@example.org"))
    assert Signature.objects.count() == 3
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        dump = subprocess.run(
            [
                "pg_dump",
                "-h",
                settings_dict["HOST"] or "127.0.0.1",
                "-U",
                settings_dict["USER"],
                settings_dict["NAME"],
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    else:
        dump = "\n".join(connection.connection.iterdump())
    assert "petitions_signature" in dump
    assert "secret.signer" not in dump and "example.org" not in dump.replace(
        "noreply@example.org", ""
    )


def test_encrypted_fields_refuse_lookups_that_would_silently_miss():
    with pytest.raises(FieldError):
        list(Signature.objects.filter(email="a@example.org"))


@override_settings(RATE_LIMITS={"sign": {"ip": "2/h", "email": "100/h"}})
def test_signing_is_rate_limited_per_address_with_a_clear_page(client):
    make_petition()
    for number in range(2):
        assert client.post(URL, signer(email=f"s{number}@example.org")).status_code == 302
    refused = client.post(URL, signer(email="third@example.org"))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    html = refused.content.decode()
    assert "Too many signatures from your connection" in html
    assert 'value="third@example.org"' in html
    assert Signature.objects.count() == 2
    # another address is not affected
    assert (
        client.post(URL, signer(email="other@example.org"), REMOTE_ADDR="198.51.100.9").status_code
        == 302
    )


@override_settings(RATE_LIMITS={"sign": {"ip": "100/h", "email": "1/h"}})
def test_signing_is_rate_limited_per_email_and_the_page_is_translated(client):
    make_petition()
    client.post(URL, signer())
    refused = client.post(
        "/ar/petitions/free-the-detained/",
        signer(email="AMAL@example.org"),
        REMOTE_ADDR="198.51.100.2",
    )
    assert refused.status_code == 429
    assert "محاولات توقيع كثيرة من اتصالك" in refused.content.decode()


@override_settings(RATE_LIMITS={"sign": {"ip": "1/h"}}, RATELIMIT_ENABLE=False)
def test_rate_limits_can_be_switched_off_for_load_tests(client):
    make_petition()
    for number in range(3):
        assert client.post(URL, signer(email=f"s{number}@example.org")).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_rate_limits_live_in_redis_when_configured_so_every_server_shares_them(client):
    redis_caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }
    with override_settings(CACHES=redis_caches, RATE_LIMITS={"sign": {"ip": "1/h"}}):
        from django.core.cache import cache

        cache.clear()
        make_petition()
        assert client.post(URL, signer()).status_code == 302
        assert client.post(URL, signer(email="b@example.org")).status_code == 429
        import redis

        keys = redis.Redis.from_url("redis://127.0.0.1:6379/15").keys("*")
        assert keys, "the counter is in Redis, where another app server reads it too"
        cache.clear()


def test_the_honeypot_thanks_bots_and_keeps_nothing(client):
    make_petition()
    response = client.post(URL, signer(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"].endswith("/thanks/")
    assert Signature.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_a_form_sent_back_too_fast_or_without_its_time_is_refused(client, settings):
    settings.MIN_FILL_SECONDS = 3600  # so that no slow machine makes "now" look calm
    make_petition()
    for started in ["", "forged", signing.dumps(int(time.time()), salt=START_SALT)]:
        response = client.post(URL, signer(started=started))
        assert response.status_code == 400
        assert "Please check your details and send the form again." in response.content.decode()
    assert Signature.objects.count() == 0
    calm = signing.dumps(int(time.time()) - 7200, salt=START_SALT)
    assert client.post(URL, signer(started=calm)).status_code == 302


def test_the_form_carries_a_fresh_start_time_and_a_hidden_trap(client):
    make_petition()
    html = client.get(URL).content.decode()
    assert 'name="started" value="' in html
    assert '<div class="trap" aria-hidden="true">' in html and 'tabindex="-1"' in html


@pytest.mark.parametrize(
    "email", ["someone@mailinator.com", "x@sub.mailinator.com", "a@guerrillamail.com"]
)
def test_disposable_addresses_are_refused(client, email):
    make_petition()
    response = client.post(URL, signer(email=email))
    assert response.status_code == 400
    assert "Please use an address you keep" in response.content.decode()
    assert Signature.objects.count() == 0


def test_public_pages_send_strict_security_headers(client):
    make_petition()
    response = client.get(URL)
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp
        and "frame-ancestors 'none'" in csp
    )
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "geolocation=()" in response["Permissions-Policy"]


def test_hsts_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    make_petition()
    response = client.get(URL, secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
