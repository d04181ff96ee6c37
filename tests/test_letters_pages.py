"""The public letter page, its Arabic version, the home page card and the PDF."""

import re
import shutil
import subprocess

import pytest
from django.conf import settings

from undersigned.actions.lifecycle import close_action
from undersigned.letters import pdf
from undersigned.letters.models import Letter

from .letters_fixtures import add_signatory, make_letter

pytestmark = pytest.mark.django_db

PAGE = "/en/letters/stop-the-attacks/"
ARABIC = "/ar/letters/stop-the-attacks-ar/"


def signatories(letter, count, country="SY"):
    for index in range(count):
        add_signatory(letter, f"Organisation {index:03}", country)


def test_the_letter_page_in_english(client):
    letter = make_letter()
    network = letter.networks().get()
    add_signatory(letter, "Beta Relief", "TR", [network])
    add_signatory(letter, "Alpha Aid", "SY")
    add_signatory(letter, "Gamma Rights", "")
    html = client.get(PAGE).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "<strong>urge</strong>" in html
    assert "The UN Secretary-General" in html and "Rights Watchers" in html
    assert "Signed by 3 organisations from 2 countries" in html
    names = re.findall(
        r'<li value="(\d+)"><span class="signatory-list__name" dir="auto">([^<]+)<', html
    )
    assert names == [("1", "Alpha Aid"), ("2", "Beta Relief"), ("3", "Gamma Rights")]
    assert "<dt>*</dt><dd>Members of the Syria Relief Network.</dd>" in html
    assert "Notes to editors" in html and "protection of civilians" in html
    assert "Alex Example" in html and "press@example.org" in html
    assert 'href="/en/letters/stop-the-attacks/pdf/"' in html
    assert 'href="/ar/letters/stop-the-attacks-ar/" hreflang="ar"' in html
    assert 'href="/en/letters/stop-the-attacks/endorse/"' in html


def test_the_letter_page_in_arabic_shares_the_signatories(client):
    letter = make_letter()
    add_signatory(letter, "Alpha Aid", "SY", list(letter.networks()))
    html = client.get(ARABIC).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "أوقفوا الهجمات على المدنيين" in html
    assert "الأمين العام للأمم المتحدة" in html
    assert "Alpha Aid" in html
    assert "أعضاء في شبكة الإغاثة السورية." in html
    assert "سوريا" in html  # the country name, localised
    assert 'href="/en/letters/stop-the-attacks/" hreflang="en"' in html


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (1, "وقّعت عليها منظمة واحدة"),
        (2, "وقّعت عليها منظمتان"),
        (3, "وقّعت عليها 3 منظمات"),
        (11, "وقّعت عليها 11 منظمة"),
    ],
)
def test_arabic_plural_forms(client, count, text):
    letter = make_letter()
    signatories(letter, count)
    html = client.get(ARABIC).content.decode()
    assert text in html
    assert "من بلد واحد" in html


def test_english_singular(client):
    letter = make_letter()
    signatories(letter, 1)
    assert "Signed by 1 organisation from 1 country" in client.get(PAGE).content.decode()


def test_switching_language_leads_to_the_translation(client):
    make_letter()
    response = client.get("/ar/letters/stop-the-attacks/?country=SY")
    assert response.status_code == 302
    assert response["Location"] == "/ar/letters/stop-the-attacks-ar/?country=SY"


def test_a_letter_without_translation_shows_in_its_own_language(client):
    make_letter(arabic=False)
    html = client.get("/ar/letters/stop-the-attacks/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert '<article class="letter" lang="en" dir="ltr"' in html


def test_filter_by_country_and_search_by_name_keep_the_numbers(client):
    letter = make_letter()
    add_signatory(letter, "Alpha Aid", "SY")
    add_signatory(letter, "Beta Relief", "TR")
    add_signatory(letter, "Gamma Rights", "TR")
    html = client.get(PAGE, {"country": "TR"}).content.decode()
    assert "Alpha Aid" not in html
    assert '<li value="2">' in html and '<li value="3">' in html
    assert "2 organisations match." in html
    assert '<option value="TR" selected>Türkiye</option>' in html or 'value="TR" selected' in html

    html = client.get(PAGE, {"q": "gammarights"}).content.decode()
    assert '<li value="3">' in html and "Beta Relief" not in html
    html = client.get(PAGE, {"q": "relief", "country": "SY"}).content.decode()
    assert "0 organisations match." in html
    html = client.get(PAGE, {"country": "<script>", "q": "x" * 500}).content.decode()
    assert "<script>" not in html.split("<main")[1]


def test_no_signatories_yet(client):
    make_letter()
    assert "No organisation is listed yet." in client.get(PAGE).content.decode()


def test_the_home_page_lists_the_letter_in_the_page_language(client):
    letter = make_letter()
    signatories(letter, 2)
    make_letter("a-draft", state=Letter.State.DRAFT, arabic=False)
    english = client.get("/en/").content.decode()
    assert "Stop the attacks on civilians" in english
    assert "Signed by 2 organisations" in english
    assert "a-draft" not in english
    arabic = client.get("/ar/").content.decode()
    assert "أوقفوا الهجمات على المدنيين" in arabic
    assert 'href="/ar/letters/stop-the-attacks-ar/"' in arabic


def test_a_translation_follows_the_state_of_the_original(client):
    letter = make_letter()
    close_action(letter, None)
    assert Letter.objects.get(slug="stop-the-attacks-ar").state == Letter.State.CLOSED
    html = client.get("/ar/letters/stop-the-attacks-ar/endorse/").content.decode()
    assert "لم تعد هذه الرسالة تقبل توقيعات جديدة" in html


def test_no_third_party_hosts_on_letter_pages(client):
    make_letter()
    for path in [PAGE, ARABIC, PAGE + "endorse/", ARABIC + "endorse/"]:
        html = client.get(path).content.decode()
        loaded = re.findall(r'(?:src|href|action)="((?:https?:)?//[^"]+)"', html)
        loaded = [url for url in loaded if not url.startswith(settings.SITE_URL + "/")]
        assert loaded == [], (path, loaded)


def test_the_pdf_in_english(client):
    letter = make_letter()
    add_signatory(letter, "Alpha Aid", "SY", list(letter.networks()))
    response = client.get(PAGE + "pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="stop-the-attacks.pdf"' in response["Content-Disposition"]


def test_the_arabic_pdf_is_right_to_left_with_every_signatory(client, tmp_path):
    letter = make_letter()
    signatories(letter, 30)
    arabic = Letter.objects.get(slug="stop-the-attacks-ar")
    html = pdf.letter_html(arabic)
    assert '<html lang="ar" dir="rtl">' in html
    assert "Noto Naskh Arabic" in html
    assert "وقّعت عليها 30 منظمة" in html
    assert html.count("<li value=") == 30
    response = client.get(ARABIC + "pdf/")
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "letter.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        assert "Organisation 029" in text
        assert "الهجمات" in text or "تامجهلا" in text  # logical or visual order


def test_the_date_line_in_each_language(client):
    import datetime

    make_letter(dated=datetime.date(2017, 12, 1))
    Letter.objects.filter(slug="stop-the-attacks-ar").update(
        place="جنيف", dated=datetime.date(2017, 12, 1)
    )
    assert "Geneva, 1 December 2017" in client.get(PAGE).content.decode()
    assert "جنيف، 1 " in client.get(ARABIC).content.decode()
