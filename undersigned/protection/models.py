import secrets

from django.db import models


class DailyKey(models.Model):
    """A random key per day for hashing client addresses. Shared by every app server through
    the database, and deleted after two days: past hashes can then never be recomputed."""

    day = models.DateField(unique=True)
    key = models.CharField(max_length=64, default=secrets.token_hex)

    def __str__(self) -> str:
        return str(self.day)
