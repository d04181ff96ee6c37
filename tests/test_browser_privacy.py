"""No public page makes the browser talk to any host but ours, and none breaks our CSP."""

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from undersigned.pages.confirmations import make_token
from undersigned.petitions.models import Petition, Signature

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PATHS = [
    "/{lang}/",
    "/{lang}/about/",
    "/{lang}/privacy/",
    "/{lang}/petitions/truth-for-syrias-disappeared/",
    "/{lang}/petitions/truth-for-syrias-disappeared/thanks/",
    "/{lang}/petitions/justice-for-syria/",
    "/{lang}/letters/emergency-session-syria/",
    "/{lang}/letters/chemical-attacks-syria/endorse/",
    "/{lang}/confirm/{token}/",
    "/{lang}/no-such-page/",
]


def test_public_pages_request_nothing_from_other_hosts(live_server, browser, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    call_command("load_demo", verbosity=0)
    # with the proof of work on, so that its widget, worker and challenge are checked too
    Petition.objects.filter(slug="truth-for-syrias-disappeared").update(require_challenge=True)
    token = make_token("signature", Signature.objects.first().pk)
    own_host = urlsplit(live_server.url).netloc
    context = browser.new_context()
    page = context.new_page()
    foreign, violations = [], []
    page.on(
        "request",
        lambda request: (
            foreign.append(request.url)
            if urlsplit(request.url).netloc not in {own_host, ""}
            and not request.url.startswith("data:")
            else None
        ),
    )
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for language in ["en", "ar"]:
        for path in PUBLIC_PATHS:
            url = live_server.url + path.format(lang=language, token=token)
            page.goto(url)
            page.wait_for_load_state("networkidle")
    context.close()
    assert foreign == []
    assert violations == []
