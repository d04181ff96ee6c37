"""Emails to a staff account's owner about its sign-ins, sent by the task worker."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_tasks import task

from undersigned.emails.sending import send_templated_email


def owner(user_pk: int):
    user = get_user_model().objects.filter(pk=user_pk, is_active=True).first()
    return user if user and user.email else None


@task()
def warn_of_failed_sign_ins(
    user_pk: int, failures: int, language: str, step: str = "password"
) -> bool:
    user = owner(user_pk)
    if user is None:
        return False
    send_templated_email(
        "staff/emails/failed_sign_ins",
        to=user.email,
        language=language,
        context={
            "user": user,
            "failures": failures,
            "password_known": step == "code",
            "admin_url": admin_url(),
        },
    )
    return True


@task()
def tell_of_new_device(user_pk: int, browser: str, when: str, language: str) -> bool:
    user = owner(user_pk)
    if user is None:
        return False
    send_templated_email(
        "staff/emails/new_device",
        to=user.email,
        language=language,
        context={"user": user, "browser": browser, "when": when, "admin_url": admin_url()},
    )
    return True


def admin_url() -> str:
    return f"{settings.SITE_URL}{reverse('admin:second_factor')}"
