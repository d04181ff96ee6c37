from django.db import models


class Row(models.Model):
    value = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.value
