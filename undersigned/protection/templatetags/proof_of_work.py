import json

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def pow_strings() -> str:
    """The widget's words, in the page's language (for its `strings` attribute)."""
    return json.dumps(
        {
            "label": _("Checking that this is a real browser"),
            "verified": _("Checked"),
            "verifying": _("Checking…"),
            "waitAlert": _("Checking… please wait a moment."),
            "error": _(
                "The check failed. You can still sign: we will ask you to confirm by email."
            ),
            "expired": _("The check expired. Please try again."),
            "verificationRequired": _("Please wait for the check to finish."),
        },
        ensure_ascii=False,
    )
