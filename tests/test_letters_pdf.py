"""A letter's PDF is ready before anyone asks: a task renders it whenever the letter, its
list or its footnotes change, keeps the last good one in the private storage, and a download
serves the kept file without laying anything out."""

import shutil
import subprocess

import pytest
from django.core.files.storage import storages

from undersigned.actions.lifecycle import close_action
from undersigned.letters import pdf
from undersigned.letters.models import Letter, ReadyPdf
from undersigned.letters.services import approve

from .letters_fixtures import add_signatory, make_letter
from .s3_server import fetch

pytestmark = pytest.mark.django_db

PDF = "/en/letters/stop-the-attacks/pdf/"


def pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


def kept(letter: Letter) -> bytes:
    ready = ReadyPdf.objects.get(letter=letter)
    with storages["private"].open(ready.file, "rb") as stored:
        return stored.read()


@pytest.fixture
def letter_with_pdfs(run_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter = make_letter()
        add_signatory(letter, "First Aid Network", "SY")
    run_tasks()
    return letter


def test_the_pdfs_are_rendered_by_a_task_before_anyone_asks(letter_with_pdfs, client, tmp_path):
    letter = letter_with_pdfs
    arabic = Letter.objects.get(slug="stop-the-attacks-ar")
    for version in (letter, arabic):
        ready = ReadyPdf.objects.get(letter=version)
        assert ready.version == pdf.version(version) and ready.file.startswith("letters/")
        assert kept(version).startswith(b"%PDF") and ready.size == len(kept(version))
    rendered_at = ReadyPdf.objects.get(letter=letter).rendered_at
    response = client.get(PDF)
    assert response.status_code == 200 and response.content == kept(letter)
    assert ReadyPdf.objects.get(letter=letter).rendered_at == rendered_at  # nothing laid out
    assert "First Aid Network" in pdf_text(response.content, tmp_path)


def test_a_change_to_the_list_renders_again_and_the_last_good_one_is_served_meanwhile(
    letter_with_pdfs, client, run_tasks, django_capture_on_commit_callbacks, tmp_path
):
    letter = letter_with_pdfs
    before = client.get(PDF).content
    old_file = ReadyPdf.objects.get(letter=letter).file
    with django_capture_on_commit_callbacks(execute=True):
        add_signatory(letter, "Late Relief", "LB")
    # Before the worker runs: the last good PDF, at once (and a render is asked for again).
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(PDF).content == before
    run_tasks()
    after = client.get(PDF).content
    assert after != before and "Late Relief" in pdf_text(after, tmp_path)
    assert not storages["private"].exists(old_file)  # only the current one is kept


@pytest.mark.parametrize("change", ["approve", "footnote", "close"])
def test_moderation_footnotes_and_state_changes_render_again(
    change, letter_with_pdfs, run_tasks, django_capture_on_commit_callbacks, admin_user
):
    from undersigned.letters.models import Endorsement

    letter = letter_with_pdfs
    before = ReadyPdf.objects.get(letter=letter).version
    with django_capture_on_commit_callbacks(execute=True):
        if change == "approve":
            pending = Endorsement.objects.create(
                letter=letter, name="Waiting Aid", status=Endorsement.Status.PENDING_REVIEW
            )
            assert ReadyPdf.objects.get(letter=letter).version == pdf.version(letter)
            approve(pending, admin_user)
        elif change == "footnote":
            network = letter.networks().first()
            network.name = "A renamed network"
            network.save()
        else:
            close_action(letter, admin_user)
    run_tasks()
    assert ReadyPdf.objects.get(letter=letter).version not in ("", before)


def test_a_failed_render_keeps_the_last_good_pdf(
    letter_with_pdfs, client, run_tasks, django_capture_on_commit_callbacks, settings
):
    letter = letter_with_pdfs
    good = client.get(PDF).content
    # A PDF template that cannot be rendered stands for a layout that fails.
    engine = settings.TEMPLATES[0]
    options = {key: value for key, value in engine["OPTIONS"].items() if key != "loaders"}
    broken = {"letters/pdf.html": "{% broken %}"}
    settings.TEMPLATES = [
        {
            **engine,
            "APP_DIRS": False,
            "OPTIONS": {**options, "loaders": [("django.template.loaders.locmem.Loader", broken)]},
        }
    ]
    with django_capture_on_commit_callbacks(execute=True):
        add_signatory(letter, "Late Relief", "LB")
    with pytest.raises(Exception, match="broken"):
        pdf.refresh_pdf(letter)
    assert kept(letter) == good


def test_a_letter_never_rendered_is_rendered_on_first_download(client):
    make_letter()  # no task has run (its on-commit request never fired)
    assert not ReadyPdf.objects.exists()
    response = client.get(PDF)
    assert response.content.startswith(b"%PDF")
    assert kept(Letter.objects.get(slug="stop-the-attacks")) == response.content


def test_the_kept_pdf_lives_in_the_private_bucket(s3, letter_with_pdfs, client):
    letter = letter_with_pdfs
    ready = ReadyPdf.objects.get(letter=letter)
    assert ready.file in s3.keys(s3.private) and s3.keys(s3.public) == []
    assert client.get(PDF).content == kept(letter)
    assert fetch(f"{s3.endpoint}/{s3.private}/{ready.file}")[0] == 403
