from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField

from undersigned.actions.cohosts import sanitise_source
from undersigned.protection.disposable import is_disposable
from undersigned.protection.forms import BotTrapsMixin

from .cohosts import cohost_opt_in_text
from .models import Endorsement, Letter, Network
from .services import EndorsementDetails

CSV_MAX_BYTES = 2 * 1024 * 1024
START_SALT = "undersigned.letters.endorse-started"
BOT_TRAPS = ("comment", "started")


class NetworkChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, language: str = "en", **kwargs):
        self.language = language
        super().__init__(*args, **kwargs)

    def label_from_instance(self, network: Network) -> str:
        return f"{network.name_in(self.language)} ({network.marker})"


class EndorsementForm(BotTrapsMixin, forms.Form):
    trap_field = "comment"  # `website` is a real field here
    start_salt = START_SALT

    """The public endorsement form, and the staff one for adding an endorsement directly."""

    name = forms.CharField(
        label=_("Organisation name"),
        max_length=200,
        help_text=_("As it should appear in the list of signatories."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    country = CountryField(blank_label=_("Choose a country")).formfield(
        label=_("Country"), help_text=_("Where the organisation is based.")
    )
    website = forms.URLField(
        label=_("Website (optional)"),
        max_length=200,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url", "inputmode": "url"}),
    )
    networks = NetworkChoiceField(
        label=_("Networks and coalitions your organisation belongs to"),
        queryset=Network.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send a confirmation link to it. It is never published."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    authorised = forms.BooleanField(
        label=_("I am authorised to sign for this organisation."),
        error_messages={"required": _("Only someone authorised by the organisation may sign.")},
    )
    # Bot traps, as on the petition form: a field people never see (left empty by them,
    # filled by bots), and the signed time the form was shown (bots send it back within a
    # second or not at all). `website` is a real field here, so the trap is `comment`.
    comment = forms.CharField(required=False, max_length=2000)
    started = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    # Where the organisation came from (`?source=`), sanitised, never an error: a mangled
    # code must not stop anyone endorsing. A co-host's code adds its opt-in line.
    source = forms.CharField(required=False, strip=True, widget=forms.HiddenInput)
    cohost_opt_in = forms.BooleanField(required=False)

    def __init__(self, *args, letter: Letter | None, language: str = "en", cohost=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.letter = letter
        self.cohost = cohost  # the CoHost whose link the contact used, or None
        if cohost is None:  # no one else to hear from: a posted tick is ignored
            del self.fields["cohost_opt_in"]
        else:
            self.fields["cohost_opt_in"].label = cohost_opt_in_text(
                cohost.organisation.name_in(language), language
            )
        if letter is None:
            # Without the database the networks cannot be listed: the ones ticked are carried
            # along as hidden inputs, so that nothing the organisation chose is lost.
            self.fields["networks"] = forms.MultipleChoiceField(
                required=False, widget=forms.MultipleHiddenInput
            )
            return
        networks = self.fields["networks"]
        networks.queryset = letter.networks()
        networks.language = language
        if not networks.queryset.exists():
            del self.fields["networks"]

    @classmethod
    def keeping(cls, data: QueryDict) -> "EndorsementForm":
        """The form again with what was typed, built without touching the database: for the
        pages that refuse a POST (too many requests, the database failing)."""
        initial = {
            name: field.widget.value_from_datadict(data, {}, name)
            for name, field in cls.base_fields.items()
            if name not in BOT_TRAPS
        }
        return cls(letter=None, initial=initial)

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_source(self) -> str:
        return sanitise_source(self.cleaned_data["source"])

    @property
    def chosen_cohost(self):
        """The co-host organisation the contact asked for updates from, or None."""
        if self.cohost is None or not self.cleaned_data.get("cohost_opt_in"):
            return None
        return self.cohost.organisation

    def clean_contact_email(self) -> str:
        email = self.cleaned_data["contact_email"].strip()
        if is_disposable(email):
            raise forms.ValidationError(
                _(
                    "Please use an address you keep: we need to reach you to confirm the "
                    "endorsement."
                )
            )
        return email

    def clean(self):
        cleaned = super().clean()
        name, country = cleaned.get("name"), cleaned.get("country")
        if name and country is not None and self.is_duplicate(name, country):
            self.add_error("name", self.duplicate_message())
        self.check_pace()
        return cleaned

    def is_duplicate(self, name: str, country: str) -> bool:
        return Endorsement.objects.same_organisation(self.letter, name, country).exists()

    @staticmethod
    def duplicate_message() -> str:
        return _(
            "This organisation has already endorsed this letter, or its endorsement is being "
            "verified. Write to the organisers if you think this is a mistake."
        )

    def details(self) -> EndorsementDetails:
        data = self.cleaned_data
        return EndorsementDetails(
            name=data["name"],
            country=data["country"],
            website=data["website"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            authorised=data["authorised"],
            networks=list(data.get("networks") or []),
            source=data.get("source", ""),
            cohost=self.chosen_cohost,
        )


class StaffEndorsementForm(EndorsementForm):
    """Staff adding an endorsement they verified: the country and contact may be unknown."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["country", "contact_name", "contact_email", "authorised"]:
            self.fields[name].required = False
        for name in BOT_TRAPS:
            del self.fields[name]
        del self.fields["source"]  # staff add what they verified: no link, no co-host

    @property
    def filled_by_a_bot(self) -> bool:
        return False

    def too_fast(self) -> bool:
        return False


class ListFilterForm(forms.Form):
    """Filter the published list by country and search it by name (a plain GET form)."""

    q = forms.CharField(label=_("Search by name"), max_length=100, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, country_codes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        names = {code: name for code, name in countries}
        choices = sorted((code, names.get(code, code)) for code in country_codes if code)
        self.fields["country"].choices = [
            ("", _("All countries")),
            *sorted(choices, key=lambda choice: choice[1]),
        ]

    def filter(self, signatories: list[Endorsement]) -> list[Endorsement]:
        if not self.is_valid():
            return signatories
        from .models import normalise_name

        query, country = self.cleaned_data["q"].strip(), self.cleaned_data["country"]
        needle = normalise_name(query)
        return [
            s
            for s in signatories
            if (not country or s.country.code == country)
            and (not query or query.casefold() in s.name.casefold() or needle in s.normalised_name)
        ]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept for staff; not sent to the organisation."),
    )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Keep this endorsement"), queryset=Endorsement.objects.none()
    )


class ImportForm(forms.Form):
    text = forms.CharField(
        label=_("Paste a numbered list"),
        required=False,
        max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 16, "dir": "auto"}),
        help_text=_("One organisation per line, as letters publish them: “12. Name*”."),
    )
    csv_file = forms.FileField(
        label=_("Or upload a CSV file"),
        required=False,
        help_text=_(
            "Columns: name, country, website, networks (markers or names, separated by ;), "
            "contact name, contact email, language (en or ar). Each organisation with a contact "
            "email is asked by email, in its language, to confirm or withdraw."
        ),
    )

    def clean_csv_file(self):
        upload = self.cleaned_data.get("csv_file")
        if not upload:
            return ""
        if upload.size > CSV_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                _("Save the file as CSV in UTF-8 and try again.")
            ) from error

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("text", "").strip() and not cleaned.get("csv_file"):
            raise forms.ValidationError(_("Paste a list or choose a CSV file."))
        return cleaned


class ConfirmImportForm(forms.Form):
    """The second step: the same content, sent back from the preview page."""

    kind = forms.ChoiceField(choices=[("text", "text"), ("csv", "csv")], widget=forms.HiddenInput)
    content = forms.CharField(max_length=2_500_000, widget=forms.HiddenInput, strip=False)
