"""Typed helpers that read configuration from the environment (the only source of it)."""

import os
import re
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(TRUE_WORDS | FALSE_WORDS)}")


def env_int(name: str, default: int, low: int | None = None, high: int | None = None) -> int:
    """A whole number; with `low`/`high`, one outside them is refused at start-up."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from error
    if (low is not None and value < low) or (high is not None and value > high):
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, not {value}")
    return value


RATE = re.compile(r"[0-9]+/[0-9]*[smhd]")


def env_rate(name: str, default: str) -> str:
    """A rate limit such as "10/10m" (N per [multiple of] second, minute, hour or day)."""
    value = env_str(name, default)
    if not RATE.fullmatch(value):
        raise ImproperlyConfigured(f"{name} must look like 10/h or 10/10m, not {value!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_seconds(name: str, default: list[int]) -> list[int]:
    """Delays such as "60,300,900" (seconds, comma-separated)."""
    items = env_list(name, [str(d) for d in default])
    try:
        return [int(item) for item in items]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be seconds like 60,300,900") from error


def embedded_secret(data_dir: Path, name: str, make=lambda: secrets.token_urlsafe(50)) -> str:
    """A secret of the embedded (SQLite) default: generated once, kept in the data dir."""
    key_file = data_dir / name
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(make())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def required_secret(name: str, embedded: bool, data_dir: Path, make=None) -> str:
    """From the environment; generated into the data dir for the embedded default only.
    Production (DATABASE_URL set) refuses to start without it."""
    value = env_str(name)
    if value:
        return value
    if not embedded:
        raise ImproperlyConfigured(
            f"{name} is not set. Production (DATABASE_URL set) refuses to start without one."
        )
    filename = name.lower()
    return (
        embedded_secret(data_dir, filename, make) if make else embedded_secret(data_dir, filename)
    )


def file_storages(private_url_seconds: int) -> dict:
    """Django's STORAGES for public media and private files: the local disk, or two buckets
    of an S3-compatible object store when S3_BUCKET is set (see docs/configuration.md)."""
    bucket, private_bucket = env_str("S3_BUCKET"), env_str("S3_PRIVATE_BUCKET")
    if not bucket:
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "private": {"BACKEND": "undersigned.storage.LocalPrivateStorage"},
        }
    if not private_bucket or private_bucket == bucket:
        raise ImproperlyConfigured(
            "S3_BUCKET is set: S3_PRIVATE_BUCKET must name a second bucket, never public, "
            "for hand-over packages, exports and letter PDFs."
        )
    connection = {
        "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
        "region_name": env_str("S3_REGION") or None,
        "access_key": env_str("S3_ACCESS_KEY_ID") or None,
        "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
        "addressing_style": env_str("S3_ADDRESSING_STYLE") or None,
        "signature_version": "s3v4",
    }
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **connection,
                "bucket_name": bucket,
                "custom_domain": env_str("S3_PUBLIC_DOMAIN") or None,
                "querystring_auth": False,  # photos are public: plain URLs that caches keep
                "file_overwrite": False,
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            },
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **connection,
                "bucket_name": private_bucket,
                "default_acl": "private",
                "querystring_auth": True,  # every URL signed, and short-lived
                "querystring_expire": private_url_seconds,
                "file_overwrite": True,
            },
        },
    }
