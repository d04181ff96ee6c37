import functools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connections, models, transaction
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat, TruncDay
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from undersigned.actions import cohosts
from undersigned.actions.cohosts import CoHosting
from undersigned.actions.models import Action, State
from undersigned.emails.addresses import email_domain_label
from undersigned.organisations.models import Organisation, Target
from undersigned.protection.crypto import EncryptedEmailField, EncryptedTextField
from undersigned.workers import events

from .goals import next_goal
from .photos import AbstractPhoto

COUNT_SHARDS = 16
COUNT_CACHE_SECONDS = 2


class Visibility(models.TextChoices):
    """How far a signer's name may go (docs/petitions.md, "Who sees a name")."""

    PUBLIC = "public", _("Public")
    TARGET = "target", _("To the target only")
    COUNT = "count", _("Counted only")


class PetitionQuerySet(models.QuerySet):
    def public(self):
        return self.exclude(state=State.DRAFT).filter(opens_at__lte=timezone.now())

    def open(self):
        now = timezone.now()
        return self.filter(state=State.OPEN, opens_at__lte=now).filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=now)
        )

    def public_cards(self, language: str) -> list["PetitionCard"]:
        """The public petitions as home-page cards in one language (see pages.actions)."""
        petitions = self.public().select_related("organiser").prefetch_related("texts")
        return [petition.card(language) for petition in petitions]


class Petition(Action):
    """A petition: one action with one count, written in one or more languages."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    targets = models.ManyToManyField(Target, related_name="petitions", verbose_name=_("targets"))
    original_language = models.CharField(
        _("original language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    goal = models.PositiveIntegerField(
        _("first goal"),
        default=1000,
        help_text=_("Once reached, the goal shown steps up by itself (1,000 → 2,000 → 5,000 …)."),
    )
    opens_at = models.DateTimeField(_("opens at"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    double_opt_in = models.BooleanField(
        _("ask signers to confirm by email"),
        default=True,
        help_text=_("A signature counts once its email address is confirmed."),
    )
    require_challenge = models.BooleanField(
        _("ask browsers for a proof of work"),
        default=False,
        help_text=_(
            "Switch on under a bot attack: the signer's browser solves a small puzzle (about a "
            "second). Signers without JavaScript are asked to confirm by email instead."
        ),
    )
    default_visibility = models.CharField(
        _("signers' default visibility"),
        max_length=8,
        choices=Visibility.choices,
        default=Visibility.TARGET,
        help_text=_("The choice already ticked on the signing form; each signer may change it."),
    )
    show_recent_signers = models.BooleanField(
        _("show the latest signers"),
        default=False,
        help_text=_("First name, initial and country only, of signers who chose to be public."),
    )
    messages_enabled = models.BooleanField(
        _("let signers add a message of support"),
        default=False,
        help_text=_(
            "A short message on the signing form. Staff approve each one before it is shown, "
            "with the first name and country only, and only for signers who chose a public name."
        ),
    )
    retention_days = models.PositiveIntegerField(
        _("keep signer data for (days after closing)"),
        null=True,
        blank=True,
        help_text=_(
            "Signers' names and email addresses are erased this many days after the petition "
            "closes; the count and country totals stay. Leave empty for the site's default."
        ),
    )
    signer_data_erased_at = models.DateTimeField(
        _("signer data erased at"), null=True, blank=True, editable=False
    )

    objects = PetitionQuerySet.as_manager()

    kind = "petition"
    organisation_path = "organiser"

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")

    def __str__(self) -> str:
        # In the reader's language: the back office's titles, breadcrumbs and choices.
        return self.title_in(translation.get_language() or self.original_language)

    def get_absolute_url(self) -> str:
        return reverse("petitions:detail", args=[self.slug])

    # Texts and translations

    def text_in(self, language: str) -> "PetitionText | None":
        """The text in `language`, else in the original language, else any."""
        texts = {text.language: text for text in self.texts.all()}
        return (
            texts.get(language)
            or texts.get(self.original_language)
            or next(iter(texts.values()), None)
        )

    # The action interface (undersigned.actions.models.Action)

    def title_in(self, language: str) -> str:
        text = self.text_in(language)
        return text.title if text else self.slug

    def has_text_in(self, language: str) -> bool:
        return any(text.language == language for text in self.texts.all())

    def public_url(self, language: str) -> str:
        with translation.override(language):
            return self.get_absolute_url()

    def counted_signatures(self) -> models.QuerySet:
        return self.signatures.filter(status=Signature.Status.CONFIRMED).order_by()

    def all_signatures(self) -> models.QuerySet:
        return self.signatures.order_by()

    def opened_at(self) -> datetime | None:
        return self.opens_at

    def card(self, language: str) -> "PetitionCard":
        return PetitionCard(self, self.text_in(language))

    def forget_cached_pages(self) -> None:
        from .pagecache import forget

        forget(self.slug)

    def lifecycle_fields(self, state: str, now: datetime) -> dict:
        if state != State.OPEN:
            return {}
        # Open again: new signers' data will need erasing in its turn, and a closing date
        # already past would close it again at once.
        fields = {"signer_data_erased_at": None}
        if self.closes_at and self.closes_at <= now:
            fields["closes_at"] = None
        return fields

    @classmethod
    def due_to_close(cls) -> models.QuerySet:
        return cls.objects.filter(state=State.OPEN, closes_at__lte=timezone.now())

    # State

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        return (
            self.state == State.OPEN
            and self.opens_at <= now
            and (self.closes_at is None or now < self.closes_at)
        )

    @property
    def public_state(self) -> str:
        """What visitors see: an open petition past its closing date is closed."""
        if self.state == State.OPEN and not self.is_open:
            return State.CLOSED
        return self.state

    # Retention of signers' data

    @property
    def retention(self) -> int:
        """Days signer data is kept after closing: this petition's own, else the site's."""
        return settings.RETENTION_DAYS if self.retention_days is None else self.retention_days

    def retention_starts_at(self) -> datetime | None:
        """When the petition closed, or will close by its closing date (None while it is a
        draft, or open with no closing date)."""
        if self.state == State.DRAFT:
            return None
        moments = [self.closes_at] if self.closes_at else []
        if self.state in (State.CLOSED, State.DELIVERED) and self.closed_at:
            moments.append(self.closed_at)
        return min(moments, default=None)

    def signer_data_erase_at(self) -> datetime | None:
        """When signers' names and emails are (or were) due for erasure."""
        start = self.retention_starts_at()
        return start + timedelta(days=self.retention) if start else None

    def signer_data_expired(self, now: datetime | None = None) -> bool:
        """Due for erasure (an open petition never is: its due date follows its closing)."""
        due = self.signer_data_erase_at()
        return due is not None and due <= (now or timezone.now())

    # Count: per-shard rows, so thousands of concurrent signers do not queue on one row lock.

    def signature_count(self) -> int:
        key = f"petition:{self.pk}:count"
        count = cache.get(key)
        if count is None:
            count = self.shards.aggregate(total=Sum("count"))["total"] or 0
            cache.set(key, count, COUNT_CACHE_SECONDS)
        return count

    def add_to_count(self, amount: int = 1) -> None:
        shard = random.randrange(COUNT_SHARDS)  # spreads load; not security
        updated = self.shards.filter(shard=shard).update(count=F("count") + amount)
        if not updated:
            try:
                with transaction.atomic():
                    self.shards.create(shard=shard, count=amount)
            except IntegrityError:  # another signer created it first
                self.shards.filter(shard=shard).update(count=F("count") + amount)

    def forget_cached_count(self) -> None:
        """After a change staff made to the count: show it now, not in two seconds."""
        cache.delete(f"petition:{self.pk}:count")

    def recount(self) -> int:
        """Rebuild the count from the signatures themselves (a full scan: staff use only),
        and have the daily roll-ups made afresh by the next roll-up."""
        with transaction.atomic():
            total = self.signatures.filter(status=Signature.Status.CONFIRMED).count()
            self.shards.all().delete()
            self.shards.create(shard=0, count=total)
            TallyMark.objects.filter(petition=self).delete()
            self.tallies.all().delete()
            self.stale_days.all().delete()
            TallyConfirmation.objects.filter(petition=self).delete()
        cache.delete(f"petition:{self.pk}:count")
        return total

    def current_goal(self, count: int) -> int:
        return next_goal(self.goal, count)


class PetitionText(models.Model):
    """A petition's words in one language."""

    organisation_path = "petition__organiser"

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One or two sentences, for listings and share cards."),
    )
    body = models.TextField(_("body"), max_length=50_000, blank=True, help_text=_("Markdown."))
    pledge_heading = models.CharField(
        _("addressed to"),
        max_length=300,
        help_text=_("The opening of the petition text, e.g. “To the UN Secretary-General,”."),
    )
    pledge = models.TextField(
        _("petition text"), max_length=5000, help_text=_("What a signer pledges.")
    )
    thank_you = models.TextField(
        _("thank-you message"), max_length=2000, blank=True, help_text=_("Shown on the share step.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "language"], name="one_text_per_language")
        ]
        verbose_name = _("text in one language")
        verbose_name_plural = _("texts and translations")

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class OrderedPerLanguage(models.Model):
    organisation_path = "petition__organiser"

    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["language", "position", "id"]


class Demand(OrderedPerLanguage):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="demands")
    heading = models.CharField(_("heading"), max_length=200)
    text = models.TextField(_("text"), max_length=3000)

    class Meta(OrderedPerLanguage.Meta):
        verbose_name = _("demand")
        verbose_name_plural = _("demands")

    def __str__(self) -> str:
        return self.heading


class KeyFact(OrderedPerLanguage):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="key_facts")
    figure = models.CharField(_("figure"), max_length=40, help_text=_("e.g. 112,000"))
    label = models.CharField(_("label"), max_length=200, help_text=_("e.g. people still missing"))

    class Meta(OrderedPerLanguage.Meta):
        verbose_name = _("key fact")
        verbose_name_plural = _("key facts")

    def __str__(self) -> str:
        return f"{self.figure} {self.label}"


class Photo(AbstractPhoto):
    organisation_path = "petition__organiser"

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to="petitions/photos/original/")

    class Meta(AbstractPhoto.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class CountShard(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="shards")
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "shard"], name="one_row_per_shard")
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}/{self.shard}: {self.count}"


def last_change():
    """When a signature last changed for a partner's feed: its erasure, else its
    confirmation. The API orders and filters by this, and an index holds it."""
    return Coalesce("erased_at", "confirmed_at")


class SignatureQuerySet(models.QuerySet):
    def insert(self, signature: "Signature") -> bool:
        """Save a new signature in one INSERT that reads nothing back (its pk stays None),
        and only while its petition is open: False, and nothing saved, once a close has
        committed (whatever a cached copy of the petition says).

        The signing path's only statement. Model.save compiles its SQL anew each time, a
        fifth of a signature's Python time under load; this statement is built once per
        process, with the values each field prepares as save() would. No model signals are
        sent (none listen to signatures)."""
        signature.fill_derived_fields()
        connection = connections[self.db]
        statement, fields = insert_statement(self.model, self.db)
        values = [f.get_db_prep_save(f.pre_save(signature, True), connection) for f in fields]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(statement, [*values, signature.petition_id, State.OPEN.value, now, now])
            return cursor.rowcount == 1

    def held(self):
        """Signatures that still hold personal data (not erased)."""
        return self.filter(erased_at__isnull=True)

    def named(self):
        """Signatures whose name may go to the target (public or target only)."""
        return self.exclude(visibility=Visibility.COUNT)

    def listed_publicly(self):
        """Signatures whose first name, initial and country may appear on a public page."""
        return self.filter(visibility=Visibility.PUBLIC)

    def erase(self) -> int:
        """Erase the personal data of these signatures in one UPDATE (see Signature.erase);
        already erased rows are left alone, so two workers erasing at once do it once.
        Their messages of support are deleted (a page showing one is dropped from the cache)."""
        from .tallies import days_changed

        days_changed(self.held())  # the hour and the source of each change
        SupportMessage.objects.filter(signature__in=self.held()).delete_and_forget()
        return self.held().update(
            name="",
            email="",
            email_digest=Concat(Value(ERASED_PREFIX), Cast("pk", models.CharField())),
            email_domain="",
            ip_hash="",
            source="",
            opt_in=False,
            consent_text="",
            consent_version="",
            # the co-host keeps a tombstone (it must delete what it holds), not the consent
            cohost_consent_text="",
            cohost_consent_version="",
            duplicate_notice_at=None,
            created_at=TruncDay("created_at"),
            confirmed_at=TruncDay("confirmed_at"),
            erased_at=timezone.now(),
        )


ERASED_PREFIX = "erased:"


@functools.cache
def insert_statement(model, using: str) -> tuple[str, list]:
    """The INSERT of every column but the primary key, and those fields, in order; it
    inserts nothing unless the petition is open (its state, opening and closing dates)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = quote(model._meta.db_table)
    petitions = quote(Petition._meta.db_table)
    # only quoted names from the models' own definitions: the values are always parameters
    statement = (
        f"INSERT INTO {table} ({columns}) SELECT {marks} WHERE EXISTS ("  # noqa: S608
        f"SELECT 1 FROM {petitions} WHERE {quote('id')} = %s AND {quote('state')} = %s "
        f"AND {quote('opens_at')} <= %s "
        f"AND ({quote('closes_at')} IS NULL OR {quote('closes_at')} > %s))"
    )
    return statement, fields


class CountryCodeField(CountryField):
    """Saves the stored code as it is: CountryField's own pre_save builds a Country and
    looks it up in the localised country table on every insert, the signing path's
    costliest step after the database itself."""

    def pre_save(self, model_instance, add):
        return self.get_prep_value(model_instance.__dict__[self.attname])


class Signature(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for email confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        INVALIDATED = "invalidated", _("Invalidated by staff")

    # Not indexed alone: every index below starts with the petition (one less index to
    # update on each signature).
    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="signatures", db_index=False
    )
    name = models.CharField(_("full name"), max_length=120)
    email = EncryptedEmailField(_("email"))  # encrypted at rest; compare by email_digest
    email_digest = models.CharField(max_length=64, editable=False)
    # "gmail.com" for big shared providers, else a keyed digest: see emails.addresses.
    email_domain = models.CharField(max_length=64, blank=True, editable=False)
    ip_hash = models.CharField(max_length=32, blank=True, editable=False)
    country = CountryCodeField(_("country"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    # Counted-only signatures keep no name at all: only what confirming and erasing need.
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.TARGET
    )
    opt_in = models.BooleanField(_("wants updates by email"), default=False)
    consent_text = models.TextField(_("consent text"), blank=True)
    consent_version = models.CharField(_("consent version"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=64, blank=True)
    # The co-host whose link the signer came through and who they asked for updates from
    # (docs/partners.md, "Co-hosted actions"); empty when they did not tick its line.
    cohost = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the partial index below: most signers come through no co-host
        verbose_name=_("updates from co-host"),
    )
    cohost_consent_text = models.TextField(_("co-host consent text"), blank=True)
    cohost_consent_version = models.CharField(
        _("co-host consent version"), max_length=40, blank=True
    )
    created_at = models.DateTimeField(_("signed at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    duplicate_notice_at = models.DateTimeField(null=True, blank=True, editable=False)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    # Its first email (confirmation or thanks) is still to be queued: see outbox.py.
    email_due = models.BooleanField(default=False, editable=False)
    # When the confirmation email last went again (the one reminder, or a signer's request).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SignatureQuerySet.as_manager()

    organisation_path = "petition__organiser"

    class Meta:
        constraints = [
            # digest first: it also finds an address's signatures on every petition
            models.UniqueConstraint(
                fields=["email_digest", "petition"], name="one_signature_per_email"
            )
        ]
        indexes = [
            models.Index(fields=["petition", "status", "created_at"], name="signature_progress"),
            models.Index(fields=["status", "created_at"], name="signature_pending_age"),
            # the staff's abuse review: one client, one email domain, one source in a window
            models.Index(fields=["petition", "ip_hash", "created_at"], name="signature_by_ip"),
            models.Index(
                fields=["petition", "email_domain", "created_at"], name="signature_by_domain"
            ),
            models.Index(fields=["petition", "source", "created_at"], name="signature_by_source"),
            models.Index(
                fields=["cohost", "petition"],
                condition=Q(cohost__isnull=False),
                name="signature_by_cohost",
            ),
            # small: only the rows the outbox has not drained yet
            models.Index(fields=["id"], condition=Q(email_due=True), name="signature_email_due"),
            # the partners' incremental pulls (api/private.py): by petition, by last change
            models.Index(F("petition"), last_change(), F("id"), name="signature_feed"),
        ]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_country_display()})"

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        super().save(*args, **kwargs)

    # Shared with a co-host (read only, staff.access): the signers who opted in to it,
    # never those who chose to be counted only.
    @staticmethod
    def shared_with(organisation_ids) -> Q:
        opted_in = cohosts.opted_in_to(CoHost, "petition", "erased_at", organisation_ids)
        return opted_in & ~Q(visibility=Visibility.COUNT)

    def shared_organisation(self) -> int | None:
        if self.visibility == Visibility.COUNT or self.cohost_id is None:
            return None
        if self.erased_at is None and not cohosts.is_still_cohost(
            CoHost, self.petition_id, self.cohost_id
        ):
            return None
        return self.cohost_id

    def partners(self) -> list[int]:
        """The organisations told of this signature's events: the organiser, and the
        co-host the signer opted in to while it still co-hosts the petition."""
        shared = self.shared_organisation()
        return [self.petition.organiser_id, *([shared] if shared else [])]

    def fill_derived_fields(self) -> None:
        if self.email and not self.email_domain and self.erased_at is None:
            self.email_domain = email_domain_label(self.email)

    def erase(self) -> bool:
        """Keep the signature counted (status, country, language and the day it was signed
        stay) but holding no personal data: name, email, IP hash, source and consent go, the
        email digest becomes "erased:<pk>" (still unique, linked to no one) and opt-in is
        off. True when this call erased it; erasing twice is harmless."""
        erased = bool(Signature.objects.filter(pk=self.pk).erase())
        self.refresh_from_db()
        return erased

    @property
    def public_name(self) -> str:
        """First name and initial: all a public list may show."""
        parts = self.name.split()
        if len(parts) < 2:
            return parts[0] if parts else ""
        return f"{parts[0]} {parts[-1][0]}."

    def confirm(self) -> bool:
        from . import tallies

        """Count this signature once; True only the first time (safe against double clicks).

        A confirmation that comes after the petition closed still counts, until the
        petition is delivered: the count handed over is final (docs/petitions.md)."""
        with transaction.atomic():
            confirmed = (
                Signature.objects.filter(pk=self.pk, status=self.Status.PENDING)
                .exclude(petition__state=State.DELIVERED)
                .update(status=self.Status.CONFIRMED, confirmed_at=timezone.now())
            )
            if confirmed:
                self.petition.add_to_count()
                for organisation_id in self.partners():
                    events.emit("signature.confirmed", organisation_id, signature=self.pk)
                tallies.confirmed(self)
        return bool(confirmed)

    def claim_resend(self, every: timedelta) -> bool:
        """True if this pending signature's confirmation email may go again now (its first
        email has had `every` to arrive, and none went again since): the caller sends it.
        Never for one past its confirmation window: its link would no longer count it."""
        now = timezone.now()
        expired = now - timedelta(days=settings.CONFIRMATION_DAYS)
        claimed = (
            Signature.objects.filter(pk=self.pk, status=self.Status.PENDING, email_due=False)
            .held()
            .filter(created_at__lte=now - every, created_at__gt=expired)
            .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=now - every))
            .update(reminded_at=now)
        )
        return bool(claimed)

    def claim_duplicate_notice(self) -> bool:
        """True at most once a day per address and petition: the caller may send the notice."""
        now = timezone.now()
        claimed = (
            Signature.objects.filter(pk=self.pk)
            .filter(
                Q(duplicate_notice_at__isnull=True)
                | Q(duplicate_notice_at__lt=now - timezone.timedelta(days=1))
            )
            .update(duplicate_notice_at=now)
        )
        return bool(claimed)


MESSAGE_MAX_LENGTH = 500
MESSAGES_SHOWN = 10


class SupportMessageQuerySet(models.QuerySet):
    def shown_publicly(self):
        """Approved messages of confirmed signers who chose a public name and still hold
        their data: the only ones a public page may show."""
        return self.filter(
            status=SupportMessage.Status.APPROVED,
            signature__status=Signature.Status.CONFIRMED,
            signature__visibility=Visibility.PUBLIC,
            signature__erased_at__isnull=True,
        )

    def for_hand_over(self):
        """Approved messages of confirmed signers: the booklet for the targets."""
        return self.filter(
            status=SupportMessage.Status.APPROVED,
            signature__status=Signature.Status.CONFIRMED,
            signature__erased_at__isnull=True,
        )

    def delete_and_forget(self) -> int:
        """Delete these messages and drop the cached pages that showed an approved one."""
        slugs = set(
            self.filter(status=SupportMessage.Status.APPROVED).values_list(
                "petition__slug", flat=True
            )
        )
        deleted, _rows = self.delete()
        for slug in slugs:
            Petition(slug=slug).forget_cached_pages()
        return deleted


class SupportMessage(models.Model):
    """A signer's short message of support, written on the signing form when the petition
    lets signers add one. Kept apart from the signature, so that signing without a message
    stays one INSERT; encrypted at rest; public only once staff approve it (see
    docs/petitions.md, "Messages of support")."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    signature = models.OneToOneField(
        Signature, on_delete=models.CASCADE, related_name="message", verbose_name=_("signature")
    )
    # the signature's petition, kept here so that the page's query and staff scoping read
    # one small table
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="messages", verbose_name=_("petition")
    )
    text = EncryptedTextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    objects = SupportMessageQuerySet.as_manager()

    organisation_path = "petition__organiser"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["petition", "status", "created_at"], name="support_message_list")
        ]
        verbose_name = _("message of support")
        verbose_name_plural = _("messages of support")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def first_name(self) -> str:
        """All a page or the booklet names: the first word of the name (none when the
        signer is counted only and no name was kept)."""
        parts = self.signature.name.split()
        return parts[0] if parts else ""


class CoHost(CoHosting):
    """A partner organisation promoting a petition with its own link (`?source=<code>`),
    its name on the page and its own opt-in line for the signers who came through it."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="cohosts")

    action_field = "petition"
    organisation_path = "petition__organiser"

    class Meta(CoHosting.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "organisation"], name="one_cohosting_per_organisation"
            ),
            models.UniqueConstraint(fields=["petition", "code"], name="one_cohost_per_code"),
        ]


class ShareClick(models.Model):
    """Clicks on the share step, by channel and day."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="share_clicks")
    channel = models.CharField(max_length=20)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "channel", "day"], name="one_row_per_channel_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.day}: {self.count}"


@dataclass
class PetitionCard:
    """A petition as the home page lists it."""

    petition: Petition
    text: PetitionText | None
    card_template = "petitions/_card.html"

    @property
    def state(self) -> str:
        return self.petition.public_state

    def sort_timestamp(self) -> float:
        return self.petition.opens_at.timestamp()

    @property
    def organiser(self) -> str:
        return self.petition.organiser.name_in(translation.get_language())

    @property
    def count(self) -> int:
        return self.petition.signature_count()

    @property
    def language_matches(self) -> bool:
        return self.text is not None and self.text.language == translation.get_language()


# Daily roll-ups of the signatures, for the staff's progress page (see tallies.py)


class DailyTally(models.Model):
    """How many signatures of one petition were signed on one (local) day, with one status,
    in one hour of that day, from one country, from one source, or from one email domain."""

    class Dimension(models.TextChoices):
        HOUR = "hour"  # value: the hour of the day, "00" to "23"
        COUNTRY = "country"
        SOURCE = "source"
        DOMAIN = "domain"  # value: a big shared provider's name, "#" for all the others

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="tallies")
    day = models.DateField()
    status = models.CharField(max_length=12)
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    value = models.CharField(max_length=64, blank=True)
    count = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "day", "status", "dimension", "value"],
                name="one_tally_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.status} {self.dimension}={self.value}: {self.count}"


class TallyMark(models.Model):
    """Every signature of the petition signed before `rolled_until` is in its tallies (but
    for the days named in StaleDay and the later confirmations in TallyConfirmation). Its
    row lock keeps two roll-ups of one petition apart."""

    petition = models.OneToOneField(Petition, on_delete=models.CASCADE, related_name="tally_mark")
    rolled_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.petition_id}: until {self.rolled_until}"


class TallyConfirmation(models.Model):
    """A signature confirmed after it was signed: one pending fewer and one confirmed more
    in its day, hour, country, source and email domain, until the next roll-up adds it to
    the tallies."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+")
    signed_at = models.DateTimeField()
    country = models.CharField(max_length=2)
    source = models.CharField(max_length=64, blank=True)
    email_domain = models.CharField(max_length=64, blank=True, default="")  # as tallied

    class Meta:
        indexes = [models.Index(fields=["petition", "signed_at"], name="tally_confirmation_lookup")]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.signed_at}"


class StaleDay(models.Model):
    """A rolled-up day whose signatures changed since (a confirmation, an invalidated batch,
    an erasure): read from the signatures until the next roll-up counts it again."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="stale_days")
    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["petition", "day"], name="stale_day_lookup")]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.day}"
