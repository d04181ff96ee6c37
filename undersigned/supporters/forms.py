from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from undersigned.petitions.forms import VisibilityChoice, VisibilityField, clean_signer_name
from undersigned.petitions.models import Visibility

from .abuse import DEFAULT_HOURS, WINDOWS_HOURS
from .models import InvalidationBatch


class LinkRequestForm(forms.Form):
    """ "Forgot your link?": the address to email a fresh one to."""

    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={"required": _("Please enter the address you signed with.")},
    )

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:  # screen readers read the error with the field
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}-error"


def hours_label(hours: int) -> str:
    if hours % 24 == 0:
        days = hours // 24
        return ngettext("last day", "last %(days)s days", days) % {"days": days}
    return ngettext("last hour", "last %(hours)s hours", hours) % {"hours": hours}


class WindowForm(forms.Form):
    hours = forms.TypedChoiceField(label=_("Signed in the"), coerce=int, initial=DEFAULT_HOURS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hours"].choices = [(hours, hours_label(hours)) for hours in WINDOWS_HOURS]

    def chosen_hours(self) -> int:
        return self.cleaned_data["hours"] if self.is_valid() else DEFAULT_HOURS


class BatchForm(forms.Form):
    """Which signatures a batch takes: what they share, and the window they were signed in."""

    dimension = forms.ChoiceField(choices=InvalidationBatch.Dimension.choices)
    value = forms.CharField(max_length=64)
    since = forms.DateTimeField()
    until = forms.DateTimeField()

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The window ends before it starts."))
        return data


class InvalidateForm(BatchForm):
    reason = forms.CharField(
        label=_("Why (kept in the audit log)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VisibilityChangeForm(VisibilityChoice, forms.Form):
    """A signer's new choice of who sees their name on one signature. Leaving "counted
    only" needs a name again: none was kept."""

    visibility = VisibilityField(label=_("Change who may see your name"))
    name = forms.CharField(label=_("Your name"), max_length=120, required=False)

    def __init__(self, *args, signature, **kwargs):
        super().__init__(*args, auto_id=f"id_s{signature.pk}_%s", **kwargs)
        self.signature = signature
        self.default_visibility = signature.visibility
        self.fields["visibility"].required = True
        self.fields["visibility"].error_messages["required"] = _(
            "Please choose one of the three ways your name is shown."
        )

    @property
    def asks_for_name(self) -> bool:
        return not self.signature.name

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        return clean_signer_name(name) if name.strip() else ""

    def clean(self):
        data = super().clean()
        level = data.get("visibility")
        if level and level != Visibility.COUNT and not self.signature.name and not data.get("name"):
            self.add_error("name", _("Please give the name to show: we did not keep one."))
        return data
