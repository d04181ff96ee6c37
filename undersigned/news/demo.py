"""Demo posts around the demo actions: a news post on the coalition letter (like seed 001),
a statement (seed 002), a press release (seed 003) and news of a delivered petition, in
English and Arabic, with tags, a cover photo and related content. Idempotent."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from undersigned.letters.models import Letter
from undersigned.organisations.models import Organisation
from undersigned.petitions.demo import demo_picture
from undersigned.petitions.models import Petition

from .models import Cover, Kind, Post, PostText, PressContact, Tag

TAGS = {
    "syria": ("Syria", "سوريا"),
    "united-nations": ("United Nations", "الأمم المتحدة"),
    "chemical-weapons": ("Chemical weapons", "الأسلحة الكيميائية"),
    "protection-of-civilians": ("Protection of civilians", "حماية المدنيين"),
    "accountability": ("Accountability", "المساءلة"),
}

POSTS = [
    {
        "slug": "civil-society-calls-for-peace-in-syria",
        "organisation": "conectas",
        "kind": Kind.NEWS,
        "days_ago": 40,
        "author": "",
        "tags": ["syria", "united-nations", "protection-of-civilians"],
        "letters": ["emergency-session-syria"],
        "petitions": [],
        "cover": ("A crowd holding candles at dusk", "حشد يحمل الشموع عند الغسق", "Demo image"),
        "texts": {
            "en": {
                "title": "Civil society around the world calls for peace in Syria",
                "summary": "223 organisations from 45 countries ask UN member states to act "
                "where the Security Council has not.",
                "body": "After almost six years of war in Syria, close to half a million "
                "people have been killed and eleven million have had to leave their homes. "
                "The bombing of eastern Aleppo has put some 250,000 civilians in danger.\n\n"
                "That is why 223 civil-society organisations joined in one open letter to "
                "the member states of the United Nations. They ask for an **Emergency "
                "Special Session of the General Assembly** to demand an end to unlawful "
                "attacks and immediate, unhindered humanitarian access.\n\n"
                "The signatories say the Security Council has failed in its responsibility "
                "to protect the Syrian people, and that those responsible for serious crimes, "
                "on every side, must face justice. Inaction, they conclude, is not an option.",
                "dateline": "",
                "notes": "",
            },
            "ar": {
                "title": "المجتمع المدني حول العالم يطالب بالسلام في سوريا",
                "summary": "223 منظمة من 45 دولة تطلب من الدول الأعضاء في الأمم المتحدة أن "
                "تتحرك حيث عجز مجلس الأمن.",
                "body": "بعد قرابة ست سنوات من الحرب في سوريا، قُتل ما يقارب نصف مليون شخص "
                "واضطر أحد عشر مليوناً إلى ترك بيوتهم. وقد عرّض قصف شرق حلب نحو 250 ألف "
                "مدني للخطر.\n\n"
                "لذلك اجتمعت 223 منظمة من منظمات المجتمع المدني في رسالة مفتوحة واحدة إلى "
                "الدول الأعضاء في الأمم المتحدة، تطلب فيها عقد **دورة استثنائية طارئة للجمعية "
                "العامة** للمطالبة بوقف الهجمات غير المشروعة وإيصال المساعدات الإنسانية فوراً "
                "ودون عوائق.\n\n"
                "وتقول المنظمات الموقّعة إن مجلس الأمن أخفق في مسؤوليته عن حماية الشعب "
                "السوري، وإن على المسؤولين عن الجرائم الخطيرة من جميع الأطراف أن يمثلوا أمام "
                "العدالة. وتخلص إلى أن التقاعس ليس خياراً.",
                "dateline": "",
                "notes": "",
            },
        },
        "contacts": [],
    },
    {
        "slug": "un-should-name-those-behind-chemical-attacks",
        "organisation": "snhr",
        "kind": Kind.STATEMENT,
        "days_ago": 12,
        "author": "Rana Haddad",
        "show_views": True,
        "tags": ["syria", "chemical-weapons", "accountability", "united-nations"],
        "letters": ["chemical-attacks-syria"],
        "petitions": [],
        "cover": None,
        "texts": {
            "en": {
                "title": "The UN Secretary-General should set up a mechanism to attribute "
                "chemical attacks in Syria",
                "summary": "A joint statement: with the Security Council blocked, only the "
                "Secretary-General can make sure those responsible are named.",
                "body": "The images from Douma shocked the world again: men, women and "
                "children who seem to have suffocated in their own homes.\n\n"
                "The use of chemical weapons is a war crime, and its prohibition is absolute. "
                "Yet since the joint investigative mechanism was ended by a veto, no UN body "
                "has the mandate and the expertise to say who is to blame.\n\n"
                "We, the undersigned organisations, urge the Secretary-General to use the "
                "authority his predecessors used and activate an independent mechanism to "
                "attribute responsibility for chemical attacks in Syria.",
                "dateline": "",
                "notes": "",
            },
            "ar": {
                "title": "على الأمين العام للأمم المتحدة إنشاء آلية لتحديد المسؤولين عن "
                "الهجمات الكيميائية في سوريا",
                "summary": "بيان مشترك: مع تعطّل مجلس الأمن، لا يستطيع أحد سوى الأمين العام "
                "ضمان تسمية المسؤولين.",
                "body": "صدمت صور دوما العالم مرة أخرى: رجال ونساء وأطفال يبدو أنهم اختنقوا "
                "في بيوتهم.\n\n"
                "استخدام الأسلحة الكيميائية جريمة حرب، وحظرها مطلق. ومع ذلك، منذ أن أُنهيت آلية "
                "التحقيق المشتركة بحق النقض، لم تعد لدى أي هيئة أممية الولاية والخبرة لتحديد "
                "المسؤول.\n\n"
                "نحن المنظمات الموقّعة أدناه نحثّ الأمين العام على استخدام الصلاحية التي "
                "استخدمها أسلافه وتفعيل آلية مستقلة لتحديد المسؤولية عن الهجمات الكيميائية في "
                "سوريا.",
                "dateline": "",
                "notes": "",
            },
        },
        "contacts": [],
    },
    {
        "slug": "coalition-urges-general-assembly-session-on-syria",
        "organisation": "civic",
        "kind": Kind.PRESS_RELEASE,
        "days_ago": 38,
        "author": "",
        "tags": ["syria", "united-nations", "protection-of-civilians"],
        "letters": ["emergency-session-syria"],
        "petitions": [],
        "cover": None,
        "texts": {
            "en": {
                "title": "223 organisations urge the UN General Assembly to act on Syria",
                "summary": "With the Security Council deadlocked, a global coalition asks "
                "member states for an Emergency Special Session.",
                "body": "The UN Security Council has failed Syrians. Efforts to stop the "
                "attacks on civilians and to hold those responsible to account have been "
                "blocked again and again by the veto.\n\n"
                "A global coalition of 223 civil-society organisations today called on UN "
                "member states to request an Emergency Special Session of the General "
                "Assembly, as they have done before when the Council was deadlocked, to demand "
                "an end to unlawful attacks and immediate humanitarian access.\n\n"
                "The coalition welcomes the initiative already endorsed by 73 countries and "
                "asks every member state to join it.",
                "dateline": "Washington",
                "notes": "The Center for Civilians in Conflict works to improve the "
                "protection of civilians caught in conflicts around the world.\n\n"
                "The full letter and its 223 signatories are published on this site.",
            },
            "ar": {
                "title": "223 منظمة تحثّ الجمعية العامة للأمم المتحدة على التحرك بشأن سوريا",
                "summary": "مع جمود مجلس الأمن، يطلب تحالف عالمي من الدول الأعضاء عقد دورة "
                "استثنائية طارئة.",
                "body": "لقد خذل مجلس الأمن الدولي السوريين. فقد عُطّلت مراراً بحق النقض "
                "الجهود الرامية إلى وقف الهجمات على المدنيين ومحاسبة المسؤولين عنها.\n\n"
                "ودعا اليوم تحالف عالمي من 223 منظمة من منظمات المجتمع المدني الدول الأعضاء "
                "في الأمم المتحدة إلى طلب عقد دورة استثنائية طارئة للجمعية العامة، كما فعلت من "
                "قبل حين تعطّل المجلس، للمطالبة بوقف الهجمات غير المشروعة وإيصال المساعدات "
                "الإنسانية فوراً.\n\n"
                "ويرحّب التحالف بالمبادرة التي أيدتها حتى الآن 73 دولة، ويدعو جميع الدول "
                "الأعضاء إلى الانضمام إليها.",
                "dateline": "واشنطن",
                "notes": "يعمل مركز المدنيين في النزاعات على تحسين حماية المدنيين العالقين في "
                "النزاعات حول العالم.\n\n"
                "الرسالة الكاملة وقائمة الموقّعين عليها الـ223 منشورة على هذا الموقع.",
            },
        },
        "contacts": [
            {
                "name": "Sam Example",
                "role": "Press officer",
                "translated_roles": {"ar": "مسؤول الإعلام"},
                "organisation": "Center for Civilians in Conflict",
                "translated_organisations": {"ar": "مركز المدنيين في النزاعات"},
                "email": "press@example.org",
                "phone": "+1 555 0100",
            }
        ],
    },
    {
        "slug": "signatures-handed-to-the-secretary-general",
        "organisation": "the-syria-campaign",
        "kind": Kind.NEWS,
        "days_ago": 3,
        "author": "",
        "tags": ["syria", "accountability", "united-nations"],
        "letters": [],
        "petitions": ["justice-for-syria"],
        "cover": ("Lights at a vigil at nightfall", "أضواء في وقفة عند حلول الليل", "Demo image"),
        "texts": {
            "en": {
                "title": "Your signatures are in the Secretary-General's hands",
                "summary": "Syrian families delivered the petition for justice in New York.",
                "body": "Families of people killed and disappeared in Syria handed the "
                "petition to the office of the UN Secretary-General, with a letter asking "
                "that the new investigation mechanism gets the staff and money it needs.\n\n"
                "Thank you for signing. We will tell you here what the UN answers.",
                "dateline": "",
                "notes": "",
            },
            "ar": {
                "title": "تواقيعكم بين يدي الأمين العام",
                "summary": "سلّمت عائلات سورية عريضة العدالة في نيويورك.",
                "body": "سلّمت عائلات أشخاص قُتلوا أو اختفوا في سوريا العريضة إلى مكتب الأمين "
                "العام للأمم المتحدة، مع رسالة تطالب بأن تحصل آلية التحقيق الجديدة على ما "
                "تحتاجه من موظفين وتمويل.\n\n"
                "شكراً لتوقيعكم. سنخبركم هنا بما تجيب به الأمم المتحدة.",
                "dateline": "",
                "notes": "",
            },
        },
        "contacts": [],
    },
]


def load() -> list[str]:
    return [load_post(spec) for spec in POSTS]


def tags_for(organisation, slugs) -> list[Tag]:
    tags = []
    for slug in slugs:
        name, name_ar = TAGS[slug]
        tag, _ = Tag.objects.update_or_create(
            organisation=organisation,
            slug=slug,
            defaults={"name": name, "translated_names": {"ar": name_ar}},
        )
        tags.append(tag)
    return tags


def load_post(spec: dict) -> str:
    organisation = Organisation.objects.get(slug=spec["organisation"])
    post, _ = Post.objects.update_or_create(
        slug=spec["slug"],
        defaults={
            "organisation": organisation,
            "kind": spec["kind"],
            "author_name": spec["author"],
            "published_at": timezone.now() - timedelta(days=spec["days_ago"]),
            "show_views": spec.get("show_views", False),
        },
    )
    for language, text in spec["texts"].items():
        PostText.objects.update_or_create(
            post=post,
            language=language,
            defaults={
                "title": text["title"],
                "summary": text["summary"],
                "body": text["body"],
                "dateline": text["dateline"],
                "notes_to_editors": text["notes"],
            },
        )
    post.tags.set(tags_for(organisation, spec["tags"]))
    post.letters.set(Letter.objects.filter(slug__in=spec["letters"]))
    post.petitions.set(Petition.objects.filter(slug__in=spec["petitions"]))
    post.press_contacts.all().delete()
    for contact in spec["contacts"]:
        PressContact.objects.create(post=post, **contact)
    if spec["cover"] and not Cover.objects.filter(post=post).exists():
        alt, alt_ar, credit = spec["cover"]
        cover = Cover(post=post, alt_text=alt, translated_alt_text={"ar": alt_ar}, credit=credit)
        picture = demo_picture((24, 38, 64), (240, 200, 120), seed=len(spec["slug"]))
        cover.image = ContentFile(picture, name="cover.jpg")  # resized, stored by content
        cover.save()
    return f"{spec['kind']} {spec['slug']}"
