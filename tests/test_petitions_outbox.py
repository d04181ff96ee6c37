"""The signature row is its first email's outbox: the worker's dispatcher queues each
email exactly once, whatever the number of dispatchers draining at the same time."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from undersigned.emails.models import SentEmail
from undersigned.emails.sending import record_sent
from undersigned.petitions.models import Signature
from undersigned.petitions.tasks import send_first_emails
from undersigned.protection.crypto import email_digest
from undersigned.workers.outboxes import drain_all

from .factories import make_petition, signer

URL = "/en/petitions/free-the-detained/"


def due_signatures(petition, count: int, language="en") -> None:
    Signature.objects.bulk_create(
        Signature(
            petition=petition,
            name=f"Signer {n}",
            email=f"signer{n}-{petition.slug}@example.org",
            email_digest=email_digest(f"signer{n}-{petition.slug}@example.org"),
            country="SY",
            language=language,
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


@pytest.mark.django_db(transaction=True)  # as the worker runs: no test transaction around
def test_a_batch_reads_its_petitions_titles_once_and_records_each_email_in_one_insert():
    """A surge's emails cost the database one statement each: the petitions' titles are
    read once per batch (never their bodies), each sent email is one INSERT committed on
    its own."""
    due_signatures(make_petition(), 3, language="ar")
    due_signatures(make_petition("second", title="Stop the sieges"), 3)
    ids = list(Signature.objects.order_by("pk").values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        assert send_first_emails.call(ids) == 6
    texts = [q["sql"] for q in queries if "petitions_petitiontext" in q["sql"]]
    assert len(texts) == 1 and '"body"' not in texts[0]
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "emails_sentemail"')]
    assert len(inserts) == 6
    assert len(queries) == 6 + 3  # the signatures, the titles, the keys already sent
    subjects = sorted(message.subject for message in mail.outbox)
    assert sum("Stop the sieges" in subject for subject in subjects) == 3
    assert sum("الحرية للمعتقلين" in subject for subject in subjects) == 3
    assert SentEmail.objects.count() == 6


@pytest.mark.django_db
def test_an_email_recorded_twice_is_recorded_once_and_spoils_no_transaction():
    # two workers that sent the same email at once: the second record is a no-op, and
    # the caller's transaction (here the test's) goes on
    record_sent("petitions.first-email:1")
    record_sent("petitions.first-email:1")
    assert SentEmail.objects.filter(key="petitions.first-email:1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_email_recorded_twice_outside_a_transaction_is_recorded_once():
    record_sent("petitions.first-email:1")
    record_sent("petitions.first-email:1")
    assert SentEmail.objects.filter(key="petitions.first-email:1").count() == 1
