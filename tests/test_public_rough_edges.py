"""What a newcomer and a signer met, each found by hand: the site's address follows the port,
absolute hreflang links, Arabic country order, honest country counts, Arabic wording."""

import os
import re
import subprocess
import sys

import pytest
from django.utils import translation

from undersigned.letters import importer, services
from undersigned.letters.models import Endorsement, Letter
from undersigned.petitions.forms import country_choices

from .factories import make_petition
from .letters_fixtures import add_signatory, make_letter

pytestmark = pytest.mark.django_db


def site_url(**env) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "PORT")}
    environment.update(env, DJANGO_SETTINGS_MODULE="undersigned.settings")
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_site_address_follows_host_and_port_unless_set():
    assert site_url() == "http://127.0.0.1:8000"
    assert site_url(PORT="8300") == "http://127.0.0.1:8300"
    assert site_url(HOST="0.0.0.0", PORT="8300") == "http://127.0.0.1:8300"  # noqa: S104
    assert site_url(HOST="localhost", PORT="8300", SITE_URL="https://x.example/") == (
        "https://x.example"
    )


def test_hreflang_links_are_absolute_with_an_x_default(client, settings):
    settings.SITE_URL = "http://127.0.0.1:8300"
    make_petition()
    page = client.get("/ar/petitions/free-the-detained/").content.decode()
    links = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)"', page))
    assert links == {
        "en": "http://127.0.0.1:8300/en/petitions/free-the-detained/",
        "ar": "http://127.0.0.1:8300/ar/petitions/free-the-detained/",
        "x-default": "http://127.0.0.1:8300/en/petitions/free-the-detained/",
    }


def assert_countries_in_arabic_order(page: str) -> None:
    select = page.split('name="country"')[1].split("</select>")[0]
    names = [name for name in re.findall(r'<option value="\w\w"[^>]*>([^<]+)</option>', select)]
    assert len(names) > 200
    first_letters = [name[0] for name in names]
    alphabet = "ءآأإابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    ranks = [alphabet.index(c) if c in alphabet else -1 for c in first_letters]
    known = [rank for rank in ranks if rank >= 0]
    assert known == sorted(known)

    def position(start):
        return next(index for index, name in enumerate(names) if name.startswith(start))

    for early in ["المملكة المتحدة", "الولايات المتحدة", "السعودية"]:
        assert position(early) < position("زيمبابوي"), early


def test_the_arabic_country_list_is_in_arabic_order(client):
    make_petition()
    assert_countries_in_arabic_order(
        client.get("/ar/petitions/free-the-detained/").content.decode()
    )


def test_the_endorsement_forms_arabic_country_list_is_in_arabic_order(client):
    letter = make_letter()
    arabic = letter.translations.get()
    response = client.get(f"/ar/letters/{arabic.slug}/endorse/")
    assert response.status_code == 200
    assert_countries_in_arabic_order(response.content.decode())


def test_english_country_names_are_the_ones_people_use():
    with translation.override("en"):
        names = dict(country_choices())
    assert names["BS"] == "Bahamas" and names["NR"] == "Nauru"


def test_the_country_count_shows_only_when_most_signatories_have_a_country(client):
    letter = make_letter()
    for name in ["Aid One", "Aid Two", "Aid Three"]:
        add_signatory(letter, name, "")
    add_signatory(letter, "Aid Four", "SY")
    page = client.get(f"/en/letters/{letter.slug}/").content.decode()
    assert "Signed by 4 organisations" in page
    assert "from 1 country" not in page
    for name in ["Aid Five", "Aid Six", "Aid Seven"]:
        add_signatory(letter, name, "TR")
    page = client.get(f"/en/letters/{letter.slug}/").content.decode()
    assert "Signed by 7 organisations from 2 countries" in page


def test_imported_signatories_are_dated_with_the_letter(client):
    import datetime

    letter = make_letter(dated=datetime.date(2017, 12, 1))
    preview = importer.parse_numbered_list("1. First Aid\n2. Second Aid\n", letter)
    services.import_endorsements(letter, preview, user=None)
    dates = {e.created_at.date() for e in Endorsement.objects.filter(letter=letter)}
    assert dates == {datetime.date(2017, 12, 1)}


def test_arabic_letter_page_names_languages_and_joins_lists_in_arabic(client):
    letter = make_letter()
    letter.press_contacts.update(
        translated_roles={"ar": "مسؤول الصحافة"}, translated_organisations={"ar": "أمانة التحالف"}
    )
    arabic = Letter.objects.get(slug=f"{letter.slug}-ar")
    arabic.press_contacts.create(
        name="Alex Example",
        role="Press officer",
        organisation="Coalition secretariat",
        translated_roles={"ar": "مسؤول الصحافة"},
        translated_organisations={"ar": "أمانة التحالف"},
    )
    from .factories import make_target

    other = make_target("hrc", "The Human Rights Council", "مجلس حقوق الإنسان")
    arabic.targets.add(other)
    page = client.get(f"/ar/letters/{arabic.slug}/").content.decode()
    assert "اقرأها بالإنجليزيّة" in page
    assert "English</a>" in page  # the language switch keeps each language's own name
    assert "الأمين العام للأمم المتحدة و" in page or "مجلس حقوق الإنسان و" in page
    assert "; " not in page.split('class="letter__facts"')[1].split("</dl>")[0]
    assert "مسؤول الصحافة" in page and "أمانة التحالف" in page


def test_an_english_only_letter_under_ar_says_so(client):
    letter = make_letter(arabic=False)
    page = client.get(f"/ar/letters/{letter.slug}/").content.decode()
    assert "هذه الرسالة غير متاحة بلغتك بعد" in page
    assert "بالإنجليزيّة" in page


def test_percentages_read_in_arabic():
    from django.template import Context, Template

    template = Template("{% load undersigned %}{{ share|percent }}")
    with translation.override("ar"):
        assert template.render(Context({"share": 50.0})) == "50٫0٪"
    with translation.override("en"):
        assert template.render(Context({"share": 50.0})) == "50.0%"


def test_petition_targets_are_joined_in_the_pages_language(client):
    from .factories import make_target

    petition = make_petition()
    petition.targets.add(make_target("hrc", "The Human Rights Council", "مجلس حقوق الإنسان"))
    english = client.get("/en/petitions/free-the-detained/").content.decode()
    assert re.search(r"The (UN Secretary-General|Human Rights Council) and The", english)
    arabic = client.get("/ar/petitions/free-the-detained/").content.decode()
    assert re.search(r"(للأمم المتحدة|الإنسان) و(الأمين|مجلس)", arabic)
