"""The petition page, its states and its form's answers to bad input."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from undersigned.petitions.models import Photo, Signature, State

from .factories import make_petition, signer

pytestmark = pytest.mark.django_db

URL = "/en/petitions/free-the-detained/"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def test_petition_page_shows_text_pledge_targets_demands_facts_and_form(client):
    make_petition()
    html = client.get(URL).content.decode()
    assert "<h1>Free the detained</h1>" in html
    assert "To the UN Secretary-General," in html
    assert "The UN Secretary-General" in html
    assert "<strong>without charge</strong>" in html  # Markdown rendered
    assert "Open the prisons" in html and "112,000" in html
    assert 'name="name"' in html and 'name="email"' in html and 'name="country"' in html
    opt_in = re.search(r'<input type="checkbox" name="opt_in"[^>]*>', html).group(0)
    assert "checked" not in opt_in
    assert 'href="/en/privacy/"' in html


def test_arabic_page_shows_the_arabic_version_right_to_left(client):
    make_petition()
    html = client.get("/ar/petitions/free-the-detained/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "الحرية للمعتقلين" in html and "افتحوا السجون" in html
    assert "وقّع العريضة" in html
    assert "Open the prisons" not in html
    assert '<option value="LB">لبنان</option>' in html  # localised country names
    assert 'href="/en/petitions/free-the-detained/"' in html  # the language switch


def test_missing_translation_falls_back_with_a_notice_and_the_right_lang(client):
    make_petition(arabic=False)
    html = client.get("/ar/petitions/free-the-detained/").content.decode()
    assert "هذه العريضة غير متوفرة بلغتك بعد" in html
    assert '<article class="petition" lang="en" dir="ltr">' in html
    assert "Free the detained" in html


def test_share_card_tags(client):
    make_petition()
    html = client.get(URL).content.decode()
    assert '<meta property="og:title" content="Free the detained">' in html
    assert (
        '<meta property="og:description" content="Ask for every detainee to be released.">' in html
    )
    assert '<meta name="twitter:card"' in html


def test_drafts_are_hidden_from_visitors_and_previewed_for_staff(client, admin_client):
    make_petition(state=State.DRAFT)
    assert client.get(URL).status_code == 404
    preview = admin_client.get(URL)
    assert preview.status_code == 200
    assert "Preview — not published" in preview.content.decode()
    assert client.post(URL, signer()).status_code == 404
    assert Signature.objects.count() == 0


def test_closed_petition_keeps_its_page_and_count_but_not_its_form(client):
    closed = make_petition(double_opt_in=False)
    client.post(URL, signer())
    make_petition(slug="open-one")
    closed.state = State.CLOSED
    closed.save()
    cache.clear()
    html = client.get(URL).content.decode()
    assert "This petition is closed" in html
    assert 'name="email"' not in html
    assert "Thank you to the 1 person who signed." in html
    assert "Take another action" in html and 'href="/en/petitions/open-one/"' in html


def test_a_petition_past_its_closing_date_is_closed(client):
    petition = make_petition()
    petition.closes_at = timezone.now() - timedelta(minutes=1)
    petition.save()
    html = client.get(URL).content.decode()
    assert "This petition is closed" in html


def test_signing_a_closed_petition_is_refused_clearly(client):
    make_petition(state=State.CLOSED)
    response = client.post(URL, signer())
    assert response.status_code == 403
    assert "no longer accepts signatures" in response.content.decode()
    assert Signature.objects.count() == 0


def test_home_lists_open_petitions_before_closed_ones(client):
    make_petition(slug="old-closed", state=State.CLOSED)
    make_petition(slug="new-open")
    html = client.get("/en/").content.decode()
    assert html.index("/en/petitions/new-open/") < html.index("/en/petitions/old-closed/")


def test_goal_steps_up_once_reached(client):
    from undersigned.petitions.goals import next_goal

    assert [next_goal(100, n) for n in (0, 99, 100, 199, 200, 4999, 5000)] == [
        100,
        100,
        200,
        200,
        500,
        5000,
        10000,
    ]
    assert next_goal(1500, 1499) == 1500 and next_goal(1500, 1500) == 2000


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("name", "   ", "This field is required."),
        ("name", "x" * 121, "at most 120 characters"),
        ("name", "Amal\u202eHaddad", "invisible control characters"),
        ("name", "12345", "Please enter your name in letters."),
        ("email", "", "This field is required."),
        ("email", "not-an-email", "Enter a valid email address."),
        ("email", "a@" + "b" * 250 + ".org", "at most 254 characters"),
        ("email", "amal@exa mple.org", "Enter a valid email address."),
        ("country", "", "This field is required."),
        ("country", "XX", "Select a valid choice."),
        ("country", "' OR 1=1 --", "Select a valid choice."),
    ],
)
def test_bad_input_gets_an_error_next_to_the_field_and_changes_nothing(
    client, field, value, message
):
    make_petition()
    data = signer(**{field: value})
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert Signature.objects.count() == 0
    assert f'aria-describedby="id_{field}_error"' in html  # Django links the two
    for other in {"name", "email"} - {field}:  # what was typed stays in the form
        assert f'value="{data[other]}"' in html


def test_errors_are_in_the_pages_language(client):
    make_petition()
    html = client.post("/ar/petitions/free-the-detained/", signer(email="nope")).content.decode()
    assert "أدخِل عنوان بريد إلكتروني صحيح" in html


def test_null_bytes_are_refused(client):
    make_petition()
    response = client.post(URL, signer(name="Amal\x00Haddad"))
    assert response.status_code == 400
    assert Signature.objects.count() == 0


def test_html_and_sql_in_a_name_are_stored_as_typed_and_shown_escaped(client, admin_client):
    make_petition(double_opt_in=False, show_recent_signers=True)
    name = "<script>alert(1)</script> Robert'); DROP TABLE signatures;--"
    assert client.post(URL, signer(name=name, visibility="public")).status_code == 302
    assert Signature.objects.get().name == name
    cache.clear()
    html = client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # first name + initial, escaped


def test_arabic_names_with_joiners_are_accepted(client):
    make_petition(double_opt_in=False)
    assert client.post(URL, signer(name="مهر\u200cناز رضایی")).status_code == 302
    assert Signature.objects.get().name == "مهر\u200cناز رضایی"


def test_recent_signers_show_first_name_initial_and_country_only(client):
    make_petition(double_opt_in=False, show_recent_signers=True)
    client.post(
        URL, signer(name="Amal Karim Haddad", email="amal@example.org", visibility="public")
    )
    cache.clear()
    html = client.get(URL).content.decode()
    assert "Amal H., Lebanon" in html
    assert "Haddad" not in html and "amal@example.org" not in html


def test_photos_are_resized_stripped_of_metadata_and_served_with_srcset(client):
    petition = make_petition()
    source = Image.new("RGB", (2400, 1600), (90, 60, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make; GPS would sit beside it
    buffer = BytesIO()
    source.save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("vigil.jpg", buffer.getvalue(), content_type="image/jpeg")
    photo = Photo.objects.create(
        petition=petition, image=upload, alt_text="A vigil", credit="A. Person"
    )
    assert sorted(int(w) for w in photo.variants) == [480, 960, 1600]
    with Image.open(photo.image.path) as stored:
        assert stored.width == 1600 and not stored.getexif()
    html = client.get(URL).content.decode()
    assert 'srcset="/media/petitions/photos/' in html and " 480w, " in html and " 1600w" in html
    assert 'alt="A vigil"' in html and "Photo: A. Person" in html
    assert '<meta property="og:image" content="http://127.0.0.1:8000/media/' in html
