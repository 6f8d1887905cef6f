"""Headless Chromium that cannot reach the network: for the decks and the stage 7 drift report.

A page opened here may load ``file:`` and ``data:`` URLs only. Everything else is refused and
recorded, twice over: Chromium's host resolver fails every name but localhost (as in a room
without Wi-Fi), and the context's route handler aborts the request and notes its URL, so a test
can say which request would have left the machine.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
]
INSTALL_CHROMIUM = f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium`"
INSTALL_PLAYWRIGHT = (
    "no Playwright, which drives the browser: it is a maintainer's tool, installed by "
    "`python -m kit setup --maintainer` (make setup MAINTAINER=1)"
)


def browser_missing() -> str:
    """Why no headless browser can be driven here (and how to get one), or ``""``."""
    if not CHROMIUM.is_file():
        return INSTALL_CHROMIUM
    if importlib.util.find_spec("playwright") is None:
        return INSTALL_PLAYWRIGHT
    return ""


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (playwright's ``Browser``), closed when the block ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_context(browser: Any) -> tuple[Any, list[str]]:
    """A browser context that refuses, and records, every request outside file: and data:."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    outside: list[str] = []

    def only_local(route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_local)
    return context, outside
