"""A dead worker's running task goes back to the queue; a live one's never does, not even
right after a database outage in which no worker could beat."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from undersigned.petitions.services import sign_petition
from undersigned.workers.models import WorkerHeartbeat
from undersigned.workers.outboxes import drain_all
from undersigned.workers.recovery import Heartbeat

from .factories import make_petition, signer

pytestmark = pytest.mark.django_db


def task_running_on(worker_id: str) -> DBTaskResult:
    sign_petition(make_petition(), **signer(), opt_in=False, language="en")
    drain_all()  # the signature's first email becomes a task
    task = DBTaskResult.objects.get()
    task.claim(worker_id)
    return task


def last_seen(worker_id: str, seconds_ago: float) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": timezone.now() - timedelta(seconds=seconds_ago)}
    )


def test_a_healthy_worker_puts_back_the_task_of_one_that_stopped_beating(settings):
    task = task_running_on("dead-worker")
    last_seen("dead-worker", settings.WORKER_DEAD_AFTER_SECONDS + 5)
    heartbeat = Heartbeat("live-worker")
    heartbeat.healthy_since = time.monotonic() - settings.WORKER_DEAD_AFTER_SECONDS
    heartbeat.tick()
    task.refresh_from_db()
    assert task.status == "READY"
    assert not WorkerHeartbeat.objects.filter(worker_id="dead-worker").exists()


def test_back_from_an_outage_a_worker_judges_no_other_dead_until_they_could_beat(settings):
    task = task_running_on("other-worker")
    # the outage kept everyone from beating: the other worker looks dead, but is not
    last_seen("other-worker", settings.WORKER_DEAD_AFTER_SECONDS + 5)
    heartbeat = Heartbeat("just-reconnected")
    heartbeat.tick()  # its first beat after the trouble
    task.refresh_from_db()
    assert task.status == "RUNNING"
    assert WorkerHeartbeat.objects.filter(worker_id="just-reconnected").exists()


def test_the_heartbeat_keeps_its_cadence_through_trouble(settings):
    heartbeat = Heartbeat("w")
    assert [heartbeat.backoff.next() for _ in range(4)] == [heartbeat.interval] * 4
