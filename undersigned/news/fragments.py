"""What the news app adds to an action's page: its latest published posts."""

from django.template.loader import render_to_string
from django.utils.translation import get_language

from .models import Post

LATEST = 3


def latest_posts(request, action) -> str:
    language = get_language()
    posts = list(Post.objects.published().linked_to(action).prefetch_related("texts")[:LATEST])
    if not posts:
        return ""
    cards = [(post, post.text_in(language)) for post in posts]
    return render_to_string("news/_latest.html", {"cards": cards, "language": language})
