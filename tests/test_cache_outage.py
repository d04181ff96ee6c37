"""With REDIS_URL set, Redis going away or hanging changes nothing a visitor can see:
pages render uncached, signing and confirming go on, rate limits fail open (logged), and
nothing answers 500; when Redis returns, the cache refills by itself."""

import time

import pytest

from undersigned.pages.confirmations import make_token
from undersigned.petitions.models import Signature

from .factories import make_petition, signer
from .redis_server import RedisServer

pytestmark = pytest.mark.django_db

URL = "/en/petitions/free-the-detained/"
RETRY_SECONDS = 0.2


@pytest.fixture
def redis_cache(settings, tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = server.caches(retry_seconds=RETRY_SECONDS)
    yield server
    if server.process.poll() is None:
        server.resume()
        server.kill()


def sign_and_confirm(client, email: str) -> None:
    assert client.post(URL, signer(email=email)).status_code == 302
    signature = Signature.objects.latest("pk")
    token = make_token("signature", signature.pk)
    assert client.post(f"/en/confirm/{token}/").status_code == 302
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED


def test_redis_down_changes_nothing_visitors_see_and_the_cache_refills(client, redis_cache, caplog):
    make_petition()
    assert client.get(URL).status_code == 200
    assert redis_cache.keys(), "the page is cached in Redis"

    redis_cache.kill()
    page = client.get(URL)
    assert page.status_code == 200 and "Free the detained" in page.content.decode()
    sign_and_confirm(client, "amal@example.org")
    assert "Cache unavailable" in caplog.text

    redis_cache.start()  # back, empty
    time.sleep(RETRY_SECONDS * 2)
    assert client.get(URL).status_code == 200
    assert redis_cache.keys(), "the cache refilled itself"
    sign_and_confirm(client, "rana@example.org")


def test_a_hanging_redis_costs_a_short_timeout_not_a_500(client, redis_cache):
    make_petition()
    redis_cache.hang()
    started = time.monotonic()
    assert client.get(URL).status_code == 200
    sign_and_confirm(client, "amal@example.org")
    assert time.monotonic() - started < 10
    redis_cache.resume()
