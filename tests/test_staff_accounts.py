"""What an operator does to accounts in Django's accounts page, and every look at
subscribers' and recipients' addresses, is on the record (and no password is)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from undersigned.audit.models import AuditEntry
from undersigned.emails.models import OutboxMessage

from .personas import PASSWORD
from .test_subscribers_updates import subscribe

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a different long passphrase 7"


def operator_client(personas) -> Client:
    client = Client()
    client.force_login(personas.operator)
    return client


def account_form(user, **changes) -> dict:
    """The accounts page's change form as it stands, with `changes`."""
    form = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value != ""}


def actions_on(user) -> list[str]:
    entries = AuditEntry.objects.filter(object_type="auth.user", object_id=str(user.pk))
    return list(entries.order_by("pk").values_list("action", flat=True))


def test_granting_and_removing_an_operator_and_deactivating_are_on_the_record(personas):
    client = operator_client(personas)
    colleague = personas.campaigner_a
    url = f"/admin/auth/user/{colleague.pk}/change/"

    response = client.post(url, account_form(colleague, is_superuser="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    colleague.refresh_from_db()
    assert colleague.is_superuser
    client.post(url, account_form(colleague, is_superuser="", is_active=""))
    colleague.refresh_from_db()
    assert not colleague.is_superuser and not colleague.is_active

    assert actions_on(colleague) == [
        "account.superuser_granted",
        "account.superuser_removed",
        "account.deactivated",
    ]
    entry = AuditEntry.objects.get(action="account.superuser_granted")
    assert entry.username == "operator" and entry.organisation is None  # operators only
    client.post(url, account_form(colleague))  # nothing changed: nothing recorded
    assert len(actions_on(colleague)) == 3


def test_a_password_set_by_an_operator_is_on_the_record_without_the_password(personas):
    client = operator_client(personas)
    colleague = personas.viewer_a
    url = f"/admin/auth/user/{colleague.pk}/password/"
    refused = client.post(
        url, {"password1": "short", "password2": "short", "usable_password": "true"}
    )
    assert refused.status_code == 200
    assert actions_on(colleague) == []

    form = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    assert client.post(url, form).status_code == 302
    colleague.refresh_from_db()
    assert colleague.check_password(NEW_PASSWORD)
    assert actions_on(colleague) == ["account.password_changed"]
    assert NEW_PASSWORD not in str(AuditEntry.objects.values_list("detail", flat=True))


def test_changing_ones_own_password_is_on_the_record(personas):
    client = Client()
    client.force_login(personas.campaigner_a)
    form = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post("/admin/password_change/", form).status_code == 302
    assert actions_on(personas.campaigner_a) == ["account.password_changed"]


def test_deleting_an_account_is_on_the_record(personas):
    client = operator_client(personas)
    leaver = personas.visitor
    response = client.post(f"/admin/auth/user/{leaver.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=leaver.pk).exists()
    assert AuditEntry.objects.get(action="account.deleted").object_repr == "visitor"


def test_only_operators_open_the_accounts_page(personas):
    for persona in ("admin_a", "campaigner_a", "data_officer_a"):
        client = Client()
        client.force_login(getattr(personas, persona))
        assert client.get("/admin/auth/user/").status_code == 403, persona
        url = f"/admin/auth/user/{personas.operator.pk}/change/"
        assert client.get(url).status_code in (302, 403), persona
    assert operator_client(personas).get("/admin/auth/user/").status_code == 200


def test_each_look_at_subscribers_is_on_the_record_for_their_organisation(personas):
    subscription = subscribe("reader@example.org", organisation=personas.organisation_a)
    client = Client()
    client.force_login(personas.admin_a)
    assert client.get("/admin/subscribers/subscription/").status_code == 200
    page = client.get(f"/admin/subscribers/subscription/{subscription.pk}/change/")
    assert "reader@example.org" in page.content.decode()
    listed = AuditEntry.objects.get(action="subscriptions.listed")
    viewed = AuditEntry.objects.get(action="subscriptions.viewed")
    assert listed.organisation == viewed.organisation == personas.organisation_a
    assert viewed.object_id == str(subscription.pk) and viewed.username == "admin_a"


def test_each_look_at_the_local_outbox_is_on_the_record(personas):
    message = OutboxMessage.objects.create(
        to="signer@example.org", subject="Confirm", text_body="x", html_body="<p>x</p>"
    )
    client = operator_client(personas)
    assert client.get("/admin/emails/outboxmessage/").status_code == 200
    assert client.get(f"/admin/emails/outboxmessage/{message.pk}/change/").status_code == 200
    actions = AuditEntry.objects.values_list("action", flat=True)
    assert {"outbox_messages.listed", "outbox_messages.viewed"} <= set(actions)
    campaigner = Client()
    campaigner.force_login(personas.campaigner_a)
    assert campaigner.get("/admin/emails/outboxmessage/").status_code == 403
