"""Shared fixtures. GUI tests run on their own Xvfb; in CI a missing Xvfb fails, never skips."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.gui import need
from tests.xvfb import VirtualDisplay, virtual_display, xvfb_available


def _need_xvfb() -> None:
    # CI sets AGENT_REQUIRE_GUI=1 (see .ci/run): there a GUI test that cannot run fails loudly.
    need(xvfb_available(),
         "Xvfb is not installed (apt install xvfb); GUI tests never use the real display")


@pytest.fixture
def tesseract() -> None:
    """Tests that read the screen with tesseract: skipped without it, failed in CI."""
    need(shutil.which("tesseract") is not None,
         "tesseract is not installed (apt install tesseract-ocr)")


@pytest.fixture(scope="session")
def xvfb() -> Iterator[VirtualDisplay]:
    """One 1280x800 virtual display shared by the session's GUI tests."""
    _need_xvfb()
    with virtual_display(1280, 800) as display:
        yield display


@pytest.fixture
def make_display() -> Iterator[object]:
    """Factory for extra displays of other sizes: `make_display(1920, 1080)`."""
    _need_xvfb()
    stack: list[object] = []

    def make(width: int, height: int) -> VirtualDisplay:
        cm = virtual_display(width, height)
        display = cm.__enter__()
        stack.append(cm)
        return display

    yield make
    for cm in reversed(stack):
        cm.__exit__(None, None, None)  # type: ignore[attr-defined]
