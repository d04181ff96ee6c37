from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from undersigned.staff.markdown import markdown_field

from .models import Delivery, Package
from .services import DeliveryDetails, PhotoUpload

MAX_PHOTO_BYTES = 15 * 1024 * 1024


class PackageForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to make"), choices=Package.Kind.choices)
    language = forms.ChoiceField(label=_("Language of the PDF"), choices=settings.LANGUAGES)
    include_names = forms.BooleanField(
        label=_("List signers' names and countries in the PDF"),
        required=False,
        help_text=_(
            "Never email addresses. Long lists stop after the first 5,000 names; the CSV "
            "always has everyone."
        ),
    )

    include_messages = forms.BooleanField(
        label=_("Add a booklet of the approved messages of support (PDF)"),
        required=False,
        help_text=_("Each message with the signer's first name and country only."),
    )

    def __init__(self, *args, may_export_emails: bool, is_petition: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_export_emails:
            self.fields["kind"].choices = [
                choice for choice in Package.Kind.choices if choice[0] != Package.Kind.EMAILS
            ]
        if not is_petition:
            del self.fields["include_names"]
            del self.fields["include_messages"]


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label=_("How"), choices=Delivery.Method.choices)
    send_updates = forms.BooleanField(
        label=_("Email the news to every signer who asked for updates"),
        required=False,
        help_text=_(
            "Each address gets one email, in the language it signed in, with an unsubscribe link."
        ),
    )

    def __init__(self, *args, languages, may_send_updates: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = languages
        for code in languages:
            info = get_language_info(code)
            name = info["name_translated"]
            # The text is in `code`, whatever the language of the page around it.
            typed_in = {"lang": code, "dir": "rtl" if info["bidi"] else "ltr"}
            self.fields[f"recipients_{code}"] = forms.CharField(
                label=_("Delivered to (%(language)s)") % {"language": name},
                max_length=300,
                required=False,
                help_text=_("Leave empty to name the action's targets."),
                widget=forms.TextInput(attrs=typed_in),
            )
            self.fields[f"note_{code}"] = markdown_field(
                forms.CharField(
                    label=_("Public note (%(language)s)") % {"language": name},
                    max_length=5000,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 5, **typed_in}),
                ),
                shown_where=_("Shown on the public page under “Delivered to … on …”."),
            )
        if not may_send_updates:
            del self.fields["send_updates"]

    def clean_delivered_on(self):
        day = self.cleaned_data["delivered_on"]
        if day > timezone.localdate():
            raise ValidationError(_("A delivery cannot be in the future."))
        return day

    def text_fields(self, code: str) -> list:
        return [self[f"recipients_{code}"], self[f"note_{code}"]]

    def language_groups(self) -> list[tuple[str, list]]:
        return [
            (get_language_info(code)["name_translated"], code, self.text_fields(code))
            for code in self.languages
        ]

    def details(self, photos: list[PhotoUpload]) -> DeliveryDetails:
        data = self.cleaned_data
        return DeliveryDetails(
            delivered_on=data["delivered_on"],
            method=data["method"],
            texts={
                code: (data[f"recipients_{code}"], data[f"note_{code}"]) for code in self.languages
            },
            photos=photos,
        )


class PhotoForm(forms.Form):
    image = forms.ImageField(label=_("Photo"), required=False)
    alt_text = forms.CharField(
        label=_("Alt text (English)"),
        max_length=300,
        required=False,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    alt_text_ar = forms.CharField(label=_("Alt text (Arabic)"), max_length=300, required=False)
    credit = forms.CharField(label=_("Credit"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        image = cleaned.get("image")
        if image and image.size > MAX_PHOTO_BYTES:
            self.add_error("image", _("Photos may be at most 15 MB."))
        if image and not cleaned.get("alt_text"):
            self.add_error("alt_text", _("Describe the photo for people who cannot see it."))
        return cleaned

    def upload(self) -> PhotoUpload | None:
        data = getattr(self, "cleaned_data", {})
        if not data.get("image"):
            return None
        return PhotoUpload(
            image=data["image"],
            alt_text=data["alt_text"],
            alt_text_ar=data.get("alt_text_ar", ""),
            credit=data.get("credit", ""),
        )


PhotoFormSet = forms.formset_factory(PhotoForm, extra=2, max_num=6, absolute_max=6)
