"""Whatever is typed into the endorsement form, the answer is a field error or a stored
endorsement: never a server error, never a half-written row."""

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from undersigned.letters.models import Endorsement, Letter

from .letters_fixtures import form_data, make_letter

pytestmark = pytest.mark.django_db

ENDORSE = "/en/letters/stop-the-attacks/endorse/"
text = st.text(max_size=260)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=text, country=st.sampled_from(["SY", "", "XX", "sy"]), website=text, email=text)
def test_any_input_is_answered_with_an_error_or_stored(client, name, country, website, email):
    if not Letter.objects.exists():  # examples share the test's database
        make_letter()
    cache.clear()  # rate limits count across examples; this test is about input, not floods
    before = Endorsement.objects.count()
    data = form_data(name=name, country=country, website=website, contact_email=email)
    response = client.post(ENDORSE, data)
    assert response.status_code in (200, 302)
    expected = before + 1 if response.status_code == 302 else before
    assert Endorsement.objects.count() == expected
    if response.status_code == 302:
        stored = Endorsement.objects.latest("pk")
        assert stored.name == " ".join(name.split())
