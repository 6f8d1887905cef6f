"""Headless Chromium that cannot reach the network: the decks, stage 7's report, the room's board.

A page opened here may load ``file:`` and ``data:`` URLs only. Everything else is refused and
recorded, twice over: Chromium's host resolver fails every name but localhost (as in a room
without Wi-Fi), and the context's route handler aborts the request and notes its URL, so a test
can say which request would have left the machine.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BROWSER_COMMANDS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER_FILES = (
    Path("/Applications/Chromium.app/Contents/MacOS/Chromium"),
    Path("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
    Path(
        os.environ.get("PROGRAMFILES", "C:/Program Files"), "Google/Chrome/Application/chrome.exe"
    ),
)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
]
INSTALL_CHROMIUM = (
    "no Chromium or Chrome found: install one (Debian/Ubuntu: `sudo apt-get install chromium`; "
    "macOS and Windows: Google Chrome), or name it with KIT_CHROMIUM=/path/to/it"
)
INSTALL_PLAYWRIGHT = (
    "no Playwright, which drives the browser: it is a maintainer's tool, installed by "
    "`python -m kit setup --maintainer` (make setup MAINTAINER=1)"
)


def find_chromium() -> Path | None:
    """This machine's Chromium or Chrome: ``$KIT_CHROMIUM``, one on ``PATH``, or one where
    macOS and Windows install it; None when there is none."""
    if named := os.environ.get("KIT_CHROMIUM"):
        return Path(named) if Path(named).is_file() else None
    on_path = (shutil.which(command) for command in BROWSER_COMMANDS)
    found = next((Path(path) for path in on_path if path), None)
    return found or next((path for path in BROWSER_FILES if path.is_file()), None)


def browser_missing() -> str:
    """Why no headless browser can be driven here, and how to get one; ``""`` when one can."""
    if find_chromium() is None:
        return INSTALL_CHROMIUM
    if importlib.util.find_spec("playwright") is None:
        return INSTALL_PLAYWRIGHT
    return ""


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (playwright's ``Browser``), closed when the block ends."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise FileNotFoundError(INSTALL_CHROMIUM)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_context(browser: Any, also: tuple[str, ...] = ()) -> tuple[Any, list[str]]:
    """A browser context that refuses, and records, every request outside file: and data:
    (and ``also``'s URL prefixes, e.g. the room server on this machine)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    outside: list[str] = []

    def only_local(route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", *also)):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_local)
    return context, outside
