"""Whatever is typed into "forgot your link?" or put in a my-data link, the answer is a
clear page (sent, a field error, or "this link no longer works"): never a server error."""

from urllib.parse import quote

import pytest
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

TEXT = st.one_of(
    st.text(max_size=300),
    st.emails(),
    st.sampled_from(
        ["", "\x00", "<script>alert(1)</script>@example.org", "a@b", "' OR 1=1 --", "x" * 5000]
    ),
)
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=50, deadline=None, suppress_health_check=HEALTH)
@given(email=TEXT)
def test_any_address_gets_the_same_answer_or_a_field_error(client, email):
    cache.clear()
    before = DBTaskResult.objects.count()
    response = client.post("/en/my-data/", {"email": email})
    assert response.status_code in (200, 400)
    queued = DBTaskResult.objects.count() - before
    if response.status_code == 400:
        assert queued == 0 and 'class="errorlist"' in response.content.decode()
    else:
        assert queued == 1
    assert "<script>alert(1)</script>" not in response.content.decode()


@settings(max_examples=50, deadline=None, suppress_health_check=HEALTH)
@given(token=st.text(min_size=1, max_size=400))
def test_any_token_is_refused_clearly(client, token):
    cache.clear()
    for path in ("", "download/"):
        response = client.get(f"/en/my-data/{quote(token, safe='')}/{path}")
        assert response.status_code in (400, 404)
