"""Demo organisers and targets, drawn from the campaigns the product is modelled on."""

from .models import Organisation, Target

ORGANISERS = [
    {
        "slug": "amnesty-international",
        "name": "Amnesty International",
        "translated_names": {"ar": "منظمة العفو الدولية"},
        "website": "https://www.amnesty.org/",
        "country": "GB",
        "description": "A worldwide movement campaigning for human rights for everyone.",
    },
    {
        "slug": "the-syria-campaign",
        "name": "The Syria Campaign",
        "translated_names": {"ar": "حملة سوريا"},
        "website": "https://thesyriacampaign.org/",
        "country": "GB",
        "description": "Works alongside Syrian human-rights defenders, families and survivors.",
        # publishes only what is written in both languages (the publishing check, staff.md)
        "required_languages": ["en", "ar"],
        # a partner's page on another local origin may frame its actions (docs/partners.md)
        "embed_origins": "http://localhost:8001\nhttp://127.0.0.1:8001",
    },
    {
        "slug": "civic",
        "name": "Center for Civilians in Conflict",
        "short_name": "CIVIC",
        "translated_names": {"ar": "مركز المدنيين في النزاعات"},
        "website": "https://civiliansinconflict.org/",
        "country": "US",
        "description": "Presses for the protection of civilians caught in armed conflict.",
    },
    {
        "slug": "snhr",
        "name": "Syrian Network for Human Rights",
        "short_name": "SNHR",
        "translated_names": {"ar": "الشبكة السورية لحقوق الإنسان"},
        "website": "https://snhr.org/",
        "description": "Documents violations in Syria and keeps the record of the disappeared.",
    },
    {
        "slug": "conectas",
        "name": "Conectas Human Rights",
        "short_name": "Conectas",
        "translated_names": {"ar": "كونيكتاس لحقوق الإنسان"},
        "website": "https://www.conectas.org/",
        "country": "BR",
        "description": "A Brazilian organisation defending human rights in the Global South.",
    },
]

TARGETS = [
    {
        "slug": "un-secretary-general",
        "name": "The UN Secretary-General",
        "translated_names": {"ar": "الأمين العام للأمم المتحدة"},
        "kind": Target.Kind.ROLE,
        "description": "Head of the United Nations Secretariat.",
    },
    {
        "slug": "icrc",
        "name": "The International Committee of the Red Cross",
        "short_name": "ICRC",
        "translated_names": {"ar": "اللجنة الدولية للصليب الأحمر"},
        "kind": Target.Kind.INSTITUTION,
        "description": "Mandated to protect detainees and to trace missing people in armed conflict.",
    },
    {
        "slug": "iimp",
        "name": "The Independent Institution on Missing Persons in Syria",
        "short_name": "IIMP",
        "translated_names": {"ar": "المؤسسة المستقلة المعنية بالمفقودين في سوريا"},
        "kind": Target.Kind.INSTITUTION,
        "description": "Set up by the UN General Assembly in 2023 to clarify the fate of the missing.",
    },
    {
        "slug": "iiim",
        "name": "The International, Impartial and Independent Mechanism",
        "short_name": "IIIM",
        "translated_names": {"ar": "الآلية الدولية المحايدة والمستقلة"},
        "kind": Target.Kind.INSTITUTION,
        "description": "Gathers evidence of the gravest crimes committed in Syria since March 2011.",
    },
]


def load() -> list[str]:
    for fields in ORGANISERS:
        Organisation.objects.update_or_create(slug=fields["slug"], defaults=fields)
    for fields in TARGETS:
        Target.objects.update_or_create(slug=fields["slug"], defaults=fields)
    return [f"{len(ORGANISERS)} organisers", f"{len(TARGETS)} targets"]
