import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

ANY_SITE = "*"
ORIGIN = re.compile(
    r"^https?://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$"
)
MAX_EMBED_ORIGINS = 20


def embed_origin_lines(text: str) -> list[str]:
    return [line.strip().rstrip("/").lower() for line in (text or "").splitlines() if line.strip()]


def validate_embed_origins(text: str) -> None:
    lines = embed_origin_lines(text)
    if len(lines) > MAX_EMBED_ORIGINS:
        raise ValidationError(
            _("At most %(count)s sites, one a line."), params={"count": MAX_EMBED_ORIGINS}
        )
    wrong = [line for line in lines if line != ANY_SITE and not ORIGIN.match(line)]
    if wrong:
        raise ValidationError(
            _("Not a site address (like https://example.org): %(lines)s"),
            params={"lines": ", ".join(wrong)[:300]},
        )


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
    embed_origins = models.TextField(
        _("sites that may embed our actions"),
        max_length=2000,
        blank=True,
        validators=[validate_embed_origins],
        help_text=_(
            "One site a line, like https://example.org (scheme, host and port, no path). "
            "* lets any site embed them. Leave empty to allow none."
        ),
    )

    organisation_path = "pk"

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def frame_ancestors(self) -> str:
        """The CSP `frame-ancestors` sources of this organisation's embed pages."""
        origins = embed_origin_lines(self.embed_origins)
        if ANY_SITE in origins:
            return "*"
        return " ".join(origins) or "'none'"


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
