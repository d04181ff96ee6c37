"""Whatever is thrown at the signing form, the answer is a field error or a stored signature
(stored exactly as typed, shown escaped): never a server error, never a half-written row."""

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from undersigned.petitions.models import Petition, Signature

from .factories import make_petition

pytestmark = pytest.mark.django_db

URL = "/en/petitions/free-the-detained/"

HOSTILE = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE petitions_signature; --",
        "\u202eevil\u202c",
        "\x00",
        "x" * 5000,
        "ﷺ" * 40,
        "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
        "Robert'); DELETE FROM auth_user;--",
        "{{ 7*7 }}",
        "%(name)s",
        "",
        "   ",
    ]
)
TEXT = st.one_of(st.text(max_size=300), HOSTILE)
EMAILS = st.one_of(st.emails(), TEXT, st.builds(lambda t: f"{t}@example.org", st.text(max_size=80)))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=TEXT,
    email=EMAILS,
    country=st.one_of(st.sampled_from(["SY", "LB", "", "XX", "sy", "SYR"]), TEXT),
    opt_in=st.one_of(st.sampled_from(["on", "", "false", "1"]), TEXT),
    source=TEXT,
    visibility=st.one_of(st.sampled_from(["public", "target", "count", "", "secret"]), TEXT),
)
def test_any_input_is_answered_with_an_error_or_stored(
    client, name, email, country, opt_in, source, visibility
):
    if not Petition.objects.exists():  # examples share the test's database
        make_petition(double_opt_in=False, show_recent_signers=True)
    cache.clear()
    before = Signature.objects.count()
    data = {
        "name": name,
        "email": email,
        "country": country,
        "opt_in": opt_in,
        "source": source,
        "visibility": visibility,
    }
    response = client.post(URL, data)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert Signature.objects.count() == before
        assert 'class="errorlist"' in response.content.decode()
        return
    assert Signature.objects.count() in (before, before + 1)  # +0 when the address had signed
    stored = Signature.objects.latest("pk")
    if Signature.objects.count() == before + 1:
        assert stored.visibility == (visibility or "target")
        assert stored.name == ("" if visibility == "count" else " ".join(name.split()))
        assert len(stored.source) <= 64
    page = client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in page


def test_malformed_utf8_in_the_request_body_gets_a_clear_answer(client):
    make_petition()
    body = b"name=Am%ffal&email=a%c3%28@example.org&country=SY&source=%fe%ff"
    response = client.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert Signature.objects.count() == 0
