"""The one place an action's state changes: open, close, reopen, mark delivered.

Each change locks the action's row, checks the move is allowed, writes the state and its
dates, records an audit entry ("petition.closed", "letter.opened"…) in the same
transaction, and drops the cached public pages once the transaction has committed. The
admin's bulk actions, the delivery page and scheduled closing all come here.
"""

from datetime import datetime

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _

from undersigned.audit.models import record
from undersigned.workers import events

from .models import Action, State


class TransitionRefused(Exception):
    """The action is not in a state this change can start from."""


# verb (the audit code's past tense) -> (states it may start from, state it leads to)
TRANSITIONS = {
    "opened": ((State.DRAFT,), State.OPEN),
    "reopened": ((State.CLOSED,), State.OPEN),
    "closed": ((State.OPEN,), State.CLOSED),
    "delivered": ((State.CLOSED, State.DELIVERED), State.DELIVERED),
}

REFUSALS = {
    "opened": _("Only a draft can be opened; reopen a closed action instead."),
    "reopened": _("Only a closed action can be reopened (a delivered one stays delivered)."),
    "closed": _("Only an open action can be closed."),
    "delivered": _("Close the action before you record its delivery."),
}


def open_action(action: Action, user) -> Action:
    return change_state(action, "opened", user)


def reopen_action(action: Action, user) -> Action:
    return change_state(action, "reopened", user)


def close_action(action: Action, user, *, at: datetime | None = None) -> Action:
    return change_state(action, "closed", user, at=at)


def mark_delivered(action: Action, user) -> Action:
    """Call inside the transaction that records the delivery (a second call is harmless)."""
    return change_state(action, "delivered", user)


def change_state(action: Action, verb: str, user, *, at: datetime | None = None) -> Action:
    sources, target = TRANSITIONS[verb]
    model = type(action)
    with transaction.atomic():
        # no_key: signers' inserts (which check the petition's key) do not wait on this lock
        locked = model.objects.select_for_update(no_key=True).get(pk=action.pk)
        if locked.state == target == State.DELIVERED:
            return locked
        if locked.state not in sources:
            raise TransitionRefused(REFUSALS[verb])
        if target == State.OPEN:
            check_languages(locked)
        now = timezone.now()
        fields = {"state": target, "updated_at": now, **locked.lifecycle_fields(target, now)}
        if target == State.CLOSED:
            fields["closed_at"] = at or now
        elif target == State.OPEN:
            fields["closed_at"] = None
        model.objects.filter(pk=locked.pk).update(**fields)
        previous = locked.state
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.state_changed(fields)
        record(user, f"{locked.kind}.{verb}", locked, previous_state=previous)
        if verb in ("closed", "delivered") and previous != target:
            events.emit(f"action.{verb}", locked.organiser_id, kind=locked.kind, slug=locked.slug)
        transaction.on_commit(locked.forget_cached_pages)
    return locked


def check_languages(action: Action) -> None:
    """Publishing needs the texts in every language the organisation requires."""
    missing = action.languages_missing(list(action.organiser.required_languages or []))
    if missing:
        names = ", ".join(gettext(get_language_info(code)["name"]) for code in missing)
        raise TransitionRefused(
            gettext(
                "Not published: its texts in %(languages)s are missing, and %(organisation)s "
                "publishes only actions written in every language it requires."
            )
            % {"languages": names, "organisation": action.organiser.name}
        )


def action_models() -> list[type[Action]]:
    return [model for model in apps.get_models() if issubclass(model, Action)]


def close_due_actions() -> int:
    """Scheduled closing: open actions whose closing date has passed are closed, as of that
    date (visitors already saw them closed; this writes the state, its audit and the date
    the retention clock starts from)."""
    closed = 0
    for model in action_models():
        for action in model.due_to_close():
            try:
                close_action(action, None, at=action.closes_at)
            except TransitionRefused:  # closed by staff meanwhile
                continue
            closed += 1
    return closed
