"""The signature row is its first email's outbox: the worker's dispatcher queues each
email exactly once, whatever the number of dispatchers draining at the same time."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django_tasks_db.models import DBTaskResult

from undersigned.petitions.models import Signature
from undersigned.protection.crypto import email_digest
from undersigned.workers.outboxes import drain_all

from .factories import make_petition, signer

URL = "/en/petitions/free-the-detained/"


def due_signatures(petition, count: int) -> None:
    Signature.objects.bulk_create(
        Signature(
            petition=petition,
            name=f"Signer {n}",
            email=f"signer{n}@example.org",
            email_digest=email_digest(f"signer{n}@example.org"),
            country="SY",
            language="en",
            status=Signature.Status.PENDING,
            email_due=True,
        )
        for n in range(count)
    )


def queued_signature_ids() -> list[int]:
    return [pk for task in DBTaskResult.objects.all() for pk in task.args_kwargs["args"][0]]


@pytest.mark.django_db
def test_each_kind_of_signature_gets_its_first_email_once(client, run_tasks):
    make_petition()
    client.post(URL, signer())
    make_petition("counted-at-once", double_opt_in=False)
    client.post("/en/petitions/counted-at-once/", signer())
    assert not DBTaskResult.objects.exists()  # nothing but the rows was written while signing

    assert drain_all() == 2
    assert drain_all() == 0
    assert sorted(queued_signature_ids()) == sorted(Signature.objects.values_list("pk", flat=True))
    assert not Signature.objects.filter(email_due=True).exists()
    run_tasks()
    run_tasks()
    bodies = sorted(message.body for message in mail.outbox)
    assert len(bodies) == 2
    assert "/confirm/" in bodies[0] + bodies[1]  # the pending signer's link
    assert sum("/confirm/" in body for body in bodies) == 1  # the counted one is thanked


@pytest.mark.django_db
def test_a_task_sends_its_batch_over_one_connection_and_retries_only_what_failed(
    smtp_server, settings, run_tasks
):
    petition = make_petition()
    due_signatures(petition, 5)
    drain_all()
    assert DBTaskResult.objects.count() == 1  # five emails, one task
    smtp_server.refuse_next = 1  # "451 try again later" for the first message only
    run_tasks()
    assert len(smtp_server.messages) == 4
    assert smtp_server.connections == 1
    retry = DBTaskResult.objects.get(status="READY")
    first = Signature.objects.order_by("pk").first()
    assert retry.args_kwargs == {"args": [[first.pk]], "kwargs": {"attempt": 1}}


@pytest.mark.django_db
def test_a_signature_invalidated_before_its_email_left_gets_none(client):
    make_petition()
    client.post(URL, signer())
    Signature.objects.update(status=Signature.Status.INVALIDATED)
    assert drain_all() == 1
    assert not DBTaskResult.objects.exists()
    assert not Signature.objects.get().email_due


@pytest.mark.django_db(transaction=True)
def test_dispatchers_draining_at_once_queue_every_email_exactly_once():
    petition = make_petition()
    due_signatures(petition, 1200)
    start = threading.Barrier(3)
    errors = []

    def dispatcher():
        try:
            start.wait()
            drain_all()
        except Exception as error:  # reported below: a thread's failure must fail the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    queued = queued_signature_ids()
    assert len(queued) == 1200
    assert set(queued) == set(Signature.objects.values_list("pk", flat=True))
    assert not Signature.objects.filter(email_due=True).exists()


@pytest.mark.django_db
def test_a_signature_invalidated_after_its_email_was_queued_gets_none(client, run_tasks):
    make_petition()
    client.post(URL, signer())
    drain_all()
    Signature.objects.update(status=Signature.Status.INVALIDATED)
    run_tasks()
    assert mail.outbox == []
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
