"""Chromium on a private Xvfb display, driven by selenium, for the OCR page suite.

    with virtual_display(*SCREEN) as display, chromium(display, zoom=1.5) as browser:
        browser.open("login")          # tests/grounding/ocr/pages/login.html, by file:// URL
        browser.reset()                # reload: fresh state, same pixels
        browser.state()                # the page's own record of what happened (window.state)

Chromium fills the screen (kiosk mode at 0,0, no window manager needed), at
--force-device-scale-factor `zoom`, with the flags DESIGN.md measured; selenium reaches it through
/usr/bin/chromedriver only to load, reset and read pages — input goes through the real X server.
One Chromium serves every page at one zoom (starting it costs seconds).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.xvfb import VirtualDisplay

PAGES = Path(__file__).resolve().parent / "pages"
SCREEN = (1920, 1080)
ZOOMS = (1.0, 1.5, 3.0)
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--test-type", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--kiosk", "--window-position=0,0", "--hide-scrollbars", "--disable-translate",
         "--disable-features=Translate,MediaRouter", "--password-store=basic",
         "--disable-notifications", "--no-default-browser-check")

State = dict[str, Any]


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() and shutil.which(CHROMEDRIVER) is not None


def page_names() -> list[str]:
    return sorted(p.stem for p in PAGES.glob("*.html"))


@dataclass
class Browser:
    """One Chromium window showing one page of the suite at a time."""

    driver: Any  # selenium.webdriver.Chrome
    zoom: float
    page: str = ""

    def open(self, page: str) -> None:
        """Load `page` (a name in pages/) and wait until it is drawn."""
        path = PAGES / f"{page}.html"
        if not path.exists():
            raise ValueError(f"no page {page!r} in {PAGES} (pages: {', '.join(page_names())})")
        self.page = page
        self.driver.get(path.as_uri())
        self._settled()

    def reset(self, painted: bool = True) -> None:
        """Reload the page: its state is new and it looks as when first opened (`painted`: wait
        until the screen shows it, for a screenshot; input needs only the first frame)."""
        self.driver.refresh()
        self._settled(painted)

    def state(self) -> State:
        """window.state as the page recorded it (JSON, parsed: data, never code)."""
        text = self.driver.execute_script("return JSON.stringify(window.state)")
        state: State = json.loads(text)
        return state

    def box(self, selector: str) -> tuple[int, int, int, int]:
        """The element's border box in screen pixels (the page fills the screen from 0,0)."""
        rect = self.driver.execute_script(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
            "return [r.left, r.top, r.right, r.bottom].map(v => v * devicePixelRatio);",
            selector)
        left, top, right, bottom = (round(float(v)) for v in rect)
        return left, top, right, bottom

    def wait_state(self, expect: dict[str, Any], timeout: float) -> State:
        """The state once every `expect`ed key holds (and 50 ms more, for a stray second
        effect), or after `timeout` seconds: one round trip, the waiting done in the page."""
        text = self.driver.execute_async_script(WAIT_STATE, expect, timeout * 1000)
        state: State = json.loads(text)
        return state

    def _settled(self, painted: bool = True) -> None:
        """Wait for the document and two animation frames (Chromium drops input that comes
        before a new document's first frame); `painted`: until the screen shows it."""
        self.driver.execute_async_script(FRAMES)
        if painted:
            time.sleep(0.1)  # the compositor's frame reaches the X server a moment later


FRAMES = """const done = arguments[0];
const frames = () => requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
if (document.readyState === "complete") frames(); else addEventListener("load", frames);"""

WAIT_STATE = """const [expect, timeout, done] = arguments;
const start = performance.now();
const holds = () => Object.entries(expect).every(
  ([key, value]) => JSON.stringify(window.state[key]) === JSON.stringify(value));
const poll = () => {
  if (holds()) setTimeout(() => done(JSON.stringify(window.state)), 50);
  else if (performance.now() - start > timeout) done(JSON.stringify(window.state));
  else setTimeout(poll, 20);
};
poll();"""


@contextmanager
def chromium(display: VirtualDisplay, zoom: float = 1.0) -> Iterator[Browser]:
    """Chromium on `display`, filling its screen, at `zoom` (1 = 100%); quit on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="planground-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    # Sizes are in CSS pixels: the screen's size over the zoom fills the screen exactly (the
    # screen's size would make a window `zoom` times larger, its bottom and right off-screen).
    options.add_argument(f"--window-size={round(display.width / zoom)},"
                         f"{round(display.height / zoom)}")
    options.add_argument(f"--force-device-scale-factor={zoom:g}")
    options.add_argument(f"--user-data-dir={profile}")
    # No "controlled by automated test software" bar: it would shift the page and add words.
    options.add_experimental_option("excludeSwitches", ["enable-automation"])
    service = Service(CHROMEDRIVER, env=display.env)
    driver = webdriver.Chrome(options=options, service=service)
    try:
        browser = Browser(driver, zoom)
        _wait_fullscreen(browser, display)
        yield browser
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _wait_fullscreen(browser: Browser, display: VirtualDisplay) -> None:
    """Kiosk mode reaches the full screen a moment after start; the suite needs it settled."""
    want = [0, 0, display.width / browser.zoom, display.height / browser.zoom]
    deadline = time.monotonic() + 10
    while True:
        # In CSS pixels: the screen's pixels over the scale factor (give or take one).
        where = browser.driver.execute_script(
            "return [screenX, screenY, outerWidth, outerHeight]")
        if all(abs(float(v) - w) <= 2 for v, w in zip(where, want, strict=True)):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"Chromium's window is at {where}, not the full screen {want}")
        time.sleep(0.1)
