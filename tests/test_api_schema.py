"""Every operation of the API fuzzed from its own OpenAPI document: valid and invalid
input, with and without a key. No answer may be a server error, every answer must match
the document (status, headers, body), and input the document forbids must be refused."""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.core.parameters import ParameterLocation

from undersigned.api.keys import create_key
from undersigned.api.models import ApiKey
from undersigned.petitions.services import sign_petition
from undersigned.wsgi import application

from .factories import make_organiser, make_petition, signer
from .letters_fixtures import add_signatory, make_letter

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_key(db):
    organiser = make_organiser()
    petition = make_petition(double_opt_in=False)
    # not through the test client: it would reconnect the signal the fixture below cuts
    sign_petition(petition, **signer(), opt_in=True, language="en")
    add_signatory(make_letter(organiser=organiser), "Aid Without Borders", "SY")
    return create_key(organiser, "fuzz", ApiKey.Scope.WRITE, None)[1]


@pytest.fixture(autouse=True)
def connection_kept_open(db):
    """As Django's test client does: a request's end must not close the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# A cursor is opaque: any string of its length is valid by the schema, but only one we
# signed is accepted (400 "invalid cursor", documented), so that check cannot apply.
FORGED_CURSORS = [positive_data_acceptance]

# The same examples on every run, so CI cannot fail on a draw it never made before;
# `FUZZ_FRESH=1 pytest tests/test_api_schema.py` explores new ones.
DERANDOMIZE = not os.environ.get("FUZZ_FRESH")

# Schemathesis's WSGI client asks for gzip but does not unpack it: read the answers plain.
PLAIN = {"Accept-Encoding": "identity"}

# The document is read from the app itself, as a partner would read it.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_keeps_to_its_schema(case, partner_key):
    # A case made invalid by leaving out the key is sent without it: adding the key back
    # would turn it into a valid request that the negative check expects refused.
    key_left_out = case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)
    headers = dict(PLAIN) if key_left_out else {**PLAIN, "Authorization": f"Bearer {partner_key}"}
    case.call_and_validate(headers=headers, excluded_checks=FORGED_CURSORS)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_keeps_to_its_schema_without_a_key(case, partner_key):
    case.call_and_validate(headers=dict(PLAIN), excluded_checks=FORGED_CURSORS)
