"""Encryption at rest (Fernet: AES-128-CBC with an HMAC) and the keyed digests beside it."""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models


@cache
def fernet() -> MultiFernet:
    """The first key encrypts; every listed key decrypts, so keys can be rotated."""
    return MultiFernet([Fernet(key) for key in settings.ENCRYPTION_KEYS])


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A stored value cannot be decrypted: ENCRYPTION_KEYS does not hold the key it was "
            "encrypted with."
        ) from error


def keyed_digest(purpose: str, text: str) -> str:
    """HMAC-SHA256 under DIGEST_KEY: equal inputs give equal digests, and without the key
    the digest says nothing (an email's digest cannot be checked against a list of emails)."""
    key = hmac.new(settings.DIGEST_KEY.encode(), purpose.encode(), hashlib.sha256).digest()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stored encrypted; read and written as plain text through the ORM. It cannot be
    searched or filtered: filter on a keyed digest stored beside it instead."""

    def get_lookup(self, lookup_name):
        # Each encryption differs, so `email="x"` would silently match nothing. Refuse it.
        if lookup_name != "isnull":
            raise FieldError(f"{self.name} is encrypted: filter on its digest instead.")
        return super().get_lookup(lookup_name)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)


class EncryptedEmailField(EncryptedTextField):
    default_validators = [models.EmailField.default_validators[0]]

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"form_class": forms.EmailField, **kwargs})


def encrypt_plaintext_column(table: str, column: str):
    """A migration operation's function: encrypt values stored before the field was encrypted."""

    def forwards(apps, schema_editor):
        connection = schema_editor.connection
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)}")  # noqa: S608
            rows = [
                (pk, value)
                for pk, value in cursor.fetchall()
                if value and not value.startswith("gAAAAA")
            ]
            for pk, value in rows:
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
                    [encrypt(value), pk],
                )

    return forwards


def normalise_email(address: str) -> str:
    """Case and surrounding spaces do not make another person; dots and plus-tags do."""
    return address.strip().lower()


def email_digest(address: str) -> str:
    """A keyed HMAC of the normalised address: finds duplicates without reading the address."""
    return keyed_digest("email", normalise_email(address))
