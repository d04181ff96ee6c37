"""Back-office forms that edit a model's texts in other languages as one plain field per
language ("name in Arabic"), instead of a JSON object nobody should have to type.

The texts stay stored as they were: a JSON object per model field, `{"ar": "…"}`, read by
the model's `name_in(language)` and friends.
"""

from django import forms
from django.conf import settings
from django.db import models
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import get_language_info, gettext


def other_languages() -> list[str]:
    """The languages a text may be translated into: all but the site's default."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def language_name(code: str) -> str:
    """The language's name in the reader's language ("Arabic", "العربية")."""
    return gettext(get_language_info(code)["name"])


def _in_language(label, code: str) -> str:
    return gettext("%(field)s in %(language)s") % {
        "field": str(label)[:1].upper() + str(label)[1:],
        "language": language_name(code),
    }


in_language = lazy(_in_language, str)


def field_name(stored: str, code: str) -> str:
    return f"{stored}__{code}"


class LanguageFieldsForm(forms.ModelForm):
    """Fills the per-language fields from the stored JSON and writes them back. Made by
    `language_fields_form`, which declares the fields."""

    translated: dict[str, str] = {}  # stored JSON field -> the field it translates

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for stored, source in self.translated.items():
            if source in self.fields:
                label = self._meta.model._meta.get_field(source).verbose_name
                self.fields[source].label = in_language(label, settings.LANGUAGE_CODE)
                self.fields[source].widget.attrs["dir"] = "auto"
            values = getattr(self.instance, stored, None) or {}
            for code in other_languages():
                self.initial.setdefault(field_name(stored, code), values.get(code, ""))

    def clean(self):
        cleaned = super().clean()
        for stored in self.translated:
            values = dict(getattr(self.instance, stored, None) or {})
            for code in other_languages():
                text = (cleaned.get(field_name(stored, code)) or "").strip()
                if text:
                    values[code] = text
                else:
                    values.pop(code, None)
            setattr(self.instance, stored, values)
        return cleaned


def language_fields(model, translated: dict[str, str]) -> dict[str, forms.Field]:
    declared = {}
    for stored, source in translated.items():
        field = model._meta.get_field(source)
        long = isinstance(field, models.TextField)
        for code in other_languages():
            direction = "rtl" if get_language_info(code)["bidi"] else "ltr"
            attrs = {"lang": code, "dir": direction}
            if long:
                widget = forms.Textarea(attrs={**attrs, "rows": 3})
            else:  # as wide as the admin makes the field it translates
                widget = forms.TextInput({**attrs, "class": "vTextField"})
            declared[field_name(stored, code)] = forms.CharField(
                label=in_language(field.verbose_name, code),
                max_length=field.max_length,
                required=False,
                widget=widget,
            )
    return declared


def language_fields_form(model, translated: dict[str, str], base=LanguageFieldsForm):
    """A ModelForm for `model` whose JSON fields named in `translated` (each mapped to the
    field it translates) are edited as one field per other language, named
    `<json field>__<language>`, and labelled "Name in Arabic"."""
    declared = language_fields(model, translated)
    labels = {name: field.label for name, field in declared.items()}
    for source in translated.values():  # read-only pages take their labels from here
        labels[source] = in_language(
            model._meta.get_field(source).verbose_name, settings.LANGUAGE_CODE
        )
    meta = {"model": model, "exclude": list(translated), "labels": labels}
    attrs = {**declared, "translated": translated, "Meta": type("Meta", (), meta)}
    return type(f"{model.__name__}LanguagesForm", (base,), attrs)


EMPTY = "—"


def _shown(stored: str, code: str):
    def value_in_language(obj):
        text = (getattr(obj, stored, None) or {}).get(code)
        return format_html('<span lang="{}" dir="auto">{}</span>', code, text) if text else EMPTY

    return value_in_language


class LanguageFieldsAdmin:
    """Mix into a model admin or inline whose `form` is made by `language_fields_form`.

    Staff who may only view get the fields read-only, and Django then looks each field up
    on the admin or the model, where `translated_names__ar` does not exist ("None"): the
    admin answers for it with the text in that language, or a dash."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for stored in getattr(self.form, "translated", {}):
            for code in other_languages():
                setattr(self, field_name(stored, code), _shown(stored, code))


def fields_with_languages(fields: list[str], translated: dict[str, str]) -> list[str]:
    """An admin's `fields`, each translated field followed by its other languages."""
    after = {source: stored for stored, source in translated.items()}
    result = []
    for name in fields:
        if name in translated:
            continue
        result.append(name)
        if name in after:
            result += [field_name(after[name], code) for code in other_languages()]
    return result
