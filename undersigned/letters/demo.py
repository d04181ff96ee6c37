"""Demo letters: the two sign-on letters of the seed pages, rewritten in our own words, in
English and Arabic. Their signatory lists go through the importer, as staff would paste them.
Contacts are invented (example.org)."""

import datetime
import re
from pathlib import Path

from django_countries import countries

from undersigned.organisations.models import Organisation, Target
from undersigned.protection.crypto import email_digest

from . import importer, services
from .models import CoHost, Endorsement, Letter, Network, PressContact

DATA = Path(__file__).parent / "demo_data"

LETTERS = [
    {
        "slug": "chemical-attacks-syria",
        "organiser": "snhr",
        "targets": ["un-secretary-general"],
        "state": Letter.State.OPEN,
        "signatory_order": Letter.Ordering.ALPHABETICAL,
        "signatories": "chemical_attacks_signatories.txt",
        "versions": {
            "en": {
                "title": "The UN Secretary-General should name those responsible for chemical attacks in Syria",
                "summary": "46 organisations ask António Guterres to set up an independent UN mechanism that attributes responsibility for chemical attacks in Syria.",
                "body": "chemical_attacks.en.md",
            },
            "ar": {
                "title": "على الأمين العام للأمم المتحدة تحديد المسؤولين عن الهجمات الكيميائية في سوريا",
                "summary": "46 منظمة تطالب أنطونيو غوتيريش بإنشاء آلية أممية مستقلة تحدّد المسؤولية عن الهجمات الكيميائية في سوريا.",
                "body": "chemical_attacks.ar.md",
            },
        },
        "networks": [],
        "press_contacts": [
            {
                "name": "Lina Haddad",
                "role": "Press officer",
                "organisation": "Coalition secretariat",
                "email": "press@example.org",
                "translated_roles": {"ar": "مسؤولة الصحافة"},
                "translated_organisations": {"ar": "أمانة التحالف"},
            }
        ],
    },
    {
        "slug": "emergency-session-syria",
        "organiser": "civic",
        # seed 003: one letter, many organisations promoting it, each with its own link
        "cohosts": {"the-syria-campaign": "tsc", "snhr": "snhr"},
        "targets": [],
        "state": Letter.State.CLOSED,
        "signatory_order": Letter.Ordering.STAFF,
        "signatories": "emergency_session_signatories.txt",
        "place": {"en": "Washington", "ar": "واشنطن"},
        "dated": datetime.date(2017, 12, 1),
        "versions": {
            "en": {
                "title": "UN member states: call an Emergency Special Session of the General Assembly on Syria",
                "summary": "A coalition of 223 civil society organisations asks UN member states to take Syria to the General Assembly, since the Security Council is deadlocked.",
                "body": "emergency_session.en.md",
                "notes": (
                    "- The letter was signed by 223 organisations. The list published with it is "
                    "numbered 1 to 223 but skips number 125, so it names 222 of them.\n"
                    "- Center for Civilians in Conflict (CIVIC) works to make the protection of "
                    "civilians a priority for governments, armed forces, armed groups and "
                    "international organisations, and speaks up for recognition and help for "
                    "those who have been harmed."
                ),
            },
            "ar": {
                "title": "إلى الدول الأعضاء في الأمم المتحدة: اطلبوا عقد دورة استثنائية طارئة للجمعية العامة بشأن سوريا",
                "summary": "تحالف من 223 منظمة من منظمات المجتمع المدني يطالب الدول الأعضاء بنقل ملف سوريا إلى الجمعية العامة بعد أن عجز مجلس الأمن.",
                "body": "emergency_session.ar.md",
                "notes": (
                    "- وقّعت على الرسالة 223 منظمة. القائمة المنشورة معها مرقّمة من 1 إلى 223 "
                    "لكنها تتخطى الرقم 125، فتضم أسماء 222 منظمة منها.\n"
                    "- يعمل مركز المدنيين في النزاعات (CIVIC) على جعل حماية المدنيين أولوية لدى "
                    "الحكومات والقوات المسلحة والجماعات المسلحة والمنظمات الدولية، ويدافع عن "
                    "الاعتراف بالمتضررين ومساعدتهم."
                ),
            },
        },
        "networks": [
            {
                "marker": "*",
                "name": "Syria Relief Network (SRN)",
                "text": "Members of the Syria Relief Network (SRN), a coalition of Syrian humanitarian organisations that bring aid to people inside Syria and in neighbouring countries.",
                "translated_names": {"ar": "شبكة الإغاثة السورية (SRN)"},
                "translated_texts": {
                    "ar": "أعضاء في شبكة الإغاثة السورية (SRN)، وهي تحالف من المنظمات الإنسانية السورية يوصل المساعدات إلى المحتاجين داخل سوريا وفي دول الجوار."
                },
            }
        ],
        "press_contacts": [
            {
                "name": "Sam Rivera",
                "role": "Media officer",
                "organisation": "Coalition press office",
                "email": "media@example.org",
                "translated_roles": {"ar": "مسؤول الإعلام"},
                "translated_organisations": {"ar": "المكتب الصحفي للتحالف"},
                "phone": "+1 202 555 0142",
            }
        ],
    },
]

# Countries staff filled in after the import: only for well-known organisations (facts).
KNOWN_COUNTRIES = {
    "11.11.11": "BE",
    "Adopt a Revolution": "DE",
    "Amnesty International": "GB",
    "CAFOD (Catholic Agency For Overseas Development)": "GB",
    "CCFD-Terre Solidaire": "FR",
    "Christian Aid": "GB",
    "CIHRS (Cairo Institute for Human Rights Studies)": "EG",
    "FIDH (International Federation for Human Rights)": "FR",
    "GOAL": "IE",
    "Human Rights Watch": "US",
    "Islamic Relief UK": "GB",
    "Karam Foundation": "US",
    "PAX for Peace": "NL",
    "Physicians for Human Rights": "US",
    "Society for Threatened Peoples": "DE",
    "Syrian American Medical Society – SAMS": "US",
    "Trocaire": "IE",
    "War Child UK": "GB",
    "Montreal Institute for Genocide and Human Rights Studies (Concordia University)": "CA",
    "Syria Relief": "GB",
}


def load() -> list[str]:
    loaded = []
    for spec in LETTERS:
        original = load_letter(spec)
        for slug, code in spec.get("cohosts", {}).items():
            CoHost.objects.update_or_create(
                letter=original,
                organisation=Organisation.objects.get(slug=slug),
                defaults={"code": code},
            )
        imported = import_signatories(original, spec["signatories"])
        loaded.append(f"{original.slug} (+{imported} signatories)")
    return loaded


def load_letter(spec: dict) -> Letter:
    original = None
    for language, version in spec["versions"].items():
        slug = spec["slug"] if original is None else f"{spec['slug']}-{language}"
        letter, _ = Letter.objects.update_or_create(
            slug=slug,
            defaults={
                "language": language,
                "translation_of": original,
                "title": version["title"],
                "summary": version["summary"],
                "body": (DATA / version["body"]).read_text(),
                "notes_to_editors": version.get("notes", ""),
                "organiser": Organisation.objects.get(slug=spec["organiser"]),
                "place": spec.get("place", {}).get(language, ""),
                "dated": spec.get("dated"),
                "state": spec["state"],
                "signatory_order": spec["signatory_order"],
            },
        )
        letter.targets.set(Target.objects.filter(slug__in=spec["targets"]))
        for contact in spec["press_contacts"]:
            PressContact.objects.update_or_create(
                letter=letter, email=contact["email"], defaults=contact
            )
        original = original or letter
    for network in spec["networks"]:
        Network.objects.update_or_create(
            letter=original, marker=network["marker"], defaults=network
        )
    return original


def import_signatories(letter: Letter, filename: str) -> int:
    preview = importer.parse_numbered_list((DATA / filename).read_text(), letter)
    created = services.import_endorsements(letter, preview, user=None) if preview.new_rows else []
    for name, country in KNOWN_COUNTRIES.items():
        Endorsement.objects.filter(letter=letter, name=name, country="").update(country=country)
    for endorsement in Endorsement.objects.filter(letter=letter, country=""):
        if country := country_in_name(endorsement.name):
            Endorsement.objects.filter(pk=endorsement.pk).update(country=country)
    if created:
        show_consent(letter)
    return len(created)


# The seed's list names many organisations' countries: "…, India", "… – Libya", "… (Nepal)".
COUNTRY_AT_END = re.compile(r"(?:,|–|-|\(|\bin|\bof)\s*([A-Z][A-Za-z .'’]+?)\)?\s*[*†]*$")
ALSO_CALLED = {"USA": "US", "UK": "GB", "Syria": "SY", "Palestine": "PS", "Congo": "CD"}


def country_in_name(name: str) -> str:
    found = COUNTRY_AT_END.search(name)
    if not found:
        return ""
    words = found.group(1).strip()
    code = ALSO_CALLED.get(words) or countries.by_name(words)
    return code or ""


def show_consent(letter: Letter) -> None:
    """The demo's lists were published long ago: most organisations have confirmed; the last
    three were added by the organiser and have not answered yet (one asked by email)."""
    imported = Endorsement.objects.filter(letter=letter, consent=Endorsement.Consent.NOT_ASKED)
    last = list(imported.order_by("-position").values_list("pk", flat=True)[:3])
    imported.exclude(pk__in=last).update(consent=Endorsement.Consent.CONFIRMED)
    if last:
        Endorsement.objects.filter(pk=last[0]).update(
            consent=Endorsement.Consent.ASKED,
            contact_name="Demo Contact",
            contact_email=f"contact.{letter.slug}@example.org",
            contact_email_digest=email_digest(f"contact.{letter.slug}@example.org"),
        )
