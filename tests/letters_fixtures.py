"""Builders for sign-on letter tests (plain functions, like tests/factories.py)."""

from pathlib import Path

from django.contrib.auth import get_user_model

from undersigned.letters import services
from undersigned.letters.models import Letter, Network
from undersigned.organisations.models import Target

from .factories import make_organiser

SEED_003 = Path(__file__).parent / "fixtures" / "seed_003_signatories.txt"


def make_letter(
    slug="stop-the-attacks",
    *,
    state=Letter.State.OPEN,
    arabic=True,
    organiser=None,
    title="Stop the attacks on civilians",
    **fields,
):
    organiser = organiser or make_organiser()
    target, _ = Target.objects.get_or_create(
        slug="un-sg",
        defaults={
            "name": "The UN Secretary-General",
            "kind": Target.Kind.ROLE,
            "translated_names": {"ar": "الأمين العام للأمم المتحدة"},
        },
    )
    letter = Letter.objects.create(
        slug=slug,
        language="en",
        title=title,
        summary="Organisations ask the UN to act.",
        body="We, the undersigned organisations, **urge** the Secretary-General to act.",
        notes_to_editors="The coalition works for the protection of civilians.",
        organiser=organiser,
        place="Geneva",
        state=state,
        **fields,
    )
    letter.targets.set([target])
    Network.objects.create(
        letter=letter,
        marker="*",
        name="Syria Relief Network",
        text="Members of the Syria Relief Network.",
        translated_names={"ar": "شبكة الإغاثة السورية"},
        translated_texts={"ar": "أعضاء في شبكة الإغاثة السورية."},
    )
    letter.press_contacts.create(
        name="Alex Example", role="Press officer", email="press@example.org", phone="+1 555 0100"
    )
    if arabic:
        Letter.objects.create(
            slug=f"{slug}-ar",
            language="ar",
            translation_of=letter,
            title="أوقفوا الهجمات على المدنيين",
            body="نحن المنظمات الموقّعة أدناه نطالب الأمين العام بالتحرك.",
            organiser=organiser,
            state=state,
        ).targets.set([target])
    return letter


def staff_user(username="moderator"):
    return get_user_model().objects.create_superuser(username, f"{username}@example.org", "pw")


def details(name="Syrian Civil Defence", country="SY", networks=(), **fields):
    values = {
        "name": name,
        "country": country,
        "website": "",
        "contact_name": "Rana Example",
        "contact_email": "rana@example.org",
        "authorised": True,
        "networks": list(networks),
    }
    values.update(fields)
    return services.EndorsementDetails(**values)


def add_signatory(letter, name, country="", networks=(), user=None, contact_email=""):
    """An approved endorsement, as staff add one directly (with no contact to ask, unless
    `contact_email` is given: then the contact is asked to confirm or withdraw)."""
    found = details(name, country, networks, contact_email=contact_email)
    return services.add_endorsement(letter, found, user)


def form_data(**overrides):
    data = {
        "name": "Syrian Civil Defence",
        "country": "SY",
        "website": "https://example.org/",
        "contact_name": "Rana Example",
        "contact_email": "rana@example.org",
        "authorised": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
