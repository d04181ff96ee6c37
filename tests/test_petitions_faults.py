"""Really breaking the database while people sign: they see 503, keep their input, and
nothing half-written remains (DESIGN.md invariant 1)."""

import pytest
from django.db import DatabaseError
from django.db.models import Sum
from django_tasks_db.models import DBTaskResult

from undersigned.petitions.models import CountShard, Signature
from undersigned.workers.outboxes import drain_all

from .factories import make_petition, signer
from .faults import break_writes, repair_task_queue_inserts, repair_writes, unreachable_database

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/en/petitions/free-the-detained/"
SHARDS = CountShard._meta.db_table


def counted(petition) -> int:
    return petition.shards.aggregate(total=Sum("count"))["total"] or 0


def assert_sign_failed_page(response, data):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Something went wrong, please try again later" in html
    assert f'value="{data["name"]}"' in html
    assert f'value="{data["email"]}"' in html
    assert '<option value="LB" selected>Lebanon</option>' in html
    assert 'action="/en/petitions/free-the-detained/"' in html


def test_database_failing_between_row_and_count_leaves_nothing_half_written(client):
    """A signature counted at once is a row and a count, saved together or not at all."""
    petition = make_petition(double_opt_in=False)
    data = signer(opt_in="on")
    break_writes(SHARDS, events=("INSERT", "UPDATE"))
    try:
        response = client.post(URL, data)
    finally:
        repair_writes(SHARDS)
    assert_sign_failed_page(response, data)
    assert Signature.objects.count() == 0  # the row written before the failure was rolled back
    assert counted(petition) == 0

    retry = client.post(URL, data)  # the signer tries again once the database is back
    assert retry.status_code == 302
    assert Signature.objects.get().email_due
    assert counted(petition) == 1


def test_database_failing_while_queueing_emails_loses_none(client, broken_midway, run_tasks):
    """The outbox: a signature stays due until its email task is queued in the same
    transaction, so a failure there is retried, never lost nor doubled."""
    make_petition()
    assert client.post(URL, signer()).status_code == 302  # one INSERT: the failure comes later
    with pytest.raises(DatabaseError):
        drain_all()
    repair_task_queue_inserts()
    assert Signature.objects.get().email_due
    assert DBTaskResult.objects.count() == 0

    drain_all()
    drain_all()
    assert not Signature.objects.get().email_due
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("send_first_emails")
    assert task.args_kwargs["args"] == [[Signature.objects.get().pk]]


def test_unreachable_database_keeps_the_signers_input(client):
    make_petition()
    data = signer()
    with unreachable_database():
        response = client.post(URL, data)
        page = client.get(URL)
    assert_sign_failed_page(response, data)
    assert page.status_code == 503
    assert "Something went wrong, please try again later" in page.content.decode()
    assert Signature.objects.count() == 0


def test_unreachable_database_page_is_in_arabic_for_arabic_signers(client, database_unreachable):
    response = client.post("/ar/petitions/free-the-detained/", signer())
    assert response.status_code == 503
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "حدث خطأ ما، يُرجى المحاولة لاحقاً" in html
