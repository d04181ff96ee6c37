"""Posts: news, press releases and statements an organisation publishes around its actions.

A post has one text per language (`PostText`); its slug, byline, dates, tags, cover photo,
press contacts and linked actions are shared by both. A post without a publication date is
a draft; one dated in the future is scheduled and appears by itself when the time comes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from undersigned.letters.models import Letter
from undersigned.organisations.models import LocalisedNameMixin, Organisation
from undersigned.petitions.models import Petition
from undersigned.petitions.photos import AbstractPhoto


class Kind(models.TextChoices):
    NEWS = "news", _("News")
    PRESS_RELEASE = "press-release", _("Press release")
    STATEMENT = "statement", _("Statement")


class Tag(LocalisedNameMixin):
    """A subject a post is about ("Syria", "Detention"); the public list filters by its slug."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="tags", verbose_name=_("organisation")
    )
    slug = models.SlugField(_("slug"), max_length=60)

    organisation_path = "organisation"

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="news_tag_slug")
        ]


class PostQuerySet(models.QuerySet):
    def published(self, now=None):
        return self.filter(published_at__isnull=False, published_at__lte=now or timezone.now())

    def linked_to(self, action):
        if isinstance(action, Letter):
            return self.filter(letters=action.original)
        return self.filter(petitions=action)


class Post(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="posts", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NEWS)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    author_name = models.CharField(
        _("author's public name"),
        max_length=120,
        blank=True,
        help_text=_("Optional. The byline always names the organisation."),
    )
    published_at = models.DateTimeField(
        _("publication date"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Empty: a draft. In the future: published by itself at that time."),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts", verbose_name=_("tags"))
    petitions = models.ManyToManyField(
        Petition, blank=True, related_name="posts", verbose_name=_("petitions")
    )
    letters = models.ManyToManyField(
        Letter,
        blank=True,
        related_name="posts",
        verbose_name=_("sign-on letters"),
        limit_choices_to={"translation_of__isnull": True},
    )
    show_views = models.BooleanField(_("show the number of views"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PostQuerySet.as_manager()

    organisation_path = "organisation"

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        # In the reader's language: the back office's titles, breadcrumbs and choices.
        text = self.text_in(translation.get_language() or settings.LANGUAGE_CODE)
        return text.title if text else self.slug

    def get_absolute_url(self) -> str:
        return reverse("news:detail", args=[self.slug])

    def url_in(self, language: str) -> str:
        with translation.override(language):
            return self.get_absolute_url()

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.published_at is not None and self.published_at > timezone.now()

    def text_in(self, language: str) -> "PostText | None":
        """The text in `language`, else in the site's default language, else any."""
        texts = {text.language: text for text in self.texts.all()}
        return (
            texts.get(language)
            or texts.get(settings.LANGUAGE_CODE)
            or next(iter(texts.values()), None)
        )

    def languages(self) -> list[str]:
        return sorted(text.language for text in self.texts.all())

    def actions(self) -> list:
        return [*self.petitions.all(), *self.letters.all()]

    def related(self, limit: int = 3) -> list["Post"]:
        """Published posts sharing a tag first (most shared tags first), then the newest."""
        # By slug: organisations keep their own tags, and "syria" is the same subject in each.
        slugs = list(self.tags.values_list("slug", flat=True))
        others = Post.objects.published().exclude(pk=self.pk).prefetch_related("texts")
        same_tags = list(
            others.filter(tags__slug__in=slugs)
            .annotate(shared=models.Count("tags", filter=Q(tags__slug__in=slugs), distinct=True))
            .order_by("-shared", "-published_at", "-pk")[:limit]
        )
        if len(same_tags) < limit:
            seen = [post.pk for post in same_tags]
            same_tags += list(others.exclude(pk__in=seen)[: limit - len(same_tags)])
        return same_tags


class PostText(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    body = models.TextField(_("text"), max_length=50_000, help_text=_("Markdown."))
    dateline = models.CharField(
        _("dateline place"),
        max_length=120,
        blank=True,
        help_text=_("Where a press release is issued from, e.g. Beirut."),
    )
    notes_to_editors = models.TextField(
        _("notes to editors"), max_length=10_000, blank=True, help_text=_("Markdown.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    organisation_path = "post__organisation"

    class Meta:
        ordering = ["language"]
        verbose_name = _("text")
        verbose_name_plural = _("texts")
        constraints = [
            models.UniqueConstraint(fields=["post", "language"], name="news_one_text_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class PressContact(models.Model):
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="press_contacts", verbose_name=_("post")
    )
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=120, blank=True)
    translated_roles = models.JSONField(
        _("role in other languages"), default=dict, blank=True, help_text=_('{"ar": "…"}')
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    translated_organisations = models.JSONField(
        _("organisation in other languages"), default=dict, blank=True, help_text=_('{"ar": "…"}')
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    organisation_path = "post__organisation"

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


class Cover(AbstractPhoto):
    variants_folder = "news/covers"

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="cover")
    image = models.ImageField(_("image"), upload_to="news/covers/original/")

    organisation_path = "post__organisation"

    class Meta(AbstractPhoto.Meta):
        verbose_name = _("cover photo")
        verbose_name_plural = _("cover photos")


class DailyViews(models.Model):
    """How many times a post was shown on one day: rolled up from the shared cache, with
    nothing about who looked."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="daily_views")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    organisation_path = "post__organisation"

    class Meta:
        verbose_name = _("views of a day")
        verbose_name_plural = _("views by day")
        constraints = [models.UniqueConstraint(fields=["post", "day"], name="news_views_day")]

    def __str__(self) -> str:
        return f"{self.post_id} {self.day}: {self.count}"
