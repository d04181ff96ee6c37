"""A locked or hanging database answers within seconds, not after 20: the visitor sees the
"try again" page with what they typed, on every public form (DESIGN.md invariant 1).
The bound is generous (10 s for a 3 s timeout) so that a loaded machine never fails it."""

import socket
import sqlite3
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from undersigned.letters.models import Endorsement
from undersigned.petitions.models import Signature
from undersigned.protection.clients import day_key

from .factories import make_petition, signer
from .letters_fixtures import form_data, make_letter

pytestmark = pytest.mark.django_db(transaction=True)

BOUND = 10

FORMS = {
    "sign": (
        make_petition,
        "/en/petitions/free-the-detained/",
        signer(),
        Signature,
        ['value="Amal Haddad"', 'value="amal@example.org"'],
    ),
    "endorse": (
        make_letter,
        "/en/letters/stop-the-attacks/endorse/",
        form_data(),
        Endorsement,
        ['value="Syrian Civil Defence"', 'value="rana@example.org"'],
    ),
    "my-data link": (
        lambda: None,
        "/en/my-data/",
        {"email": "amal@example.org"},
        DBTaskResult,
        ['value="amal@example.org"'],
    ),
}


@contextmanager
def locked(model):
    """Another process holds a lock the form's write must wait for."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        other = sqlite3.connect(database["NAME"], isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    other = psycopg.connect(
        host=database["HOST"], port=database["PORT"], user=database["USER"], dbname=database["NAME"]
    )
    other.execute(f"LOCK TABLE {model._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


@contextmanager
def hanging_server():
    """A server that takes the connection and never answers (overloaded, or half gone)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict["PORT"] = silent.getsockname()[1]
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.update(saved)


def post_timed(client, url, data):
    started = time.monotonic()
    response = client.post(url, data)
    return response, time.monotonic() - started


@pytest.mark.parametrize("form", FORMS)
def test_a_locked_database_answers_503_fast_and_keeps_the_input(client, form):
    make, url, data, model, kept = FORMS[form]
    make()
    day_key(timezone.now().date())  # an earlier visitor today made the day's address key
    with locked(model):
        response, seconds = post_timed(client, url, data)
    assert response.status_code == 503, response.content.decode()[:500]
    assert seconds < BOUND
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert all(value in html for value in kept)
    assert model.objects.count() == 0  # nothing half-written


@pytest.mark.parametrize("form", FORMS)
def test_a_hanging_database_server_answers_503_fast(client, form):
    if connection.vendor != "postgresql":
        pytest.skip("an embedded SQLite file cannot hang like a server")
    make, url, data, _model, kept = FORMS[form]
    make()
    with hanging_server():
        response, seconds = post_timed(client, url, data)
    assert response.status_code == 503
    assert seconds < BOUND
    assert all(value in response.content.decode() for value in kept)


def test_a_database_gone_outside_any_view_answers_503_not_500(admin_client, database_unreachable):
    """A staff page asks the database before its view runs (the session, the account, the
    second factor): that failure too is the "try again" page, never a server error."""
    admin_client.raise_request_exception = False
    response = admin_client.get("/admin/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "try again" in response.content.decode()
