"""Two-factor sign-in for staff: who must enrol, enrolment with an authenticator app,
the second step with a code or a backup code, refusals, resets by an organisation admin,
sessions ended on a change, and every step on the record."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from undersigned.audit.models import AuditEntry

from .personas import PASSWORD
from .second_factors import authenticator_app, code_now

pytestmark = pytest.mark.django_db

SIGNERS = "/admin/petitions/signature/"
ENROL = "/admin/second-factor/enrol/"
VERIFY = "/admin/second-factor/verify/"
ADD_APP = "/admin/second-factor/app/"


def sign_in(client, username, password=PASSWORD, next_page=SIGNERS):
    return client.post(
        f"/admin/login/?next={next_page}", {"username": username, "password": password}
    )


def follow_to_signers(client):
    """Where the back office sends a signed-in account that asks for the signer list."""
    response = client.get(SIGNERS)
    if response.status_code != 302:
        return response.status_code
    return client.get(response["Location"])["Location"].split("?")[0]


def enrol_app(client) -> TOTPDevice:
    client.get(ADD_APP)
    device = TOTPDevice.objects.get(confirmed=False)
    client.post(ADD_APP, {"code": code_now(device), "next": SIGNERS})
    device.refresh_from_db()
    return device


def actions_of(user) -> list[str]:
    return list(
        AuditEntry.objects.filter(user=user).order_by("pk").values_list("action", flat=True)
    )


def test_a_data_officer_cannot_open_the_signer_list_until_enrolled(client, world, personas):
    assert sign_in(client, "data_officer_a").status_code == 302
    assert follow_to_signers(client) == ENROL
    enrol_page = client.get(ENROL).content.decode()
    assert "add a second factor before you go on" in enrol_page
    assert 'href="/admin/petitions/' not in enrol_page  # no way round it from the page
    for page in ["/admin/", "/admin/delivery/package/", "/admin/audit/auditentry/"]:
        response = client.get(page)
        assert response.status_code == 302, page

    add = client.get(ADD_APP).content.decode()
    assert "<svg" in add and re.search(r'<code class="secret" dir="ltr">([A-Z2-7]{4} ?)+', add)
    device = TOTPDevice.objects.get(user=personas.data_officer_a, confirmed=False)

    wrong = client.post(ADD_APP, {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and follow_to_signers(client) == ENROL
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # no 1 s wait

    done = client.post(ADD_APP, {"code": code_now(device), "next": SIGNERS})
    codes = re.findall(r"<li><code>([a-z0-9]{10})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=personas.data_officer_a).count() == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(SIGNERS).status_code == 200
    assert actions_of(personas.data_officer_a) == [
        "sign_in.succeeded",
        "second_factor.added",
        "signatures.listed",
    ]


def test_operators_must_enrol_too_but_a_campaigner_need_not(client, world, personas):
    sign_in(client, "operator")
    assert follow_to_signers(client) == ENROL
    campaigner = Client()
    sign_in(campaigner, "campaigner_a")
    assert campaigner.get("/admin/petitions/petition/").status_code == 200
    assert campaigner.get(SIGNERS).status_code == 403  # the role, not the second factor


def test_an_organisation_can_require_it_of_every_member(client, world, personas):
    organisation = personas.organisation_a
    organisation.require_second_factor = True
    organisation.save()
    sign_in(client, "viewer_a", next_page="/admin/petitions/petition/")
    response = client.get("/admin/petitions/petition/")
    assert client.get(response["Location"])["Location"].startswith(ENROL)
    other = Client()
    sign_in(other, "campaigner_b")  # organisation B asks nothing of its members
    assert other.get("/admin/petitions/petition/").status_code == 200


def test_the_organisation_admin_sets_the_requirement(client, world, personas):
    client.force_login(personas.admin_a)
    url = f"/admin/organisations/organisation/{personas.organisation_a.pk}/change/"
    form = client.get(url).content.decode()
    assert 'name="require_second_factor"' in form


@pytest.fixture
def enrolled(personas):
    """The data officer has an authenticator app and ten backup codes."""
    from undersigned.staff import second_factor

    device = authenticator_app(personas.data_officer_a)
    codes = second_factor.make_backup_codes(personas.data_officer_a, 10)
    return device, codes


def test_after_enrolling_a_sign_in_needs_the_code(client, world, personas, enrolled):
    device, _codes = enrolled
    sign_in(client, "data_officer_a")
    assert follow_to_signers(client) == VERIFY
    page = client.get(f"{VERIFY}?next={SIGNERS}").content.decode()
    assert "Type the code your authenticator app shows" in page
    response = client.post(VERIFY, {"code": code_now(device), "next": SIGNERS})
    assert response.status_code == 302 and response["Location"] == SIGNERS
    assert client.get(SIGNERS).status_code == 200
    assert "second_factor.verified" in actions_of(personas.data_officer_a)


def test_wrong_replayed_and_foreign_codes_are_refused(client, world, personas, enrolled):
    device, _codes = enrolled
    other_device = authenticator_app(personas.admin_a)
    sign_in(client, "data_officer_a")
    for code in ["000000", "abc", "١٢٣٤٥٦", "' OR 1=1 --", code_now(other_device), "9" * 21]:
        refused = client.post(VERIFY, {"code": code, "next": SIGNERS})
        assert refused.status_code == 200, code
        assert follow_to_signers(client) == VERIFY, code
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    code = code_now(device)
    assert client.post(VERIFY, {"code": code, "next": SIGNERS}).status_code == 302

    again = Client()
    sign_in(again, "data_officer_a")
    replayed = again.post(VERIFY, {"code": code, "next": SIGNERS})
    assert "That code is not right, or it was already used" in replayed.content.decode()
    assert follow_to_signers(again) == VERIFY
    failed = AuditEntry.objects.filter(action="second_factor.failed", user=personas.data_officer_a)
    assert failed.count() >= 3
    assert all(code not in str(entry.detail) for entry in failed)  # no codes on record


def test_an_expired_code_is_refused(client, world, personas, enrolled):
    device, _codes = enrolled
    sign_in(client, "data_officer_a")
    stale = code_now(device, steps_ahead=-4)  # two minutes old
    assert "not right" in client.post(VERIFY, {"code": stale}).content.decode()


def test_each_backup_code_signs_in_once(client, world, personas, enrolled):
    _device, codes = enrolled
    sign_in(client, "data_officer_a")
    used = client.post(VERIFY, {"code": codes[0].upper(), "next": SIGNERS}, follow=True)
    assert "9 are left" in used.content.decode()
    assert client.get(SIGNERS).status_code == 200
    again = Client()
    sign_in(again, "data_officer_a")
    assert "not right" in again.post(VERIFY, {"code": codes[0]}).content.decode()


def locked_by_wrong_codes(client, device, settings):
    """Three wrong codes after the right password, then the right code: refused, locked."""
    settings.LOGIN_FAILURES_ALLOWED = 3
    sign_in(client, "data_officer_a")
    for _ in range(3):
        client.post(VERIFY, {"code": "000000"})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    return client.post(VERIFY, {"code": code_now(device)})


def test_wrong_codes_are_throttled_like_passwords(client, world, personas, enrolled, settings):
    device, _codes = enrolled
    refused = locked_by_wrong_codes(client, device, settings)
    assert "Too many failed sign-ins" in refused.content.decode()
    assert follow_to_signers(client) == VERIFY


def test_the_second_step_needs_its_csrf_token(world, personas, enrolled):
    device, _codes = enrolled
    careful = Client(enforce_csrf_checks=True)
    page = careful.get("/admin/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    careful.post(
        "/admin/login/",
        {"username": "data_officer_a", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert careful.post(VERIFY, {"code": code_now(device)}).status_code == 403
    assert follow_to_signers(careful) == VERIFY
    careful.cookies["django_language"] = "ar"
    refused = careful.post(VERIFY, {"code": code_now(device)}, HTTP_ACCEPT_LANGUAGE="ar")
    page = refused.content.decode()
    assert refused.status_code == 403 and 'lang="ar" dir="rtl"' in page
    assert "تعذّر إرسال النموذج" in page and "CSRF" not in page
    assert follow_to_signers(careful) == VERIFY


def test_a_tampered_session_is_no_session(client, world, personas, enrolled):
    sign_in(client, "data_officer_a")
    key = client.cookies["sessionid"].value
    client.cookies["sessionid"] = key[:-1] + ("a" if key[-1] != "a" else "b")
    response = client.get(SIGNERS)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_an_organisation_admin_resets_a_members_second_factor(client, world, personas, enrolled):
    from undersigned.staff.models import Membership

    member_session = Client()
    member_session.force_login(personas.data_officer_a)
    assert member_session.get(SIGNERS).status_code == 200

    client.force_login(personas.admin_a)
    membership = Membership.objects.get(user=personas.data_officer_a)
    response = client.post(
        "/admin/staff/membership/",
        {"action": "reset_second_factor", "_selected_action": [membership.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.data_officer_a).exists()
    assert not StaticToken.objects.filter(device__user=personas.data_officer_a).exists()
    assert member_session.get(SIGNERS).status_code == 302  # signed out at once
    entry = AuditEntry.objects.get(action="second_factor.cleared")
    assert entry.user == personas.admin_a and entry.organisation == personas.organisation_a

    other = Client()
    other.force_login(personas.campaigner_b)
    refused = other.post(
        "/admin/staff/membership/",
        {"action": "reset_second_factor", "_selected_action": [membership.pk]},
    )
    assert refused.status_code in (403, 404)


def test_only_an_operator_resets_an_operator(client, world, personas):
    from undersigned.organisations.models import Organisation
    from undersigned.staff import members
    from undersigned.staff.models import Role
    from undersigned.staff.roles import ORGANISATION_ADMIN

    operator_device = authenticator_app(personas.operator)
    organisation = Organisation.objects.get(pk=personas.organisation_a.pk)
    membership = members.add_member(
        organisation,
        Role.objects.get(slug=ORGANISATION_ADMIN),
        personas.operator,
        username="operator",
    )
    client.force_login(personas.admin_a)
    client.post(
        "/admin/staff/membership/",
        {"action": "reset_second_factor", "_selected_action": [membership.pk]},
    )
    assert TOTPDevice.objects.filter(pk=operator_device.pk).exists()


def test_adding_a_second_factor_ends_every_other_session(world, personas):
    elsewhere, here = Client(), Client()
    for session in (elsewhere, here):
        sign_in(session, "campaigner_a", next_page="/admin/")
    assert elsewhere.get("/admin/").status_code == 200
    here.get(ADD_APP)
    device = TOTPDevice.objects.get(user=personas.campaigner_a, confirmed=False)
    here.post(ADD_APP, {"code": code_now(device)})
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302


def test_changing_the_password_ends_every_other_session(world, personas):
    elsewhere, here = Client(), Client()
    for session in (elsewhere, here):
        sign_in(session, "campaigner_a", next_page="/admin/")
    response = here.post(
        "/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a different long passphrase",
            "new_password2": "a different long passphrase",
        },
    )
    assert response.status_code == 302
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302


def test_removing_a_device_needs_a_verified_session(client, world, personas, enrolled):
    device, _codes = enrolled
    sign_in(client, "data_officer_a")  # password only
    url = f"/admin/second-factor/remove/app/{device.pk}/"
    assert client.post(url).status_code in (302, 404)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    client.post(VERIFY, {"code": code_now(device)})
    assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert "second_factor.removed" in actions_of(personas.data_officer_a)
    assert follow_to_signers(client) == ENROL  # a data officer must enrol again


def test_an_attacker_with_only_the_password_cannot_add_a_device(client, world, personas, enrolled):
    sign_in(client, "data_officer_a")
    response = client.get(ADD_APP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.post("/admin/second-factor/codes/").status_code == 302
    begin = client.post("/admin/security-keys/registration/begin/")
    assert begin.status_code == 403
    assert TOTPDevice.objects.filter(user=personas.data_officer_a).count() == 1


def test_the_pages_speak_arabic(client, world, personas):
    client.cookies["django_language"] = "ar"
    sign_in(client, "data_officer_a")
    page = client.get(ENROL, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in page
    assert "أضف عاملًا ثانيًا قبل أن تتابع" in page


def test_an_organisation_admin_reads_the_sign_ins_of_its_members_only(world, personas):
    for username in ("campaigner_a", "campaigner_b"):
        sign_in(Client(), username, next_page="/admin/")
        sign_in(Client(), username, password="wrong", next_page="/admin/")
    reader = Client()
    reader.force_login(personas.admin_a)
    page = reader.get("/admin/audit/auditentry/").content.decode()
    assert "campaigner_a" in page and "sign_in.failed" in page
    assert "campaigner_b" not in page


def test_a_burst_of_failures_is_emailed_to_the_owner(
    world, personas, settings, smtp_server, run_tasks
):
    settings.LOGIN_FAILURES_ALLOWED = 3
    for _ in range(4):
        sign_in(Client(), "campaigner_a", password="wrong")
    run_tasks()
    sent = [m for m in smtp_server.messages if m["to"] == ["campaigner_a@example.org"]]
    assert len(sent) == 1
    assert "Failed sign-ins" in sent[0]["message"]["Subject"]
    assert "3 times" in sent[0]["message"].get_body(("plain",)).get_content()


def test_a_sign_in_from_a_new_browser_is_emailed(world, personas, smtp_server, run_tasks):
    laptop = Client()
    sign_in(laptop, "campaigner_a")
    run_tasks()
    assert smtp_server.messages == []  # the first browser an account ever uses
    laptop.post("/admin/logout/")
    sign_in(laptop, "campaigner_a")  # the same browser, known by its cookie
    sign_in(Client(HTTP_USER_AGENT="Strange Browser/1.0"), "campaigner_a")
    run_tasks()
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]["message"]
    assert "A new sign-in" in message["Subject"]
    assert "Strange Browser/1.0" in message.get_body(("plain",)).get_content()
    signed = AuditEntry.objects.filter(action="sign_in.succeeded")
    assert [entry.detail["new_device"] for entry in signed] == [True, False, True][::-1]


def test_the_demo_passwords_pass_the_validators(db, settings, tmp_path):
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError

    from undersigned.organisations import demo as organisations_demo
    from undersigned.staff import demo

    settings.DATA_DIR = tmp_path
    with pytest.raises(ValidationError):
        password_validation.validate_password("password123")  # a common one is refused
    organisations_demo.load()
    demo.load()
    User = get_user_model()
    lines = (tmp_path / "demo-logins.txt").read_text().splitlines()
    assert len(lines) > 2
    for line in lines:
        username, password = line.split()[:2]
        password_validation.validate_password(password, User.objects.get(username=username))


def test_a_burst_of_wrong_codes_warns_the_owner_that_the_password_is_known(
    client, world, personas, enrolled, settings, smtp_server, run_tasks
):
    device, _codes = enrolled
    locked_by_wrong_codes(client, device, settings)
    run_tasks()
    sent = [m for m in smtp_server.messages if m["to"] == ["data_officer_a@example.org"]]
    assert len(sent) == 1
    body = sent[0]["message"].get_body(("plain",)).get_content()
    assert "right password" in body and "3 times" in body
    assert "someone else knows your password" in body
    refusal = AuditEntry.objects.get(action="second_factor.refused")
    assert refusal.user == personas.data_officer_a and refusal.detail["wait"] > 0
    assert code_now(device) not in str(refusal.detail)


def test_a_code_typed_in_eastern_arabic_digits_is_read(client, world, personas, enrolled):
    device, _codes = enrolled
    sign_in(client, "data_officer_a")
    arabic = code_now(device).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = client.post(VERIFY, {"code": arabic, "next": SIGNERS})
    assert response.status_code == 302 and response["Location"] == SIGNERS
