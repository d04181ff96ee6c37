"""Small builders for test data (plain functions: no factory library needed)."""

from datetime import timedelta

from django.utils import timezone

from undersigned.organisations.models import Organisation, Target
from undersigned.petitions.models import Demand, KeyFact, Petition, PetitionText, State


def make_organiser(slug="rights-watchers", name="Rights Watchers", arabic="مراقبو الحقوق"):
    organiser, _ = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name, "translated_names": {"ar": arabic}}
    )
    return organiser


def make_target(slug="un-sg", name="The UN Secretary-General", arabic="الأمين العام للأمم المتحدة"):
    target, _ = Target.objects.get_or_create(
        slug=slug,
        defaults={"name": name, "kind": Target.Kind.ROLE, "translated_names": {"ar": arabic}},
    )
    return target


def make_petition(
    slug="free-the-detained",
    *,
    state=State.OPEN,
    double_opt_in=True,
    arabic=True,
    closes_in_days=None,
    goal=100,
    organiser=None,
    title="Free the detained",
    **fields,
) -> Petition:
    petition = Petition.objects.create(
        slug=slug,
        organiser=organiser or make_organiser(),
        state=state,
        double_opt_in=double_opt_in,
        goal=goal,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=closes_in_days)
        if closes_in_days is not None
        else None,
        **fields,
    )
    petition.targets.add(make_target())
    PetitionText.objects.create(
        petition=petition,
        language="en",
        title=title,
        summary="Ask for every detainee to be released.",
        body="## Why\n\nThousands are held **without charge**.",
        pledge_heading="To the UN Secretary-General,",
        pledge="I call on you to act for every detainee.",
    )
    Demand.objects.create(
        petition=petition,
        language="en",
        position=0,
        heading="Open the prisons",
        text="Let monitors in.",
    )
    KeyFact.objects.create(
        petition=petition, language="en", figure="112,000", label="people still missing"
    )
    if arabic:
        PetitionText.objects.create(
            petition=petition,
            language="ar",
            title="الحرية للمعتقلين",
            summary="طالِب بالإفراج عن كل المعتقلين.",
            body="آلاف محتجزون **دون تهمة**.",
            pledge_heading="إلى الأمين العام للأمم المتحدة،",
            pledge="أدعوكم إلى التحرك من أجل كل معتقل.",
        )
        Demand.objects.create(
            petition=petition,
            language="ar",
            position=0,
            heading="افتحوا السجون",
            text="اسمحوا للمراقبين بالدخول.",
        )
    return petition


def signer(**overrides) -> dict:
    data = {"name": "Amal Haddad", "email": "amal@example.org", "country": "LB"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
