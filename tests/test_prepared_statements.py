"""On PostgreSQL a statement run again and again on one connection is planned once and the
plan reused (settings.PREPARED_STATEMENTS), unless the operator turns it off for a pooler."""

import pytest
from django.db import connection

from undersigned.petitions.models import Signature

from .factories import make_petition, signer
from .test_settings import PRODUCTION, run_manage

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's prepared statements"
)

URL = "/en/petitions/free-the-detained/"
SIGNATURE_INSERT = 'INSERT INTO "petitions_signature"'
# run in a fresh process: the same SELECT seven times, then what the session has prepared
COUNT_PREPARED = (
    "from django.db import connection\n"
    "cursor = connection.cursor()\n"
    "for _ in range(7): cursor.execute('SELECT 1 + %s', [1])\n"
    "cursor.execute('SELECT count(*) FROM pg_prepared_statements')\n"
    "print('prepared', cursor.fetchone()[0])\n"
)


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_signers_after_the_fifth_reuse_one_plan_and_every_signature_is_kept(client):
    make_petition()
    for number in range(8):
        response = client.post(URL, signer(email=f"signer{number}@example.org"))
        assert response.status_code == 302

    inserts = [s for s in prepared_statements() if s.startswith(SIGNATURE_INSERT)]
    assert len(inserts) == 1  # one plan, whatever the values
    repeat = client.post(URL, signer(email="signer3@example.org"))  # answered alike
    assert repeat.status_code == 302
    emails = sorted(Signature.objects.values_list("email", flat=True))
    assert emails == sorted(f"signer{number}@example.org" for number in range(8))


@pytest.mark.parametrize(("setting", "expected"), [("on", "prepared 1"), ("off", "prepared 0")])
def test_the_operator_can_turn_them_off_for_a_pooler(tmp_path, setting, expected):
    env = {
        **PRODUCTION,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "DATABASE_PREPARED_STATEMENTS": setting,
    }
    result = run_manage(["shell", "-c", COUNT_PREPARED], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
