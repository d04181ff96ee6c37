"""Sign-on letters get the protections of the petition signing path (issue: safety): the
contact encrypted at rest, rate limits, bot traps, disposable addresses refused, the input
kept when the database fails, and the shared confirmation page rate limited."""

import subprocess
import time

import pytest
from django.core import signing
from django.core.exceptions import FieldError
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from undersigned.letters import services
from undersigned.letters.forms import START_SALT
from undersigned.letters.models import Endorsement
from undersigned.pages import confirmations

from .faults import repair_task_queue_inserts, unreachable_database
from .letters_fixtures import details, form_data, make_letter

pytestmark = pytest.mark.django_db

ENDORSE = "/en/letters/stop-the-attacks/endorse/"
ENDORSE_AR = "/ar/letters/stop-the-attacks-ar/endorse/"
TASKS = DBTaskResult._meta.db_table


def emails_queued():
    """Confirmation emails waiting (a new letter also queues the rendering of its PDF)."""
    return DBTaskResult.objects.filter(task_path__endswith="send_endorsement_confirmation")


def other_organisation(number: int, **overrides) -> dict:
    values = {"name": f"Organisation {number}", "contact_email": f"contact{number}@example.org"}
    return form_data(**{**values, **overrides})


def database_dump() -> str:
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        command = ["pg_dump", "-h", settings_dict["HOST"] or "127.0.0.1"]
        command += ["-U", settings_dict["USER"], settings_dict["NAME"]]
        return subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=60
        ).stdout
    return "\n".join(connection.connection.iterdump())


# Privacy: the contact is encrypted at rest


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_reveals_no_contact(client):
    make_letter()
    for number in range(3):
        data = other_organisation(
            number,
            contact_name=f"Secret Person{number}",
            contact_email=f"secret.contact{number}@example.org",
        )
        assert client.post(ENDORSE, data).status_code == 302
    assert Endorsement.objects.count() == 3
    dump = database_dump()
    assert "letters_endorsement" in dump and "Organisation 2" in dump  # the public part is there
    assert "secret.contact" not in dump and "Secret Person" not in dump
    # the press contact is public by design (shown on the letter page) and stays readable
    assert "press@example.org" in dump


def test_the_contact_reads_back_in_the_clear_and_is_found_by_its_digest(client):
    make_letter()
    client.post(ENDORSE, form_data(contact_email="Rana.Example@example.org"))
    endorsement = Endorsement.objects.get()
    assert endorsement.contact_email == "Rana.Example@example.org"
    assert endorsement.contact_name == "Rana Example"
    assert list(Endorsement.objects.with_contact_email(" rana.example@EXAMPLE.org")) == [
        endorsement
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_email, contact_name FROM letters_endorsement")
        stored_email, stored_name = cursor.fetchone()
    assert stored_email.startswith("gAAAAA") and stored_name.startswith("gAAAAA")


def test_encrypted_contact_fields_refuse_lookups_that_would_silently_miss():
    with pytest.raises(FieldError):
        list(Endorsement.objects.filter(contact_email="rana@example.org"))
    with pytest.raises(FieldError):
        list(Endorsement.objects.filter(contact_name__icontains="rana"))


def test_staff_find_an_endorsement_by_the_exact_contact_address(admin_client):
    letter = make_letter()
    services.add_endorsement(letter, details(contact_email="rana@example.org"), None)
    services.add_endorsement(
        letter, details("White Helmets", "TR", contact_email="other@example.org"), None
    )
    url = "/admin/letters/endorsement/"
    found = admin_client.get(url, {"q": "RANA@example.org"}).content.decode()
    assert "Syrian Civil Defence" in found and "White Helmets" not in found
    partial = admin_client.get(url, {"q": "rana"})  # part of an address finds nothing, safely
    assert partial.status_code == 200
    assert "Syrian Civil Defence" not in partial.content.decode().split("result_list")[-1]
    by_name = admin_client.get(url, {"q": "helmets"}).content.decode()
    assert "White Helmets" in by_name


def test_the_endorsers_address_is_kept_only_as_a_daily_keyed_hash(client, admin_client):
    make_letter()
    client.post(ENDORSE, other_organisation(1), REMOTE_ADDR="203.0.113.7")
    client.post(ENDORSE, other_organisation(2), REMOTE_ADDR="203.0.113.7")
    client.post(ENDORSE, other_organisation(3), REMOTE_ADDR="198.51.100.1")
    hashes = list(Endorsement.objects.order_by("pk").values_list("ip_hash", flat=True))
    assert hashes[0] == hashes[1] != hashes[2]
    assert all(len(h) == 32 and "203.0.113" not in h for h in hashes)
    # staff reviewing abuse list everything one connection sent
    listed = admin_client.get("/admin/letters/endorsement/", {"q": hashes[0]}).content.decode()
    assert "Organisation 1" in listed and "Organisation 2" in listed
    assert "Organisation 3" not in listed


# Abuse: rate limits


@override_settings(RATE_LIMITS={"endorse": {"ip": "2/h", "email": "100/h"}})
def test_endorsing_is_rate_limited_per_address_with_a_page_that_keeps_the_input(client):
    letter = make_letter()
    network = letter.networks().get()
    for number in range(2):
        assert client.post(ENDORSE, other_organisation(number)).status_code == 302
    data = form_data(
        name="Third Organisation",
        contact_name="Nour Example",
        contact_email="nour@example.org",
        networks=[network.pk],
    )
    refused = client.post(ENDORSE, data)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    html = refused.content.decode()
    assert "Too many endorsements at once" in html
    assert 'value="Third Organisation"' in html
    assert 'value="Nour Example"' in html and 'value="nour@example.org"' in html
    assert 'value="https://example.org/"' in html
    assert '<option value="SY" selected>' in html
    assert f'name="networks" value="{network.pk}"' in html
    assert 'name="authorised" required id="id_authorised" checked>' in html
    assert f'action="{ENDORSE}"' in html
    assert Endorsement.objects.count() == 2
    # another connection is not affected
    other = client.post(ENDORSE, other_organisation(9), REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 302


@override_settings(RATE_LIMITS={"endorse": {"ip": "100/h", "email": "1/h"}})
def test_endorsing_is_rate_limited_per_contact_email_and_the_page_is_translated(client):
    make_letter()
    assert client.post(ENDORSE, form_data()).status_code == 302
    refused = client.post(
        ENDORSE_AR,
        form_data(name="Another Organisation", contact_email=" RANA@example.org"),
        REMOTE_ADDR="198.51.100.2",
    )
    assert refused.status_code == 429
    html = refused.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "طلبات تأييد كثيرة في وقت قصير" in html
    assert 'value="Another Organisation"' in html
    assert Endorsement.objects.count() == 1


@override_settings(RATE_LIMITS={"endorse": {"ip": "1/h"}}, RATELIMIT_ENABLE=False)
def test_endorsement_limits_can_be_switched_off_for_load_tests(client):
    make_letter()
    for number in range(3):
        assert client.post(ENDORSE, other_organisation(number)).status_code == 302


@override_settings(RATE_LIMITS={"confirm": {"ip": "2/h"}})
def test_the_confirmation_page_is_rate_limited_per_address(client):
    letter = make_letter()
    endorsements = [
        services.endorse_letter(letter, details(f"Organisation {n}", "SY"), "en") for n in range(4)
    ]
    links = [f"/en/confirm/{confirmations.make_token('endorsement', e.pk)}/" for e in endorsements]
    assert client.get(links[2]).status_code == 200  # reading the page is not counted
    for link in links[:2]:
        assert client.post(link).status_code == 302
    refused = client.post(links[2])
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    html = refused.content.decode()
    assert "Too many confirmations from your connection" in html
    assert '<form method="post">' in html  # the button to try again later
    assert Endorsement.objects.get(pk=endorsements[2].pk).status == "pending_email"
    arabic = client.post(links[2].replace("/en/", "/ar/"))
    assert arabic.status_code == 429
    assert "محاولات تأكيد كثيرة من اتصالك" in arabic.content.decode()
    # another connection is not affected
    assert client.post(links[3], REMOTE_ADDR="198.51.100.3").status_code == 302


# Abuse: bot traps and throwaway addresses


def test_the_honeypot_thanks_bots_and_keeps_nothing(client):
    make_letter()
    response = client.post(ENDORSE, form_data(comment="Great letter! http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == "/en/letters/stop-the-attacks/endorse/thanks/"
    assert Endorsement.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_a_form_sent_back_too_fast_or_without_its_time_is_refused(client, settings):
    settings.MIN_FILL_SECONDS = 3600  # so that no slow machine makes "now" look calm
    make_letter()
    for started in ["", "forged", signing.dumps(int(time.time()), salt=START_SALT)]:
        response = client.post(ENDORSE, form_data(started=started))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Please check your details and send the form again." in html
        assert 'value="Syrian Civil Defence"' in html  # the form again, as typed
    assert Endorsement.objects.count() == 0
    calm = signing.dumps(int(time.time()) - 7200, salt=START_SALT)
    assert client.post(ENDORSE, form_data(started=calm)).status_code == 302


def test_the_form_carries_a_fresh_start_time_and_a_hidden_trap(client):
    make_letter()
    html = client.get(ENDORSE).content.decode()
    assert 'name="started" value="' in html
    assert '<div class="trap" aria-hidden="true">' in html
    assert 'name="comment" id="id_comment" tabindex="-1"' in html


@pytest.mark.parametrize(
    "email", ["someone@mailinator.com", "x@sub.mailinator.com", "a@guerrillamail.com"]
)
def test_disposable_contact_addresses_are_refused(client, email):
    make_letter()
    response = client.post(ENDORSE, form_data(contact_email=email))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please use an address you keep" in html and 'id="id_contact_email_error"' in html
    assert Endorsement.objects.count() == 0


def test_disposable_addresses_are_refused_in_arabic_too(client):
    make_letter()
    html = client.post(ENDORSE_AR, form_data(contact_email="a@mailinator.com")).content.decode()
    assert "يُرجى استخدام عنوان بريد دائم" in html


# Faults: the database really breaking


def assert_endorse_failed_page(response, network_pk):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Something went wrong, please try again later" in html
    assert "Your endorsement has not been saved yet" in html
    assert 'value="Syrian Civil Defence"' in html
    assert 'value="Rana Example"' in html and 'value="rana@example.org"' in html
    assert '<option value="SY" selected>' in html
    assert f'name="networks" value="{network_pk}"' in html
    assert f'action="{ENDORSE}"' in html


@pytest.fixture
def letter_first():
    """The letter exists (its PDF asked for) before the database starts failing."""
    return make_letter()


@pytest.mark.django_db(transaction=True)
def test_database_failing_mid_endorsement_leaves_nothing_half_written(
    client, letter_first, broken_midway
):
    network = letter_first.networks().get()
    data = form_data(networks=[network.pk])
    response = client.post(ENDORSE, data)
    assert_endorse_failed_page(response, network.pk)
    repair_task_queue_inserts()
    # the row written before the failure was rolled back: nothing blocks a second try
    assert Endorsement.objects.count() == 0
    assert emails_queued().count() == 0

    retry = client.post(ENDORSE, data)
    assert retry.status_code == 302
    assert Endorsement.objects.get().networks.get() == network
    assert emails_queued().count() == 1  # and its confirmation email is queued


@pytest.mark.django_db(transaction=True)
def test_unreachable_database_keeps_the_organisations_input(client):
    network = make_letter().networks().get()
    data = form_data(networks=[network.pk])
    with unreachable_database():
        response = client.post(ENDORSE, data)
    assert_endorse_failed_page(response, network.pk)
    assert Endorsement.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_unreachable_database_page_is_in_arabic_for_arabic_organisations(
    client, database_unreachable
):
    response = client.post(ENDORSE_AR, form_data())
    assert response.status_code == 503
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "حدث خطأ ما، يُرجى المحاولة لاحقاً" in html
    assert "لم يُحفظ تأييدكم بعد" in html
    assert 'action="/ar/letters/stop-the-attacks-ar/endorse/"' in html
