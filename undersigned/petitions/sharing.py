"""Share links for the thank-you step; each carries a `source` code so shares can be counted."""

from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils.translation import gettext_lazy as _

CHANNELS = {
    "whatsapp": _("WhatsApp"),
    "telegram": _("Telegram"),
    "x": _("X"),
    "facebook": _("Facebook"),
    "email": _("Email"),
}


def shared_url(petition_path: str, channel: str) -> str:
    return f"{settings.SITE_URL}{petition_path}?{urlencode({'source': f'share-{channel}'})}"


def channel_url(channel: str, url: str, title: str) -> str:
    """Where a click on a share button goes."""
    message = f"{title} {url}"
    return {
        "whatsapp": f"https://wa.me/?text={quote(message)}",
        "telegram": f"https://t.me/share/url?{urlencode({'url': url, 'text': title})}",
        "x": f"https://x.com/intent/post?{urlencode({'text': title, 'url': url})}",
        "facebook": f"https://www.facebook.com/sharer/sharer.php?{urlencode({'u': url})}",
        "email": f"mailto:?subject={quote(title)}&body={quote(message)}",
    }[channel]
