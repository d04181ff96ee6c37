import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from undersigned.actions import cohosts
from undersigned.actions.cohosts import CoHosting
from undersigned.actions.models import Action, State
from undersigned.organisations.models import Organisation
from undersigned.protection.crypto import EncryptedEmailField, EncryptedTextField, email_digest


def normalise_name(name: str) -> str:
    """The form of an organisation's name used to spot duplicates: case, accents, spaces and
    punctuation do not count, so "Amnesty International" and "AmnestyInternational" match."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    kept = (c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return "".join(c for c in "".join(kept).casefold() if c.isalnum())


class LetterQuerySet(models.QuerySet):
    def public(self):
        return self.exclude(state=Letter.State.DRAFT)

    def originals(self):
        return self.filter(translation_of__isnull=True)


class Letter(Action):
    """A sign-on letter. Translations point at the original through `translation_of`; the
    signatories, networks, organiser, state and ordering belong to the original and are
    shared."""

    State = State

    class Ordering(models.TextChoices):
        ALPHABETICAL = "alphabetical", _("Alphabetical")
        STAFF = "staff", _("In the order staff set")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
        help_text=_("Leave empty for the original. A translation shares its signatories."),
    )
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    body = models.TextField(_("letter text"), help_text=_("Markdown."))
    targets = models.ManyToManyField(
        "organisations.Target", verbose_name=_("addressed to"), blank=True
    )
    place = models.CharField(_("place of the date line"), max_length=120, blank=True)
    dated = models.DateField(_("date of the date line"), null=True, blank=True)
    notes_to_editors = models.TextField(_("notes to editors"), blank=True, help_text=_("Markdown."))
    accepts_public_endorsements = models.BooleanField(
        _("accepts endorsements from the public form"), default=True
    )
    show_unconfirmed = models.BooleanField(
        _("list organisations added by staff before they confirm"),
        default=True,
        help_text=_(
            "Organisations that staff add or import are asked by email to confirm or withdraw. "
            "Until they answer they are listed as added by the organiser; untick to list them "
            "only once they confirm."
        ),
    )
    signatory_order = models.CharField(
        _("order of signatories"),
        max_length=20,
        choices=Ordering.choices,
        default=Ordering.ALPHABETICAL,
    )

    objects = LetterQuerySet.as_manager()

    card_template = "letters/_card.html"
    kind = "letter"
    organisation_path = "organiser"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sign-on letter")
        verbose_name_plural = _("sign-on letters")

    def __str__(self) -> str:
        """The original reads in the reader's language when translated into it (the back
        office's titles, breadcrumbs and choices); a translation is its own text."""
        language = translation.get_language()
        if self.pk and not self.translation_of_id and language != self.language:
            for version in self.translations.all():
                if version.language == language:
                    return version.title
        return self.title

    def save(self, *args, **kwargs):
        original = self.translation_of
        if original:  # a translation follows its original
            self.state = original.state
            self.closed_at = original.closed_at
            self.organiser_id = original.organiser_id
            self.accepts_public_endorsements = original.accepts_public_endorsements
        super().save(*args, **kwargs)
        if original is None:
            self.translations.update(
                organiser_id=self.organiser_id,
                accepts_public_endorsements=self.accepts_public_endorsements,
            )

    # The action interface (undersigned.actions.models.Action); a letter is its original.

    def title_in(self, language: str) -> str:
        return (self.version_in(language) or self.original).title

    def public_url(self, language: str) -> str:
        with translation.override(language):
            return (self.version_in(language) or self.original).get_absolute_url()

    def has_text_in(self, language: str) -> bool:
        """Written in `language`: the original or one of its translations, public or not."""
        original = self.original
        return (
            original.language == language
            or original.translations.filter(language=language).exists()
        )

    def counted_signatures(self) -> models.QuerySet:
        return Endorsement.objects.filter(letter=self.original).shown().order_by()

    def all_signatures(self) -> models.QuerySet:
        return Endorsement.objects.filter(letter=self.original).order_by()

    def card(self, language: str) -> "Letter":
        return self

    def forget_cached_pages(self) -> None:
        """Letter pages are not cached."""

    def state_changed(self, fields: dict) -> None:
        self.translations.update(**fields)
        from .pdf import schedule_render  # the PDF module needs these models

        schedule_render(self)

    def get_absolute_url(self) -> str:
        return reverse("letters:detail", kwargs={"slug": self.slug})

    @property
    def original(self) -> "Letter":
        return self.translation_of or self

    @property
    def accepts_endorsements(self) -> bool:
        return self.state == self.State.OPEN and self.accepts_public_endorsements

    def versions(self) -> models.QuerySet:
        """Every public version of this letter, this one included."""
        original = self.original
        return Letter.objects.public().filter(Q(pk=original.pk) | Q(translation_of=original))

    def other_versions(self) -> list["Letter"]:
        return [letter for letter in self.versions() if letter.pk != self.pk]

    def version_in(self, language: str) -> "Letter | None":
        return self.versions().filter(language=language).first()

    def networks(self) -> models.QuerySet:
        return self.original.network_set.all()

    def signatories(self) -> "EndorsementQuerySet":
        return Endorsement.objects.filter(letter=self.original).shown()

    def sort_timestamp(self) -> float:
        return self.created_at.timestamp()


class ReadyPdf(models.Model):
    """The last good PDF of a letter, rendered by a task whenever the letter or its list
    changes and kept in the private storage, so that any app server serves it at once."""

    letter = models.OneToOneField(
        Letter, on_delete=models.CASCADE, related_name="ready_pdf", verbose_name=_("letter")
    )
    version = models.CharField(max_length=200)
    file = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)
    rendered_at = models.DateTimeField(auto_now=True)

    organisation_path = "letter__organiser"

    class Meta:
        verbose_name = _("letter PDF")
        verbose_name_plural = _("letter PDFs")

    def __str__(self) -> str:
        return self.file


class Network(models.Model):
    """A footnote group of a letter, e.g. `*` = members of the Syria Relief Network."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, verbose_name=_("letter"))

    organisation_path = "letter__organiser"

    marker = models.CharField(_("marker"), max_length=4, help_text=_("For example * or †."))
    name = models.CharField(_("name"), max_length=200)
    text = models.TextField(_("footnote text"), max_length=1000, blank=True)
    translated_names = models.JSONField(
        _("names in other languages"), default=dict, blank=True, help_text=_('{"ar": "…"}')
    )
    translated_texts = models.JSONField(
        _("footnote texts in other languages"), default=dict, blank=True, help_text=_('{"ar": "…"}')
    )

    class Meta:
        ordering = ["marker"]
        verbose_name = _("network (footnote)")
        verbose_name_plural = _("networks (footnotes)")
        constraints = [
            models.UniqueConstraint(fields=["letter", "marker"], name="letters_network_marker"),
        ]

    def __str__(self) -> str:
        return f"{self.marker} {self.name}"

    def name_in(self, language: str) -> str:
        return self.translated_names.get(language) or self.name

    def text_in(self, language: str) -> str:
        return self.translated_texts.get(language) or self.text


class PressContact(models.Model):
    letter = models.ForeignKey(
        Letter, on_delete=models.CASCADE, related_name="press_contacts", verbose_name=_("letter")
    )
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=120, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    translated_roles = models.JSONField(
        _("role in other languages"), default=dict, blank=True, editable=False
    )
    translated_organisations = models.JSONField(
        _("organisation in other languages"), default=dict, blank=True, editable=False
    )

    organisation_path = "letter__organiser"

    class Meta:
        ordering = ["pk"]
        verbose_name = _("press contact")
        verbose_name_plural = _("press contacts")

    def __str__(self) -> str:
        return self.name

    def role_in(self, language: str) -> str:
        return self.translated_roles.get(language) or self.role

    def organisation_in(self, language: str) -> str:
        return self.translated_organisations.get(language) or self.organisation


class EndorsementQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Endorsement.Status.APPROVED)

    def shown(self):
        """Approved, and consented to, unless their letter lists unconfirmed ones too: what
        the public list, its PDF and the hand-over package name."""
        consented = Q(consent__in=Endorsement.CONSENTED) | Q(letter__show_unconfirmed=True)
        return self.approved().filter(consented)

    def listed(self):
        """Still counted as the organisation's endorsement (not rejected, not merged)."""
        return self.exclude(status__in=[Endorsement.Status.REJECTED, Endorsement.Status.MERGED])

    def numbered(self, letter: Letter):
        """The approved signatories in published order, each with its `number` in the full list;
        filter the result in Python so that a filtered list keeps the numbers of the whole."""
        order = ["position", "normalised_name", "pk"]
        if letter.original.signatory_order == Letter.Ordering.ALPHABETICAL:
            order = order[1:]
        return (
            self.filter(letter=letter.original)
            .shown()
            .annotate(number=Window(RowNumber(), order_by=[F(field).asc() for field in order]))
            .order_by(*order)
            .prefetch_related("networks")
        )

    def same_organisation(self, letter: Letter, name: str, country: str):
        """Endorsements that would duplicate this one: same normalised name, and the same
        country or none known (imported lists often have no country)."""
        same_country = Q(country=country) | Q(country="") if country else Q()
        return (
            self.filter(letter=letter.original, normalised_name=normalise_name(name))
            .filter(same_country)
            .listed()
        )

    def with_contact_email(self, address: str):
        """Endorsements whose contact has this address (compared by keyed digest: the stored
        address is encrypted and cannot be searched)."""
        return self.filter(contact_email_digest=email_digest(address))

    def totals(self) -> dict:
        return self.aggregate(
            organisations=Count("pk"),
            countries=Count("country", distinct=True, filter=~Q(country="")),
        )


class Endorsement(models.Model):
    """An organisation's signature on a letter. The contact is never shown publicly."""

    class Status(models.TextChoices):
        PENDING_EMAIL = "pending_email", _("Waiting for email confirmation")
        PENDING_REVIEW = "pending_review", _("Waiting for staff review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Merged into another endorsement")
        WITHDRAWN = "withdrawn", _("Withdrawn by the organisation")

    class Consent(models.TextChoices):
        OWN = "own", _("Endorsed through the public form")
        NOT_ASKED = "not_asked", _("Added by the organiser; no contact to ask")
        ASKED = "asked", _("Added by the organiser; asked to confirm")
        CONFIRMED = "confirmed", _("Confirmed by the organisation")

    CONSENTED = [Consent.OWN, Consent.CONFIRMED]

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, verbose_name=_("letter"))
    name = models.CharField(_("organisation name"), max_length=200)
    normalised_name = models.CharField(max_length=200, editable=False, db_index=True)
    country = CountryField(_("country"), blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    networks = models.ManyToManyField(Network, blank=True, verbose_name=_("networks"))
    # The contact is private: encrypted at rest, found by the keyed digest of the email.
    contact_name = EncryptedTextField(_("contact name"), max_length=120, blank=True)
    contact_email = EncryptedEmailField(_("contact email"), max_length=254, blank=True)
    contact_email_digest = models.CharField(
        max_length=64, blank=True, editable=False, db_index=True
    )
    authorised = models.BooleanField(_("signer is authorised to sign"), default=False)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING_EMAIL
    )
    consent = models.CharField(
        _("consent"), max_length=12, choices=Consent.choices, default=Consent.OWN
    )
    consent_asked_at = models.DateTimeField(_("asked to confirm at"), null=True, blank=True)
    consent_answered_at = models.DateTimeField(
        _("confirmed or withdrawn at"), null=True, blank=True
    )
    contact_erased_at = models.DateTimeField(_("contact erased at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), max_length=1000, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    position = models.PositiveIntegerField(
        _("position"),
        default=0,
        help_text=_("Used when the letter lists signatories in staff order."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(
        _("confirmation email sent at"), null=True, blank=True
    )
    confirmed_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    ip_hash = models.CharField(
        _("address hash"),
        max_length=32,
        blank=True,
        editable=False,
        help_text=_("A daily-keyed hash of the address the form was sent from, for abuse review."),
    )
    source = models.CharField(_("source"), max_length=64, blank=True, editable=False)
    # The co-host whose link the contact came through and who they asked for updates from
    # (docs/partners.md, "Co-hosted actions"); empty when they did not tick its line.
    cohost = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the partial index below: most endorsements come through no co-host
        editable=False,
        verbose_name=_("updates from co-host"),
    )
    cohost_consent_text = models.TextField(_("co-host consent text"), blank=True, editable=False)
    cohost_consent_version = models.CharField(
        _("co-host consent version"), max_length=40, blank=True, editable=False
    )

    objects = EndorsementQuerySet.as_manager()

    organisation_path = "letter__organiser"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        permissions = [("export_contacts", _("Can export endorsement contacts"))]
        indexes = [
            models.Index(fields=["letter", "status"], name="letters_endorsement_status"),
            # the partners' incremental pulls (api/private.py)
            models.Index(fields=["letter", "updated_at", "id"], name="endorsement_feed"),
            models.Index(
                fields=["cohost", "letter"],
                condition=Q(cohost__isnull=False),
                name="endorsement_by_cohost",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "normalised_name", "country"],
                condition=~Q(status__in=["rejected", "merged"]),
                name="letters_endorsement_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.normalised_name = normalise_name(self.name)
        self.contact_email_digest = email_digest(self.contact_email) if self.contact_email else ""
        super().save(*args, **kwargs)

    def markers(self) -> str:
        return "".join(network.marker for network in self.networks.all())

    # Shared with a co-host (read only, staff.access): the contacts who opted in to it, once
    # they confirmed their address, unless staff rejected the endorsement.
    @staticmethod
    def shared_with(organisation_ids) -> Q:
        opted_in = cohosts.opted_in_to(CoHost, "letter", "contact_erased_at", organisation_ids)
        return opted_in & Q(confirmed_at__isnull=False) & ~Q(status=Endorsement.Status.REJECTED)

    def shared_organisation(self) -> int | None:
        if self.cohost_id is None or self.confirmed_at is None:
            return None
        if self.status == self.Status.REJECTED:
            return None
        if self.contact_erased_at is None and not cohosts.is_still_cohost(
            CoHost, self.letter_id, self.cohost_id
        ):
            return None
        return self.cohost_id

    def partners(self) -> list[int]:
        """The organisations told of this endorsement's events: the organiser, and the
        co-host its contact opted in to while it still co-hosts the letter."""
        shared = self.shared_organisation()
        return [self.letter.original.organiser_id, *([shared] if shared else [])]

    @property
    def awaits_consent(self) -> bool:
        """Added by the organiser and not (yet) confirmed by the organisation itself."""
        return self.consent in (self.Consent.ASKED, self.Consent.NOT_ASKED)

    @property
    def confirmed_by_organisation(self) -> bool:
        return self.consent == self.Consent.CONFIRMED


def meaningful_country_total(signatories) -> int:
    """How many countries the signatories come from, or 0 when most have no country: "from
    4 countries" would make a coalition of 45 countries look like 4."""
    known = [signatory.country.code for signatory in signatories if signatory.country]
    return len(set(known)) if len(known) * 2 > len(signatories) else 0


def public_letters(language: str) -> list[Letter]:
    """The home page's letters: one version of each public letter, in `language` when it
    exists, each with its `signed` count (see pages/actions.py)."""
    letters = list(Letter.objects.public().order_by("pk"))
    chosen: dict[int, Letter] = {}
    for letter in letters:
        group = letter.translation_of_id or letter.pk
        if group not in chosen or letter.language == language:
            chosen[group] = letter
    counts = dict(
        Endorsement.objects.shown()
        .filter(letter_id__in=chosen)
        .values_list("letter_id")
        .annotate(n=Count("pk"))
    )
    for group, letter in chosen.items():
        letter.signed = counts.get(group, 0)
    return list(chosen.values())


class CoHost(CoHosting):
    """A partner organisation promoting a letter (its original: translations share it)
    with its own link (`?source=<code>`), its name on the page and its own opt-in line for
    the contacts who came through it."""

    letter = models.ForeignKey(
        Letter,
        on_delete=models.CASCADE,
        related_name="cohosts",
        limit_choices_to={"translation_of__isnull": True},
        verbose_name=_("letter"),
    )

    action_field = "letter"
    organisation_path = "letter__organiser"

    class Meta(CoHosting.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "organisation"], name="one_letter_cohosting_per_organisation"
            ),
            models.UniqueConstraint(fields=["letter", "code"], name="one_letter_cohost_per_code"),
        ]


class EndorsementToReview(Endorsement):
    """The moderation queue: endorsements whose email is confirmed, waiting for staff."""

    class Meta:
        proxy = True
        verbose_name = _("endorsement to verify")
        verbose_name_plural = _("endorsements to verify")
