"""Screenshots of pages at phone and desktop widths, for looking at what we built.

.venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 /tmp/shots /en/ /ar/ ...
Staff pages: add `--login USER:PASSWORD` (from data/demo-logins.txt) and `--lang ar` (the
back office follows the browser's language).
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


def log_in(page, base: str, credentials: str) -> None:
    username, password = credentials.split(":", 1)
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def main(base: str, out: str, paths: list[str], login: str | None, lang: str) -> None:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for label, (width, height) in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height}, locale=lang)
            page = context.new_page()
            if login:
                log_in(page, base, login)
            for path in paths:
                page.goto(base + path)
                name = path.strip("/").replace("/", "_").replace("?", "_") or "root"
                page.screenshot(path=folder / f"{name}-{lang}-{label}.png", full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("out")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--login")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    main(args.base, args.out, args.paths, args.login, args.lang)
