"""The staff progress page: the right numbers for a small known data set, charts that can be
read without seeing them, and aggregate queries only."""

import re
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from undersigned.delivery.actions import ActionRef
from undersigned.delivery.charts import axis_ceiling
from undersigned.delivery.progress import compute
from undersigned.letters.models import Letter

from .delivery_fixtures import add_signatures, closed_petition
from .factories import make_petition
from .letters_fixtures import add_signatory, make_letter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def rows(html: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


def test_progress_page_shows_the_known_numbers(admin_client):
    petition = closed_petition()
    response = admin_client.get(f"/admin/delivery/petitionaction/{petition.pk}/progress/")
    assert response.status_code == 200
    html = response.content.decode()
    assert rows(html, "by-country")[1:] == [
        ["Syria", "2"],
        ["Germany", "1"],  # ties in the order of their country codes
        ["France", "1"],
        ["Lebanon", "1"],
    ]
    assert rows(html, "by-source")[1:] == [
        ["newsletter", "2", "1", "66.7%"],
        ["none (direct)", "2", "0", "100.0%"],
        ["share-whatsapp", "1", "0", "100.0%"],
    ]
    assert rows(html, "share-clicks")[1:] == [["WhatsApp", "10"], ["Email", "2"]]
    assert "83.3%" in html  # 5 confirmed of 6
    assert '<td>1 March 2025</td><td class="number">3</td><td class="number">0</td>' in html
    assert '<td>3 March 2025</td><td class="number">0</td><td class="number">1</td>' in html
    assert '<td>1 March 2025 09:00</td><td class="number">2</td>' in html


def test_charts_are_accessible_svg(admin_client):
    petition = closed_petition()
    html = admin_client.get(
        f"/admin/delivery/petitionaction/{petition.pk}/progress/"
    ).content.decode()
    charts = re.findall(r'<svg class="chart".*?</svg>', html, re.S)
    assert len(charts) == 4  # per day, per hour, by country, share clicks
    for chart in charts:
        labelled = re.search(r'aria-labelledby="([^ ]+) ([^"]+)"', chart)
        assert f'<title id="{labelled.group(1)}">' in chart
        assert f'<desc id="{labelled.group(2)}">' in chart
        assert 'role="img"' in chart
    assert "<script" not in html.split('id="content"')[-1]


def test_arabic_progress_page_mirrors_the_country_chart(admin_client):
    petition = closed_petition()
    admin_client.cookies["django_language"] = "ar"
    html = admin_client.get(
        f"/admin/delivery/petitionaction/{petition.pk}/progress/", HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    assert 'dir="rtl"' in html
    assert "سوريا" in html
    assert 'direction="rtl"' in html  # the horizontal bars grow from the right


def test_top_twenty_countries_then_the_rest():
    petition = make_petition(state="closed")
    codes = ["SY", "LB", "TR", "JO", "IQ", "EG", "FR", "DE", "GB", "US", "CA", "SE", "NO", "DK"]
    codes += ["NL", "BE", "ES", "IT", "PT", "IE", "AT", "CH", "PL"]
    signers = [
        (f"Name {i}", code, "confirmed", "", "en", False, datetime(2025, 1, 1, tzinfo=UTC))
        for i, code in enumerate(codes)
    ]
    add_signatures(petition, signers)
    progress = compute(ActionRef.of(petition))
    assert len(progress.by_country) == 20
    assert (progress.rest_countries, progress.rest_count) == (3, 3)


def test_queries_are_aggregates_whatever_the_size():
    petition = closed_petition()
    action = ActionRef.of(petition)
    with CaptureQueriesContext(connection) as small:
        compute(action)
    add_signatures(
        petition,
        [
            (f"More {n}", "SY", "confirmed", "", "en", False, datetime(2025, 3, 2, tzinfo=UTC))
            for n in range(50)
        ],
        prefix="more",
    )
    with CaptureQueriesContext(connection) as large:
        compute(action)
    # a probe per status, the mark, stale days, tallies, later confirmations, the unrolled
    # signatures by day, hour, country and source, share clicks (and the snapshot's savepoint)
    assert len(large) == len(small) <= 16


def test_letter_progress(admin_client):
    letter = make_letter(state=Letter.State.CLOSED)
    add_signatory(letter, "Alpha Aid", "SY")
    add_signatory(letter, "Beta Relief", "TR")
    html = admin_client.get(f"/admin/delivery/letteraction/{letter.pk}/progress/").content.decode()
    assert rows(html, "by-country")[1:] == [["Syria", "1"], ["Türkiye", "1"]]
    assert "by-source" not in html


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 4), (1, 4), (7, 8), (11, 12), (25, 32), (240, 240), (1_000_001, 1_200_000)],
)
def test_axis_ceiling_gives_whole_ticks(value, ceiling):
    assert axis_ceiling(value) == ceiling
    assert ceiling % 4 == 0 and ceiling >= value
