"""A random site's page, in a real browser: its JavaScript reads the public API (through a
preflight), but cannot use an organisation's key, which never even reaches the server."""

import json
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from undersigned.audit.models import AuditEntry

from .conftest import free_port
from .test_api_private import key_for, make_two_organisations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = """
async function attempt(url, headers) {
  try {
    const answer = await fetch(url, {headers});
    return answer.status + " " + Object.keys(await answer.json()).join(",");
  } catch (error) {
    return "blocked";
  }
}
(async () => {
  const found = {
    public: await attempt(API + "/api/v1/petitions", {"If-None-Match": '"stale"'}),
    osdi: await attempt(API + "/api/v1/osdi/petitions", {"If-None-Match": '"stale"'}),
    private: await attempt(API + "/api/v1/private/signatures", {"Authorization": "Bearer " + KEY}),
  };
  document.getElementById("out").textContent = JSON.stringify(found);
})();
"""


class RandomSite(BaseHTTPRequestHandler):
    def __init__(self, api, key, *args, **kwargs):
        self.api, self.key = api, key
        super().__init__(*args, **kwargs)

    def do_GET(self):
        constants = f"const API = {json.dumps(self.api)}; const KEY = {json.dumps(self.key)};"
        body = (
            "<!doctype html><html><head><title>Random site</title></head><body>"
            f'<pre id="out"></pre><script>{constants}{SCRIPT}</script></body></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_random_page_reads_public_data_but_cannot_use_a_key(live_server, browser):
    ours, _, _ = make_two_organisations()
    key = key_for(ours)
    server = ThreadingHTTPServer(
        ("127.0.0.1", free_port()), partial(RandomSite, live_server.url, key)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        page.wait_for_function("document.getElementById('out').textContent !== ''")
        found = json.loads(page.locator("#out").inner_text())
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert found["public"] == "200 items,next_cursor"
    assert found["osdi"] == "200 total_records,per_page,_links,_embedded"
    assert found["private"] == "blocked"
    # the preflight was refused, so the key was never sent: no use of it is on record
    assert not AuditEntry.objects.filter(action="api_key.used").exists()
