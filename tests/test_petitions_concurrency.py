"""Many people signing at once over real HTTP: every answer is a durable row, counted once."""

import http.cookiejar
import re
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from undersigned.petitions.models import Signature
from undersigned.workers.outboxes import drain_all

from .factories import make_petition

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 50
SIGNATURES = 1000
RETRIES = 20


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def signing_client(base_url: str, path: str):
    """One browser-like client: fetch the form (cookie + CSRF token), then post signatures."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    html = opener.open(base_url + path, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def sign(number: int) -> int:
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "name": f"Signer {number}",
                "country": "SY",
                "email": f"signer{number}@example.org",
            }
        ).encode()
        request = urllib.request.Request(
            base_url + path, data=data, headers={"Referer": base_url + path}
        )
        try:
            return opener.open(request, timeout=60).status
        except urllib.error.HTTPError as answer:
            return answer.code

    def sign_until_thanked(number: int) -> list[int]:
        """As a person does: on "try again" (503, nothing kept), send it again."""
        answers = [sign(number)]
        while answers[-1] == 503 and len(answers) < RETRIES:
            answers.append(sign(number))
        return answers

    return sign_until_thanked


def test_a_thousand_signatures_from_fifty_concurrent_clients(live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.RATELIMIT_ENABLE = False  # one address signing 1,000 times is the point here
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    petition = make_petition(double_opt_in=False)
    path = "/en/petitions/free-the-detained/"
    clients = [signing_client(live_server.url, path) for _ in range(CLIENTS)]

    def run_client(index: int) -> list[int]:
        sign = clients[index]
        return [sign(index * 100_000 + n) for n in range(SIGNATURES // CLIENTS)]

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = [answer for result in pool.map(run_client, range(CLIENTS)) for answer in result]

    # On a loaded machine SQLite may make a signer wait past DATABASE_TIMEOUT: they see
    # 503 with nothing kept and send again. Every signer ends thanked, each exactly once.
    assert [attempts[-1] for attempts in answers] == [302] * SIGNATURES
    assert {status for attempts in answers for status in attempts} <= {302, 503}
    assert Signature.objects.filter(petition=petition).count() == SIGNATURES
    # each signature is its own email's outbox; the worker's dispatcher queues them
    assert Signature.objects.filter(email_due=True).count() == SIGNATURES
    assert drain_all() == SIGNATURES
    queued = DBTaskResult.objects.filter(task_path__endswith="send_first_emails")
    assert sum(len(task.args_kwargs["args"][0]) for task in queued) == SIGNATURES
    cache.clear()
    assert petition.signature_count() == SIGNATURES
    html = urllib.request.urlopen(live_server.url + path, timeout=30).read().decode()
    assert f'value="{SIGNATURES}"' in html
