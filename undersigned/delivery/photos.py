"""Delivery photos are cleaned and resized exactly as petition photos are (EXIF and GPS data
dropped, a few widths for srcset); only the folder differs."""

from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from undersigned.petitions.photos import PhotoFileMixin, resized_variants


class DeliveryPhotoMixin(PhotoFileMixin):
    def _store_variants(self) -> None:
        (self.width, self.height), variants = resized_variants(self.image)
        stem = PurePosixPath(self.image.name).stem
        self.variants = {}
        for width, data in variants.items():
            name = default_storage.save(f"delivery/photos/{stem}-{width}w.jpg", ContentFile(data))
            self.variants[str(width)] = name
        largest = max(variants)
        self.image.save(f"{stem}.jpg", ContentFile(variants[largest]), save=False)
