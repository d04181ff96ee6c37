"""The signatory importer: a pasted numbered list or a CSV, previewed before anything is saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from undersigned.audit.models import AuditEntry
from undersigned.letters import importer, services
from undersigned.letters.models import Endorsement

from .letters_fixtures import SEED_003, add_signatory, make_letter

pytestmark = pytest.mark.django_db


def test_the_seed_003_list_has_222_organisations_46_marked_and_a_gap_at_125():
    letter = make_letter()
    preview = importer.parse_numbered_list(SEED_003.read_text(), letter)
    assert len(preview.rows) == 222
    assert preview.gaps == [125]
    assert preview.marker_counts() == {"*": 46}
    assert preview.problems == []
    assert preview.duplicate_rows == []
    assert preview.footnotes[0][0] == "*"
    first, second = preview.rows[:2]
    assert (first.number, first.name, first.markers) == (1, "ABBAD", [])
    assert (second.name, second.markers) == (
        "Abrar Halap Association for Relief and Development",
        ["*"],
    )
    assert preview.rows[-1].name == "11.11.11"


def test_importing_the_seed_003_list_through_the_admin(admin_client):
    letter = make_letter()
    url = f"/admin/letters/letter/{letter.pk}/import/"
    assert admin_client.get(url).status_code == 200

    preview = admin_client.post(url, {"text": SEED_003.read_text()})
    html = preview.content.decode()
    assert "222 organisations found." in html
    assert "46 marked *." in html
    assert "The numbering skips: 125" in html
    assert "Import 222 organisations" in html
    assert Endorsement.objects.count() == 0  # a preview saves nothing

    confirm = preview.context["confirm_form"]
    saved = admin_client.post(
        url, {"confirm": "1", "kind": "text", "content": confirm.initial["content"]}
    )
    assert saved.status_code == 302
    assert Endorsement.objects.filter(status="approved").count() == 222
    assert Endorsement.objects.filter(networks__marker="*").count() == 46
    assert AuditEntry.objects.get(action="letter.imported").detail == {
        "imported": 222,
        "asked_to_confirm": 0,  # a pasted list has no contacts
        "duplicates_skipped": 0,
        "unreadable": 0,
    }

    again = admin_client.post(url, {"text": SEED_003.read_text()}).content.decode()
    assert "222 duplicates will be skipped." in again
    assert "Import 222" not in again


def test_the_published_list_keeps_the_order_of_an_imported_list(client):
    letter = make_letter(signatory_order="staff")
    preview = importer.parse_numbered_list(SEED_003.read_text(), letter)
    services.import_endorsements(letter, preview, None)
    html = client.get("/en/letters/stop-the-attacks/").content.decode()
    assert "Signed by 222 organisations" in html
    assert "countries" not in html.split("Signed by 222 organisations")[1][:40]
    assert html.index(">ABBAD<") < html.index(">Abrar Halap") < html.index(">11.11.11<")
    assert '<li value="222">' in html and '<li value="223">' not in html


def test_duplicates_in_the_paste_and_on_the_letter_are_found():
    letter = make_letter()
    add_signatory(letter, "Amnesty International", "GB")
    text = "1. AmnestyInternational\n2. Human Rights Watch\n3. HUMAN RIGHTS WATCH\n"
    preview = importer.parse_numbered_list(text, letter)
    assert [row.name for row in preview.new_rows] == ["Human Rights Watch"]
    assert "Already on this letter" in preview.rows[0].duplicate
    assert preview.rows[2].duplicate == "Same as line 2."


def test_lines_that_cannot_be_read_are_listed_with_their_line_number():
    letter = make_letter()
    text = "1. ABBAD\nSigned by:\n2. \n4. Ahl Horan† \n3) Amrha\n"
    preview = importer.parse_numbered_list(text, letter)
    assert [row.name for row in preview.rows] == ["ABBAD", "Ahl Horan", "Amrha"]
    assert [problem.line for problem in preview.problems][:1] == [2]
    assert any("†" in problem.reason for problem in preview.problems)
    assert preview.rows[1].markers == []  # † is not a network of this letter
    assert preview.gaps == [2, 3]


def test_names_in_arabic_script_and_long_numbers():
    letter = make_letter()
    text = "41. Syrians for Truth and Justice-STJ سوريون من أجل الحقيقة والعدالة\n"
    row = importer.parse_numbered_list(text, letter).rows[0]
    assert row.name == "Syrians for Truth and Justice-STJ سوريون من أجل الحقيقة والعدالة"
    assert importer.numbering_gaps([1, 2, 4, 7]) == [3, 5, 6]


def test_csv_with_header_countries_websites_and_networks():
    letter = make_letter()
    text = (
        "name,country,website,networks\n"
        "Syria Relief,GB,syriarelief.example.org,*\n"
        "Baytna,Turkey,,Syria Relief Network\n"
        "Nowhere Org,Atlantis,,\n"
        "Bad Site,SY,not a site,\n"
        "Odd Network,SY,,Other\n"
    )
    preview = importer.parse_csv(text, letter)
    assert [(r.name, r.country, r.website, r.markers) for r in preview.rows] == [
        ("Syria Relief", "GB", "https://syriarelief.example.org", ["*"]),
        ("Baytna", "TR", "", ["*"]),
    ]
    assert [p.line for p in preview.problems] == [4, 5, 6]


def test_csv_upload_through_the_admin_is_previewed_then_saved(admin_client):
    letter = make_letter()
    url = f"/admin/letters/letter/{letter.pk}/import/"
    upload = SimpleUploadedFile("list.csv", b"Syria Relief,GB,,*\nBaytna,TR,,\n")
    preview = admin_client.post(url, {"text": "", "csv_file": upload})
    assert "2 organisations found." in preview.content.decode()
    confirm = preview.context["confirm_form"].initial
    admin_client.post(url, {"confirm": "1", **confirm})
    assert sorted(Endorsement.objects.values_list("name", "country")) == [
        ("Baytna", "TR"),
        ("Syria Relief", "GB"),
    ]


def test_an_empty_import_or_a_non_utf8_file_is_refused(admin_client):
    letter = make_letter()
    url = f"/admin/letters/letter/{letter.pk}/import/"
    assert (
        "Paste a list or choose a CSV file."
        in admin_client.post(url, {"text": " "}).content.decode()
    )
    upload = SimpleUploadedFile("list.csv", "Café,FR".encode("latin-1"))
    html = admin_client.post(url, {"csv_file": upload}).content.decode()
    assert "UTF-8" in html
    assert Endorsement.objects.count() == 0


def test_the_import_page_is_staff_only(client):
    letter = make_letter()
    response = client.get(f"/admin/letters/letter/{letter.pk}/import/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
