import pytest
from django.db import IntegrityError, transaction

from undersigned.letters import demo, services
from undersigned.letters.models import Endorsement, Letter, normalise_name
from undersigned.organisations import demo as organisations_demo

from .letters_fixtures import add_signatory, details, make_letter


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Amnesty International", "AmnestyInternational"),
        ("Trócaire", "TROCAIRE"),
        ("Relief & Reconciliation", "relief reconciliation"),
        ("Syrian Center – SCM", "Syrian Center SCM"),
        ("سوريون من أجلِ الحقيقة", "سوريون من أجل الحقيقة"),
    ],
)
def test_normalised_names_ignore_case_accents_spaces_and_punctuation(one, other):
    assert normalise_name(one) == normalise_name(other)


def test_normalised_names_keep_arabic_letters_and_digits():
    assert normalise_name("11.11.11") == "111111"
    assert normalise_name("حملة سوريا") == "حملةسوريا"


@pytest.mark.django_db
def test_the_database_refuses_the_same_organisation_twice_unless_rejected_or_merged():
    letter = make_letter()
    first = add_signatory(letter, "Baytna", "TR")
    with pytest.raises(IntegrityError), transaction.atomic():
        Endorsement.objects.create(letter=letter, name="BAYTNA", country="TR")
    services.reject(first, "duplicate of a later one", None)
    Endorsement.objects.create(letter=letter, name="BAYTNA", country="TR")


@pytest.mark.django_db
def test_endorsements_go_to_the_original_letter():
    letter = make_letter()
    arabic = Letter.objects.get(slug="stop-the-attacks-ar")
    endorsement = services.create_endorsement(arabic, details(), status="pending_email")
    assert endorsement.letter == letter
    assert list(arabic.networks()) == list(letter.networks())


@pytest.mark.django_db
def test_demo_letters_load_through_the_importer_and_twice_changes_nothing():
    organisations_demo.load()
    demo.load()
    coalition = Letter.objects.get(slug="emergency-session-syria")
    assert coalition.signatories().count() == 222
    assert coalition.signatories().filter(networks__marker="*").count() == 46
    statement = Letter.objects.get(slug="chemical-attacks-syria")
    assert statement.signatories().count() == 46
    assert {v.language for v in statement.versions()} == {"en", "ar"}
    counts = (Letter.objects.count(), Endorsement.objects.count())
    demo.load()
    assert (Letter.objects.count(), Endorsement.objects.count()) == counts
    for letter in Letter.objects.all():
        for contact in letter.press_contacts.all():
            assert contact.email.endswith("@example.org")
