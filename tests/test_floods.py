"""Floods from one client address are slowed: past a short burst (10 in 10 minutes) each
further signature or endorsement needs a solved proof of work, or waits for the window to
end, with its input kept. The count is shared by every app server (Redis) and cannot be
dodged with a forged X-Forwarded-For."""

import threading

import pytest
from django.db import close_old_connections
from django.test import Client

from undersigned.letters.models import Endorsement
from undersigned.petitions.models import Signature

from .factories import make_petition, signer
from .letters_fixtures import form_data, make_letter
from .redis_server import RedisServer
from .test_proof_of_work import solution

pytestmark = pytest.mark.django_db

URL = "/en/petitions/free-the-detained/"
ENDORSE = "/en/letters/stop-the-attacks/endorse/"
BURST = 10


def sign(client, number: int, **headers):
    return client.post(URL, signer(email=f"signer{number}@example.org"), headers=headers)


def test_forty_quick_signatures_from_one_address_get_429_after_the_burst(client):
    make_petition(double_opt_in=False)
    statuses = [sign(client, n).status_code for n in range(40)]
    assert statuses == [302] * BURST + [429] * 30
    assert Signature.objects.count() == BURST

    refused = sign(client, 41)
    html = refused.content.decode()
    wait = int(refused["Retry-After"])
    assert 0 < wait <= 600
    assert "Many signatures came from your connection just now" in html
    minutes = -(-wait // 60)
    assert ("in a minute" if minutes == 1 else f"in {minutes} minutes") in html
    assert 'value="signer41@example.org"' in html and 'value="Amal Haddad"' in html
    assert "<altcha-widget" in html  # the way through, at once, for a real browser


def test_a_solved_puzzle_lets_one_more_signature_through(client):
    make_petition(double_opt_in=False)
    for n in range(BURST):
        sign(client, n)
    payload = solution(client)
    data = signer(email="camp@example.org", altcha=payload)
    assert client.post(URL, data).status_code == 302
    replay = signer(email="again@example.org", altcha=payload)  # one solution, one signature
    assert client.post(URL, replay).status_code == 429
    assert Signature.objects.count() == BURST + 1


def test_a_forged_forwarded_for_does_not_walk_past_the_burst(client):
    make_petition(double_opt_in=False)
    statuses = [
        sign(client, n, X_Forwarded_For=f"203.0.113.{n}").status_code for n in range(BURST + 5)
    ]
    assert statuses == [302] * BURST + [429] * 5


def test_behind_a_trusted_proxy_each_client_has_its_own_burst(client, settings):
    settings.PROXY_COUNT = 1
    make_petition(double_opt_in=False)
    first = [sign(client, n, X_Forwarded_For="203.0.113.1").status_code for n in range(BURST + 1)]
    other = sign(client, 99, X_Forwarded_For="203.0.113.2").status_code
    assert first == [302] * BURST + [429]
    assert other == 302


def test_endorsements_past_the_burst_get_429_with_their_input_and_a_puzzle(client):
    make_letter()
    statuses = [
        client.post(
            ENDORSE, form_data(name=f"Organisation {n}", contact_email=f"c{n}@example.org")
        ).status_code
        for n in range(BURST + 2)
    ]
    assert statuses == [302] * BURST + [429] * 2
    refused = client.post(ENDORSE, form_data(name="Late Org", contact_email="late@example.org"))
    html = refused.content.decode()
    assert refused.status_code == 429
    assert 'value="Late Org"' in html and "<altcha-widget" in html
    assert "Many endorsements came from your connection just now" in html

    proven = form_data(name="Proven Org", contact_email="p@example.org", altcha=solution(client))
    assert client.post(ENDORSE, proven).status_code == 302
    assert Endorsement.objects.count() == BURST + 1


@pytest.mark.django_db(transaction=True)  # each "server" thread reads committed rows
def test_the_burst_is_shared_by_app_servers_through_redis(settings, tmp_path):
    """Each thread has its own cache connection, as each app server process does."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        settings.CACHES = server.caches()
        make_petition(double_opt_in=False)
        results = {}

        def app_server(name, numbers):
            results[name] = [sign(Client(), n).status_code for n in numbers]
            close_old_connections()

        for name, numbers in [("one", range(6)), ("two", range(6, 12))]:
            thread = threading.Thread(target=app_server, args=(name, numbers))
            thread.start()
            thread.join()
        assert results["one"] == [302] * 6
        assert results["two"] == [302] * 4 + [429] * 2
        assert server.keys(), "the counts live in Redis, where every app server reads them"
    finally:
        server.kill()


def test_the_429_page_speaks_arabic_too(client):
    make_petition(double_opt_in=False)
    arabic = "/ar/petitions/free-the-detained/"
    for n in range(BURST):
        client.post(arabic, signer(email=f"signer{n}@example.org"))
    refused = client.post(arabic, signer(email="late@example.org"))
    assert refused.status_code == 429
    assert "وصلت توقيعات كثيرة من اتصالك قبل قليل" in refused.content.decode()
