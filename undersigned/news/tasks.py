from django_tasks import task

from . import views_count
from .models import Post


@task()
def roll_up_views() -> int:
    """Copy the day counters of published posts from the cache into the database."""
    return views_count.roll_up(Post.objects.published().values_list("pk", flat=True))
