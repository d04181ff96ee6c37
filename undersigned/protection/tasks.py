"""Background work for protection: forgetting the day keys of client-address hashes."""

from django_tasks import task


@task()
def forget_old_day_keys() -> int:
    """Daily: delete the keys older than two days, so no past address hash can be redone."""
    from .clients import forget_old_day_keys as forget

    return forget()
