"""The petition's back-office form: its texts in every language on the one form, one group
per language, the title first; the slug made from the title unless staff type one."""

from django import forms
from django.conf import settings
from django.forms.models import fields_for_model
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from undersigned.actions.slugs import unique_slug
from undersigned.staff.markdown import markdown_field

from .models import Petition, PetitionText

TEXT_FIELDS = ["title", "summary", "body", "pledge_heading", "pledge", "thank_you"]
SHOWN_FIELDS = ["title", "summary", "body", "body_preview", "pledge_heading", "pledge", "thank_you"]
REQUIRED_TEXT = ["title", "summary", "pledge_heading", "pledge"]


def text_field(language: str, name: str) -> str:
    return f"{language}_{name}"


def language_text_fields() -> dict[str, forms.Field]:
    declared = {}
    for code, _name in settings.LANGUAGES:
        direction = "rtl" if get_language_info(code)["bidi"] else "ltr"
        for name, field in fields_for_model(PetitionText, fields=TEXT_FIELDS).items():
            field.required = False
            if name == "body":
                markdown_field(field)
            field.widget.attrs.update({"lang": code, "dir": direction})
            declared[text_field(code, name)] = field
    return declared


class PetitionTextsForm(forms.ModelForm):
    """Each language's group is either left empty or filled in (title, summary, opening and
    petition text); at least the original language's."""

    class Meta:
        model = Petition
        fields = [
            "slug",
            "organiser",
            "targets",
            "original_language",
            "opens_at",
            "closes_at",
            "goal",
            "double_opt_in",
            "require_challenge",
            "show_recent_signers",
            "retention_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:  # not for a role that only reads
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "The petition's address. Leave empty to make it from the title."
            )
        if self.instance.pk:
            for text in self.instance.texts.all():
                for name in TEXT_FIELDS:
                    self.initial[text_field(text.language, name)] = getattr(text, name)

    def texts(self) -> dict[str, dict]:
        """The typed texts by language ({} for a language left empty)."""
        typed = {}
        for code, _name in settings.LANGUAGES:
            values = {
                name: self.cleaned_data.get(text_field(code, name)) or "" for name in TEXT_FIELDS
            }
            typed[code] = values if any(value.strip() for value in values.values()) else {}
        return typed

    def clean(self):
        cleaned = super().clean()
        texts = self.texts()
        for code, values in texts.items():
            for name in REQUIRED_TEXT if values else []:
                if not values[name].strip():
                    self.add_error(
                        text_field(code, name),
                        _("Fill this in too, or leave this language's texts empty."),
                    )
        original = cleaned.get("original_language") or settings.LANGUAGE_CODE
        if not texts.get(original):
            self.add_error(
                text_field(original, "title"),
                _("Write the petition in its original language (at least its title)."),
            )
        if not cleaned.get("slug") and texts.get(original, {}).get("title"):
            cleaned["slug"] = unique_slug(
                texts[original]["title"], Petition, exclude_pk=self.instance.pk
            )
        return cleaned

    def save_texts(self, petition: Petition) -> None:
        for language, values in self.texts().items():
            if values:
                PetitionText.objects.update_or_create(
                    petition=petition, language=language, defaults=values
                )
            else:
                petition.texts.filter(language=language).delete()


PetitionAdminForm = type(
    "PetitionAdminForm", (PetitionTextsForm,), {**language_text_fields(), "__module__": __name__}
)


def text_fieldsets() -> list:
    """One fieldset per language, titled with the language's name in the reader's language
    and its own ("Arabic — العربية")."""
    return [
        (
            LanguageHeading(code),
            {
                "fields": [text_field(code, name) for name in SHOWN_FIELDS],
                "classes": [f"language-group language-{code}"],
            },
        )
        for code, _name in settings.LANGUAGES
    ]


class LanguageHeading:
    """A fieldset title worded when the page is rendered, in the reader's language."""

    def __init__(self, code: str):
        self.code = code

    def __str__(self) -> str:
        from django.utils.translation import gettext

        info = get_language_info(self.code)
        translated = gettext(info["name"])
        if translated == info["name_local"]:
            return translated
        return f"{translated} — {info['name_local']}"
