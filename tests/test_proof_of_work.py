"""Staff switch on a proof of work for a petition under attack: a solved puzzle signs as
usual; no solution (no JavaScript, a bot, a replay) means the email must confirm it."""

import base64
import json
import re

import pytest
from altcha import solve_challenge_v1

from undersigned.petitions.models import Signature

from .factories import make_petition, signer

URL = "/en/petitions/free-the-detained/"


def solution(client) -> str:
    response = client.get("/pow/challenge/")
    assert response["Cache-Control"] == "no-store"
    challenge = response.json()
    found = solve_challenge_v1(
        challenge["challenge"], challenge["salt"], challenge["algorithm"], challenge["maxNumber"]
    )
    fields = {k: challenge[k] for k in ("algorithm", "challenge", "salt", "signature")}
    return base64.b64encode(json.dumps({**fields, "number": found.number}).encode()).decode()


@pytest.mark.django_db
def test_a_solved_puzzle_signs_as_usual(client):
    make_petition(double_opt_in=False, require_challenge=True)
    response = client.post(URL, signer(altcha=solution(client)))
    assert response["Location"] == "/en/petitions/free-the-detained/thanks/"
    assert Signature.objects.get().status == Signature.Status.CONFIRMED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "altcha", [None, "", "bm90IGEgc29sdXRpb24=", "x" * 5000, "eyJhbGdvcml0aG0iOiJNRDUifQ=="]
)
def test_no_valid_solution_falls_back_to_email_confirmation(client, altcha):
    make_petition(double_opt_in=False, require_challenge=True)
    response = client.post(URL, signer(altcha=altcha))
    assert response["Location"] == "/en/petitions/free-the-detained/thanks/?check=email"
    assert Signature.objects.get().status == Signature.Status.PENDING
    assert (
        "One more step: confirm your signature" in client.get(response["Location"]).content.decode()
    )


@pytest.mark.django_db
def test_a_solution_cannot_be_used_twice(client):
    make_petition(double_opt_in=False, require_challenge=True)
    payload = solution(client)
    client.post(URL, signer(email="first@example.org", altcha=payload))
    client.post(URL, signer(email="second@example.org", altcha=payload))
    statuses = dict(Signature.objects.values_list("email_digest", "status"))
    assert sorted(statuses.values()) == ["confirmed", "pending"]


@pytest.mark.django_db
def test_the_widget_is_on_the_page_only_when_switched_on(client):
    make_petition(require_challenge=True)
    html = client.get(URL).content.decode()
    assert "<altcha-widget" in html and 'challengeurl="/pow/challenge/"' in html
    assert re.search(r'<script type="module" src="/static/protection/altcha/altcha\.js">', html)
    assert "<noscript>" in html
    make_petition(slug="calm")
    assert "<altcha-widget" not in client.get("/en/petitions/calm/").content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_real_browser_solves_the_puzzle_and_the_signature_counts(live_server, page):
    make_petition(double_opt_in=False, require_challenge=True)
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(f"{live_server.url}{URL}")
    solution_field = page.locator("input[name=altcha]")
    for _ in range(150):  # the puzzle is solved in the background as the page loads
        if solution_field.count() and len(solution_field.input_value()) > 20:
            break
        page.wait_for_timeout(200)
    assert len(solution_field.input_value()) > 20
    page.get_by_label("Full name").fill("Amal Haddad")
    page.get_by_label("Email", exact=True).fill("amal@example.org")
    page.get_by_label("Country").select_option("SY")
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_url(f"{live_server.url}/en/petitions/free-the-detained/thanks/")
    assert Signature.objects.get().status == Signature.Status.CONFIRMED
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_signer_is_asked_to_confirm_by_email(live_server, browser):
    make_petition(double_opt_in=False, require_challenge=True)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}{URL}")
    notice = page.locator(".pow noscript p")
    assert "we will email you a link to confirm your signature" in notice.text_content()
    assert notice.bounding_box()["height"] > 0  # shown, since the browser runs no script
    page.get_by_label("Full name").fill("Amal Haddad")
    page.get_by_label("Email", exact=True).fill("amal@example.org")
    page.get_by_label("Country").select_option("SY")
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_url(re.compile(r".*/thanks/\?check=email$"))
    assert (
        page.get_by_role("heading", level=1).inner_text() == "One more step: confirm your signature"
    )
    assert Signature.objects.get().status == Signature.Status.PENDING
    context.close()
