"""Reads on a replica, against a real PostgreSQL streaming replica of the test database
(tests/pg_replica.py): the progress page, the hand-over package and the public list pages
read from it, signing and confirming use the primary; a replica that lags too much, or
is down, leaves the reads on the primary."""

import re
import time

import pytest
from django.db import connection, connections, router
from django.db.backends.postgresql.base import DatabaseWrapper

from undersigned import replicas
from undersigned.delivery.models import Package
from undersigned.pages.confirmations import make_token
from undersigned.petitions.models import Signature

from .factories import make_petition, signer
from .pg_replica import Replica, unavailable_reason

pytestmark = pytest.mark.django_db(transaction=True)

SIGN_URL = "/en/petitions/free-the-detained/"


@pytest.fixture
def replica(settings):
    if connection.vendor != "postgresql":
        pytest.skip("a streaming replica needs PostgreSQL (DATABASE_URL)")
    if reason := unavailable_reason():
        pytest.skip(reason)
    server = Replica()
    try:
        server.start()
        alias = {**connections["default"].settings_dict, "HOST": "127.0.0.1"}
        alias["PORT"] = str(server.port)
        # The test database's replica, as settings.py makes it from DATABASE_REPLICA_URL;
        # given to this thread only, as Django's tests allow for a connection made here.
        connections[replicas.REPLICA] = DatabaseWrapper(alias, replicas.REPLICA)
        settings.DATABASE_REPLICA_URL = (
            f"postgres://postgres@127.0.0.1:{server.port}/{alias['NAME']}"
        )
        settings.REPLICA_CHECK_SECONDS = 0  # ask the replica before every block
        settings.REPLICA_MAX_LAG_SECONDS = 30
        replicas.forget_verdict()
        yield server
    finally:
        if hasattr(connections._connections, replicas.REPLICA):
            connections[replicas.REPLICA].close()
            del connections[replicas.REPLICA]
        replicas.forget_verdict()
        server.remove()


def progress_total(client, petition) -> int:
    html = client.get(f"/admin/delivery/petitionaction/{petition.pk}/progress/?fresh=1")
    assert html.status_code == 200
    text = html.content.decode()
    return int(re.search(r"All</th><td class=\"number\">([\d,]+)<", text).group(1).replace(",", ""))


def sign_and_confirm(client, email: str) -> None:
    """As a signer does, on the primary: sign, then follow the confirmation link."""
    assert client.post(SIGN_URL, signer(email=email)).status_code == 302
    signature = Signature.objects.order_by("-pk").first()
    response = client.post(f"/en/confirm/{make_token('signature', signature.pk)}/")
    assert response.status_code == 302 and "confirmed=1" in response["Location"]


def test_staff_reads_and_lists_come_from_the_replica_signing_from_the_primary(
    client, replica, personas
):
    petition = make_petition()
    client.force_login(personas.operator)
    sign_and_confirm(client, "first@example.org")
    replica.caught_up()
    assert progress_total(client, petition) == 1

    replica.pause_replay()  # the replica now lags: it still shows one signature
    sign_and_confirm(client, "second@example.org")  # signing and confirming still work
    make_petition("a-new-petition", title="A newer petition")
    assert Signature.objects.filter(status="confirmed").count() == 2
    assert progress_total(client, petition) == 1  # read from the replica
    home = client.get("/en/").content.decode()
    assert "Free the detained" in home and "A newer petition" not in home

    # A hand-over package built by the worker reads the replica too
    package = Package.objects.create(petition=petition, kind="handover", language="en")
    from undersigned.delivery.tasks import build

    assert build(package.pk, "test") == "done"
    package.refresh_from_db()
    assert package.rows_written == 1

    replica.resume_replay()
    replica.caught_up()
    assert progress_total(client, petition) == 2
    assert "A newer petition" in client.get("/en/").content.decode()


def test_a_replica_that_lags_too_much_leaves_the_reads_on_the_primary(
    client, replica, personas, settings
):
    petition = make_petition()
    client.force_login(personas.operator)
    sign_and_confirm(client, "first@example.org")
    replica.caught_up()
    replica.pause_replay()
    sign_and_confirm(client, "second@example.org")
    assert progress_total(client, petition) == 1  # within the allowed lag: the replica
    settings.REPLICA_MAX_LAG_SECONDS = 1
    time.sleep(1.5)  # the replica has replayed nothing for longer than that
    assert replicas.lag_seconds() > 1
    assert progress_total(client, petition) == 2  # the primary
    assert "A newer" not in client.get("/en/").content.decode()
    replica.resume_replay()


def test_a_replica_that_is_down_leaves_the_reads_on_the_primary(client, replica, personas):
    petition = make_petition()
    client.force_login(personas.operator)
    sign_and_confirm(client, "first@example.org")
    replica.stop()
    sign_and_confirm(client, "second@example.org")
    started = time.monotonic()
    assert progress_total(client, petition) == 2
    assert "Free the detained" in client.get("/en/").content.decode()
    assert time.monotonic() - started < 5  # a refused connection is noticed at once
    assert not replicas.usable()


def test_without_a_replica_every_read_uses_the_primary():
    if replicas.configured():
        pytest.skip("DATABASE_REPLICA_URL is set")
    with replicas.reading() as on_replica:
        assert on_replica is False
        assert replicas.read_alias() == Signature.objects.db == "default"


def test_inside_a_replica_block_writes_still_go_to_the_primary():
    with replicas.reading(replica=True):
        assert Signature.objects.db == "replica"
        assert router.db_for_write(Signature) == "default"
        assert Signature.objects.select_for_update().db == "default"
    assert Signature.objects.db == "default"
