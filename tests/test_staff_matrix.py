"""Every kind of staff against every staff URL and bulk action.

Organisation A's staff see and do what their role allows with A's objects (200, else 403)
and never see B's; B's campaigner gets 404 for every object of A (its existence is not
revealed); operators see everything; a visitor who is not staff is sent to the login.
"""

import pytest
from django.utils import timezone

from undersigned.api.models import ApiKey
from undersigned.audit.models import AuditEntry
from undersigned.letters.models import Endorsement
from undersigned.petitions.models import Petition, Signature, State
from undersigned.staff.roles import (
    CAMPAIGNER,
    DATA_OFFICER,
    ORGANISATION_ADMIN,
    ROLES,
    VIEWER,
)

pytestmark = pytest.mark.django_db

ROLE_OF = {
    "admin_a": ORGANISATION_ADMIN,
    "campaigner_a": CAMPAIGNER,
    "data_officer_a": DATA_OFFICER,
    "viewer_a": VIEWER,
}
A_STAFF = list(ROLE_OF)
EVERYONE = ["operator", *A_STAFF, "campaigner_b", "visitor"]


def holds(persona: str, *permissions: str) -> bool:
    if persona == "operator":
        return True
    granted = set(ROLES[ROLE_OF[persona]][2])
    return all(permission in granted for permission in permissions)


def client_for(client, world, persona):
    client.force_login(getattr(world.personas, persona))
    return client


# One page per object of organisation A, and the permission(s) it needs.
OBJECT_PAGES = [
    ("/admin/petitions/petition/{p}/change/", ["petitions.view_petition"]),
    ("/admin/petitions/signature/{s}/change/", ["petitions.view_signature"]),
    ("/admin/letters/letter/{l}/change/", ["letters.view_letter"]),
    ("/admin/letters/letter/{l}/import/", ["letters.change_letter"]),
    ("/admin/letters/letter/{l}/export/", ["letters.view_letter", "letters.export_contacts"]),
    ("/admin/letters/endorsement/{e}/change/", ["letters.view_endorsement"]),
    ("/admin/delivery/petitionaction/{p}/change/", ["petitions.view_petition"]),
    ("/admin/delivery/petitionaction/{p}/progress/", ["petitions.view_petition"]),
    (
        "/admin/delivery/petitionaction/{p}/deliver/",
        ["delivery.add_delivery", "delivery.change_delivery", "petitions.change_petition"],
    ),
    ("/admin/delivery/letteraction/{l}/change/", ["letters.view_letter"]),
    ("/admin/delivery/letteraction/{l}/progress/", ["letters.view_letter"]),
    ("/admin/supporters/invalidationbatch/review/{p}/", ["petitions.view_signature"]),
    ("/admin/supporters/invalidationbatch/{b}/change/", ["supporters.view_invalidationbatch"]),
    ("/admin/organisations/organisation/{o}/change/", ["organisations.view_organisation"]),
    ("/admin/staff/membership/{m}/change/", ["staff.view_membership"]),
    ("/admin/api/apikey/{k}/change/", ["api.view_apikey"]),
    ("/admin/api/webhookendpoint/{w}/change/", ["api.view_webhookendpoint"]),
    ("/admin/api/webhookdelivery/{d}/change/", ["api.view_webhookdelivery"]),
    ("/admin/petitions/cohost/{c}/change/", ["petitions.view_cohost"]),
]
PACKAGE_PAGES = [
    ("/admin/delivery/package/{handover}/change/", ["delivery.view_package"]),
    ("/admin/delivery/package/{handover}/download/csv/", ["delivery.view_package"]),
    ("/admin/delivery/package/{handover}/download/pdf/", ["delivery.view_package"]),
    (
        "/admin/delivery/package/{emails}/download/csv/",
        ["delivery.view_package", "delivery.export_emails"],
    ),
]
LISTS = [
    ("/admin/petitions/petition/", ["petitions.view_petition"]),
    ("/admin/petitions/signature/", ["petitions.view_signature"]),
    ("/admin/letters/letter/", ["letters.view_letter"]),
    ("/admin/letters/endorsement/", ["letters.view_endorsement"]),
    ("/admin/letters/endorsementtoreview/", ["letters.view_endorsement"]),
    ("/admin/delivery/petitionaction/", ["petitions.view_petition"]),
    ("/admin/delivery/letteraction/", ["letters.view_letter"]),
    ("/admin/supporters/invalidationbatch/", ["supporters.view_invalidationbatch"]),
    ("/admin/audit/auditentry/", ["audit.view_auditentry"]),
    ("/admin/staff/membership/", ["staff.view_membership"]),
    ("/admin/organisations/organisation/", ["organisations.view_organisation"]),
    ("/admin/api/apikey/", ["api.view_apikey"]),
    ("/admin/api/webhookendpoint/", ["api.view_webhookendpoint"]),
    ("/admin/api/webhookdelivery/", ["api.view_webhookdelivery"]),
    ("/admin/petitions/cohost/", ["petitions.view_cohost"]),
]
OPERATORS_ONLY = [
    "/admin/auth/user/",
    "/admin/auth/group/",
    "/admin/django_tasks_database/dbtaskresult/",
    "/admin/emails/outboxmessage/",
    "/admin/organisations/organisation/add/",
]


def object_urls(world, pages):
    a = world.a
    ids = {
        "p": a.closed_petition.pk,
        "s": a.signature.pk,
        "l": a.letter.pk,
        "e": a.endorsement.pk,
        "b": a.batch.pk,
        "o": world.personas.organisation_a.pk,
        "m": a.membership.pk,
        "k": a.api_key.pk,
        "w": a.webhook.pk,
        "d": a.delivery.pk,
        "c": a.cohost.pk,
        **{kind: package.pk for kind, package in a.packages.items()},
    }
    return [(template.format(**ids), permissions) for template, permissions in pages]


def expected_status(persona, permissions) -> int:
    if persona == "visitor":
        return 302
    if persona == "campaigner_b":
        return 404
    return 200 if holds(persona, *permissions) else 403


def assert_pages(client, world, persona, pages):
    client_for(client, world, persona)
    for url, permissions in object_urls(world, pages):
        response = client.get(url)
        wanted = expected_status(persona, permissions)
        assert response.status_code == wanted, (persona, url, response.status_code)
        if wanted == 302:
            assert response["Location"].startswith("/admin/login/")
        if wanted != 200:
            body = b"".join(response) if response.streaming else response.content
            assert b"Signer of A" not in body and b"contact@a.example.org" not in body


def test_object_pages(client, world):
    for persona in EVERYONE:
        assert_pages(client, world, persona, OBJECT_PAGES)


def test_package_pages_and_downloads(client, world_with_packages):
    for persona in EVERYONE:
        assert_pages(client, world_with_packages, persona, PACKAGE_PAGES)


def test_lists_show_only_the_users_own_organisation(client, world):
    for persona in EVERYONE:
        assert_lists(client, world, persona)


def assert_lists(client, world, persona):
    client_for(client, world, persona)
    own = world.b if persona == "campaigner_b" else world.a
    other = world.a if persona == "campaigner_b" else world.b
    for url, permissions in LISTS:
        response = client.get(url)
        if persona == "visitor":
            assert response.status_code == 302, url
            continue
        allowed = persona == "operator" or (
            holds(persona if persona != "campaigner_b" else "campaigner_a", *permissions)
        )
        assert response.status_code == (200 if allowed else 403), (persona, url)
        if persona == "operator" or not allowed:
            continue
        html = response.content.decode()
        assert not any(marker in html for marker in other.markers), (persona, url)
    if persona != "visitor":
        html = client.get("/admin/petitions/petition/").content.decode()
        assert (own.markers[0] in html) == holds_any_view(persona)


def holds_any_view(persona):
    return persona == "operator" or holds(
        "campaigner_a" if persona == "campaigner_b" else persona, "petitions.view_petition"
    )


def test_operators_only_pages(client, world):
    for persona in ["operator", *A_STAFF, "campaigner_b"]:
        client_for(client, world, persona)
        for url in OPERATORS_ONLY:
            wanted = 200 if persona == "operator" else 403
            assert client.get(url).status_code == wanted, (persona, url)


def test_operators_see_every_organisation(client, world):
    client_for(client, world, "operator")
    html = client.get("/admin/petitions/signature/").content.decode()
    assert "Signer of A" in html and "Signer of B" in html


def test_filter_and_form_choices_offer_only_the_users_organisation(client, world):
    client_for(client, world, "campaigner_a")
    changelist = client.get("/admin/petitions/petition/").content.decode()
    assert "Rights Watchers" in changelist and "Coalition B" not in changelist
    form = client.get("/admin/petitions/petition/add/").content.decode()
    assert "Rights Watchers" in form and "Coalition B" not in form
    endorsement_form = client.get("/admin/letters/endorsement/add/").content.decode()
    assert "Letter of A" in endorsement_form and "Letter of B" not in endorsement_form


def test_another_organisations_id_in_a_form_is_refused_and_changes_nothing(client, world):
    client_for(client, world, "campaigner_a")
    before = Endorsement.objects.count()
    response = client.post(
        "/admin/letters/endorsement/add/",
        {"letter": world.b.letter.pk, "name": "Smuggled In", "country": "SY"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Endorsement.objects.count() == before
    petition_form = client.get("/admin/petitions/petition/add/").content.decode()
    assert f'value="{world.personas.organisation_b.pk}"' not in petition_form


# Bulk actions: (admin changelist, action, object, permission, what it changes)

BULK = [
    (
        "/admin/petitions/petition/",
        "close_selected",
        "open_petition",
        ["petitions.change_petition"],
    ),
    ("/admin/petitions/petition/", "recount", "closed_petition", ["petitions.change_petition"]),
    (
        "/admin/petitions/petition/",
        "delete_selected",
        "open_petition",
        ["petitions.delete_petition"],
    ),
    ("/admin/letters/letter/", "close_selected", "letter", ["letters.change_letter"]),
    ("/admin/letters/endorsement/", "approve_selected", "pending", ["letters.change_endorsement"]),
    (
        "/admin/letters/endorsement/",
        "export_selected",
        "pending",
        ["letters.view_endorsement", "letters.export_contacts"],
    ),
    ("/admin/api/apikey/", "revoke", "api_key", ["api.change_apikey"]),
    ("/admin/api/webhookendpoint/", "resume", "webhook", ["api.change_webhookendpoint"]),
]


def post_action(client, url, action, obj):
    return client.post(url, {"action": action, "_selected_action": [obj.pk], "index": 0})


def snapshot(world):
    a = world.a
    return (
        Petition.objects.get(pk=a.open_petition.pk).state,
        Petition.objects.filter(pk=a.open_petition.pk).exists(),
        Endorsement.objects.get(pk=a.pending.pk).status,
        type(a.letter).objects.get(pk=a.letter.pk).state,
        ApiKey.objects.get(pk=a.api_key.pk).revoked_at is None,
    )


@pytest.mark.parametrize(("url", "action", "target", "permissions"), BULK)
def test_bulk_actions(client, world, url, action, target, permissions):
    """Everyone who may not run the action is refused first and nothing changes; then each
    who may runs it (the first one does it, the others find it done)."""
    refused = [p for p in EVERYONE if expected_status(p, permissions) != 200]
    allowed = [p for p in EVERYONE if p not in refused]
    before = snapshot(world)
    for persona in refused:
        client_for(client, world, persona)
        response = post_action(client, url, action, getattr(world.a, target))
        wanted = expected_status(persona, permissions)
        assert response.status_code == wanted, (persona, action, response.status_code)
        assert snapshot(world) == before, (persona, action)
        assert b"contact@a.example.org" not in response.content
    for persona in allowed:
        client_for(client, world, persona)
        response = post_action(client, url, action, getattr(world.a, target))
        assert response.status_code in (200, 302), (persona, action)
        if action == "export_selected":
            assert response["Content-Type"].startswith("text/csv")
            assert "contact@a.example.org" in response.content.decode("utf-8-sig")
        elif action == "delete_selected":  # Django's confirmation page first
            assert b'name="post"' in response.content
    if action in ("close_selected", "approve_selected", "revoke"):
        assert snapshot(world) != before
    if action == "recount":
        assert AuditEntry.objects.filter(action="petition.recounted").count() == len(allowed)


def test_a_posted_id_of_another_organisation_answers_404_among_own_ones(client, world):
    client_for(client, world, "campaigner_a")
    response = client.post(
        "/admin/petitions/petition/",
        {
            "action": "close_selected",
            "_selected_action": [world.a.open_petition.pk, world.b.open_petition.pk],
            "index": 0,
        },
    )
    assert response.status_code == 404
    assert Petition.objects.get(pk=world.a.open_petition.pk).state == State.OPEN
    assert Petition.objects.get(pk=world.b.open_petition.pk).state == State.OPEN


def test_a_malformed_posted_id_answers_404(client, world):
    client_for(client, world, "campaigner_a")
    for bad in ["x", "1 OR 1=1", "١"]:
        response = client.post(
            "/admin/petitions/petition/",
            {"action": "close_selected", "_selected_action": [bad], "index": 0},
        )
        assert response.status_code == 404, bad
    assert Petition.objects.filter(state=State.CLOSED).count() == 2


def test_signatures_cannot_be_deleted_in_the_admin_by_anyone(client, world):
    client_for(client, world, "operator")
    signature = world.a.signature
    shown = world.a.closed_petition.signature_count()
    assert client.get(f"/admin/petitions/signature/{signature.pk}/delete/").status_code == 403
    assert (
        client.post(
            f"/admin/petitions/signature/{signature.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    response = post_action(client, "/admin/petitions/signature/", "delete_selected", signature)
    assert response.status_code == 403
    assert Signature.objects.filter(pk=signature.pk).exists()
    assert world.a.closed_petition.signature_count() == shown


def test_a_draft_is_previewed_only_by_its_own_organisations_staff(client, world):
    from .factories import make_petition

    make_petition("a-draft", state=State.DRAFT, organiser=world.personas.organisation_a)
    for persona, wanted in [
        ("visitor", 404),
        ("campaigner_b", 404),
        ("viewer_a", 200),
        ("campaigner_a", 200),
        ("operator", 200),
    ]:
        client_for(client, world, persona)
        assert client.get("/en/petitions/a-draft/").status_code == wanted, persona


def test_a_refusal_says_so_in_the_sites_style(client, world):
    client_for(client, world, "campaigner_a")
    response = client.get("/admin/petitions/signature/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your role does not allow this" in html and 'href="/admin/"' in html
    assert "Signer of A" not in html


def test_save_and_publish_is_for_those_who_may_change_the_action(client, world):
    """The change form's "Save and publish" opens a draft through the lifecycle: refused
    (and nothing opened) for a role that may not change it, 404 for another organisation."""
    from .factories import make_petition

    draft = make_petition("a-draft", state=State.DRAFT, organiser=world.personas.organisation_a)
    url = f"/admin/petitions/petition/{draft.pk}/change/"
    for persona in ["viewer_a", "campaigner_b", "visitor", "campaigner_a"]:
        client_for(client, world, persona)
        response = client.post(url, {"_publish": "1"})
        wanted = expected_status(persona, ["petitions.change_petition"])
        if wanted == 200:  # the form (posted incomplete) comes back; nothing is opened
            assert response.status_code == 200, persona
        else:
            assert response.status_code == wanted, (persona, response.status_code)
        assert Petition.objects.get(pk=draft.pk).state == State.DRAFT, persona


# News: posts and tags belong to an organisation like its actions

NEWS_PAGES = [
    ("/admin/news/post/{post}/change/", ["news.view_post"]),
    ("/admin/news/post/{post}/delete/", ["news.delete_post"]),
    ("/admin/news/post/{post}/history/", ["news.view_post"]),
    ("/admin/news/tag/{tag}/change/", ["news.view_tag"]),
]
NEWS_LISTS = [
    ("/admin/news/post/", ["news.view_post"]),
    ("/admin/news/tag/", ["news.view_tag"]),
    ("/admin/news/post/add/", ["news.add_post"]),
]


@pytest.fixture
def news_world(world):
    from .news_fixtures import make_post, make_tag

    for code, organisation in [
        ("A", world.personas.organisation_a),
        ("B", world.personas.organisation_b),
    ]:
        tag = make_tag(f"tag-{code.lower()}", f"Subject of {code}", organisation=organisation)
        post = make_post(
            f"post-{code.lower()}",
            title=f"Post of {code}",
            organisation=organisation,
            tags=[tag],
            published_days_ago=None,
        )
        setattr(world, f"news_{code.lower()}", (post, tag))
    return world


def test_news_pages(client, news_world):
    post, tag = news_world.news_a
    for persona in EVERYONE:
        client_for(client, news_world, persona)
        for template, permissions in NEWS_PAGES:
            url = template.format(post=post.pk, tag=tag.pk)
            wanted = expected_status(persona, permissions)
            assert client.get(url).status_code == wanted, (persona, url)


def test_news_lists_show_only_the_users_own_organisation(client, news_world):
    for persona in EVERYONE:
        client_for(client, news_world, persona)
        for url, permissions in NEWS_LISTS:
            response = client.get(url)
            if persona == "visitor":
                assert response.status_code == 302, url
                continue
            own = "campaigner_a" if persona == "campaigner_b" else persona
            allowed = persona == "operator" or holds(own, *permissions)
            assert response.status_code == (200 if allowed else 403), (persona, url)
            if allowed and persona != "operator":
                html = response.content.decode()
                other = "A" if persona == "campaigner_b" else "B"
                assert f"Post of {other}" not in html and f"Subject of {other}" not in html


def test_a_post_cannot_be_tagged_or_linked_with_another_organisations_rows(client, news_world):
    from undersigned.news.models import Post

    client_for(client, news_world, "campaigner_a")
    form = client.get("/admin/news/post/add/").content.decode()
    assert "Subject of A" in form and "Subject of B" not in form
    assert "Petition of A" in form and "Petition of B" not in form
    _post_b, tag_b = news_world.news_b
    response = client.post(
        "/admin/news/post/add/",
        {
            "organisation": news_world.personas.organisation_a.pk,
            "kind": "news",
            "slug": "smuggled",
            "tags": [tag_b.pk],
            "petitions": [news_world.b.open_petition.pk],
            "texts-TOTAL_FORMS": "1",
            "texts-INITIAL_FORMS": "0",
            "texts-0-language": "en",
            "texts-0-title": "Smuggled",
            "texts-0-body": "Text",
            "cover-TOTAL_FORMS": "0",
            "cover-INITIAL_FORMS": "0",
            "press_contacts-TOTAL_FORMS": "0",
            "press_contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Post.objects.filter(slug="smuggled").exists()


def test_bulk_deleting_posts_is_scoped(client, news_world):
    post_a, _tag = news_world.news_a
    post_b, _tag = news_world.news_b
    for persona in ["viewer_a", "campaigner_b"]:
        client_for(client, news_world, persona)
        response = post_action(client, "/admin/news/post/", "delete_selected", post_a)
        assert response.status_code == expected_status(persona, ["news.delete_post"]), persona
    client_for(client, news_world, "campaigner_a")
    response = client.post(
        "/admin/news/post/",
        {"action": "delete_selected", "_selected_action": [post_a.pk, post_b.pk], "index": 0},
    )
    assert response.status_code == 404
    response = post_action(client, "/admin/news/post/", "delete_selected", post_a)
    assert b'name="post"' in response.content
    client.post(
        "/admin/news/post/",
        {"action": "delete_selected", "_selected_action": [post_a.pk], "index": 0, "post": "yes"},
    )
    from undersigned.audit.models import AuditEntry
    from undersigned.news.models import Post

    assert not Post.objects.filter(pk=post_a.pk).exists()
    assert AuditEntry.objects.filter(action="post.deleted", object_id=str(post_a.pk)).exists()


def test_target_response_pages(client, world):
    import datetime

    from undersigned.delivery.models import Delivery, TargetResponse

    responses = {}
    for code, side in [("A", world.a), ("B", world.b)]:
        delivery = Delivery.objects.create(
            petition=side.closed_petition, delivered_on=datetime.date(2025, 4, 2), method="email"
        )
        responses[code] = TargetResponse.objects.create(
            delivery=delivery,
            responder=f"Answer to {code}",
            responded_on=datetime.date(2025, 5, 1),
            method="letter",
        )
    pages = [
        (
            f"/admin/delivery/targetresponse/{responses['A'].pk}/change/",
            ["delivery.view_targetresponse"],
        ),
        (
            f"/admin/delivery/targetresponse/{responses['A'].pk}/delete/",
            ["delivery.delete_targetresponse"],
        ),
    ]
    for persona in EVERYONE:
        client_for(client, world, persona)
        for url, permissions in pages:
            assert client.get(url).status_code == expected_status(persona, permissions), (
                persona,
                url,
            )
        listing = client.get("/admin/delivery/targetresponse/")
        if persona == "visitor":
            assert listing.status_code == 302
            continue
        own = "campaigner_a" if persona == "campaigner_b" else persona
        allowed = persona == "operator" or holds(own, "delivery.view_targetresponse")
        assert listing.status_code == (200 if allowed else 403), persona
        if allowed and persona != "operator":
            other = "A" if persona == "campaigner_b" else "B"
            assert f"Answer to {other}" not in listing.content.decode()


def test_update_email_pages_and_subscriptions(client, world):
    from undersigned.protection.crypto import email_digest
    from undersigned.subscribers.models import Subscription, Update, UpdateText

    updates = {}
    for code, organisation in [
        ("A", world.personas.organisation_a),
        ("B", world.personas.organisation_b),
    ]:
        updates[code] = Update.objects.create(organisation=organisation)
        UpdateText.objects.create(
            update=updates[code], language="en", subject=f"Update of {code}", body="Text"
        )
        Subscription.objects.create(
            organisation=organisation,
            email=f"subscriber@{code.lower()}.example.org",
            email_digest=email_digest(f"subscriber@{code.lower()}.example.org"),
            language="en",
            status=Subscription.Status.CONFIRMED,
            consent_text=f"Consent of {code}",
            consent_version="test",
        )
    a = updates["A"].pk
    pages = [
        (f"/admin/subscribers/update/{a}/change/", ["subscribers.view_update"]),
        (f"/admin/subscribers/update/{a}/preview/en/", ["subscribers.view_update"]),
        ("/admin/subscribers/update/", ["subscribers.view_update"]),
        ("/admin/subscribers/subscription/", ["subscribers.view_subscription"]),
    ]
    for persona in EVERYONE:
        client_for(client, world, persona)
        for url, permissions in pages:
            response = client.get(url)
            listing = url.endswith("/update/") or url.endswith("/subscription/")
            if listing and persona == "campaigner_b":
                wanted = 200 if holds("campaigner_a", *permissions) else 403
            else:
                wanted = expected_status(persona, permissions)
            assert response.status_code == wanted, (persona, url, response.status_code)
            if wanted == 200 and persona != "operator":
                other = "A" if persona == "campaigner_b" else "B"
                html = response.content.decode()
                assert (
                    f"Update of {other}" not in html and f"{other.lower()}.example.org" not in html
                )
        for action in ["test", "send"]:
            url = f"/admin/subscribers/update/{a}/{action}/"
            response = client.post(url, {"language": "en"})
            wanted = expected_status(
                persona, ["subscribers.view_update", "subscribers.send_update"]
            )
            assert response.status_code in ((302,) if wanted == 200 else (wanted,)), (persona, url)
    assert Update.objects.get(pk=a).status == Update.Status.SENDING  # sent once, by the first
    assert Update.objects.get(pk=updates["B"].pk).status == Update.Status.DRAFT


# Messages of support: moderated by each organisation's own staff


@pytest.fixture
def messages_world(world):
    from undersigned.petitions.models import SupportMessage

    for code, side in [("A", world.a), ("B", world.b)]:
        side.support_message = SupportMessage.objects.create(
            signature=side.signature,
            petition=side.closed_petition,
            text=f"Message of {code}",
            language="en",
        )
    return world


def test_support_message_pages_lists_and_bulk_actions(client, messages_world):
    from undersigned.petitions.models import SupportMessage

    message = messages_world.a.support_message
    page = f"/admin/petitions/supportmessage/{message.pk}/change/"
    for persona in EVERYONE:
        client_for(client, messages_world, persona)
        wanted = expected_status(persona, ["petitions.view_supportmessage"])
        assert client.get(page).status_code == wanted, (persona, page)
        listing = client.get("/admin/petitions/supportmessage/")
        if persona == "visitor":
            assert listing.status_code == 302
            continue
        own = "campaigner_a" if persona == "campaigner_b" else persona
        allowed = persona == "operator" or holds(own, "petitions.view_supportmessage")
        assert listing.status_code == (200 if allowed else 403), persona
        if allowed and persona != "operator":
            other = "A" if persona == "campaigner_b" else "B"
            assert f"Message of {other}" not in listing.content.decode(), persona
            assert "Signer of" not in listing.content.decode()  # first name only
    url = "/admin/petitions/supportmessage/"
    for persona in EVERYONE:
        if expected_status(persona, ["petitions.change_supportmessage"]) == 200:
            continue
        client_for(client, messages_world, persona)
        response = post_action(client, url, "approve_selected", message)
        wanted = expected_status(persona, ["petitions.change_supportmessage"])
        assert response.status_code == wanted, (persona, response.status_code)
        assert SupportMessage.objects.get(pk=message.pk).status == "pending", persona
    client_for(client, messages_world, "campaigner_a")
    both = [message.pk, messages_world.b.support_message.pk]
    response = client.post(url, {"action": "approve_selected", "_selected_action": both})
    assert response.status_code == 404
    assert not SupportMessage.objects.filter(status="approved").exists()
    assert post_action(client, url, "approve_selected", message).status_code == 302
    assert SupportMessage.objects.get(pk=message.pk).status == "approved"
    for bad in ["x", "1 OR 1=1", "١"]:
        response = client.post(url, {"action": "reject_selected", "_selected_action": [bad]})
        assert response.status_code == 404, bad
    assert SupportMessage.objects.get(pk=message.pk).status == "approved"


# Co-hosts: organisation B co-hosts A's open petition


@pytest.fixture
def cohosted_by_b(world):
    """B co-hosts A's open petition; one signer opted in to B, one did not, one (opted in
    to B) chose to be counted only."""
    from undersigned.petitions.models import CoHost

    from .personas import member

    petition = world.a.open_petition
    b = world.personas.organisation_b
    CoHost.objects.create(petition=petition, organisation=b, code="coalition-b")
    rows = [
        ("Opted in to B", "target", b),
        ("Came through B only", "target", None),
        ("Counted only for B", "count", b),
    ]
    for index, (name, visibility, cohost) in enumerate(rows):
        Signature.objects.create(
            petition=petition,
            name=name,
            email=f"cohost{index}@example.org",
            email_digest=f"cohost-digest-{index}",
            country="SY",
            language="en",
            status="confirmed",
            visibility=visibility,
            source="coalition-b",
            cohost=cohost,
            cohost_consent_text="Keep me updated by Coalition B" if cohost else "",
        )
    return member("data_officer_b", DATA_OFFICER, b)


COHOST_SHOWN = "Opted in to B"
NEVER_TO_B = ["Came through B only", "Counted only for B", "Signer of A"]


def test_a_cohosts_staff_see_only_the_signers_who_opted_in_to_it(client, world, cohosted_by_b):
    client.force_login(cohosted_by_b)
    petition = world.a.open_petition
    for url in [
        "/admin/petitions/signature/",
        f"/admin/petitions/signature/?petition__id__exact={petition.pk}",
        f"/admin/petitions/signature/?petition__id__exact={world.a.closed_petition.pk}",
        "/admin/petitions/signature/?status__exact=confirmed",
        "/admin/petitions/signature/?opt_in__exact=0",
        "/admin/petitions/signature/?q=B",
        "/admin/petitions/signature/?visibility__exact=count",
        "/admin/petitions/signature/?cohost__id__exact=" + str(world.personas.organisation_b.pk),
    ]:
        html = client.get(url).content.decode()
        assert not any(name in html for name in NEVER_TO_B), url
    assert COHOST_SHOWN in client.get("/admin/petitions/signature/").content.decode()
    for signature in Signature.objects.filter(petition__organiser=world.personas.organisation_a):
        status = client.get(f"/admin/petitions/signature/{signature.pk}/change/").status_code
        assert status == (200 if signature.name == COHOST_SHOWN else 404), signature.name
    # the action's own pages, packages and exports stay the organiser's
    for url, _permissions in object_urls(world, OBJECT_PAGES):
        if "/cohost/" in url or "/signature/" in url:
            continue
        assert client.get(url).status_code in (403, 404), url
    counts = client.get("/admin/petitions/cohost/").content.decode()
    assert "Coalition B" in counts and "Partner of A" not in counts


def test_a_cohost_may_not_change_delete_or_bulk_act_on_shared_rows(client, world, cohosted_by_b):
    from undersigned.petitions.models import CoHost

    client.force_login(cohosted_by_b)
    shared = Signature.objects.get(name=COHOST_SHOWN)
    cohost = CoHost.objects.get(organisation=world.personas.organisation_b)
    assert post_action(
        client, "/admin/petitions/signature/", "delete_selected", shared
    ).status_code in (403, 404)
    assert post_action(
        client, "/admin/petitions/cohost/", "delete_selected", cohost
    ).status_code in (403, 404)
    assert (
        client.post(f"/admin/petitions/cohost/{cohost.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert (
        client.post(f"/admin/petitions/cohost/{cohost.pk}/change/", {"code": "x"}).status_code
        == 403
    )
    assert Signature.objects.filter(pk=shared.pk).exists()
    assert CoHost.objects.get(pk=cohost.pk).code == "coalition-b"


def test_a_cohosts_key_reads_only_the_signers_who_opted_in_to_it(client, world, cohosted_by_b):
    from undersigned.api.keys import create_key

    key = create_key(world.personas.organisation_b, "CRM", ApiKey.Scope.READ, None)[1]
    for path in ["/api/v1/private/signatures", "/api/v1/private/subscribers"]:
        for query in [
            "",
            f"?petition={world.a.open_petition.slug}",
            f"?petition={world.a.closed_petition.slug}",
        ]:
            response = client.get(path + query, HTTP_AUTHORIZATION=f"Bearer {key}")
            names = [item["name"] for item in response.json()["items"]]
            assert not any(name in NEVER_TO_B for name in names), (path, query)
            assert "Signer of A" not in response.content.decode()
    body = client.get("/api/v1/private/signatures", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert [item["name"] for item in body["items"] if "to B" in (item["name"] or "")] == [
        COHOST_SHOWN
    ]
    assert "Signer of B" in [item["name"] for item in body["items"]]  # B's own, as before


# Co-hosts of letters: organisation B co-hosts A's letter

LETTER_COHOST_SHOWN = "Endorser opted in to B"
LETTER_NEVER_TO_B = [
    "Endorser through B only",
    "Endorser unconfirmed for B",
    "Endorser rejected by A",
    "Aid of A",
    "contact@a.example.org",
    "through-b@example.org",
]


def endorsement_probes(world) -> list[str]:
    """Every way into A's endorsements from a list: filters, search (by name, by the exact
    contact address) and the moderation queue."""
    listing, queue = "/admin/letters/endorsement/", "/admin/letters/endorsementtoreview/"
    letter = world.a.letter.pk
    return [
        listing,
        f"{listing}?letter__id__exact={letter}",
        f"{listing}?status__exact=pending_review",
        f"{listing}?status__exact=rejected",
        f"{listing}?status__exact=approved",
        f"{listing}?consent__exact=own",
        f"{listing}?authorised__exact=1",
        f"{listing}?q=Endorser",
        f"{listing}?q=Aid",
        f"{listing}?q=contact@a.example.org",
        f"{listing}?q=through-b@example.org",
        queue,
        f"{queue}?letter__id__exact={letter}",
        f"{queue}?q=Endorser",
    ]


def endorsement_pages(endorsement) -> list[str]:
    base = f"/admin/letters/endorsement/{endorsement.pk}"
    return [
        f"{base}/change/",
        f"{base}/history/",
        f"/admin/letters/endorsementtoreview/{endorsement.pk}/change/",
    ]


def export(client, *endorsements, **fields):
    ids = [endorsement.pk for endorsement in endorsements]
    data = {"action": "export_selected", "_selected_action": ids, "index": 0, **fields}
    return client.post("/admin/letters/endorsement/", data)


@pytest.fixture
def data_officer_b(world):
    from .personas import member

    return member("data_officer_b", DATA_OFFICER, world.personas.organisation_b)


@pytest.fixture
def letter_cohosted_by_b(world):
    """B co-hosts A's letter: one contact opted in to B and confirmed; one came through B's
    link without ticking its line; one opted in but never confirmed; one opted in and was
    rejected by A's staff."""
    from undersigned.letters.models import CoHost

    b = world.personas.organisation_b
    cohost = CoHost.objects.create(letter=world.a.letter, organisation=b, code="coalition-b")
    rows = [
        (LETTER_COHOST_SHOWN, b, Endorsement.Status.PENDING_REVIEW, True),
        ("Endorser through B only", None, Endorsement.Status.PENDING_REVIEW, True),
        ("Endorser unconfirmed for B", b, Endorsement.Status.PENDING_EMAIL, False),
        ("Endorser rejected by A", b, Endorsement.Status.REJECTED, True),
    ]
    for name, opted_to, status, confirmed in rows:
        Endorsement.objects.create(
            letter=world.a.letter,
            name=name,
            contact_email="opted@example.org"
            if opted_to and confirmed
            else "through-b@example.org",
            status=status,
            confirmed_at=timezone.now() if confirmed else None,
            source="coalition-b",
            cohost=opted_to,
            cohost_consent_text="Keep me updated by Coalition B" if opted_to else "",
        )
    return cohost


def a_endorsements(world):
    return list(Endorsement.objects.filter(letter__organiser=world.personas.organisation_a))


def assert_sees_of_a_only(client, world, shown: list[str]):
    for url in endorsement_probes(world):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        hidden = [name for name in LETTER_NEVER_TO_B if name not in url]  # the search box
        assert not any(name in html for name in hidden), url
        if shown and url == "/admin/letters/endorsement/":
            assert all(name in html for name in shown)
    for endorsement in a_endorsements(world):
        wanted = 200 if endorsement.name in shown else 404
        for url in endorsement_pages(endorsement):
            if "endorsementtoreview" in url and endorsement.status != "pending_review":
                wanted_here = 404
            else:
                wanted_here = wanted
            assert client.get(url).status_code == wanted_here, (endorsement.name, url)


def test_b_staff_find_none_of_as_endorsements(client, world, data_officer_b):
    for user in [world.personas.campaigner_b, data_officer_b]:
        client.force_login(user)
        assert_sees_of_a_only(client, world, shown=[])
        assert client.get(f"/admin/letters/letter/{world.a.letter.pk}/export/").status_code == 404
        assert export(client, world.a.pending).status_code == 404
        assert export(client, world.a.pending, world.b.pending).status_code == 404
    everything = export(client, world.b.pending, select_across="1")  # B's officer, all rows
    assert everything["Content-Type"].startswith("text/csv")
    csv = everything.content.decode("utf-8-sig")
    assert "contact@b.example.org" in csv
    assert "Aid of A" not in csv and "contact@a.example.org" not in csv


def test_a_letter_cohosts_staff_see_only_the_contacts_opted_in_to_it(
    client, world, data_officer_b, letter_cohosted_by_b
):
    client.force_login(data_officer_b)
    assert_sees_of_a_only(client, world, shown=[LETTER_COHOST_SHOWN])
    opted = Endorsement.objects.get(name=LETTER_COHOST_SHOWN)
    page = client.get(f"/admin/letters/endorsement/{opted.pk}/change/").content.decode()
    assert "opted@example.org" in page  # the contact asked the co-host for its updates
    # read only: no export of the organiser's contacts, no letter pages, no moderation
    assert client.get(f"/admin/letters/letter/{world.a.letter.pk}/export/").status_code == 404
    assert client.get(f"/admin/letters/letter/{world.a.letter.pk}/change/").status_code == 404
    assert export(client, opted).status_code == 403
    assert (
        post_action(client, "/admin/letters/endorsement/", "approve_selected", opted).status_code
        == 403
    )
    assert Endorsement.objects.get(pk=opted.pk).status == Endorsement.Status.PENDING_REVIEW


def test_a_removed_letter_cohosts_staff_see_nothing_of_it(
    client, world, data_officer_b, letter_cohosted_by_b
):
    letter_cohosted_by_b.delete()
    client.force_login(data_officer_b)
    assert_sees_of_a_only(client, world, shown=[])
    opted = Endorsement.objects.get(name=LETTER_COHOST_SHOWN)
    assert export(client, opted).status_code == 404
    assert "Letter of A" not in client.get("/admin/letters/cohost/").content.decode()
