from django.db import models

from undersigned.protection.crypto import EncryptedEmailField


class Row(models.Model):
    value = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.value


class SafeRow(models.Model):
    """What makes a row safe to take from a stranger, and nothing else: an encrypted
    column and one row per address (a unique keyed digest, as a signature carries)."""

    name = models.CharField(max_length=100)
    email = EncryptedEmailField()
    email_digest = models.CharField(max_length=64, unique=True)
    country = models.CharField(max_length=2)

    def __str__(self) -> str:
        return self.name
