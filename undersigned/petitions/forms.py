import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from undersigned.actions.cohosts import sanitise_source
from undersigned.protection.disposable import is_disposable
from undersigned.protection.forms import BotTrapsMixin
from undersigned.protection.forms import start_token as protection_start_token

from .models import MESSAGE_MAX_LENGTH, Visibility

# Zero-width joiner and non-joiner are part of how Arabic and Persian names are written.
ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
START_SALT = "undersigned.form-started"


def has_invisible_controls(text: str) -> bool:
    return any(
        unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co"}
        and char not in ALLOWED_FORMAT_CHARACTERS
        for char in text
    )


def clean_signer_name(raw: str) -> str:
    name = " ".join(raw.split())
    if has_invisible_controls(name):
        raise forms.ValidationError(_("Please remove invisible control characters from your name."))
    if not any(char.isalpha() for char in name):
        raise forms.ValidationError(_("Please enter your name in letters."))
    return name


LINE_BREAKS = re.compile(r"\n{3,}")


def clean_message(raw: str) -> str:
    """Plain text: lines trimmed, at most one empty line in a row, no invisible controls
    (line breaks aside). Shown escaped, so markup is only ever text."""
    lines = [" ".join(line.split()) for line in raw.replace("\r\n", "\n").split("\n")]
    text = LINE_BREAKS.sub("\n\n", "\n".join(lines)).strip()
    if len(text) > MESSAGE_MAX_LENGTH:
        raise forms.ValidationError(
            _("Please keep your message to %(limit)d characters (it has %(count)d).")
            % {"limit": MESSAGE_MAX_LENGTH, "count": len(text)}
        )
    if "\ufffd" in text:  # what bytes that are not UTF-8 become
        raise forms.ValidationError(
            _("Part of your message could not be read: please type it again.")
        )
    if has_invisible_controls(text.replace("\n", "")):
        raise forms.ValidationError(
            _("Please remove invisible control characters from your message.")
        )
    return text


def country_choices() -> list:
    """Country names sorted in the page's language; only built when the form is shown."""
    return [("", _("Choose your country")), *countries]


class CountryChoiceField(forms.ChoiceField):
    """Checks a code against a set instead of walking 250 localised choices: the choices
    are only built when the form is rendered, never on the signing path."""

    CODES = frozenset(code for code, _name in countries)

    def __init__(self, **kwargs):
        super().__init__(choices=country_choices, **kwargs)

    def valid_value(self, value) -> bool:
        return value in self.CODES


VISIBILITY_EXPLAINED = {
    Visibility.PUBLIC: _(
        "Your first name, initial and country may appear in a public list of signers."
    ),
    Visibility.TARGET: _(
        "Your name goes to those this petition is addressed to, never on a public page."
    ),
    Visibility.COUNT: _(
        "Your signature is counted, but your name is not kept, shown or handed to anyone."
    ),
}


class VisibilityField(forms.ChoiceField):
    """The `visibility` radio group; left out (an older form), it means the default."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=Visibility.choices,
            required=False,
            widget=forms.RadioSelect,
            error_messages={
                "invalid_choice": _("Please choose one of the three ways your name is shown.")
            },
            **kwargs,
        )


class VisibilityChoice:
    """For a form with a VisibilityField and a `default_visibility`: the radios to draw."""

    default_visibility = Visibility.TARGET

    def visibility_options(self) -> list[dict]:
        """The three choices as the template draws them (native radios: no JavaScript)."""
        chosen = self.data.get("visibility") if self.is_bound else None
        if chosen not in Visibility.values:
            chosen = self.initial.get("visibility", self.default_visibility)
        return [
            {
                "value": value,
                "label": label,
                "explained": VISIBILITY_EXPLAINED[value],
                "checked": value == chosen,
            }
            for value, label in Visibility.choices
        ]


class SignatureForm(BotTrapsMixin, VisibilityChoice, forms.Form):
    start_salt = START_SALT

    name = forms.CharField(
        label=_("Full name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    country = CountryChoiceField(
        label=_("Country"), widget=forms.Select(attrs={"autocomplete": "country"})
    )
    visibility = VisibilityField(label=_("Who may see your name"))
    # drawn (and read) only where the petition takes messages of support
    message = forms.CharField(
        label=_("Your message of support (optional)"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "dir": "auto",
                "maxlength": MESSAGE_MAX_LENGTH,
                "aria-describedby": "id_message_help",
            }
        ),
    )
    opt_in = forms.BooleanField(required=False)  # labelled per petition: see opt_in_label
    # shown only to a signer who came through a co-host's link: see `cohost`
    cohost_opt_in = forms.BooleanField(required=False)
    # The hidden `source` and the bot traps (`website`, `started`) are written into the
    # template and read from the data: no form fields to build on every signature.

    def __init__(
        self,
        *args,
        opt_in_label: str = "",
        default_visibility: str = Visibility.TARGET,
        takes_messages: bool = False,
        cohost=None,
        cohost_label: str = "",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.opt_in_label = opt_in_label
        self.default_visibility = default_visibility
        self.cohost = cohost  # the CoHost whose link the signer used, or None
        self.cohost_label = cohost_label
        self.takes_messages = takes_messages

    message_limit = MESSAGE_MAX_LENGTH

    def clean_visibility(self) -> str:
        return self.cleaned_data["visibility"] or self.default_visibility

    def clean_name(self) -> str:
        return clean_signer_name(self.cleaned_data["name"])

    def clean_message(self) -> str:
        if not self.takes_messages:  # the petition takes none: a posted one is ignored
            return ""
        return clean_message(self.cleaned_data["message"])

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if is_disposable(email):
            raise forms.ValidationError(
                _("Please use an address you keep: we need to reach you to confirm your signature.")
            )
        return email

    def clean_cohost_opt_in(self) -> bool:
        # ticked without a co-host's link (a forged or stale form): there is no one to tell
        return bool(self.cleaned_data["cohost_opt_in"] and self.cohost is not None)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("cohost_opt_in") and cleaned.get("visibility") == Visibility.COUNT:
            self.add_error(
                "cohost_opt_in",
                _(
                    "You chose to be counted only, so your details go to no one: untick this "
                    "line, or choose another way your name is shown."
                ),
            )
        self.check_pace()
        return cleaned

    @property
    def chosen_cohost(self):
        """The co-host organisation the signer asked for updates from, or None."""
        if self.cohost is None or not self.cleaned_data.get("cohost_opt_in"):
            return None
        return self.cohost.organisation

    @property
    def source_code(self) -> str:
        """Where the signer came from: sanitised, never an error (a mangled `?source=`
        must not stop anyone signing)."""
        raw = self.data.get("source") if self.is_bound else self.initial.get("source")
        return sanitise_source(raw)


class SharedFields(dict):
    """A form's declared fields, shared by all its instances: Django deep-copies them for
    each form, a tenth of a signature's Python time. So nothing may change a field for one
    form (the opt-in label is the form's `opt_in_label`; Django's BoundField links errors)."""

    def __deepcopy__(self, memo):
        return dict(self)


SignatureForm.base_fields = SharedFields(SignatureForm.base_fields)


def start_token() -> str:
    return protection_start_token(START_SALT)


class ResendForm(forms.Form):
    """ "Send the email again" on the thank-you step: the answer is the same for any address."""

    email = forms.EmailField(
        label=_("The address you signed with"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={"required": _("Please enter the address you signed with.")},
    )
