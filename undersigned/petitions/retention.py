"""What staff are told about a petition's signer data: when it will be, or was, erased."""

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Petition


def describe(petition: Petition) -> str:
    if petition.pk is None:
        return _("Kept while the petition is open, then for the retention period after it closes.")
    held = petition.signatures.held().count()
    count = number_format(held, force_grouping=True)
    if petition.signer_data_erased_at and not held:
        return _("Signer names and emails were erased on %(date)s.") % {
            "date": date_format(timezone.localtime(petition.signer_data_erased_at))
        }
    due = petition.signer_data_erase_at()
    if due is None:
        return ngettext(
            "Kept while the petition is open, then %(days)s day after it closes (%(count)s "
            "signatures hold names and emails now).",
            "Kept while the petition is open, then %(days)s days after it closes (%(count)s "
            "signatures hold names and emails now).",
            petition.retention,
        ) % {"days": petition.retention, "count": count}
    if due <= timezone.now():
        return ngettext(
            "Signer data is due for erasure since %(date)s: the next daily housekeeping "
            "erases it (%(count)s signature).",
            "Signer data is due for erasure since %(date)s: the next daily housekeeping "
            "erases it (%(count)s signatures).",
            held,
        ) % {"date": date_format(timezone.localtime(due)), "count": count}
    return ngettext(
        "Signer data will be erased on %(date)s (%(count)s signature).",
        "Signer data will be erased on %(date)s (%(count)s signatures).",
        held,
    ) % {"date": date_format(timezone.localtime(due)), "count": count}
