"""Background work for actions: scheduled closing."""

from django_tasks import task


@task()
def close_due_actions() -> int:
    """Open actions past their closing date become closed, on the record."""
    from .lifecycle import close_due_actions as close

    return close()
