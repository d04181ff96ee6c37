from django.conf import settings
from django.urls import Resolver404, resolve, translate_url
from django.utils.translation import get_language_info


def switch_url(path: str, current: str, target: str) -> str:
    """The same page in another language, or that language's home page."""
    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return f"/{target}/"
    return translate_url(path, target)


def language_links(request, current: str) -> list[dict]:
    # The path without its query: pages are cached for everyone, whatever `?source=` they came by.
    path = request.path if request is not None else "/"
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": switch_url(path, current, code),
            "current": code == current,
            "default": code == settings.LANGUAGE_CODE,
        }
        for code, _name in settings.LANGUAGES
    ]
