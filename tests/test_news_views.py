"""Views of a post are counted per day in the shared cache, with nothing about the visitor."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from undersigned.news import views_count
from undersigned.news.models import DailyViews
from undersigned.news.tasks import roll_up_views

from .news_fixtures import make_post
from .personas import member

pytestmark = pytest.mark.django_db


def test_each_showing_counts_once_and_leaves_no_trace_of_the_visitor(client):
    post = make_post(show_views=True)
    for _ in range(3):
        response = client.get("/en/news/coalition-letter-news/", REMOTE_ADDR="203.0.113.9")
        # the count sets no cookie; the only one is Django's CSRF cookie for the sign-up form
        assert set(response.cookies) <= {"csrftoken"}
    assert views_count.total(post) == 3
    # the fourth showing counts itself before it shows the total
    assert "4 views" in client.get("/en/news/coalition-letter-news/").content.decode()
    keys = [views_count.key(post.pk, day) for day in views_count.recent_days()]
    assert cache.get_many(keys) == {keys[0]: 4}  # a number per post and day, nothing else


def test_the_public_sees_the_count_only_when_staff_turn_it_on(client):
    post = make_post(show_views=False)
    client.get("/en/news/coalition-letter-news/")
    assert (
        "view"
        not in client.get("/en/news/coalition-letter-news/")
        .content.decode()
        .split('class="post__byline"')[1]
        .split("</p>")[0]
    )
    client.force_login(member("viewer", "viewer"))
    assert "3 views" in client.get("/en/news/coalition-letter-news/").content.decode()
    assert views_count.total(post) == 3


def test_drafts_previewed_by_staff_are_not_counted(client):
    post = make_post(published_days_ago=None)
    client.force_login(member("viewer", "viewer"))
    client.get("/en/news/coalition-letter-news/")
    assert views_count.total(post) == 0


def test_the_roll_up_stores_the_days_and_running_it_again_changes_nothing(client):
    post = make_post()
    for _ in range(5):
        client.get("/en/news/coalition-letter-news/")
    roll_up_views.call()
    roll_up_views.call()
    assert list(DailyViews.objects.values_list("day", "count")) == [(timezone.localdate(), 5)]
    cache.clear()  # the cache lost its counters: the stored count stands
    assert views_count.total(post) == 5
    client.get("/en/news/coalition-letter-news/")
    roll_up_views.call()
    assert DailyViews.objects.get().count == 5  # never lowered by a counter that restarted
    assert views_count.total(post) == 5
