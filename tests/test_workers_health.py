"""/healthz for operators and load balancers, and the worker's health on the staff's admin
home page: last heartbeat, emails due and how long the oldest has waited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from undersigned.petitions.models import Signature
from undersigned.petitions.services import sign_petition
from undersigned.supporters import tasks as supporter_tasks
from undersigned.workers.models import WorkerHeartbeat

from .factories import make_petition
from .redis_server import RedisServer

pytestmark = pytest.mark.django_db


def signature_waiting(minutes: int) -> None:
    sign_petition(
        make_petition(),
        name="Amal",
        email="amal@example.org",
        country="LB",
        opt_in=False,
        language="en",
    )
    Signature.objects.update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_healthz_reports_the_worker_and_the_emails_due_and_nothing_personal(client):
    signature_waiting(minutes=5)
    supporter_tasks.send_my_data_link.enqueue("f" * 64, "en")  # an email task, due now
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=timezone.now() - timedelta(seconds=4))

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    data = response.json()
    assert data["status"] == "ok" and data["database"] and data["cache"]
    assert data["worker_running"] is True
    assert 4 <= data["worker_heartbeat_age_seconds"] < 60
    assert data["emails_due"] == 2
    assert 300 <= data["oldest_due_email_age_seconds"] < 400
    assert "amal" not in response.content.decode().lower() and "@" not in response.content.decode()


def test_healthz_says_when_no_worker_runs(client):
    data = client.get("/healthz").json()
    assert data["worker_running"] is False and data["worker_heartbeat_age_seconds"] is None
    assert data["emails_due"] == 0 and data["oldest_due_email_age_seconds"] is None


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_is_away(client, database_unreachable):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] is False and response.json()["status"] == "unavailable"


def test_healthz_stays_200_when_the_cache_is_away(client, settings, tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = server.caches()
    server.kill()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["cache"] is False


def test_staff_see_a_silent_worker_and_the_emails_waiting_on_the_admin_home(admin_client):
    signature_waiting(minutes=10)
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=timezone.now() - timedelta(minutes=3))
    html = admin_client.get("/admin/").content.decode()
    assert "No task worker has been heard from for 3\xa0minutes" in html
    assert "1 email is due; it has waited 10\xa0minutes." in html

    WorkerHeartbeat.objects.update(seen_at=timezone.now())
    html = admin_client.get("/admin/").content.decode()
    assert "No task worker" not in html
    assert "Site administration" in html  # the usual home page is still there


def test_the_admin_home_says_so_when_no_worker_ever_ran(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "No task worker is running: emails are not leaving." in html
    assert "No email is waiting to be sent." in html
