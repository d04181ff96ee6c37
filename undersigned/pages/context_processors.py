from django.conf import settings
from django.utils.translation import get_language, get_language_info

from .languages import language_links


def site(request):
    language = get_language() or settings.LANGUAGE_CODE
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "language_links": language_links(request, language),
        "language_bidi": get_language_info(language)["bidi"],
    }
