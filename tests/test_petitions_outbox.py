"""The signature row is its first email's outbox: the worker's dispatcher queues each
email exactly once, whatever the number of dispatchers draining at the same time."""

import threading

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from undersigned.emails.addresses import email_digest
from undersigned.petitions.models import Signature
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


@pytest.mark.django_db
def test_each_kind_of_signature_gets_its_first_email_once(client):
    make_petition()
    client.post(URL, signer())
    make_petition("counted-at-once", double_opt_in=False)
    client.post("/en/petitions/counted-at-once/", signer())
    assert not DBTaskResult.objects.exists()  # nothing but the rows was written while signing

    assert drain_all() == 2
    assert drain_all() == 0
    queued = sorted(task.task_path.rsplit(".", 1)[1] for task in DBTaskResult.objects.all())
    assert queued == ["send_confirmation", "send_thank_you"]
    assert not Signature.objects.filter(email_due=True).exists()


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
    queued = [task.args_kwargs["args"][0] for task in DBTaskResult.objects.all()]
    assert len(queued) == 1200
    assert set(queued) == set(Signature.objects.values_list("pk", flat=True))
    assert not Signature.objects.filter(email_due=True).exists()
