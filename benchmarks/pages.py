"""Page weight and first paint on a slow phone: the public pages of the demo, in Chromium.

    make bench-pages
    .venv/bin/python benchmarks/pages.py --port 8443

It loads the demo content (`load_demo`) into a throwaway SQLite database, starts the
production server (gunicorn, DEBUG off, static files from WhiteNoise) and opens each page
in English and Arabic in Debian's Chromium through Playwright, as a first visit (empty
cache), at 390 px under a slow 3G link (400 kbit/s, 400 ms round trip, emulated through
the DevTools protocol), and again at 1280 px without throttling. For each page it reports:

- the HTML and the stylesheet as served (bytes on the wire) and compressed (gzip and
  brotli), and whether HTML and CSS fit in the first 14 KB (one round trip);
- requests that block the first render besides the one stylesheet;
- photos whose width/height are not plain integers, that have no srcset, or that lie
  below the first screen without loading="lazy";
- the first visit's whole transfer at 390 px (bound 150 KB) and 1280 px (bound 400 KB);
- the first contentful paint under the slow link (bound 2.5 s).

It prints a table and writes benchmarks/results/pages.json. Everything it starts, it
stops (by PID).
"""

import argparse
import gzip
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import viral

RESULTS = Path(__file__).parent / "results"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [  # as tests/conftest.py
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SLOW_3G = {  # bytes a second: 400 kbit/s
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
FIRST_ROUND_TRIP = 14 * 1024
BOUNDS = {"transfer_390": 150_000, "transfer_1280": 400_000, "fcp_ms": 2500}
PETITION, OTHER_PETITION = "truth-for-syrias-disappeared", "justice-for-syria"
LETTER, BIG_LETTER = "chemical-attacks-syria", "emergency-session-syria"
PAGES = {
    "home": "/{lang}/",
    "petition (photos)": f"/{{lang}}/petitions/{PETITION}/",
    "petition": f"/{{lang}}/petitions/{OTHER_PETITION}/",
    "letter": f"/{{lang}}/letters/{LETTER}/",
    "letter (222 organisations)": f"/{{lang}}/letters/{BIG_LETTER}/",
    "thank-you step": f"/{{lang}}/petitions/{PETITION}/thanks/",
    "endorsement form": f"/{{lang}}/letters/{BIG_LETTER}/endorse/",
}

# In the page: the paint, what was transferred, what blocked the render, and the photos.
MEASURE = """async () => {
  // the paint entry may be recorded just after "load": wait for it (10 s at most)
  const paint = await new Promise(resolve => {
    new PerformanceObserver(list => {
      const entry = list.getEntries().find(e => e.name === 'first-contentful-paint');
      if (entry) resolve(entry);
    }).observe({type: 'paint', buffered: true});
    setTimeout(() => resolve(null), 10000);
  });
  const navigation = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const fold = window.innerHeight;
  return {
    fcp_ms: paint ? paint.startTime : null,
    transfer: navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    requests: 1 + resources.length,
    blocking: resources.filter(r => r.renderBlockingStatus === 'blocking').map(r => r.name),
    photos: [...document.images].map(img => ({
      src: img.currentSrc || img.src,
      width: img.getAttribute('width'),
      height: img.getAttribute('height'),
      natural: [img.naturalWidth, img.naturalHeight],
      srcset: img.getAttribute('srcset') || '',
      lazy: img.loading === 'lazy',
      below_fold: img.getBoundingClientRect().top + window.scrollY > fold,
    })),
  };
}"""


def start_server(data_dir: Path) -> tuple[subprocess.Popen, dict]:
    env = {
        **viral.environment(f"sqlite:///{data_dir / 'db.sqlite3'}", data_dir),
        "BENCHMARK_CEILINGS": "0",
        "REDIS_URL": "",
        "DEBUG": "0",
    }
    env.pop("DATABASE_URL")  # the embedded default: SQLite in DATA_DIR, photos served too
    manage = [sys.executable, "-m", "undersigned.manage"]
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run(
            [*manage, *command], env=env, cwd=viral.ROOT, check=True, stdout=subprocess.DEVNULL
        )
    # the letters' PDFs and the like are rendered by the worker; pages do not wait for them
    server = subprocess.Popen(viral.server_command("gunicorn", 2, 1), cwd=viral.ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{viral.PORT}/en/", timeout=2)
            return server, env
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def wire_sizes(url: str) -> dict:
    """The body as served to a browser that accepts gzip and brotli, and compressed here."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "br, gzip"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        served = answer.read()
        encoding = answer.headers.get("Content-Encoding", "")
    plain = served
    if encoding == "gzip":
        plain = gzip.decompress(served)
    elif encoding == "br":
        plain = urllib.request.urlopen(url, timeout=30).read()
    return {
        "plain": len(plain),
        "served": len(served),
        "served_encoding": encoding or "none",
        "gzip": len(gzip.compress(plain, 6)),
        "brotli": brotli_size(plain),
        "text": plain.decode(errors="replace"),
    }


def brotli_size(data: bytes) -> int | None:
    try:
        import brotli
    except ImportError:
        return None
    return len(brotli.compress(data))


def photo_problems(photos: list[dict]) -> list[str]:
    problems = []
    for photo in photos:
        name = photo["src"].rsplit("/", 1)[-1][:40]
        if not (
            re.fullmatch(r"\d+", photo["width"] or "")
            and re.fullmatch(r"\d+", photo["height"] or "")
        ):
            problems.append(f"{name}: width/height {photo['width']!r}×{photo['height']!r}")
        if " " not in photo["srcset"] and not photo["src"].endswith(".svg"):
            problems.append(f"{name}: no srcset")
        if photo["below_fold"] and not photo["lazy"]:
            problems.append(f"{name}: below the first screen, not lazy")
    return problems


def measure_page(browser, base: str, path: str, lang: str, width: int, throttled: bool) -> dict:
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width < 600 else 900}, locale=lang
    )
    page = context.new_page()
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttled:
        session.send("Network.emulateNetworkConditions", SLOW_3G)
    answer = page.goto(base + path, wait_until="load", timeout=120_000)
    figures = page.evaluate(MEASURE)
    figures["status"] = answer.status
    context.close()
    return figures


def measure(browser, base: str, name: str, lang: str) -> dict:
    path = PAGES[name].format(lang=lang)
    html = wire_sizes(base + path)
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html.pop("text"))
    css = [wire_sizes(base + href) for href in stylesheets]
    for sheet in css:
        sheet.pop("text")
    phone = measure_page(browser, base, path, lang, 390, throttled=True)
    desktop = measure_page(browser, base, path, lang, 1280, throttled=False)
    css_served = sum(sheet["served"] for sheet in css)
    first_render = html["served"] + css_served  # as this server sends them
    blocking = [
        url
        for url in phone["blocking"]
        if url.rsplit("/", 1)[-1] not in {href.rsplit("/", 1)[-1] for href in stylesheets[:1]}
    ]
    return {
        "page": name,
        "lang": lang,
        "path": path,
        "status": phone["status"],
        "html": html,
        "css": css,
        "first_render_served_bytes": first_render,
        "first_render_gzip_bytes": html["gzip"] + css_served,  # were the HTML gzipped
        "fits_first_round_trip": first_render <= FIRST_ROUND_TRIP,
        "other_render_blocking": blocking,
        "photos": len(phone["photos"]),
        "photo_problems": photo_problems(phone["photos"]),
        "transfer_390": phone["transfer"],
        "transfer_1280": desktop["transfer"],
        "requests_390": phone["requests"],
        "fcp_slow_3g_ms": round(phone["fcp_ms"]) if phone["fcp_ms"] is not None else None,
    }


def misses(row: dict) -> list[str]:
    found = []
    if not row["fits_first_round_trip"]:
        found.append("HTML+CSS over 14 KB")
    if row["other_render_blocking"]:
        found.append("other render-blocking requests")
    if row["photo_problems"]:
        found.append("photos")
    if row["transfer_390"] > BOUNDS["transfer_390"]:
        found.append("transfer at 390 px")
    if row["transfer_1280"] > BOUNDS["transfer_1280"]:
        found.append("transfer at 1280 px")
    if row["fcp_slow_3g_ms"] is None or row["fcp_slow_3g_ms"] > BOUNDS["fcp_ms"]:
        found.append("first paint")
    return found


def print_table(rows: list[dict]) -> None:
    print(
        f"{'page':<28}{'lang':<5}{'HTML':>8}{'gz':>7}{'br':>7}{'CSS gz':>8}{'≤14K':>6}"
        f"{'block':>6}{'photos':>8}{'390 px':>9}{'1280 px':>9}{'FCP 3G':>8}  misses"
    )
    for row in rows:
        css = sum(sheet["served"] for sheet in row["css"])
        print(
            f"{row['page']:<28}{row['lang']:<5}{row['html']['plain']:>8,}{row['html']['gzip']:>7,}"
            f"{row['html']['brotli'] or 0:>7,}{css:>8,}{'yes' if row['fits_first_round_trip'] else 'NO':>6}"
            f"{len(row['other_render_blocking']):>6}{row['photos']:>8}{row['transfer_390']:>9,}"
            f"{row['transfer_1280']:>9,}{row['fcp_slow_3g_ms'] or 0:>8,}  {', '.join(misses(row)) or '-'}"
        )
        for problem in row["photo_problems"]:
            print(f"    {problem}")
        for url in row["other_render_blocking"]:
            print(f"    blocks the first render: {url}")


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8124, help="for the server it starts")
    parser.add_argument(
        "--pages", help=f"only these pages (comma separated) of: {', '.join(PAGES)}"
    )
    args = parser.parse_args(argv)
    unknown = set(args.pages.split(",")) - set(PAGES) if args.pages else set()
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    return args


def main() -> None:
    args = arguments()
    viral.PORT = args.port
    names = args.pages.split(",") if args.pages else list(PAGES)
    from playwright.sync_api import sync_playwright

    data_dir = Path(tempfile.mkdtemp(prefix="undersigned-pages-"))
    print("loading the demo content …", flush=True)
    server, _env = start_server(data_dir)
    base = f"http://127.0.0.1:{args.port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            rows = [measure(browser, base, name, lang) for name in names for lang in ("en", "ar")]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print_table(rows)
    RESULTS.mkdir(exist_ok=True)
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "network": "slow 3G emulated: 400 kbit/s, 400 ms round trip",
        "bounds": {**BOUNDS, "first_round_trip_bytes": FIRST_ROUND_TRIP},
        "pages": rows,
        "command": " ".join(sys.argv),
    }
    (RESULTS / "pages.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print("\nwritten to benchmarks/results/pages.json")


if __name__ == "__main__":
    main()
