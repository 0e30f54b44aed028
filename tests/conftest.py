"""Shared fixtures. GUI tests run on their own Xvfb; in CI a missing Xvfb fails, never skips."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.xvfb import VirtualDisplay, virtual_display, xvfb_available

# CI sets this (see .ci/run): a GUI test that cannot run there must fail loudly.
REQUIRE_GUI = os.environ.get("AGENT_REQUIRE_GUI") == "1"


def _need_xvfb() -> None:
    if xvfb_available():
        return
    if REQUIRE_GUI:
        pytest.fail("Xvfb is not installed but AGENT_REQUIRE_GUI=1: GUI tests must run here")
    pytest.skip("Xvfb is not installed (apt install xvfb); GUI tests never use the real display")


@pytest.fixture
def tesseract() -> None:
    """Tests that read the screen with tesseract: skipped without it, failed in CI."""
    if shutil.which("tesseract"):
        return
    if REQUIRE_GUI:
        pytest.fail("tesseract is not installed but AGENT_REQUIRE_GUI=1: apt install tesseract-ocr")
    pytest.skip("tesseract is not installed (apt install tesseract-ocr)")


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
