from django import template
from django.utils.translation import get_language_info

register = template.Library()


@register.filter
def name_in(thing, language: str) -> str:
    """{{ target|name_in:letter.language }}: a target's, organiser's or network's name."""
    return thing.name_in(language)


@register.filter
def text_in(network, language: str) -> str:
    return network.text_in(language)


@register.filter
def direction(language: str) -> str:
    return "rtl" if get_language_info(language)["bidi"] else "ltr"


@register.filter
def language_name(language: str) -> str:
    return get_language_info(language)["name_local"]
