from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class LocalisedNameMixin(models.Model):
    """A name in the site's default language, with optional names in other languages."""

    name = models.CharField(_("name"), max_length=200)
    translated_names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        help_text=_('For example {"ar": "الأمم المتحدة"}. Leave empty when the name is the same.'),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # In the reader's language: admin choices and lists show "الأمم المتحدة" in Arabic.
        return self.name_in(get_language() or settings.LANGUAGE_CODE)

    def name_in(self, language: str) -> str:
        return self.translated_names.get(language) or self.name


class Organisation(LocalisedNameMixin):
    """An organisation that runs actions (an organiser)."""

    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    website = models.URLField(_("website"), blank=True)
    country = CountryField(_("country"), blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    require_second_factor = models.BooleanField(
        _("every member signs in with a second factor"),
        default=False,
        help_text=_(
            "Members whose role shows signers' data must always use one; tick this to ask it "
            "of every member."
        ),
    )
    required_languages = models.JSONField(
        _("languages every action must be written in"),
        default=list,
        blank=True,
        help_text=_("An action is not published until its texts exist in each of these."),
    )

    organisation_path = "pk"

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")


class Target(LocalisedNameMixin):
    """Who an action is addressed to: a person, a role or an institution."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ROLE = "role", _("Role")
        INSTITUTION = "institution", _("Institution")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
