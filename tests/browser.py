"""Open the kit's HTML pages in headless Chromium, offline, the way a trainee or coordinator would.

`visit` loads a local page with every network request recorded and blocked (so a page that
needs the internet visibly breaks), collects console errors, checks that images and charts
rendered, and saves a full-page screenshot. `chromium_page` gives a page for a live server (JupyterLab),
recording every request it makes. Chromium is Debian's (`make test` installs it);
when it is missing the test fails with instructions, it is never skipped.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

#: The browser the tests drive; UMKMKIT_CHROMIUM points elsewhere (e.g. Chrome on Windows).
CHROMIUM = Path(os.environ.get("UMKMKIT_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 30_000
#: Starting Chromium itself: on a busy 2-core CI machine it once took over 30 s (a .ci/run of
#: 2026-12-03 failed test_paper on that alone), so its start gets longer than a page's steps.
LAUNCH_TIMEOUT_MS = 120_000
#: The two screens pages are checked on: (width, height, phone?) in CSS pixels.
SCREENS = {"ponsel": (390, 844, True), "laptop": (1366, 768, False)}

# Every <img> and outermost <svg> that is meant to be seen but drew nothing, described briefly.
_UNRENDERED_IMAGES_JS = """
async () => {
    const shown = (element) => element.getClientRects().length > 0
        && getComputedStyle(element).visibility !== "hidden";
    const describe = (element) => element.outerHTML.slice(0, 120);
    const images = [...document.images];
    for (const image of images) image.loading = "eager";
    await Promise.all(images.map((image) => image.decode().catch(() => null)));
    const broken = images.filter((image) => image.naturalWidth === 0).map(describe);
    for (const svg of document.querySelectorAll("svg:not(svg svg)")) {
        const box = svg.getBoundingClientRect();
        if (shown(svg) && (box.width === 0 || box.height === 0 || svg.childElementCount === 0)) {
            broken.push(describe(svg));
        }
    }
    return broken;
}
"""


@dataclass
class PageVisit:
    """What one offline visit of a page saw."""

    requests: list[str]  # every URL the page asked for besides its own file and data: URLs
    console_errors: list[str]  # console.error messages and uncaught exceptions
    screenshot: Path
    text: str  # the text a reader sees (innerText: hidden elements left out)
    unrendered_images: list[str]  # <img>/<svg> that drew nothing (see `unrendered_images`)


def require_chromium() -> Path:
    """The Chromium executable; fails the calling test, with how to install it, if it is missing."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: browser tests need it. `make test` installs it when "
            "run as root on Debian/Ubuntu; otherwise run `apt-get install chromium` as root, or set "
            "UMKMKIT_CHROMIUM to a Chromium or Chrome executable.",
            pytrace=False,
        )
    if importlib.util.find_spec("playwright") is None:
        pytest.fail("Python package playwright is missing: run `make test`, or "
                    "`pip install -e '.[test]'` in the kit's environment.", pytrace=False)
    return CHROMIUM


def unrendered_images(page) -> list[str]:
    """Images and charts of an open playwright page that drew nothing (an empty list if all did).

    An <img> counts when it decoded to a non-zero natural width; an outermost visible <svg>
    when it has children and a non-empty bounding box.
    """
    return page.evaluate(_UNRENDERED_IMAGES_JS)


@contextmanager
def chromium_page(*, route: Callable | None = None, record: list[str] | None = None) -> Iterator:
    """A playwright page in headless Chromium (service workers blocked), closed afterwards.

    `route` handles every request (e.g. to block it); `record` gets the URL of every request
    and WebSocket the page opens, so a test can check none leaves the machine.
    """
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=LAUNCH_ARGS, timeout=LAUNCH_TIMEOUT_MS)
        try:
            context = browser.new_context(viewport=VIEWPORT, service_workers="block")
            context.set_default_timeout(TIMEOUT_MS)
            if route:
                context.route("**/*", route)
            page = context.new_page()
            if record is not None:
                page.on("request", lambda request: record.append(request.url))
                page.on("websocket", lambda socket: record.append(socket.url))
            yield page
        finally:
            browser.close()


def wait_for_kernel(page) -> None:
    """Wait until the notebook in view has its Python kernel and the kernel is idle.

    The execution indicator alone says "idle" also while the session has no kernel yet ("No
    Kernel" in the toolbar for about a second, longer on a loaded machine): cells run then do
    nothing, so a test that types Shift+Enter must wait for the kernel's name first.
    """
    panel = page.locator(".jp-NotebookPanel:visible")
    panel.locator(".jp-Toolbar-kernelName", has_text="Python").wait_for()
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible").wait_for()


def visit(html: Path, screenshot: Path, *, wait_for: str | None = None) -> PageVisit:
    """Open a local HTML file in headless Chromium with the network blocked, and report.

    Parameters
    ----------
    html
        The page to open (as a file:// URL).
    screenshot
        Where to save a full-page PNG screenshot.
    wait_for
        A CSS selector to wait for before looking at the page (e.g. a chart's container).
    """
    own_url = unquote(html.resolve().as_uri())
    requests: list[str] = []
    errors: list[str] = []

    def outside(url: str) -> bool:
        return unquote(url.split("#", 1)[0]) != own_url and not url.startswith("data:")

    def block(route) -> None:
        if outside(route.request.url):
            route.abort()
        else:
            route.continue_()

    with chromium_page(route=block) as page:
        page.on("request", lambda request: requests.append(request.url) if outside(request.url) else None)
        page.on("websocket", lambda socket: requests.append(socket.url))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
        page.goto(own_url, wait_until="load")
        if wait_for:
            page.wait_for_selector(wait_for, state="visible")
        broken = unrendered_images(page)
        text = page.inner_text("body")
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    return PageVisit(requests=requests, console_errors=errors, screenshot=screenshot, text=text,
                     unrendered_images=broken)


@contextmanager
def screen(width: int, height: int, phone: bool, requests: list[str], own_url: str):
    """A page in headless Chromium the size of a phone (mobile emulation: the viewport tag counts)
    or a laptop, every request but the page's own file recorded and blocked."""
    from playwright.sync_api import sync_playwright

    def block(route) -> None:
        url = route.request.url
        if unquote(url.split("#", 1)[0]) != own_url and not url.startswith("data:"):
            requests.append(url)
            route.abort()
        else:
            route.continue_()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, timeout=LAUNCH_TIMEOUT_MS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=phone,
                                          has_touch=phone, device_scale_factor=2 if phone else 1,
                                          service_workers="block")
            context.set_default_timeout(TIMEOUT_MS)
            context.route("**/*", block)
            yield context.new_page()
        finally:
            browser.close()
