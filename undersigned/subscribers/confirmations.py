"""The handler behind `/confirm/<token>/` for subscriptions (see pages/confirmations.py)."""

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from undersigned.pages.confirmations import Confirmation

from . import services
from .models import Subscription


class SubscriptionConfirmation:
    def describe(self, pk: int) -> Confirmation | None:
        subscription = Subscription.objects.select_related("organisation").filter(pk=pk).first()
        if subscription is None or subscription.status == Subscription.Status.UNSUBSCRIBED:
            return None
        organisation = subscription.organisation.name_in(get_language())
        return Confirmation(
            title=_("Updates by email from %(organisation)s") % {"organisation": organisation},
            question=_("Confirm that you want these updates"),
            button=_("Yes, send me updates"),
            done=subscription.status == Subscription.Status.CONFIRMED,
        )

    def confirm(self, pk: int) -> str:
        services.confirm(pk)
        return reverse("subscribers:confirmed")
