from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from undersigned.organisations.models import Organisation
from undersigned.protection.forms import BotTrapsMixin

from .consent import consent_text
from .services import SignUp

START_SALT = "undersigned.subscribers.sign-up-started"


class SignUpForm(BotTrapsMixin, forms.Form):
    """Email, an optional name, a language and an explicit yes; `website` and `started` are
    the bot traps every public form carries."""

    start_salt = START_SALT

    organisation = forms.ModelChoiceField(
        label=_("Updates from"),
        queryset=Organisation.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("Choose an organisation"),
        error_messages={"invalid_choice": _("Choose one of the organisations listed.")},
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    language = forms.ChoiceField(label=_("Emails in"), choices=settings.LANGUAGES)
    consent = forms.BooleanField(
        error_messages={"required": _("Tick the box to say you want these emails.")}
    )
    source = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput)
    website = forms.CharField(required=False, max_length=2000)
    started = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, organisation=None, **kwargs):
        language = get_language()
        initial = {"language": language, **kwargs.pop("initial", {})}
        if organisation is not None:
            initial["organisation"] = organisation.slug
        super().__init__(*args, initial=initial, **kwargs)
        self.fixed_organisation = organisation
        if organisation is not None:
            self.fields["organisation"].widget = forms.HiddenInput()
        self.fields["consent"].label = consent_text(
            organisation.name_in(language) if organisation else _("the organisation you chose"),
            language,
        )

    def clean_name(self):
        name = self.cleaned_data["name"]
        if any(ord(character) < 32 for character in name):
            raise forms.ValidationError(_("Remove the control characters from your name."))
        return name.strip()

    def clean(self):
        cleaned = super().clean()
        self.check_pace()
        return cleaned

    def sign_up(self) -> SignUp:
        data = self.cleaned_data
        return SignUp(
            organisation=data["organisation"],
            email=data["email"],
            name=data["name"],
            language=data["language"],
            source=data.get("source", ""),
        )
