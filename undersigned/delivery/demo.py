"""Demo delivery: the closed petition "justice-for-syria" handed to the UN Secretary-General.

Run after the petitions demo (which sets the petition back to "closed"); idempotent.
"""

from datetime import timedelta

from undersigned.petitions.models import Petition

from .actions import ActionRef
from .models import Delivery, DeliveryText

SLUG = "justice-for-syria"
TEXTS = {
    "en": (
        "the UN Secretary-General, António Guterres",
        "A delegation of Syrian families and our staff handed the signatures to the "
        "Secretary-General's office in New York, together with a letter asking the UN to give "
        "the new investigation mechanism the staff and money it needs.\n\n"
        "Thank you to everyone who signed. We will keep pressing until those responsible "
        "face justice.",
    ),
    "ar": (
        "الأمين العام للأمم المتحدة، أنطونيو غوتيريش",
        "سلّم وفد من العائلات السورية ومن فريقنا التواقيع إلى مكتب الأمين العام في نيويورك، "
        "ومعها رسالة تطالب الأمم المتحدة بأن تمنح آلية التحقيق الجديدة ما تحتاجه من موظفين وتمويل.\n\n"
        "شكراً لكل من وقّع. سنواصل الضغط حتى يمثل المسؤولون أمام العدالة.",
    ),
}


def load() -> list[str]:
    petition = Petition.objects.filter(slug=SLUG).first()
    if petition is None or petition.closes_at is None:
        return []
    delivery, _ = Delivery.objects.update_or_create(
        petition=petition,
        defaults={
            "delivered_on": (petition.closes_at + timedelta(days=12)).date(),
            "method": Delivery.Method.IN_PERSON,
        },
    )
    for language, (recipients, note) in TEXTS.items():
        DeliveryText.objects.update_or_create(
            delivery=delivery, language=language, defaults={"recipients": recipients, "note": note}
        )
    ActionRef.of(petition).mark_delivered(None)
    return [f"delivery of {SLUG} on {delivery.delivered_on}"]
