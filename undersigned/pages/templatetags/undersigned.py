from django import template

from undersigned.pages.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """{{ petition.body|markdown }}: staff Markdown as sanitised HTML."""
    return render_markdown(text)


@register.filter
def alt(photo, language: str) -> str:
    """{{ photo|alt:LANGUAGE_CODE }}: a photo's alt text in the page's language."""
    return photo.alt_in(language)


@register.simple_tag(takes_context=True)
def extras(context, slot: str, obj=None):
    """{% extras "action" petition %}: what other apps add to this page (see pages/extras.py)."""
    from undersigned.pages.extras import render_extras

    return render_extras(slot, context.get("request"), obj)
