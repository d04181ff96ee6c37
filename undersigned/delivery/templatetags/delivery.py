from django import template
from django.utils.translation import get_language

from undersigned.letters.models import Letter
from undersigned.petitions.models import Petition

from ..models import Delivery

register = template.Library()


def delivery_of(action) -> Delivery | None:
    if isinstance(action, Petition):
        lookup = {"petition_id": action.pk}
    elif isinstance(action, Letter):
        lookup = {"letter_id": action.translation_of_id or action.pk}
    else:
        return None
    return (
        Delivery.objects.filter(**lookup)
        .select_related("petition__organiser", "letter__organiser")
        .prefetch_related("texts", "photos", "responses__texts")
        .first()
    )


@register.inclusion_tag("delivery/_note.html")
def delivered_note(action, compact: bool = False) -> dict:
    """{% delivered_note petition %}: "Delivered to … on …" with the note, in the page's
    language; nothing for an action that has not been delivered."""
    if getattr(action, "state", None) != "delivered":
        return {"delivery": None}
    delivery = delivery_of(action)
    if delivery is None:
        return {"delivery": None}
    language = get_language()
    text = delivery.text_in(language)
    return {
        "delivery": delivery,
        "recipients": delivery.recipients_in(language),
        "note": text.note if text else "",
        "note_language": text.language if text else language,
        "photos": [] if compact else list(delivery.photos.all()),
        "responses": [
            (response, response.summary_in(language)) for response in delivery.responses.all()
        ],
        "compact": compact,
        "LANGUAGE_CODE": language,
    }
