"""Demo petitions modelled on two real campaigns, written in our own words, in English and Arabic."""

import random
from datetime import timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from undersigned.organisations.models import Organisation, Target
from undersigned.protection.crypto import email_digest

from . import tallies
from .consent import COHOST_OPT_IN_VERSION, cohost_opt_in_text
from .models import (
    CoHost,
    Demand,
    KeyFact,
    Petition,
    PetitionText,
    Photo,
    Signature,
    State,
    SupportMessage,
    Visibility,
)

JUSTICE = {
    "slug": "justice-for-syria",
    "organiser": "amnesty-international",
    "targets": ["un-secretary-general"],
    "state": State.CLOSED,
    "goal": 1000,
    "opens_days_ago": 3200,
    "closes_days_ago": 3050,
    "signatures": 1843,
    "texts": {
        "en": {
            "title": "Justice for the victims of the conflict in Syria",
            "summary": "Ask the UN to make its new investigation mechanism work, so that those behind chemical attacks and other atrocities face trial.",
            "body": (
                "On 4 April a chemical attack hit Khan Sheikhoun in Idlib province. More than 70 people died and hundreds more were hurt.\n\n"
                "Chemical weapons have been used against civilians in Syria again and again since 2013, by government forces and by armed groups, "
                "and not one person has been tried for it. Hundreds of thousands have been killed and more than half of the population has had to flee.\n\n"
                "In December 2016 the UN General Assembly created a mechanism to help investigate and prosecute the worst crimes committed in Syria. "
                "It must now be given what it needs to work. Without justice, these attacks will happen again.\n\n"
                "Your signature will be handed to the UN Secretary-General."
            ),
            "pledge_heading": "To the Secretary-General of the United Nations,",
            "pledge": (
                "I stand for justice in Syria. I ask you to set up, quickly and effectively, the international, impartial and independent "
                "Mechanism created by General Assembly resolution 71/248 of 21 December 2016, to help investigate and prosecute those "
                "responsible for the gravest crimes committed in Syria since March 2011, and to make sure it meets its purpose."
            ),
            "thank_you": "Thank you. Justice for Syria's victims depends on pressure that does not let up.",
        },
        "ar": {
            "title": "العدالة لضحايا النزاع في سوريا",
            "summary": "طالِب الأمم المتحدة بتفعيل آليتها الجديدة للتحقيق، كي يُحاسَب المسؤولون عن الهجمات الكيميائية وغيرها من الفظائع.",
            "body": (
                "في الرابع من نيسان/أبريل ضرب هجوم كيميائي مدينة خان شيخون في محافظة إدلب، فقُتل أكثر من ٧٠ شخصاً وأصيب المئات.\n\n"
                "استُخدمت الأسلحة الكيميائية ضد المدنيين في سوريا مراراً منذ عام ٢٠١٣، على يد القوات الحكومية وجماعات مسلحة، "
                "ولم يُحاكَم أحد على ذلك حتى الآن. قُتل مئات الآلاف، واضطر أكثر من نصف السكان إلى النزوح.\n\n"
                "في كانون الأول/ديسمبر ٢٠١٦ أنشأت الجمعية العامة للأمم المتحدة آلية للمساعدة في التحقيق في أخطر الجرائم المرتكبة في سوريا "
                "وملاحقة مرتكبيها. ويجب الآن أن تُمنح ما تحتاجه لتعمل. فمن دون عدالة ستتكرر هذه الهجمات.\n\n"
                "سيُسلَّم توقيعك إلى الأمين العام للأمم المتحدة."
            ),
            "pledge_heading": "إلى الأمين العام للأمم المتحدة،",
            "pledge": (
                "أقف مع العدالة في سوريا، وأطلب منكم إنشاء الآلية الدولية المحايدة والمستقلة التي أقرّها قرار الجمعية العامة ٧١/٢٤٨ "
                "الصادر في ٢١ كانون الأول/ديسمبر ٢٠١٦، بسرعة وفعالية، للمساعدة في التحقيق مع المسؤولين عن أخطر الجرائم المرتكبة في سوريا "
                "منذ آذار/مارس ٢٠١١ وملاحقتهم، وضمان أن تحقق الغاية التي أُنشئت من أجلها."
            ),
            "thank_you": "شكراً لك. العدالة لضحايا سوريا تحتاج إلى ضغط لا يتوقف.",
        },
    },
    "demands": {},
    "facts": {},
    "photos": [],
}

DISAPPEARED = {
    "slug": "truth-for-syrias-disappeared",
    "organiser": "the-syria-campaign",
    "targets": ["icrc", "iimp", "iiim"],
    "state": State.OPEN,
    "goal": 10000,
    "opens_days_ago": 40,
    "closes_days_ago": None,
    "signatures": 12_417,
    "messages_enabled": True,
    # Two members of the 223-organisation coalition (seed 003) promote it with their own
    # links: (organisation, code, signers through the link, of whom opted in to it)
    "cohosts": [("snhr", "snhr", 240, 90), ("civic", "civic", 120, 35)],
    "texts": {
        "en": {
            "title": "Truth and justice for Syria's disappeared",
            "summary": "The prisons are open, yet the fate of more than 112,000 people is still unknown. Ask those with the power to act to protect the evidence and find the missing.",
            "body": (
                "When the Assad government fell in December 2024, its detention centres were thrown open. Many families waited at the gates "
                "for people who never came out.\n\n"
                "The fate of at least 112,000 people detained and disappeared since 2011 is still unknown, and more than 15,000 are documented "
                "to have died under torture. Records, prisons and mass graves that hold the truth are being damaged, looted or left to decay.\n\n"
                "Families and survivors have campaigned for years, often alone. Now the institutions that can help, and the interim authorities "
                "in Syria, must back a Syrian-led effort that puts them at its heart."
            ),
            "pledge_heading": "To the International Committee of the Red Cross, the UN's IIMP and IIIM, the international community and the interim authorities in Syria:",
            "pledge": (
                "For decades, arbitrary arrest, enforced disappearance and torture were used to crush dissent in Syria. The detention centres "
                "are open now, but families still do not know what happened to their loved ones, and evidence is being lost.\n\n"
                "Support a Syrian-led effort, with families and survivors involved at every step, to preserve the evidence, find the missing "
                "and bring every perpetrator to account, so that this never happens again."
            ),
            "thank_you": "Thank you for standing with Syria's families. Every signature adds weight to their call for truth.",
        },
        "ar": {
            "title": "الحقيقة والعدالة للمختفين في سوريا",
            "summary": "فُتحت السجون، لكن مصير أكثر من ١١٢ ألف شخص ما زال مجهولاً. طالِب أصحاب القرار بحماية الأدلة والكشف عن مصير المفقودين.",
            "body": (
                "حين سقطت حكومة الأسد في كانون الأول/ديسمبر ٢٠٢٤ فُتحت أبواب مراكز الاحتجاز. انتظرت عائلات كثيرة عند البوابات "
                "أحبّةً لم يخرجوا.\n\n"
                "ما زال مصير ١١٢ ألف شخص على الأقل ممن اعتُقلوا واختفوا منذ عام ٢٠١١ مجهولاً، ووُثّقت وفاة أكثر من ١٥ ألفاً تحت التعذيب. "
                "والسجلات والسجون والمقابر الجماعية التي تحفظ الحقيقة تتعرض للتخريب أو النهب أو الإهمال.\n\n"
                "ناضلت العائلات والناجون سنوات طويلة، وغالباً وحدهم. والآن على المؤسسات القادرة على المساعدة، وعلى السلطات الانتقالية "
                "في سوريا، أن تدعم جهداً سورياً يضعهم في صميمه."
            ),
            "pledge_heading": "إلى اللجنة الدولية للصليب الأحمر، والمؤسسة المستقلة المعنية بالمفقودين والآلية الدولية المحايدة والمستقلة التابعتين للأمم المتحدة، والمجتمع الدولي، والسلطات الانتقالية في سوريا:",
            "pledge": (
                "على مدى عقود استُخدم الاعتقال التعسفي والإخفاء القسري والتعذيب لسحق أي معارضة في سوريا. مراكز الاحتجاز مفتوحة الآن، "
                "لكن العائلات ما زالت لا تعرف ما حلّ بأحبّتها، والأدلة تضيع.\n\n"
                "ادعموا جهداً سورياً تشارك فيه العائلات والناجون في كل خطوة، لحفظ الأدلة والكشف عن مصير المفقودين ومحاسبة كل مرتكب، "
                "كي لا يتكرر هذا أبداً."
            ),
            "thank_you": "شكراً لوقوفك مع عائلات سوريا. كل توقيع يزيد صوتها قوة في المطالبة بالحقيقة.",
        },
    },
    "demands": {
        "en": [
            (
                "Protect prisons and detention sites",
                "Treat them as crime scenes and stop anyone from entering, moving or destroying evidence without authority.",
            ),
            (
                "Safeguard mass graves",
                "Forbid unauthorised digging and photography, and plan exhumations with forensic experts so that the dead are treated with dignity.",
            ),
            (
                "Preserve and archive the records",
                "Secure and digitise the files of courts, prisons and intelligence branches, and give families access to what concerns their relatives.",
            ),
            (
                "Put victims first",
                "Keep survivors and families informed, respect their wishes and involve them in every decision.",
            ),
            (
                "Work together",
                "Syrian organisations, families, survivor groups, authorities and international bodies must cooperate, within national and international law.",
            ),
            (
                "Support families and survivors",
                "Provide medical and psychological care, and help the families whose breadwinners were taken, especially women.",
            ),
            (
                "Find the children of detainees",
                "Trace the children placed in orphanages under changed names, reunite them with their relatives and hold those responsible to account.",
            ),
            (
                "End the violations for good",
                "Stop the arrests, disappearances and torture still taking place, and write protection against them into the new constitution.",
            ),
        ],
        "ar": [
            (
                "حماية السجون ومراكز الاحتجاز",
                "معاملتها كمسارح جريمة ومنع أي دخول أو نقل أو إتلاف للأدلة دون تفويض.",
            ),
            (
                "صون المقابر الجماعية",
                "حظر النبش والتصوير غير المصرّح بهما، والتخطيط لاستخراج الرفات مع خبراء الطب الشرعي بما يحفظ كرامة الموتى.",
            ),
            (
                "حفظ السجلات وأرشفتها",
                "تأمين ملفات المحاكم والسجون والأفرع الأمنية ورقمنتها، وتمكين العائلات من الوصول إلى ما يخص ذويها.",
            ),
            (
                "وضع الضحايا أولاً",
                "إطلاع الناجين والعائلات على كل جديد، واحترام رغباتهم، وإشراكهم في كل قرار.",
            ),
            (
                "العمل المشترك",
                "على المنظمات السورية والعائلات ومجموعات الناجين والسلطات والهيئات الدولية أن تتعاون في إطار القانونين الوطني والدولي.",
            ),
            (
                "دعم العائلات والناجين",
                "تقديم الرعاية الطبية والنفسية، ومساندة العائلات التي فقدت معيلها، ولا سيما النساء.",
            ),
            (
                "البحث عن أطفال المعتقلين",
                "تتبّع الأطفال الذين أودعوا دور الأيتام بأسماء مغيّرة، ولمّ شملهم بذويهم، ومحاسبة المسؤولين.",
            ),
            (
                "إنهاء الانتهاكات نهائياً",
                "وقف الاعتقالات والإخفاء والتعذيب المستمرة، وتضمين الحماية منها في الدستور الجديد.",
            ),
        ],
    },
    "facts": {
        "en": [
            ("112,000+", "people still missing since 2011"),
            ("15,393", "documented deaths under torture"),
            ("100+", "detention facilities"),
            ("35,000", "missing persons registered by the ICRC"),
        ],
        "ar": [
            ("+١١٢٬٠٠٠", "شخص ما زالوا مفقودين منذ ٢٠١١"),
            ("١٥٬٣٩٣", "حالة وفاة موثّقة تحت التعذيب"),
            ("+١٠٠", "مركز احتجاز"),
            ("٣٥٬٠٠٠", "مفقود سجّلتهم اللجنة الدولية"),
        ],
    },
    "photos": [
        (
            "Candles lit by families at a vigil for the disappeared (illustration)",
            "شموع أضاءتها العائلات في وقفة من أجل المختفين (رسم توضيحي)",
            "Lina Haddad, Undersigned demo",
            (24, 42, 66),
            (214, 150, 70),
        ),
        (
            "Portraits of missing people held up in a square (illustration)",
            "صور مفقودين مرفوعة في ساحة (رسم توضيحي)",
            "Omar Saleh, Undersigned demo",
            (58, 40, 52),
            (196, 120, 96),
        ),
        (
            "An open prison gate at dawn (illustration)",
            "بوابة سجن مفتوحة عند الفجر (رسم توضيحي)",
            "Lina Haddad, Undersigned demo",
            (30, 56, 60),
            (230, 196, 140),
        ),
    ],
}

FIRST_NAMES = [
    "Amal",
    "Rami",
    "Sara",
    "Youssef",
    "Lina",
    "Omar",
    "Nour",
    "Karim",
    "Hala",
    "Sami",
    "Maya",
    "Tarek",
    "Eva",
    "João",
    "Aisha",
    "Ben",
    "Chloé",
    "Diego",
    "Farah",
    "Hugo",
]
LAST_NAMES = [
    "Haddad",
    "Khalil",
    "Nasser",
    "Mansour",
    "Saleh",
    "Dupont",
    "Silva",
    "Okafor",
    "Rahman",
    "Müller",
    "García",
    "Smith",
    "Yilmaz",
    "Jaber",
    "Ali",
]
COUNTRIES = [
    "SY",
    "LB",
    "TR",
    "DE",
    "GB",
    "FR",
    "SE",
    "NL",
    "US",
    "CA",
    "JO",
    "BR",
    "EG",
    "IT",
    "ES",
]


def load() -> list[str]:
    return [load_petition(spec) for spec in (JUSTICE, DISAPPEARED)]


# Messages of support on the open petition, in our own words: (language, text, approved)
MESSAGES = [
    ("en", "My uncle has been missing since 2013. Every family deserves to know the truth.", True),
    ("ar", "أخي مفقود منذ سنوات، وما زلنا ننتظر أي خبر عنه. الحقيقة حق لكل عائلة.", True),
    ("en", "Standing with the families from Berlin. Their courage keeps this cause alive.", True),
    ("ar", "لن نتوقف عن السؤال حتى يعود كل المفقودين أو نعرف مصيرهم.", True),
    ("en", "The mechanism must hear the families first. Thank you for organising this.", True),
    ("en", "Waiting for review: a message staff have not read yet.", False),
]


def load_messages(petition: Petition) -> None:
    """A few messages of public signers, most approved (idempotent: made once)."""
    if petition.messages.exists():
        return
    public = petition.signatures.filter(visibility=Visibility.PUBLIC).exclude(name="")
    now = timezone.now()
    for age, (language, text, approved) in enumerate(MESSAGES):
        signature = public.filter(language=language, message__isnull=True).order_by("-pk").first()
        SupportMessage.objects.create(
            signature=signature,
            petition=petition,
            text=text,
            language=language,
            status=SupportMessage.Status.APPROVED if approved else SupportMessage.Status.PENDING,
            created_at=now - timedelta(hours=5 * age + 1),
            reviewed_at=now if approved else None,
        )


def load_petition(spec: dict) -> str:
    now = timezone.now()
    petition, _ = Petition.objects.update_or_create(
        slug=spec["slug"],
        defaults={
            "organiser": Organisation.objects.get(slug=spec["organiser"]),
            "state": spec["state"],
            "goal": spec["goal"],
            "original_language": "en",
            "opens_at": now - timedelta(days=spec["opens_days_ago"]),
            "closes_at": now - timedelta(days=spec["closes_days_ago"])
            if spec["closes_days_ago"]
            else None,
            "messages_enabled": spec.get("messages_enabled", False),
        },
    )
    petition.targets.set(Target.objects.filter(slug__in=spec["targets"]))
    for language, fields in spec["texts"].items():
        PetitionText.objects.update_or_create(petition=petition, language=language, defaults=fields)
    petition.demands.all().delete()
    petition.key_facts.all().delete()
    for language, demands in spec["demands"].items():
        for position, (heading, text) in enumerate(demands):
            Demand.objects.create(
                petition=petition, language=language, position=position, heading=heading, text=text
            )
    for language, facts in spec["facts"].items():
        for position, (figure, label) in enumerate(facts):
            KeyFact.objects.create(
                petition=petition, language=language, position=position, figure=figure, label=label
            )
    if not petition.photos.exists():
        for position, (alt, alt_ar, credit, dark, light) in enumerate(spec["photos"]):
            photo = Photo(
                petition=petition,
                position=position,
                alt_text=alt,
                translated_alt_text={"ar": alt_ar},
                credit=credit,
            )
            picture = demo_picture(dark, light, seed=position)
            photo.image = ContentFile(picture, name=f"{spec['slug']}-{position}.jpg")
            photo.save()  # resized into its srcset widths, stored under content-derived names
    for photo in petition.photos.filter(width=0):  # loaded before photos were resized
        photo.refresh_variants()
    if not petition.signatures.exists():
        add_demo_signatures(
            petition, spec["signatures"], now - timedelta(days=spec["opens_days_ago"])
        )
    if spec.get("messages_enabled"):
        load_messages(petition)
    for slug, code, total, opted in spec.get("cohosts", []):
        load_cohost(petition, Organisation.objects.get(slug=slug), code, total, opted)
    return f"petition {spec['slug']} ({petition.signature_count()} signatures)"


def load_cohost(petition: Petition, organisation, code: str, total: int, opted: int) -> None:
    CoHost.objects.update_or_create(
        petition=petition, organisation=organisation, defaults={"code": code}
    )
    if petition.signatures.filter(source=code).exists():
        return
    chooser = random.Random(code)
    signatures = []
    for number in range(total):
        email = f"{code}{number}.{petition.pk}@example.org"
        signed_at = timezone.now() - timedelta(hours=chooser.randrange(1, 24 * 20))
        language = chooser.choice(["en", "ar"])
        opted_in = number < opted
        signatures.append(
            Signature(
                petition=petition,
                name=f"{chooser.choice(FIRST_NAMES)} {chooser.choice(LAST_NAMES)}",
                visibility="target",
                email=email,
                email_digest=email_digest(email),
                country=chooser.choice(COUNTRIES),
                language=language,
                status=Signature.Status.CONFIRMED,
                created_at=signed_at,
                confirmed_at=signed_at,
                source=code,
                cohost=organisation if opted_in else None,
                cohost_consent_text=cohost_opt_in_text(organisation.name_in(language), language)
                if opted_in
                else "",
                cohost_consent_version=COHOST_OPT_IN_VERSION if opted_in else "",
            )
        )
    Signature.objects.bulk_create(signatures)
    petition.recount()
    tallies.roll_up(petition.pk)


def add_demo_signatures(petition: Petition, total: int, since) -> None:
    chooser = random.Random(petition.slug)  # the same demo every time
    span = max((petition.closes_at or timezone.now()) - since, timedelta(hours=1))
    signatures = []
    for number in range(total):
        email = f"signer{number}.{petition.pk}@example.org"
        signed_at = since + span * (number / total) ** 0.6
        name = f"{chooser.choice(FIRST_NAMES)} {chooser.choice(LAST_NAMES)}"
        # about a third public, half to the target only, a sixth counted only (no name kept)
        visibility = chooser.choice(["public", "public", "target", "target", "target", "count"])
        signatures.append(
            Signature(
                petition=petition,
                name="" if visibility == "count" else name,
                visibility=visibility,
                email=email,
                email_digest=email_digest(email),
                country=chooser.choice(COUNTRIES),
                language=chooser.choice(["en", "ar", "ar"]),
                status=Signature.Status.CONFIRMED,
                created_at=signed_at,
                confirmed_at=signed_at,
                source=chooser.choice(["", "", "share-whatsapp", "share-facebook", "newsletter"]),
            )
        )
    Signature.objects.bulk_create(signatures, batch_size=2000)
    petition.recount()
    tallies.roll_up(petition.pk)


def demo_picture(dark: tuple, light: tuple, seed: int, size=(1600, 1000)) -> bytes:
    """A generated picture: a dusk sky over rows of small lights, like candles at a vigil."""
    chooser = random.Random(seed)
    image = Image.new("RGB", size, dark)
    draw = ImageDraw.Draw(image)
    width, height = size
    for y in range(height):
        mix = y / height
        colour = tuple(int(d + (b - d) * mix * 0.6) for d, b in zip(dark, light, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    for _ in range(260):
        x, y = chooser.randrange(width), chooser.randrange(height // 2, height)
        radius = chooser.randrange(4, 4 + (y - height // 2) // 25 + 2)
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=light)
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
