"""The public news pages: the list and its filters, a post, its feed and its PDF."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from undersigned.news.models import Kind, Post
from undersigned.petitions.models import State

from .factories import make_petition
from .letters_fixtures import add_signatory, make_letter
from .news_fixtures import make_post, make_press_release, make_tag
from .personas import make_other_organiser, member

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [post.slug for post, _text in response.context["cards"]]


# The list


def test_the_list_shows_published_posts_newest_first_and_hides_drafts_and_scheduled(client):
    make_post("older", published_days_ago=5, title="Older news")
    make_post("newer", published_days_ago=1, title="Newer news")
    make_post("draft", published_days_ago=None, title="Draft news")
    make_post("scheduled", published_days_ago=-2, title="Scheduled news")
    response = client.get("/en/news/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Newer news") < html.index("Older news")
    assert "Draft news" not in html and "Scheduled news" not in html


def test_a_scheduled_post_appears_by_itself_when_its_time_comes():
    post = make_post("scheduled", published_days_ago=-1)
    assert not Post.objects.published().filter(pk=post.pk).exists()
    later = timezone.now() + timedelta(days=2)
    assert Post.objects.published(now=later).filter(pk=post.pk).exists()


def test_the_list_filters_by_kind_and_by_tag_without_javascript(client):
    syria = make_tag("syria", "Syria", "سوريا")
    detention = make_tag("detention", "Detention", "الاحتجاز")
    make_post("news-on-syria", tags=[syria])
    make_press_release("release-on-detention", tags=[detention])
    make_post("statement", kind=Kind.STATEMENT, tags=[syria, detention])
    assert set(titles(client.get("/en/news/?kind=press-release"))) == {"release-on-detention"}
    assert set(titles(client.get("/en/news/?tag=syria"))) == {"news-on-syria", "statement"}
    assert titles(client.get("/en/news/?kind=statement&tag=detention")) == ["statement"]
    html = client.get("/ar/news/").content.decode()
    assert '<form class="list-filter news-filter" method="get"' in html
    assert ">سوريا</option>" in html and "بيان" in html


@pytest.mark.parametrize(
    "query",
    [
        "kind=bogus",
        "tag=no-such-tag",
        "tag=%00",
        "kind=%ff%fe",
        "tag=" + "x" * 500,
        "tag=<script>alert(1)</script>",
        "kind=news'%20OR%201=1--",
        "page=abc",
    ],
)
def test_an_unknown_or_malformed_filter_answers_an_empty_list_never_an_error(client, query):
    make_post()
    response = client.get(f"/en/news/?{query}")
    assert response.status_code == 200
    if not query.startswith("page"):
        assert titles(response) == []
        assert "No post matches this filter." in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_the_list_is_paginated_and_pages_keep_the_filter(client):
    syria = make_tag()
    for number in range(12):
        make_post(f"post-{number:02}", published_days_ago=number + 1, tags=[syria])
    first = client.get("/en/news/?tag=syria")
    assert len(titles(first)) == 10
    html = first.content.decode()
    assert 'href="?tag=syria&amp;page=2"' in html and "Page 1 of 2" in html
    second = client.get("/en/news/?tag=syria&page=2")
    assert titles(second) == ["post-10", "post-11"]
    assert titles(client.get("/en/news/?page=99")) == ["post-10", "post-11"]


# A post


def test_a_post_shows_its_byline_date_text_tags_and_the_other_language(client):
    post = make_post(tags=[make_tag()], author_name="Rana Haddad")
    html = client.get("/en/news/coalition-letter-news/").content.decode()
    assert "Coalition writes to the UN" in html
    assert "By Rana Haddad, Rights Watchers" in html
    assert post.published_at.strftime("%Y-%m-%d") in html
    assert "<strong>urges</strong>" in html
    assert 'href="/en/news/?tag=syria"' in html
    assert "Also available in Arabic" in html and 'href="/ar/news/coalition-letter-news/"' in html
    arabic = client.get("/ar/news/coalition-letter-news/").content.decode()
    assert 'lang="ar" dir="rtl"' in arabic and "التحالف يكتب إلى الأمم المتحدة" in arabic
    assert "متوفر أيضاً باللغة الإنجليزيّة" in arabic  # "also in English", said in Arabic
    assert "مراقبو الحقوق" in arabic


def test_a_post_in_one_language_only_says_so_in_the_other(client):
    make_post(arabic_title="")
    html = client.get("/ar/news/coalition-letter-news/").content.decode()
    assert "Coalition writes to the UN" in html and 'lang="en"' in html
    actions = html[html.index('class="post__actions"') :]
    assert "hreflang" not in actions[: actions.index("</div>")]


def test_a_press_release_has_a_dateline_notes_to_editors_and_translated_press_contacts(client):
    make_press_release()
    html = client.get("/en/news/press-release/").content.decode()
    assert "<strong>Washington</strong>," in html
    assert "Notes to editors" in html and "<strong>223</strong>" in html
    assert "Sam Example</strong><br>Press officer" in html
    assert 'href="mailto:press@example.org"' in html
    arabic = client.get("/ar/news/press-release/").content.decode()
    assert "<strong>واشنطن</strong>، " in arabic
    assert "مسؤول الإعلام" in arabic and "مراقبو الحقوق" in arabic


def test_a_posts_markdown_can_hold_no_script(client):
    make_post(
        body="Hello <script>alert('x')</script> [click](javascript:alert(1)) "
        '<img src=x onerror="alert(2)"> <a href="https://example.org" onclick="x()">ok</a>'
    )
    html = client.get("/en/news/coalition-letter-news/").content.decode()
    body = html[html.index('class="prose post__body"') :]
    assert "<script>alert" not in body and "javascript:" not in body
    assert "onerror" not in body and "onclick" not in body
    assert 'href="https://example.org"' in body


def test_a_draft_is_seen_only_by_its_own_organisations_staff(client):
    make_post("draft", published_days_ago=None)
    make_post("scheduled", published_days_ago=-3)
    assert client.get("/en/news/draft/").status_code == 404
    assert client.get("/en/news/scheduled/").status_code == 404
    client.force_login(member("other", "campaigner", organisation=make_other_organiser()))
    assert client.get("/en/news/draft/").status_code == 404
    client.force_login(member("own", "viewer"))
    response = client.get("/en/news/draft/")
    assert response.status_code == 200
    assert "Preview: this post is a draft" in response.content.decode()
    assert "is scheduled for" in client.get("/en/news/scheduled/").content.decode()
    assert client.get("/en/news/no-such-post/").status_code == 404


def test_a_post_shows_a_card_for_each_linked_action(client):
    petition = make_petition(title="Free the detained")
    letter = make_letter(title="Stop the attacks on civilians")
    add_signatory(letter, "Aid Syria", "SY")
    draft = make_petition("a-draft", state=State.DRAFT, title="Secret draft")
    post = make_post()
    post.petitions.set([petition, draft])
    post.letters.set([letter])
    html = client.get("/en/news/coalition-letter-news/").content.decode()
    assert "Free the detained" in html and 'href="/en/petitions/free-the-detained/"' in html
    assert "Read and sign the petition" in html
    assert "Stop the attacks on civilians" in html and "Signed by 1 organisation" in html
    assert "Read the letter and add your organisation" in html
    assert "Secret draft" not in html


def test_related_content_puts_posts_with_the_same_tags_first(client):
    syria, detention, other = make_tag("syria"), make_tag("detention"), make_tag("other")
    post = make_post("main", tags=[syria, detention])
    make_post("two-tags", published_days_ago=20, tags=[syria, detention], title="Two shared")
    make_post("one-tag", published_days_ago=10, tags=[syria], title="One shared")
    make_post("newest-unrelated", published_days_ago=0, tags=[other], title="Unrelated")
    make_post("draft-related", published_days_ago=None, tags=[syria, detention], title="Hidden")
    assert [p.slug for p in post.related()] == ["two-tags", "one-tag", "newest-unrelated"]
    html = client.get("/en/news/main/").content.decode()
    related = html[html.index("Related content") :]
    assert related.index("Two shared") < related.index("One shared") < related.index("Unrelated")
    assert "Hidden" not in related


def test_an_actions_page_lists_its_latest_posts(client):
    petition = make_petition()
    letter = make_letter()
    make_post("about-the-petition", title="News of the petition").petitions.set([petition])
    make_post("about-the-letter", title="News of the letter").letters.set([letter])
    make_post("draft-news", title="Draft about it", published_days_ago=None).petitions.set(
        [petition]
    )
    petition_page = client.get("/en/petitions/free-the-detained/").content.decode()
    assert "Latest news" in petition_page and "News of the petition" in petition_page
    assert "News of the letter" not in petition_page and "Draft about it" not in petition_page
    letter_page = client.get("/en/letters/stop-the-attacks/").content.decode()
    assert "News of the letter" in letter_page
    assert "آخر الأخبار" in client.get("/ar/letters/stop-the-attacks-ar/").content.decode()


# Feed and PDF


def test_the_atom_feed_lists_published_posts_in_the_pages_language(client):
    make_post("published", title="Published news")
    make_post("draft", published_days_ago=None, title="Draft news")
    response = client.get("/en/news/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = response.content.decode()
    assert "<title>Published news</title>" in feed and "Draft news" not in feed
    assert 'xml:lang="en"' in feed and "/en/news/published/" in feed
    arabic = client.get("/ar/news/feed/").content.decode()
    assert 'xml:lang="ar"' in arabic and "التحالف يكتب إلى الأمم المتحدة" in arabic


def pdf_text(tmp_path, content: bytes) -> str:
    path = tmp_path / "post.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


def test_each_post_has_a_pdf_right_to_left_in_arabic(client, tmp_path):
    make_press_release()
    english = client.get("/en/news/press-release/pdf/")
    assert english["Content-Type"] == "application/pdf"
    assert english.content.startswith(b"%PDF")
    arabic = client.get("/ar/news/press-release/pdf/")
    assert arabic.content.startswith(b"%PDF") and arabic.content != english.content
    if shutil.which("pdftotext"):
        assert "Coalition urges action" in pdf_text(tmp_path, english.content)
        text = pdf_text(tmp_path, arabic.content)
        assert "واشنطن" in text or "نطنشاو" in text  # logical or visual order
    assert client.get("/en/news/no-such/pdf/").status_code == 404
    make_post("draft", published_days_ago=None)
    assert client.get("/en/news/draft/pdf/").status_code == 404


def test_the_post_page_prints_without_its_navigation(client):
    make_post()
    html = client.get("/en/news/coalition-letter-news/").content.decode()
    assert "news/news" in html  # the stylesheet with the print rules
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("news/news.css")).read_text()
    assert "@media print" in css and ".site-header" in css
