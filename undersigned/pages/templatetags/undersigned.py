from django import template
from django.utils.formats import number_format
from django.utils.translation import pgettext

from undersigned.pages.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """{{ petition.body|markdown }}: staff Markdown as sanitised HTML."""
    return render_markdown(text)


@register.filter
def join_names(names) -> str:
    """A list of names as a sentence in the page's language: "A, B and C", "أ، ب وج"."""
    names = [str(name) for name in names]
    if len(names) < 2:
        return "".join(names)
    separator = pgettext("between names in a list", ", ")
    return pgettext("the last name in a list", "%(names)s and %(last)s") % {
        "names": separator.join(names[:-1]),
        "last": names[-1],
    }


@register.filter
def percent(value) -> str:
    """{{ share|percent }}: "50.0%", "٥٠٫٠٪" in Arabic (the language's own signs)."""
    return pgettext("a percentage", "%(number)s%%") % {"number": number_format(value)}


@register.filter
def credit(photo, language: str) -> str:
    """{{ photo|credit:LANGUAGE_CODE }}: a photo's credit line in the page's language."""
    return photo.credit_in(language)


@register.filter
def alt(photo, language: str) -> str:
    """{{ photo|alt:LANGUAGE_CODE }}: a photo's alt text in the page's language."""
    return photo.alt_in(language)


@register.simple_tag(takes_context=True)
def extras(context, slot: str, obj=None):
    """{% extras "action" petition %}: what other apps add to this page (see pages/extras.py)."""
    from undersigned.pages.extras import render_extras

    return render_extras(slot, context.get("request"), obj)
