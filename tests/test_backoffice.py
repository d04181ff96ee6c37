"""The back office as a campaigner uses it alone: names in other languages without JSON,
a petition written in two languages on one form with its slug made for it, a true
preview, the publishing check, safe bulk actions."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.utils import formats, timezone, translation

from undersigned.actions.models import State
from undersigned.actions.slugs import slug_from_title
from undersigned.audit.models import AuditEntry
from undersigned.letters.models import Letter
from undersigned.organisations.models import Target
from undersigned.petitions.models import Petition, Signature
from undersigned.staff.languages import LanguageFieldsAdmin, LanguageFieldsForm

from .delivery_fixtures import add_signatures
from .factories import make_petition, make_target, signer
from .letters_fixtures import make_letter

pytestmark = pytest.mark.django_db

EMPTY_INLINES = {
    f"{prefix}-{suffix}": "0"
    for prefix in ["demands_en", "demands_ar", "key_facts_en", "key_facts_ar", "photos", "cohosts"]
    for suffix in ["TOTAL_FORMS", "INITIAL_FORMS"]
}


def petition_post(organisation, target, **overrides) -> dict:
    data = {
        "organiser": organisation.pk,
        "targets": [target.pk],
        "original_language": "en",
        "opens_at_0": "2026-01-01",
        "opens_at_1": "00:00:00",
        "goal": "500",
        "double_opt_in": "on",
        "default_visibility": "target",
        "en_title": "Release the aid workers",
        "en_summary": "Three aid workers are held without charge.",
        "en_pledge_heading": "To the Minister of the Interior,",
        "en_pledge": "Release them today.",
        "en_body": "## Why\n\nThey **delivered food**.",
        "ar_title": "أطلقوا سراح عمال الإغاثة",
        "ar_summary": "ثلاثة من عمال الإغاثة محتجزون دون تهمة.",
        "ar_pledge_heading": "إلى وزير الداخلية،",
        "ar_pledge": "أطلقوا سراحهم اليوم.",
        **EMPTY_INLINES,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def campaigner(client, personas):
    client.force_login(personas.campaigner_a)
    return client


# A1: names in other languages are plain fields, one per language


def test_a_campaigner_types_a_targets_arabic_name_in_its_own_field(campaigner):
    page = campaigner.get("/admin/organisations/target/add/").content.decode()
    assert 'name="translated_names__ar"' in page
    assert "Name in Arabic" in page and "JSON" not in page
    response = campaigner.post(
        "/admin/organisations/target/add/",
        {
            "name": "The Minister of the Interior",
            "translated_names__ar": "  وزير الداخلية ",
            "slug": "interior-minister",
            "kind": "role",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    target = Target.objects.get(slug="interior-minister")
    assert target.translated_names == {"ar": "وزير الداخلية"}
    assert target.name_in("ar") == "وزير الداخلية"


def test_a_too_long_arabic_name_is_refused_next_to_its_field(campaigner):
    response = campaigner.post(
        "/admin/organisations/target/add/",
        {"name": "Someone", "translated_names__ar": "ا" * 201, "slug": "someone", "kind": "role"},
    )
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()
    assert not Target.objects.filter(slug="someone").exists()


def test_the_organisation_admin_edits_its_names_and_required_languages_in_arabic(client, personas):
    client.force_login(personas.admin_a)
    organisation = personas.organisation_a
    url = f"/admin/organisations/organisation/{organisation.pk}/change/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "الاسم بالعربيّة" in page
    assert "اللغات التي يجب أن يُكتب بها كل تحرك" in page
    response = client.post(
        f"/admin/organisations/organisation/{organisation.pk}/change/",
        {
            "name": organisation.name,
            "translated_names__ar": "مراقبو الحقوق الجدد",
            "slug": organisation.slug,
            "required_languages": ["en", "ar"],
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    organisation.refresh_from_db()
    assert organisation.translated_names == {"ar": "مراقبو الحقوق الجدد"}
    assert organisation.required_languages == ["en", "ar"]


def test_letter_footnotes_and_press_contacts_have_one_field_per_language(campaigner, personas):
    letter = make_letter(organiser=personas.organisation_a)
    page = campaigner.get(f"/admin/letters/letter/{letter.pk}/change/").content.decode()
    for name in [
        "network_set-0-translated_names__ar",
        "network_set-0-translated_texts__ar",
        "press_contacts-0-translated_roles__ar",
        "press_contacts-0-translated_organisations__ar",
    ]:
        assert f'name="{name}"' in page, name
    assert "{&quot;ar&quot;" not in page and '{"ar"' not in page


def readonly_value(page: str, label: str) -> str:
    """What a read-only admin page shows next to `label`."""
    found = re.search(
        rf"<label>{re.escape(label)}:</label>\s*<div class=\"readonly\">(.*?)</div>", page, re.S
    )
    assert found, f"no read-only field labelled {label}"
    return found.group(1).strip()


@pytest.mark.parametrize(
    ("language", "arabic_label", "english_label"),
    [("en", "Name in Arabic", "Name in English"), ("ar", "الاسم بالعربيّة", "الاسم بالإنجليزيّة")],
)
def test_a_campaigner_reads_names_in_other_languages_by_language(
    campaigner, personas, language, arabic_label, english_label
):
    organisation = personas.organisation_a
    target = make_target(slug="nobody", name="Nobody in particular", arabic="")
    pages = {
        "organisation": f"/admin/organisations/organisation/{organisation.pk}/change/",
        "target": f"/admin/organisations/target/{target.pk}/change/",
    }
    html = {
        key: campaigner.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for key, url in pages.items()
    }
    assert readonly_value(html["organisation"], arabic_label) == (
        '<span lang="ar" dir="auto">مراقبو الحقوق</span>'
    )
    assert readonly_value(html["organisation"], english_label) == "Rights Watchers"
    assert readonly_value(html["target"], arabic_label) == "—"
    for page in html.values():
        assert "None" not in page and "Translated names" not in page


def test_every_admin_with_fields_per_language_shows_them_read_only():
    admins = [*admin.site._registry.values()]
    inlines = [
        inline(model_admin.model, admin.site)
        for model_admin in admins
        for inline in model_admin.inlines
    ]
    per_language = [each for each in admins + inlines if issubclass(each.form, LanguageFieldsForm)]
    assert len(per_language) >= 8
    for each in per_language:
        assert isinstance(each, LanguageFieldsAdmin), type(each).__name__


# An action's title, and dates, in the reader's language


def breadcrumbs(page: str) -> str:
    return re.search(r'<div class="breadcrumbs">(.*?)</div>', page, re.S).group(1)


def page_title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


TITLES = {
    "en": {"petition": "Free the detained", "letter": "Stop the attacks on civilians"},
    "ar": {"petition": "الحرية للمعتقلين", "letter": "أوقفوا الهجمات على المدنيين"},
}


@pytest.mark.parametrize("kind", ["petition", "letter"])
@pytest.mark.parametrize(("language", "other"), [("en", "ar"), ("ar", "en")])
def test_an_actions_title_is_in_the_readers_language(campaigner, personas, kind, language, other):
    organiser = personas.organisation_a
    action = (
        make_petition(organiser=organiser)
        if kind == "petition"
        else make_letter(organiser=organiser)
    )
    base = f"/admin/{kind}s/{kind}/{action.pk}"
    for url in [f"{base}/change/", f"{base}/history/"]:
        page = campaigner.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for part in [breadcrumbs(page), page_title(page)]:
            assert TITLES[language][kind] in part, url
            assert TITLES[other][kind] not in part, url


@pytest.mark.parametrize("kind", ["petition", "letter"])
def test_an_action_not_translated_keeps_its_original_title_in_arabic(campaigner, personas, kind):
    organiser = personas.organisation_a
    action = (
        make_petition(organiser=organiser, arabic=False)
        if kind == "petition"
        else make_letter(organiser=organiser, arabic=False)
    )
    page = campaigner.get(
        f"/admin/{kind}s/{kind}/{action.pk}/change/", HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    assert str(action.title_in("en")) in breadcrumbs(page)


def test_a_letters_translation_keeps_its_own_title(personas):
    original = make_letter(organiser=personas.organisation_a)
    arabic = original.translations.get()
    with translation.override("en"):
        assert (str(original), str(arabic)) == (original.title, arabic.title)
    with translation.override("ar"):
        assert (str(original), str(arabic)) == (arabic.title, arabic.title)


def test_admin_dates_read_in_arabic_order(campaigner, personas):
    moment = datetime(2018, 2, 27, 15, 40, tzinfo=UTC)
    petition = make_petition(organiser=personas.organisation_a)
    Petition.objects.filter(pk=petition.pk).update(opens_at=moment)
    page = campaigner.get("/admin/petitions/petition/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "27 فبراير 2018" in page and "فبراير 27" not in page
    english = campaigner.get("/admin/petitions/petition/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Feb. 27, 2018" in english.content.decode()
    with translation.override("ar"):
        assert formats.date_format(moment.date()) == "27 فبراير 2018"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "27 فبراير 2018، 3:40 م"


# A2, A3: a petition written in both languages on one form, title first, slug made


def test_a_campaigner_creates_a_petition_in_two_languages_without_a_slug(campaigner, personas):
    target = make_target()
    form = campaigner.get("/admin/petitions/petition/add/").content.decode()
    assert form.index('name="en_title"') < form.index('name="organiser"')
    assert form.index('name="ar_title"') < form.index('name="organiser"')
    assert re.search(r'<fieldset class="module aligned[^"]*collapse', form)  # Advanced
    cohosts = form[form.index('id="cohosts-group"') :]
    assert "<details" in cohosts[: cohosts.index("</fieldset>")]  # folded away too
    response = campaigner.post(
        "/admin/petitions/petition/add/", petition_post(personas.organisation_a, target)
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    petition = Petition.objects.get(slug="release-the-aid-workers")
    assert petition.state == State.DRAFT
    assert petition.text_in("ar").title == "أطلقوا سراح عمال الإغاثة"
    assert petition.text_in("en").body.startswith("## Why")


def test_an_arabic_original_gets_a_transliterated_slug(campaigner, personas):
    data = petition_post(
        personas.organisation_a,
        make_target(),
        original_language="ar",
        en_title="",
        en_summary="",
        en_pledge_heading="",
        en_pledge="",
        en_body="",
    )
    response = campaigner.post("/admin/petitions/petition/add/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    petition = Petition.objects.get()
    assert petition.slug == "atlqwa-srah-amal-alighatha"
    assert not petition.texts.filter(language="en").exists()
    # the same title again gets an address of its own
    campaigner.post("/admin/petitions/petition/add/", data)
    assert Petition.objects.filter(slug="atlqwa-srah-amal-alighatha-2").exists()


def test_slugs_from_titles():
    assert slug_from_title("أوقفوا المداهمات") == "awqfwa-almdahmat"
    assert slug_from_title("الإفراج عن المعتقلين ٢٠٢٦") == "alifraj-an-almatqlyn-2026"
    assert slug_from_title("Free the detained!") == "free-the-detained"
    assert slug_from_title("؟؟؟") == "action"


def test_a_half_written_language_is_refused_next_to_the_missing_field(campaigner, personas):
    data = petition_post(personas.organisation_a, make_target(), ar_pledge="")
    response = campaigner.post("/admin/petitions/petition/add/", data, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    page = response.content.decode()
    assert "املأ هذا الحقل أيضًا" in page
    assert not Petition.objects.exists()


def test_injection_strings_in_a_title_are_stored_as_text(campaigner, personas):
    title = "<script>alert(1)</script>' OR 1=1 --"
    data = petition_post(personas.organisation_a, make_target(), en_title=title)
    assert campaigner.post("/admin/petitions/petition/add/", data).status_code == 302
    petition = Petition.objects.get()
    assert petition.text_in("en").title == title
    assert petition.slug == "scriptalert1script-or-11"
    page = campaigner.get(f"/en/petitions/{petition.slug}/").content.decode()
    assert "<script>alert(1)" not in page


def test_editing_a_petition_shows_and_keeps_both_texts(campaigner, personas):
    petition = make_petition(organiser=personas.organisation_a)
    url = f"/admin/petitions/petition/{petition.pk}/change/"
    page = campaigner.get(url).content.decode()
    assert 'value="الحرية للمعتقلين"' in page
    data = petition_post(
        personas.organisation_a,
        make_target(),
        slug=petition.slug,
        ar_title="الحرية لكل المعتقلين",
    )
    data.update(inline_rows(petition))
    response = campaigner.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert petition.texts.get(language="ar").title == "الحرية لكل المعتقلين"
    assert petition.texts.count() == 2


def inline_rows(petition) -> dict:
    rows = {}
    for prefix, items, fields in [
        (f"demands_{code}", petition.demands.filter(language=code), ["position", "heading", "text"])
        for code in ("en", "ar")
    ] + [
        (
            f"key_facts_{code}",
            petition.key_facts.filter(language=code),
            ["position", "figure", "label"],
        )
        for code in ("en", "ar")
    ]:
        items = list(items)
        rows[f"{prefix}-TOTAL_FORMS"] = str(len(items))
        rows[f"{prefix}-INITIAL_FORMS"] = str(len(items))
        for index, item in enumerate(items):
            rows[f"{prefix}-{index}-id"] = str(item.pk)
            rows[f"{prefix}-{index}-petition"] = str(petition.pk)
            for name in fields:
                rows[f"{prefix}-{index}-{name}"] = str(getattr(item, name))
    return rows


def group(page: str, prefix: str) -> str:
    start = page.index(f'id="{prefix}-group"')
    return page[start : page.index("js-inline-admin-formset", start)]


def test_demands_and_key_facts_are_edited_in_one_group_per_language(campaigner, personas):
    petition = make_petition(organiser=personas.organisation_a)
    page = campaigner.get(f"/admin/petitions/petition/{petition.pk}/change/").content.decode()
    english, arabic = group(page, "demands_en"), group(page, "demands_ar")
    assert "Open the prisons" in english and "افتحوا السجون" not in english
    assert "افتحوا السجون" in arabic and "Open the prisons" not in arabic
    assert "Demands: Arabic — " in arabic and 'lang="ar"' in arabic and 'dir="rtl"' in arabic
    assert "-language" not in english + arabic  # the group says the language
    assert "112,000" in group(page, "key_facts_en") and "fieldset module ordered" not in page
    assert 'class="module ordered' in english


def test_a_row_added_to_the_arabic_group_is_arabic_and_orders_only_its_own(campaigner, personas):
    petition = make_petition(organiser=personas.organisation_a)
    data = petition_post(personas.organisation_a, make_target(), slug=petition.slug)
    data.update(inline_rows(petition))
    data.update(
        {
            "demands_ar-TOTAL_FORMS": "2",
            "demands_ar-0-position": "1",  # moved down below the new one
            "demands_ar-1-position": "0",
            "demands_ar-1-heading": "أوقفوا التعذيب",
            "demands_ar-1-text": "الآن.",
        }
    )
    url = f"/admin/petitions/petition/{petition.pk}/change/"
    response = campaigner.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    arabic = petition.demands.filter(language="ar").order_by("position")
    assert [d.heading for d in arabic] == ["أوقفوا التعذيب", "افتحوا السجون"]
    assert [d.heading for d in petition.demands.filter(language="en")] == ["Open the prisons"]


# A4: a true preview


def test_a_drafts_preview_shows_the_open_page_with_its_form(campaigner, client, personas):
    petition = make_petition(state=State.DRAFT, organiser=personas.organisation_a)
    page = campaigner.get(f"/en/petitions/{petition.slug}/").content.decode()
    assert "Preview — not published" in page
    assert 'name="email"' in page  # the signing form, as the public will see it
    assert "Closed" not in page and "This petition is closed" not in page
    arabic = campaigner.get(f"/ar/petitions/{petition.slug}/").content.decode()
    assert "معاينة — غير منشورة" in arabic
    change = campaigner.get(f"/admin/petitions/petition/{petition.pk}/change/").content.decode()
    assert f'href="/en/petitions/{petition.slug}/"' in change
    assert f'href="/ar/petitions/{petition.slug}/"' in change


def test_signing_a_preview_records_nothing(campaigner, personas):
    petition = make_petition(state=State.DRAFT, organiser=personas.organisation_a)
    response = campaigner.post(f"/en/petitions/{petition.slug}/", signer())
    assert response.status_code == 403
    assert "signatures are recorded only once the petition is published" in (
        response.content.decode()
    )
    assert not Signature.objects.exists()


def test_nobody_else_sees_the_preview(client, personas):
    petition = make_petition(state=State.DRAFT, organiser=personas.organisation_a)
    assert client.get(f"/en/petitions/{petition.slug}/").status_code == 404
    client.force_login(personas.campaigner_b)
    assert client.get(f"/en/petitions/{petition.slug}/").status_code == 404


def test_a_draft_letter_is_previewed_by_its_staff_only(campaigner, client, personas):
    letter = make_letter(state=Letter.State.DRAFT, organiser=personas.organisation_a)
    page = campaigner.get(f"/en/letters/{letter.slug}/").content.decode()
    assert "Preview — not published" in page
    client.logout()
    assert client.get(f"/en/letters/{letter.slug}/").status_code == 404


# A5: the publishing check, in the lifecycle


def test_publishing_without_a_required_language_is_refused(campaigner, personas):
    organisation = personas.organisation_a
    organisation.required_languages = ["en", "ar"]
    organisation.save()
    data = petition_post(
        organisation, make_target(), ar_title="", ar_summary="", ar_pledge_heading="", ar_pledge=""
    )
    data["_publish"] = "Save and publish"
    response = campaigner.post("/admin/petitions/petition/add/", data, follow=True)
    page = response.content.decode()
    assert "Not published: its texts in Arabic are missing" in page
    petition = Petition.objects.get()
    assert petition.state == State.DRAFT
    # the bulk action goes through the same check
    campaigner.post(
        "/admin/petitions/petition/",
        {"action": "open_selected", "_selected_action": [petition.pk], "index": 0},
    )
    petition.refresh_from_db()
    assert petition.state == State.DRAFT
    assert not AuditEntry.objects.filter(action="petition.opened").exists()


def test_publishing_with_every_language_opens_the_petition(campaigner, personas, client):
    organisation = personas.organisation_a
    organisation.required_languages = ["en", "ar"]
    organisation.save()
    data = petition_post(organisation, make_target(), _publish="Save and publish")
    response = campaigner.post(
        "/admin/petitions/petition/add/", data, follow=True, HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert "نُشرت" in response.content.decode()
    petition = Petition.objects.get()
    assert petition.state == State.OPEN
    client.logout()
    public = client.get(f"/ar/petitions/{petition.slug}/").content.decode()
    assert "أطلقوا سراح عمال الإغاثة" in public and "معاينة" not in public


def test_the_refusal_is_worded_in_the_campaigners_language(personas):
    from undersigned.actions import lifecycle

    organisation = personas.organisation_a
    organisation.required_languages = ["en", "ar"]
    organisation.save()
    petition = make_petition(state=State.DRAFT, arabic=False, organiser=organisation)
    with translation.override("ar"), pytest.raises(lifecycle.TransitionRefused) as refusal:
        lifecycle.open_action(petition, personas.campaigner_a)
    assert "العربيّة" in str(refusal.value)


# A6: safe bulk actions


def test_bulk_actions_put_open_close_first_and_delete_last(client, personas):
    client.force_login(personas.operator)
    make_petition()
    page = client.get("/admin/petitions/petition/").content.decode()
    options = re.findall(
        r'<option value="(\w+)"', page.split('name="action"')[1].split("</select>")[0]
    )
    assert options[:2] == ["open_selected", "close_selected"]
    assert options[-1] == "delete_selected"


def test_an_action_with_signatures_cannot_be_deleted(client, personas):
    client.force_login(personas.operator)
    petition = make_petition(state=State.CLOSED)
    add_signatures(petition, rows=[("Signer", "SY", "confirmed", "", "en", True, timezone.now())])
    change = client.get(f"/admin/petitions/petition/{petition.pk}/change/").content.decode()
    assert 'class="deletelink"' not in change
    response = client.post(
        "/admin/petitions/petition/",
        {"action": "delete_selected", "_selected_action": [petition.pk], "index": 0},
    )
    assert response.status_code == 403
    assert client.get(f"/admin/petitions/petition/{petition.pk}/delete/").status_code == 403
    assert Petition.objects.filter(pk=petition.pk).exists()
    unsigned = make_petition("never-signed", state=State.DRAFT)
    page = client.get(f"/admin/petitions/petition/{unsigned.pk}/change/").content.decode()
    assert 'class="deletelink"' in page


def test_the_endorsement_list_offers_approve_first(client, world):
    client.force_login(world.personas.campaigner_a)
    page = client.get("/admin/letters/endorsement/").content.decode()
    options = re.findall(
        r'<option value="(\w+)"', page.split('name="action"')[1].split("</select>")[0]
    )
    assert options[0] == "approve_selected"


# A10: the closing date; a delivered petition has no next goal


def test_the_closing_date_is_shown_in_the_readers_language(client):
    petition = make_petition(closes_in_days=10)
    closes = timezone.localtime(petition.closes_at)
    page = client.get("/en/petitions/free-the-detained/").content.decode()
    assert f"Closes on {closes.day} {closes:%B} {closes.year}" in page
    arabic = client.get("/ar/petitions/free-the-detained/").content.decode()
    assert "يُغلق في" in arabic


def test_a_delivered_petition_shows_no_next_goal_and_keeps_its_pledge(client):
    petition = make_petition(state=State.DELIVERED)
    Petition.objects.filter(pk=petition.pk).update(closed_at=timezone.now() - timedelta(days=1))
    page = client.get("/en/petitions/free-the-detained/").content.decode()
    assert "Next goal" not in page
    assert "What signers pledged" in page
    assert "I call on you to act for every detainee." in page
    closed = make_petition("closed-one", state=State.CLOSED)
    page = client.get(f"/en/petitions/{closed.slug}/").content.decode()
    assert "What signers pledged" in page and "Next goal" in page


# A8: people are told


def test_the_endorsing_organisation_is_told_of_approval_and_refusal(
    client, world, smtp_server, run_tasks
):
    from undersigned.letters.models import Endorsement

    client.force_login(world.personas.campaigner_a)
    pending = world.a.pending
    client.post(
        "/admin/letters/endorsement/",
        {"action": "approve_selected", "_selected_action": [pending.pk], "index": 0},
    )
    run_tasks()
    run_tasks()  # a second run sends nothing again
    to_contact = [m for m in smtp_server.messages if m["to"] == ["contact@a.example.org"]]
    assert len(to_contact) == 1
    assert "is on the letter" in to_contact[0]["message"]["Subject"]

    declined = Endorsement.objects.create(
        letter=world.a.letter,
        name="Doubtful aid",
        contact_email="doubt@example.org",
        language="ar",
        status=Endorsement.Status.PENDING_REVIEW,
    )
    client.post(
        "/admin/letters/endorsement/",
        {
            "action": "reject_selected",
            "_selected_action": [declined.pk],
            "index": 0,
            "apply": "1",
            "reason": "لم نتمكن من التحقق من وجود المنظمة.",
        },
    )
    run_tasks()
    message = next(m for m in smtp_server.messages if m["to"] == ["doubt@example.org"])
    body = str(smtp_server.bodies(smtp_server.messages.index(message)))
    assert "لم نتمكن من التحقق من وجود المنظمة." in body


def test_staff_get_a_daily_digest_of_endorsements_waiting(world, smtp_server, run_tasks):
    from django.core.management import call_command

    call_command("housekeeping", verbosity=0)
    run_tasks()
    recipients = {tuple(m["to"]) for m in smtp_server.messages}
    # organisation A's members who may moderate, not its viewer nor organisation B's
    assert ("campaigner_a@example.org",) in recipients
    assert ("admin_a@example.org",) in recipients
    assert ("viewer_a@example.org",) not in recipients
    digest = next(m for m in smtp_server.messages if m["to"] == ["campaigner_a@example.org"])
    assert "1 endorsement is waiting for your review" in digest["message"]["Subject"]
    count = len(smtp_server.messages)
    call_command("housekeeping", verbosity=0)
    run_tasks()
    assert len(smtp_server.messages) == count  # once a day


# A7: Markdown with a preview rendered by the public page's sanitiser


def test_the_body_is_previewed_as_the_public_page_renders_it(campaigner, personas):
    petition = make_petition(organiser=personas.organisation_a)
    petition.texts.filter(language="en").update(
        body="## Why\n\nThousands are held **without charge**.\n\n<script>alert(1)</script>"
    )
    page = campaigner.get(f"/admin/petitions/petition/{petition.pk}/change/").content.decode()
    preview = page.split('class="markdown-preview"')[1].split("</div>")[0]
    assert "<h2>Why</h2>" in preview and "<strong>without charge</strong>" in preview
    assert "<script>" not in preview
    assert "a blank line starts a new paragraph" in page
    letter = make_letter(organiser=personas.organisation_a)
    page = campaigner.get(f"/admin/letters/letter/{letter.pk}/change/").content.decode()
    assert "<strong>urge</strong>" in page


def test_a_viewer_reads_both_texts_on_the_petitions_page(client, personas):
    petition = make_petition(organiser=personas.organisation_a)
    client.force_login(personas.viewer_a)
    page = client.get(f"/admin/petitions/petition/{petition.pk}/change/").content.decode()
    assert "الحرية للمعتقلين" in page and "Free the detained" in page
    assert 'name="en_title"' not in page


# A2, A3 for letters: the translation on the original's page, slugs made from titles


def letter_post(letter, **extra) -> dict:
    data = {
        "title": letter.title,
        "language": letter.language,
        "summary": letter.summary,
        "body": letter.body,
        "organiser": letter.organiser_id,
        "place": letter.place,
        "notes_to_editors": letter.notes_to_editors,
        "accepts_public_endorsements": "on",
        "signatory_order": letter.signatory_order,
        "slug": letter.slug,
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
        "network_set-TOTAL_FORMS": "0",
        "network_set-INITIAL_FORMS": "0",
        "press_contacts-TOTAL_FORMS": "0",
        "press_contacts-INITIAL_FORMS": "0",
        "cohosts-TOTAL_FORMS": "0",
        "cohosts-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_a_letters_translation_is_written_on_the_originals_page(campaigner, personas):
    letter = make_letter(arabic=False, organiser=personas.organisation_a)
    letter.network_set.all().delete()
    letter.press_contacts.all().delete()
    url = f"/admin/letters/letter/{letter.pk}/change/"
    page = campaigner.get(url).content.decode()
    assert 'id="translations-group"' in page
    assert_slug_folded_under_advanced(page, "translations-__prefix__-slug")
    response = campaigner.post(
        url,
        letter_post(
            letter,
            **{
                "translations-TOTAL_FORMS": "1",
                "translations-0-language": "ar",
                "translations-0-title": "أوقفوا الهجمات على المدنيين",
                "translations-0-body": "نحن المنظمات الموقّعة أدناه.",
                "translations-0-summary": "",
                "translations-0-place": "جنيف",
                "translations-0-notes_to_editors": "",
                "translations-0-slug": "",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    translation = letter.translations.get()
    assert translation.slug == "awqfwa-alhjmat-ala-almdnyyn"
    assert translation.organiser == letter.organiser and translation.state == letter.state


def assert_slug_folded_under_advanced(page: str, name: str) -> None:
    """The field sits in a collapsed fieldset (Django renders it as <details>) titled
    Advanced, after the row's texts."""
    before = page[: page.index(f'name="{name}"')]
    fieldset = before[before.rindex("<fieldset") :]
    assert "collapse" in fieldset and "<details" in fieldset and "Advanced" in fieldset
    texts = f'name="{name.rpartition("-")[0]}-notes_to_editors"'
    assert before.rindex(texts) < before.rindex("<fieldset")


def test_a_saved_translations_slug_is_folded_away_too(campaigner, personas):
    letter = make_letter(organiser=personas.organisation_a)  # with its Arabic translation
    translation = letter.translations.get()
    page = campaigner.get(f"/admin/letters/letter/{letter.pk}/change/").content.decode()
    assert f'value="{translation.slug}"' in page
    assert_slug_folded_under_advanced(page, "translations-0-slug")


def test_a_new_letter_gets_its_slug_from_its_title(campaigner, personas):
    response = campaigner.post(
        "/admin/letters/letter/add/",
        {
            "title": "Protect the hospitals",
            "language": "en",
            "body": "We ask.",
            "organiser": personas.organisation_a.pk,
            "signatory_order": "alphabetical",
            "accepts_public_endorsements": "on",
            "slug": "",
            "translations-TOTAL_FORMS": "0",
            "translations-INITIAL_FORMS": "0",
            "network_set-TOTAL_FORMS": "0",
            "network_set-INITIAL_FORMS": "0",
            "press_contacts-TOTAL_FORMS": "0",
            "press_contacts-INITIAL_FORMS": "0",
            "cohosts-TOTAL_FORMS": "0",
            "cohosts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Letter.objects.get(slug="protect-the-hospitals").state == Letter.State.DRAFT


def test_publishing_a_letter_without_a_required_language_is_refused(campaigner, personas):
    organisation = personas.organisation_a
    organisation.required_languages = ["en", "ar"]
    organisation.save()
    letter = make_letter(arabic=False, organiser=organisation, state=Letter.State.DRAFT)
    letter.network_set.all().delete()
    letter.press_contacts.all().delete()
    url = f"/admin/letters/letter/{letter.pk}/change/"
    response = campaigner.post(url, letter_post(letter, _publish="Save and publish"), follow=True)
    assert "Not published: its texts in Arabic are missing" in response.content.decode()
    campaigner.post(
        "/admin/letters/letter/",
        {"action": "open_selected", "_selected_action": [letter.pk], "index": 0},
    )
    letter.refresh_from_db()
    assert letter.state == Letter.State.DRAFT
    assert not AuditEntry.objects.filter(action="letter.opened").exists()
    campaigner.logout()
    assert campaigner.get(f"/en/letters/{letter.slug}/").status_code == 404

    arabic = Letter.objects.create(
        slug="stop-the-attacks-ar",
        language="ar",
        translation_of=letter,
        title="أوقفوا الهجمات على المدنيين",
        body="نحن المنظمات الموقّعة أدناه.",
        organiser=organisation,
    )
    campaigner.force_login(personas.campaigner_a)
    campaigner.post(
        url,
        letter_post(
            letter,
            _publish="Save and publish",
            **{
                "translations-TOTAL_FORMS": "1",
                "translations-INITIAL_FORMS": "1",
                "translations-0-id": arabic.pk,
                "translations-0-translation_of": letter.pk,
                "translations-0-language": "ar",
                "translations-0-title": arabic.title,
                "translations-0-body": arabic.body,
                "translations-0-slug": arabic.slug,
            },
        ),
    )
    letter.refresh_from_db()
    arabic.refresh_from_db()
    assert letter.state == arabic.state == Letter.State.OPEN
    assert AuditEntry.objects.filter(action="letter.opened", object_id=str(letter.pk)).exists()
