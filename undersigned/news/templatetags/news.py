from django import template

register = template.Library()


@register.filter
def url_in(post, language: str) -> str:
    """{{ post|url_in:"ar" }}: the post's address in another language."""
    return post.url_in(language)


@register.filter
def role_in(contact, language: str) -> str:
    return contact.role_in(language)


@register.filter
def organisation_in(contact, language: str) -> str:
    return contact.organisation_in(language)
