"""Two organisations on one installation, each with its actions, signers, endorsements,
an invalidated batch and (on request) hand-over packages: what the persona tests probe."""

from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from undersigned.api.keys import create_key
from undersigned.api.models import ApiKey, WebhookDelivery, WebhookEndpoint
from undersigned.api.webhooks import new_secret
from undersigned.delivery import services as delivery_services
from undersigned.delivery.actions import ActionRef
from undersigned.delivery.models import Package
from undersigned.letters.models import Endorsement, Letter
from undersigned.petitions.models import CoHost, Petition, Signature, State
from undersigned.staff.models import Membership
from undersigned.supporters.models import InvalidationBatch

from .delivery_fixtures import add_signatures
from .factories import make_organiser, make_petition
from .letters_fixtures import add_signatory
from .personas import Personas


@dataclass
class Holdings:
    """What one organisation runs, and the words that mark its rows on a page."""

    code: str
    closed_petition: Petition
    open_petition: Petition
    signature: Signature
    letter: Letter
    endorsement: Endorsement
    pending: Endorsement
    batch: InvalidationBatch
    membership: Membership | None
    api_key: ApiKey
    webhook: WebhookEndpoint
    delivery: WebhookDelivery
    cohost: CoHost | None = None
    packages: dict = field(default_factory=dict)

    @property
    def markers(self) -> list[str]:
        code = self.code
        return [
            f"Petition of {code}",
            f"Signer of {code}",
            f"Letter of {code}",
            f"Aid of {code}",
            f"Key of {code}",
            f"Hook of {code}",
        ]


@dataclass
class World:
    personas: Personas
    a: Holdings
    b: Holdings


def holdings(code: str, organisation, membership) -> Holdings:
    slug = code.lower()
    closed = make_petition(
        f"{slug}-closed", state=State.CLOSED, organiser=organisation, title=f"Petition of {code}"
    )
    rows = [(f"Signer of {code}", "SY", "confirmed", "", "en", True, timezone.now())]
    signature = add_signatures(closed, rows=rows, prefix=f"{slug}-signer")[0]
    opened = make_petition(f"{slug}-open", organiser=organisation, title=f"Open one of {code}")
    letter = make_letter_of(code, organisation)
    endorsement = add_signatory(letter, f"Aid of {code}", "SY")
    pending = Endorsement.objects.create(
        letter=letter,
        name=f"Pending aid of {code}",
        contact_email=f"contact@{slug}.example.org",
        status=Endorsement.Status.PENDING_REVIEW,
    )
    batch = InvalidationBatch.objects.create(
        petition=closed,
        dimension="source",
        value=f"flood-{slug}",
        since=timezone.now(),
        until=timezone.now(),
        reason="test",
    )
    api_key = create_key(organisation, f"Key of {code}", ApiKey.Scope.READ, None)[0]
    webhook = WebhookEndpoint.objects.create(
        organisation=organisation,
        name=f"Hook of {code}",
        url=f"https://{slug}.example.org/hooks",
        events=["signature.confirmed"],
        secret=new_secret(),
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=webhook, message_id=f"msg_{slug}", event="signature.confirmed", queued=True
    )
    partner = make_organiser(f"partner-of-{slug}", f"Partner of {code}", f"شريك {code}")
    cohost = CoHost.objects.create(petition=opened, organisation=partner, code="partner")
    return Holdings(
        code,
        closed,
        opened,
        signature,
        letter,
        endorsement,
        pending,
        batch,
        membership,
        api_key,
        webhook,
        delivery,
        cohost,
    )


def make_letter_of(code, organisation):
    from .letters_fixtures import make_letter

    return make_letter(
        f"letter-{code.lower()}", organiser=organisation, title=f"Letter of {code}", arabic=False
    )


@pytest.fixture
def world(personas) -> World:
    p = personas
    admin_membership = Membership.objects.get(user=p.admin_a)
    b_membership = Membership.objects.get(user=p.campaigner_b)
    return World(
        personas=p,
        a=holdings("A", p.organisation_a, admin_membership),
        b=holdings("B", p.organisation_b, b_membership),
    )


@pytest.fixture
def world_with_packages(world, packages_dir, run_tasks):
    for side in (world.a, world.b):
        for kind in (Package.Kind.HANDOVER, Package.Kind.EMAILS):
            side.packages[kind] = delivery_services.request_package(
                ActionRef.of(side.closed_petition),
                kind=kind,
                language="en",
                include_names=True,
                user=world.personas.operator,
            )
    run_tasks()
    return world
