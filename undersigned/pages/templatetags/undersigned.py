from django import template

from undersigned.pages.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """{{ petition.body|markdown }}: staff Markdown as sanitised HTML."""
    return render_markdown(text)
