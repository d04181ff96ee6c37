"""Photos are resized on upload to a few widths, re-encoded (which drops EXIF and GPS data,
a real risk for people photographed in a conflict), and served with srcset."""

from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from undersigned.storage import content_name, save_by_content

WIDTHS = (480, 960, 1600)
JPEG_QUALITY = 82


def resized_variants(image_file) -> tuple[tuple[int, int], dict[int, bytes]]:
    """The original size and a JPEG per width (never upscaled), without any metadata."""
    with Image.open(image_file) as source:
        image = ImageOps.exif_transpose(source).convert("RGB")
    variants = {}
    for width in WIDTHS:
        if width > image.width and variants:
            break
        copy = image.copy()
        copy.thumbnail((min(width, image.width), 10_000), Image.Resampling.LANCZOS)
        buffer = BytesIO()
        copy.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        variants[copy.width] = buffer.getvalue()
    return image.size, variants


class PhotoFileMixin:
    """For a model with `image`, `width`, `height` and `variants` fields. Every file is stored
    under a name made from the cleaned picture's content: what the photographer called the
    file (which can name a person) never reaches a public URL."""

    variants_folder = "petitions/photos"

    def save(self, *args, **kwargs):
        if self.image and not getattr(self.image, "_committed", True):
            self._store_variants()
        super().save(*args, **kwargs)

    def _store_variants(self) -> None:
        _original_size, variants = resized_variants(self.image)
        largest = variants[max(variants)]
        with Image.open(BytesIO(largest)) as served:  # the largest file a browser may fetch
            self.width, self.height = served.size
        stem = content_name(self.variants_folder, largest, "")
        self.variants = {}
        for width, data in variants.items():
            name = f"{stem}-{width}w.jpg"
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(data))
            self.variants[str(width)] = name
        # Keep only the cleaned largest variant: the upload itself may carry GPS data.
        folder = PurePosixPath(self.image.field.upload_to.rstrip("/"))
        self.image.name = save_by_content(self.image.storage, str(folder), largest, ".jpg")
        self.image._committed = True

    def refresh_variants(self) -> None:
        """Make the variants again from the stored picture (for photos stored before they
        were resized) and save the row."""
        storage, old_name = self.image.storage, self.image.name
        with self.image.open("rb") as stored:
            data = stored.read()
        self.image = ContentFile(data, name="photo.jpg")
        self.save()
        if old_name != self.image.name:  # the old file may carry the uploaded name
            storage.delete(old_name)

    @property
    def srcset(self) -> str:
        return ", ".join(
            f"{default_storage.url(name)} {width}w"
            for width, name in sorted(self.variants.items(), key=lambda item: int(item[0]))
        )

    @property
    def src(self) -> str:
        if not self.variants:
            return self.image.url if self.image else ""
        smallest_useful = sorted(self.variants, key=int)[min(1, len(self.variants) - 1)]
        return default_storage.url(self.variants[smallest_useful])

    @property
    def absolute_src(self) -> str:
        """For share cards: the site's own address before a local path; a store's URL as is."""
        src = self.src
        return src if "://" in src else f"{settings.SITE_URL}{src}"


class AbstractPhoto(PhotoFileMixin, models.Model):
    """A photo with alt text in each language and a credit line. Subclasses add `image` (with
    their own upload folder) and what the photo belongs to."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    alt_text = models.CharField(_("alt text"), max_length=300)
    translated_alt_text = models.JSONField(
        _("alt text in other languages"), default=dict, blank=True, help_text=_('{"ar": "…"}')
    )
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    translated_credit = models.JSONField(
        _("credit in other languages"), default=dict, blank=True, editable=False
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    variants = models.JSONField(editable=False, default=dict)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt_in(get_language() or settings.LANGUAGE_CODE)

    def alt_in(self, language: str) -> str:
        return self.translated_alt_text.get(language) or self.alt_text

    def credit_in(self, language: str) -> str:
        return self.translated_credit.get(language) or self.credit
