"""Set-up shared by the co-hosting browser tests (petitions and letters): a partner that
co-hosts an action under one code, and the tick on its opt-in line."""

from .factories import make_organiser

PARTNER_CODE = "partner-aid"


def cohost(action):
    """Partner Aid co-hosts the petition or letter; the partner organisation."""
    partner = make_organiser(PARTNER_CODE, "Partner Aid", "عون الشركاء")
    action.cohosts.create(organisation=partner, code=PARTNER_CODE)
    return partner


def tick_cohost_line(page):
    """Tick the co-host's opt-in line by its label, as a person taps it."""
    page.locator("label[for=id_cohost_opt_in]").click()
