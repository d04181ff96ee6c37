import unicodedata

from django import template
from django.utils.formats import date_format
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def name_in(thing, language: str) -> str:
    """{{ target|name_in:letter.language }}: a target's, organiser's or network's name."""
    return thing.name_in(language)


@register.filter
def text_in(network, language: str) -> str:
    return network.text_in(language)


@register.filter
def role_in(contact, language: str) -> str:
    return contact.role_in(language)


@register.filter
def organisation_in(contact, language: str) -> str:
    return contact.organisation_in(language)


@register.filter
def direction(language: str) -> str:
    return "rtl" if get_language_info(language)["bidi"] else "ltr"


@register.filter
def language_name(language: str) -> str:
    return get_language_info(language)["name_local"]


@register.filter
def language_name_translated(language: str) -> str:
    """The language's name in the page's language, for a sentence: "بالإنجليزية"."""
    return _(get_language_info(language)["name"])


@register.filter
def text_direction(text: str) -> str:
    """The direction of a text's first strong character: what dir="auto" does in browsers,
    which WeasyPrint does not support."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


@register.simple_tag
def date_line(letter) -> str:
    """ "Washington, 1 December 2017" in the active language ("واشنطن، 1 ديسمبر 2017")."""
    day = date_format(letter.dated, "j F Y") if letter.dated else ""
    if letter.place and day:
        return _("%(place)s, %(date)s") % {"place": letter.place, "date": day}
    return letter.place or day
