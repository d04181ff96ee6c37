"""Every long Markdown text in the back office has the formatting help, the text as shown
and a Preview button that needs no JavaScript: it posts the form, in a new tab, to the
page's `markdown-preview/`, which renders the pressed text with the public page's
sanitiser, saves nothing, and answers only the staff who may write it."""

import re

import pytest

from undersigned.news.models import Post

from .delivery_fixtures import closed_petition
from .factories import make_petition
from .letters_fixtures import make_letter
from .news_fixtures import make_post

pytestmark = pytest.mark.django_db

HOSTILE = (
    "## Why we write\n\nThey were held **without charge**.\n\n"
    "<script>alert(1)</script>\n\n[read more](javascript:alert(1)) "
    '<a href="#" onclick="alert(2)">x</a>'
)
HELP = "a blank line starts a new paragraph"


@pytest.fixture
def campaigner(client, personas):
    client.force_login(personas.campaigner_a)
    return client


def preview_buttons(page: str) -> list[str]:
    """The fields whose Preview button the page has, each posting to markdown-preview/."""
    buttons = re.findall(r"<button[^>]*markdown-tools__preview[^>]*>", page)
    assert all(
        'formaction="markdown-preview/"' in b and 'formtarget="_blank"' in b for b in buttons
    )
    return [re.search(r'name="_markdown_preview:([^"]+)"', b).group(1) for b in buttons]


def markdown_pages(personas) -> dict[str, list[str]]:
    """Each form with Markdown texts, and the texts it must offer a preview of."""
    post = make_post(organisation=personas.organisation_a)
    letter = make_letter(organiser=personas.organisation_a)
    petition = closed_petition()
    return {
        "/admin/petitions/petition/add/": ["en_body", "ar_body"],
        f"/admin/news/post/{post.pk}/change/": [
            "texts-0-body",
            "texts-0-notes_to_editors",
            "texts-1-body",
            "texts-__prefix__-body",
            "texts-__prefix__-notes_to_editors",
        ],
        f"/admin/letters/letter/{letter.pk}/change/": [
            "body",
            "notes_to_editors",
            "translations-__prefix__-body",
            "translations-__prefix__-notes_to_editors",
        ],
        "/admin/subscribers/update/add/": ["texts-0-body"],
        f"/admin/delivery/petitionaction/{petition.pk}/deliver/": ["note_en", "note_ar"],
        "/admin/delivery/targetresponse/add/": ["texts-0-summary"],
    }


def test_every_long_markdown_text_has_the_help_and_a_preview_button(campaigner, personas):
    for url, fields in markdown_pages(personas).items():
        page = campaigner.get(url).content.decode()
        buttons = preview_buttons(page)
        assert set(fields) <= set(buttons), (url, buttons)
        assert HELP in page, url
        assert "staff/markdown.css" in page, url


def test_a_saved_text_is_shown_folded_under_its_field(campaigner, personas):
    post = make_post(organisation=personas.organisation_a, body=HOSTILE, arabic_title=None)
    page = campaigner.get(f"/admin/news/post/{post.pk}/change/").content.decode()
    shown = page.split('<div class="markdown-preview"')[1].split("</details>")[0]
    assert "<h2>Why we write</h2>" in shown and "<strong>without charge</strong>" in shown
    assert "<script" not in shown and "javascript:" not in shown and "onclick" not in shown


def test_enter_in_a_field_still_saves(campaigner, personas):
    """The form's first submit button is the implicit one: a hidden Save, not a Preview."""
    post = make_post(organisation=personas.organisation_a)
    page = campaigner.get(f"/admin/news/post/{post.pk}/change/").content.decode()
    form = page.split('id="post_form"')[1]
    first_submit = re.search(r'<(?:input|button)[^>]*type="submit"[^>]*>', form).group(0)
    assert 'name="_save"' in first_submit and "hidden" in first_submit


def test_the_preview_renders_the_typed_text_before_the_first_save(campaigner):
    response = campaigner.post(
        "/admin/news/post/add/markdown-preview/",
        {
            "texts-0-language": "ar",
            "texts-0-body": "## لماذا\n\nاحتُجزوا **دون تهمة**.",
            "texts-0-title": "عنوان",
            "_markdown_preview:texts-0-body": "",
        },
    )
    assert response.status_code == 200
    shown = response.content.decode().split('class="markdown-preview"')[1]
    assert shown.startswith(' dir="rtl" lang="ar">')
    assert "<h2>لماذا</h2>" in shown and "<strong>دون تهمة</strong>" in shown
    assert not Post.objects.exists()  # nothing saved


def test_the_preview_strips_dangerous_html_as_the_public_page_does(campaigner, personas):
    petition = closed_petition()
    response = campaigner.post(
        f"/admin/delivery/petitionaction/{petition.pk}/deliver/markdown-preview/",
        {"note_en": HOSTILE, "_markdown_preview:note_en": "en", "recipients_en": "ignored"},
    )
    page = response.content.decode()
    shown = page.split('class="markdown-preview"')[1].split("</div>")[0]
    assert '<a href="#" rel="noopener noreferrer nofollow">x</a>' in shown
    assert "<h2>Why we write</h2>" in shown and "<strong>without charge</strong>" in shown
    for dangerous in ("<script", "alert(1)</script>", "javascript:", "onclick"):
        assert dangerous not in shown
    assert "ignored" not in page  # only the pressed text


@pytest.mark.parametrize(
    "url",
    [
        "/admin/petitions/petition/add/markdown-preview/",
        "/admin/letters/letter/add/markdown-preview/",
        "/admin/subscribers/update/add/markdown-preview/",
        "/admin/delivery/targetresponse/add/markdown-preview/",
    ],
)
def test_each_add_page_answers_its_preview(campaigner, url):
    response = campaigner.post(url, {"body": "*typed*", "_markdown_preview:body": ""})
    assert response.status_code == 200, url
    assert "<em>typed</em>" in response.content.decode()


def object_previews(personas) -> list[str]:
    post = make_post(organisation=personas.organisation_a)
    letter = make_letter(organiser=personas.organisation_a)
    petition = make_petition(organiser=personas.organisation_a)
    closed = closed_petition("closed-one")
    return [
        f"/admin/news/post/{post.pk}/change/markdown-preview/",
        f"/admin/letters/letter/{letter.pk}/change/markdown-preview/",
        f"/admin/petitions/petition/{petition.pk}/change/markdown-preview/",
        f"/admin/delivery/petitionaction/{closed.pk}/deliver/markdown-preview/",
    ]


PRESSED = {"body": "**typed**", "_markdown_preview:body": ""}


def test_the_preview_answers_its_own_organisations_campaigner(campaigner, personas):
    for url in object_previews(personas):
        response = campaigner.post(url, PRESSED)
        assert response.status_code == 200, url
        assert "<strong>typed</strong>" in response.content.decode(), url


def test_the_preview_is_refused_to_another_organisations_staff(client, personas):
    urls = object_previews(personas)
    client.force_login(personas.campaigner_b)
    for url in urls:
        response = client.post(url, PRESSED)
        assert response.status_code in (403, 404), url
        assert "<strong>typed</strong>" not in response.content.decode()


def test_the_preview_is_refused_to_a_viewer_who_may_not_write(client, personas):
    urls = object_previews(personas)
    client.force_login(personas.viewer_a)
    for url in urls:
        assert client.post(url, PRESSED).status_code in (403, 404), url


def test_the_preview_is_refused_to_anonymous_users(client, personas):
    for url in [*object_previews(personas), "/admin/news/post/add/markdown-preview/"]:
        response = client.post(url, PRESSED)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_the_preview_only_answers_a_posted_form(campaigner, personas):
    response = campaigner.get("/admin/news/post/add/markdown-preview/")
    assert response.status_code == 405


def test_saving_a_post_with_the_widget_still_works(campaigner, personas):
    response = campaigner.post(
        "/admin/news/post/add/",
        {
            "organisation": personas.organisation_a.pk,
            "kind": "news",
            "slug": "typed-news",
            "author_name": "",
            "show_views": "",
            "texts-TOTAL_FORMS": "1",
            "texts-INITIAL_FORMS": "0",
            "texts-0-language": "en",
            "texts-0-title": "Typed news",
            "texts-0-body": "Some **news**.",
            "cover-TOTAL_FORMS": "0",
            "cover-INITIAL_FORMS": "0",
            "press_contacts-TOTAL_FORMS": "0",
            "press_contacts-INITIAL_FORMS": "0",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Post.objects.get(slug="typed-news").texts.get().body == "Some **news**."
