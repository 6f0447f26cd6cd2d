"""Screenshots of Accord's main pages for the README, taken from the seeded demo in Debian's Chromium.

Run: ``.venv/bin/python scripts/screenshots.py [--out docs/screenshots]`` (needs ``chromium`` on the PATH and the
dev dependencies for Playwright). It migrates a fresh SQLite database in a temporary folder, seeds the demo as
``make run`` does, serves it on a free loopback port, signs in as the demo's organisations and saves one PNG per
page at 1280x800 (and the provider's inbox at a phone's 390x844). Nothing here reaches the network.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from accord.app import create_app
from accord.clock import SystemClock
from accord.db import make_engine, make_sessionmaker, unit_of_work
from accord.demo import DemoCredential, seed
from accord.migrate import upgrade
from accord.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
# (file name, organisation kind to sign in as, path or "first:<list path>:<link prefix>" (the first link) or
# "media:<list path>:<link prefix>" (the first linked page showing blurred media), viewport)
PAGES: list[tuple[str, str, str, tuple[int, int]]] = [
    ("review-queue.png", "provider", "/ui/cases", (1280, 800)),
    ("review-case.png", "provider", "media:/ui/cases:/ui/cases/case_", (1280, 800)),
    ("provider-inbox.png", "provider", "/ui/", (1280, 800)),  # a provider's home page is its inbox
    ("provider-inbox-phone.png", "provider", "/ui/", (390, 844)),
    ("authority-send.png", "authority", "/ui/notices/new", (1280, 800)),
    ("authority-sent.png", "authority", "/ui/", (1280, 800)),  # an authority's home: what it sent
    ("banks.png", "provider", "/ui/banks", (1280, 800)),
    ("policies.png", "provider", "first:/ui/policies:/ui/policies/pol_", (1280, 800)),
    ("incident.png", "coordinator", "first:/ui/incidents:/ui/incidents/inc_", (1280, 800)),
    ("transparency.png", "provider", "/ui/transparency", (1280, 800)),
    ("campaign.png", "civil_society", "first:/ui/campaigns:/ui/campaigns/cmp_", (1280, 800)),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(settings: Settings) -> tuple[uvicorn.Server, str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None,
                                           access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def _login(page: Any, base: str, who: DemoCredential) -> None:
    page.goto(f"{base}/ui/login")
    page.fill("input[name=email]", who.email)
    page.fill("input[name=password]", who.password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _resolve(page: Any, base: str, target: str) -> str:
    if not target.startswith(("first:", "media:")):
        return base + target
    how, listing, prefix = target.split(":", 2)
    page.goto(base + listing)
    hrefs = page.eval_on_selector_all(f'a[href^="{prefix}"]', "links => links.map(a => a.getAttribute('href'))")
    if how == "first":
        return base + str(hrefs[0])
    for href in dict.fromkeys(hrefs):
        page.goto(base + str(href))
        if page.query_selector("img.media") is not None:
            return base + str(href)
    raise RuntimeError(f"no page linked from {listing} shows media")


def capture(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="accord-shots-"))
    url = f"sqlite:///{work / 'accord.db'}"
    settings = Settings(mode="dev", database_url=url, index_snapshot_dir=work / "index", log_json=False)
    upgrade(url)
    with unit_of_work(make_sessionmaker(make_engine(url))) as session:
        world = seed(session, SystemClock(), settings)
    assert world is not None
    by_kind = {c.kind: c for c in reversed(world.credentials)}  # the first organisation of each kind
    server, base = _serve(settings)
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
            for name, kind, target, (width, height) in PAGES:
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                _login(page, base, by_kind[kind])
                page.goto(_resolve(page, base, target))
                page.wait_for_load_state("networkidle")
                path = out / name
                page.screenshot(path=str(path), full_page=False)
                saved.append(path)
                context.close()
            browser.close()
    finally:
        server.should_exit = True
        shutil.rmtree(work, ignore_errors=True)
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    for path in capture(args.out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
