"""A partner's page on another origin frames the petition; a visitor with JavaScript off
signs inside the frame and is thanked there. A site not on the list gets no frame."""

import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from undersigned.petitions.models import Signature

from .conftest import free_port
from .factories import make_organiser, make_petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class PartnerPage(BaseHTTPRequestHandler):
    def __init__(self, frame_url, *args, **kwargs):
        self.frame_url = frame_url
        super().__init__(*args, **kwargs)

    def do_GET(self):
        body = (
            "<!doctype html><html><head><title>Partner</title></head><body>"
            "<h1>Our campaign</h1>"
            f'<iframe title="petition" src="{self.frame_url}" '
            'style="width:100%;height:900px"></iframe></body></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def partner_site():
    """Serves a partner's page (framing `frame_url`) on its own 127.0.0.1 port."""
    servers = []

    def start(frame_url):
        port = free_port()
        server = ThreadingHTTPServer(("127.0.0.1", port), partial(PartnerPage, frame_url))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_sign_inside_a_partners_frame_without_javascript(live_server, browser, partner_site):
    organiser = make_organiser()
    make_petition(double_opt_in=False, organiser=organiser)
    embed = f"{live_server.url}/ar/petitions/free-the-detained/embed/?source=partner"
    partner = partner_site(embed)
    organiser.embed_origins = partner
    organiser.save()

    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(partner)
    frame = page.frame_locator("iframe")
    assert frame.locator("html").get_attribute("dir") == "rtl"
    assert frame.get_by_role("heading", level=1).inner_text() == "الحرية للمعتقلين"
    frame.get_by_label("الاسم الكامل").fill("أمل حداد")
    frame.get_by_label("البريد الإلكتروني", exact=True).fill("amal@example.org")
    frame.get_by_label("البلد").select_option("SY")
    frame.get_by_role("button", name="وقّع العريضة").click()
    frame.get_by_role("heading", level=1, name="شكراً لتوقيعك!").wait_for()  # the frame moved on
    assert page.url == partner + "/"  # the partner's page stayed; the frame moved on
    signature = Signature.objects.get()
    assert signature.source == "partner" and signature.name == "أمل حداد"
    context.close()


def test_a_site_not_on_the_list_gets_no_frame(live_server, browser, partner_site):
    organiser = make_organiser()
    make_petition(organiser=organiser)
    embed = f"{live_server.url}/en/petitions/free-the-detained/embed/"
    allowed = partner_site(embed)
    organiser.embed_origins = allowed
    organiser.save()
    stranger = partner_site(embed)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(stranger)
    page.wait_for_timeout(1000)
    frame = page.frames[1]
    assert "Free the detained" not in frame.content()
    page.goto(allowed)
    page.frame_locator("iframe").get_by_role("heading", level=1).wait_for()
    context.close()


def test_the_petition_page_itself_is_never_framed(live_server, browser, partner_site):
    organiser = make_organiser()
    organiser.embed_origins = "*"
    organiser.save()
    make_petition(organiser=organiser)
    partner = partner_site(f"{live_server.url}/en/petitions/free-the-detained/")
    context = browser.new_context()
    page = context.new_page()
    page.goto(partner)
    page.wait_for_timeout(1000)
    assert "Free the detained" not in page.frames[1].content()
    context.close()
