"""A real Chromium: a campaigner creates a petition in English and Arabic without typing JSON
or a slug, previews it as the public will see it, and publishes it."""

import pytest

from undersigned.petitions.models import Petition, State
from undersigned.staff.roles import CAMPAIGNER

from .factories import make_organiser, make_target
from .personas import PASSWORD, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_campaigner_creates_previews_and_publishes_a_two_language_petition(live_server, page):
    organisation = make_organiser()
    organisation.required_languages = ["en", "ar"]
    organisation.save()
    make_target()
    member("nour", CAMPAIGNER, organisation)
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{base}/admin/login/?next=/admin/petitions/petition/add/")
    page.get_by_label("Username").fill("nour")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/petitions/petition/add/")

    english = page.locator("fieldset.language-en")
    english.get_by_label("Title").fill("Release the aid workers")
    english.get_by_label("Summary").fill("Three aid workers are held without charge.")
    english.get_by_label("Addressed to").fill("To the Minister of the Interior,")
    english.get_by_label("Petition text").fill("Release them today.")
    page.locator("select[name=organiser]").select_option(str(organisation.pk))
    page.get_by_label("The UN Secretary-General").check()
    # Saved as a draft with only English: publishing is refused, with the reason
    page.get_by_role("button", name="Save and publish").click()
    assert "its texts in Arabic are missing" in page.locator(".messagelist").inner_text()
    petition = Petition.objects.get()
    assert petition.slug == "release-the-aid-workers" and petition.state == State.DRAFT

    arabic = page.locator("fieldset.language-ar")
    arabic.get_by_label("Title").fill("أطلقوا سراح عمال الإغاثة")
    arabic.get_by_label("Summary").fill("ثلاثة من عمال الإغاثة محتجزون دون تهمة.")
    arabic.get_by_label("Addressed to").fill("إلى وزير الداخلية،")
    arabic.get_by_label("Petition text").fill("أطلقوا سراحهم اليوم.")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_selector(".messagelist")

    with page.context.expect_page() as preview_page:
        page.get_by_role("link", name="See the page in Arabic").click()
    preview = preview_page.value
    preview.wait_for_load_state()
    text = preview.locator("main").inner_text()
    assert "معاينة — غير منشورة" in text
    assert "أطلقوا سراح عمال الإغاثة" in text
    assert preview.locator("input[name=email]").is_visible()  # the signing form, as it will be
    preview.close()

    page.get_by_role("button", name="Save and publish").click()
    assert "Published" in page.locator(".messagelist").inner_text()
    assert Petition.objects.get().state == State.OPEN

    page.context.clear_cookies()
    page.goto(f"{base}/ar/petitions/release-the-aid-workers/")
    assert "معاينة" not in page.locator("main").inner_text()
    assert page.locator("input[name=email]").is_visible()


def test_demands_are_reordered_with_move_buttons(live_server, page):
    from undersigned.petitions.models import Demand

    from .factories import make_petition

    petition = make_petition()
    Demand.objects.create(
        petition=petition, language="en", position=1, heading="Second demand", text="Then."
    )
    member("nour", CAMPAIGNER, petition.organiser)
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/admin/login/?next=/admin/petitions/petition/{petition.pk}/change/")
    page.get_by_label("Username").fill("nour")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**/admin/petitions/petition/{petition.pk}/change/")

    demands = page.locator("#demands_en-group")
    assert demands.locator("input[name$='-position']").first.is_hidden()
    second = demands.locator("tr.form-row", has=page.locator("input[value='Second demand']"))
    second.get_by_role("button", name="Move up").click()
    headings = [field.input_value() for field in demands.locator("input[name$='-heading']").all()]
    assert headings.index("Second demand") < headings.index("Open the prisons")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_selector(".messagelist")
    english = petition.demands.filter(language="en").order_by("position")
    assert [d.heading for d in english] == ["Second demand", "Open the prisons"]
    arabic = petition.demands.get(language="ar")
    assert arabic.heading == "افتحوا السجون"  # the other language's list is left alone
