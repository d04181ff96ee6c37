"""Really breaking the database while people sign: they see 503, keep their input, and
nothing half-written remains (DESIGN.md invariant 1)."""

import pytest
from django_tasks_db.models import DBTaskResult

from undersigned.petitions.models import Signature

from .factories import make_petition, signer
from .faults import repair_task_queue_inserts, unreachable_database

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/en/petitions/free-the-detained/"
TASKS = DBTaskResult._meta.db_table


def assert_sign_failed_page(response, data):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Something went wrong, please try again later" in html
    assert f'value="{data["name"]}"' in html
    assert f'value="{data["email"]}"' in html
    assert '<option value="LB" selected>Lebanon</option>' in html
    assert 'action="/en/petitions/free-the-detained/"' in html


def test_database_failing_mid_sign_leaves_nothing_half_written(client, broken_midway):
    make_petition()
    data = signer(opt_in="on")
    response = client.post(URL, data)
    assert_sign_failed_page(response, data)
    repair_task_queue_inserts()
    assert Signature.objects.count() == 0  # the row written before the failure was rolled back
    assert DBTaskResult.objects.count() == 0

    retry = client.post(URL, data)  # the signer tries again once the database is back
    assert retry.status_code == 302
    assert Signature.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


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
