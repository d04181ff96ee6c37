"""Embedding a petition on a partner's site: compact pages, framed only where allowed."""

import pytest

from undersigned.petitions.models import Signature, State

from .factories import make_organiser, make_petition, signer

pytestmark = pytest.mark.django_db

EMBED = "/en/petitions/free-the-detained/embed/"


@pytest.fixture
def allowed(db):
    organiser = make_organiser()
    organiser.embed_origins = "https://partner.example.org\nhttp://localhost:8123"
    organiser.save()
    return make_petition(double_opt_in=False, organiser=organiser)


def frame_ancestors(response) -> str:
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return policy["frame-ancestors"]


def test_the_embed_page_may_be_framed_only_by_the_listed_sites(client, allowed):
    response = client.get(EMBED + "?source=Partner-Site")
    assert response.status_code == 200
    assert frame_ancestors(response) == "https://partner.example.org http://localhost:8123"
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    assert "Free the detained" in html and 'name="source" value="partner-site"' in html
    assert "site-header" not in html  # compact: no site navigation


def test_every_other_page_still_refuses_framing(client, allowed):
    for url in [
        "/en/petitions/free-the-detained/",
        "/en/",
        "/en/petitions/free-the-detained/thanks/",
    ]:
        response = client.get(url)
        assert frame_ancestors(response) == "'none'", url
        assert response["X-Frame-Options"] == "DENY", url


def test_no_listed_site_means_no_framing_and_any_site_is_a_choice(client):
    organiser = make_organiser()
    make_petition(organiser=organiser)
    assert frame_ancestors(client.get(EMBED)) == "'none'"
    organiser.embed_origins = "*"
    organiser.save()
    assert frame_ancestors(client.get(EMBED)) == "*"


def test_signing_inside_the_frame_ends_on_the_framed_thank_you(client, allowed):
    response = client.post(EMBED, {**signer(), "source": "partner"})
    assert response.status_code == 302
    assert response["Location"] == "/en/petitions/free-the-detained/embed/thanks/"
    signature = Signature.objects.get()
    assert signature.source == "partner" and signature.status == Signature.Status.CONFIRMED
    thanks = client.get(response["Location"])
    assert frame_ancestors(thanks) == "https://partner.example.org http://localhost:8123"
    assert "Thank you for signing!" in thanks.content.decode()
    assert "share--" in thanks.content.decode()


def test_signing_twice_in_the_frame_answers_as_the_first_time(client, allowed):
    first = client.post(EMBED, signer())
    second = client.post(EMBED, signer(name="Someone Else"))
    assert first["Location"] == second["Location"]
    assert Signature.objects.count() == 1


def test_bad_input_is_shown_next_to_the_field_in_the_frame(client, allowed):
    response = client.post("/ar/petitions/free-the-detained/embed/", signer(email="nope"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'dir="rtl"' in html and "errorlist" in html
    assert frame_ancestors(response) == "https://partner.example.org http://localhost:8123"
    assert not Signature.objects.exists()


def test_a_closed_petition_refuses_in_the_frame(client):
    make_petition(state=State.CLOSED)
    response = client.post(EMBED, signer())
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_a_draft_has_no_embed_and_no_badge(client):
    make_petition(state=State.DRAFT)
    assert client.get(EMBED).status_code == 404
    assert client.get("/en/petitions/free-the-detained/badge.svg").status_code == 404


def test_the_badge_is_a_cacheable_svg_in_the_pages_language(client, allowed):
    client.post(EMBED, signer())
    response = client.get("/ar/petitions/free-the-detained/badge.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "public, max-age=2, stale-while-revalidate=30"
    svg = response.content.decode()
    assert svg.startswith("<svg") and 'direction="rtl"' in svg and "<script" not in svg


def test_the_staff_page_shows_the_iframe_code(client, allowed, settings):
    from .personas import account

    client.force_login(account("boss", superuser=True))
    html = client.get(f"/admin/petitions/petition/{allowed.pk}/change/").content.decode()
    assert "/en/petitions/free-the-detained/embed/?source=partner" in html
    assert "undersigned/embed.js" in html and "badge.svg" in html


@pytest.mark.parametrize(
    "origins",
    [
        "javascript:alert(1)",
        "https://example.org/path",
        "example.org",
        "https://a.org; script-src *",
        "\n".join(f"https://s{n}.org" for n in range(21)),
    ],
)
def test_staff_may_list_only_plain_origins(client, origins):
    from .personas import account

    organiser = make_organiser()
    client.force_login(account("boss", superuser=True))
    response = client.post(
        f"/admin/organisations/organisation/{organiser.pk}/change/",
        {
            "name": organiser.name,
            "slug": organiser.slug,
            "translated_names": "{}",
            "embed_origins": origins,
        },
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    organiser.refresh_from_db()
    assert organiser.embed_origins == ""


# Letters


def test_a_letter_embeds_with_its_endorsement_form_and_thanks_in_the_frame(client):
    from undersigned.letters.models import Endorsement

    from .letters_fixtures import form_data, make_letter

    organiser = make_organiser()
    organiser.embed_origins = "https://coalition.example.org"
    organiser.save()
    make_letter(organiser=organiser)
    page = client.get("/en/letters/stop-the-attacks/embed/")
    assert page.status_code == 200
    assert frame_ancestors(page) == "https://coalition.example.org"
    assert 'action="/en/letters/stop-the-attacks/embed/"' in page.content.decode()
    bad = client.post("/en/letters/stop-the-attacks/embed/", form_data(contact_email="x"))
    assert bad.status_code == 400 and "errorlist" in bad.content.decode()
    assert frame_ancestors(bad) == "https://coalition.example.org"
    response = client.post("/en/letters/stop-the-attacks/embed/", form_data())
    assert response["Location"] == "/en/letters/stop-the-attacks/embed/thanks/"
    thanks = client.get(response["Location"])
    assert frame_ancestors(thanks) == "https://coalition.example.org"
    assert Endorsement.objects.get().name == "Syrian Civil Defence"
    assert frame_ancestors(client.get("/en/letters/stop-the-attacks/")) == "'none'"


def test_the_letters_staff_page_shows_the_iframe_code(client):
    from .letters_fixtures import make_letter
    from .personas import account

    letter = make_letter()
    client.force_login(account("boss", superuser=True))
    html = client.get(f"/admin/letters/letter/{letter.pk}/change/").content.decode()
    assert "/en/letters/stop-the-attacks/embed/?source=partner" in html
