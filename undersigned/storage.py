"""Where files live, so that any app server or worker finds what another one wrote.

Two storages, both through Django's storage API (see docs/configuration.md):
- `default`, public media: photos, under names derived from their content;
- `private`: hand-over packages, exports and letter PDFs. No URL serves it publicly: the app
  checks who asks, then streams the file or hands out a signed URL that lapses in a minute.
Both are the local disk by default (media in MEDIA_ROOT, private files in the data dir), or
buckets of an S3-compatible object store when S3_BUCKET and S3_PRIVATE_BUCKET are set.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.functional import cached_property

DIGEST_CHARACTERS = 32  # 128 bits of SHA-256: a name no upload can collide with by chance


class LocalPrivateStorage(FileSystemStorage):
    """The `private` folder of the data dir: a place on disk with no URL."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, Path(settings.DATA_DIR) / "private")

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "DATA_DIR":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them with download_response")


def public_files() -> Storage:
    return storages["default"]


def private_files() -> Storage:
    return storages["private"]


def content_name(folder: str, data: bytes, suffix: str) -> str:
    return f"{folder}/{hashlib.sha256(data).hexdigest()[:DIGEST_CHARACTERS]}{suffix}"


def save_by_content(storage: Storage, folder: str, data: bytes, suffix: str) -> str:
    """Store `data` under a name made from its content (never from what an uploader called
    it). The same content has the same name, so it is stored once."""
    name = content_name(folder, data, suffix)
    if not storage.exists(name):
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # another process stored the same content at the same moment
            storage.delete(saved)
    return name


def save_as(storage: Storage, name: str, path: Path) -> str:
    """Store the local file `path` under exactly `name`, replacing an earlier one (a task run
    again after a crash writes the same names)."""
    if storage.exists(name):
        storage.delete(name)
    with path.open("rb") as source:
        saved = storage.save(name, File(source, name=path.name))
    if saved != name:
        raise RuntimeError(f"{name} was stored as {saved}")
    return saved


def delete_folder(storage: Storage, folder: str) -> None:
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    for directory in directories:
        delete_folder(storage, f"{folder}/{directory}")
    if isinstance(storage, FileSystemStorage):  # an object store has no empty folders to leave
        Path(storage.path(folder)).rmdir()


def signs_urls(storage: Storage) -> bool:
    return bool(getattr(storage, "querystring_auth", False))


def download_response(storage: Storage, name: str, filename: str, content_type: str):
    """A private file for someone already allowed to have it: a redirect to a signed URL
    that lapses after PRIVATE_URL_SECONDS where the store makes them, else streamed."""
    if signs_urls(storage):
        disposition = f'attachment; filename="{filename}"'
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
            expire=settings.PRIVATE_URL_SECONDS,
        )
        response: HttpResponse = HttpResponseRedirect(url)
    else:
        response = FileResponse(
            storage.open(name, "rb"),
            as_attachment=True,
            filename=filename,
            content_type=content_type,
        )
    response["Cache-Control"] = "private, no-store"
    return response
