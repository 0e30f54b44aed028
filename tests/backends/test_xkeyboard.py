"""agent.backends.xkeyboard against a real Tk app on Xvfb: every character must arrive exactly.

The app (tests/apps/echo_entry.py) writes its Entry/Text contents to a file on every change, so
the assertions see what Tk itself decoded from the key events, not what we meant to send.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from agent.backends.xkb import Xkb
from agent.backends.xkeyboard import XKeyboard, char_to_keysym
from tests.paths import APPS, ROOT
from tests.xvfb import VirtualDisplay

ECHO_APP = APPS / "echo_entry.py"
REPO = ROOT

CJK_60 = "".join(chr(0x4E00 + 7 * i) for i in range(60))  # more distinct chars than spare keys


# --- no display needed -------------------------------------------------------------------------


def test_char_to_keysym() -> None:
    assert char_to_keysym("a") == 0x61
    assert char_to_keysym("~") == 0x7E
    assert char_to_keysym("é") == 0xE9  # Latin-1 keysyms are the code point
    assert char_to_keysym("€") == 0x10020AC  # everything else: the Unicode keysym
    assert char_to_keysym("東") == 0x1006771
    assert char_to_keysym("😀") == 0x101F600
    assert char_to_keysym("\n") == 0xFF0D  # Return
    assert char_to_keysym("\t") == 0xFF09  # Tab
    for bad in ("\x00", "\x07", "\x85", "\ud800"):
        with pytest.raises(ValueError):
            char_to_keysym(bad)


def test_import_needs_no_display() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    code = "import sys, agent.backends.xkeyboard; assert 'Xlib' not in sys.modules, 'Xlib imported'"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True, timeout=60)


# --- the echo app ------------------------------------------------------------------------------


@dataclass
class EchoApp:
    proc: subprocess.Popen[bytes]
    out: Path

    def text(self) -> str:
        with open(self.out, encoding="utf-8", newline="") as f:
            return f.read()

    def wait_for(self, expected: str, timeout: float = 10.0) -> str:
        """The app's text once it equals `expected`, or whatever it holds at the timeout."""
        deadline = time.monotonic() + timeout
        while (got := self.text()) != expected and time.monotonic() < deadline:
            time.sleep(0.01)
        return got

    def wait_stable(self, quiet: float = 0.5, timeout: float = 10.0) -> str:
        """The app's text once it has not changed for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        last, since = self.text(), time.monotonic()
        while time.monotonic() - since < quiet and time.monotonic() < deadline:
            time.sleep(0.02)
            if (now := self.text()) != last:
                last, since = now, time.monotonic()
        return last


def _start_echo_app(
    display: VirtualDisplay, tmp: Path, text_widget: bool, delay_ms: float
) -> EchoApp:
    out = tmp / f"echo-{time.monotonic_ns()}.txt"
    args = [sys.executable, str(ECHO_APP), str(out), "--delay-ms", str(delay_ms)]
    args += ["--text"] if text_widget else []
    proc = subprocess.Popen(args, env=display.env, stderr=subprocess.PIPE)
    ready = Path(f"{out}.ready")
    deadline = time.monotonic() + 20
    while not ready.exists():
        if proc.poll() is not None:
            stderr = proc.stderr.read().decode() if proc.stderr else ""
            pytest.fail(f"echo app exited with {proc.returncode}: {stderr}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("echo app never got the keyboard focus")
        time.sleep(0.01)
    return EchoApp(proc, out)


@pytest.fixture
def start_app(tmp_path: Path) -> Iterator[Callable[..., EchoApp]]:
    """Factory: `start_app(display, text_widget=False, delay_ms=0)` -> a focused echo app."""
    apps: list[EchoApp] = []

    def start(display: VirtualDisplay, text_widget: bool = False, delay_ms: float = 0) -> EchoApp:
        app = _start_echo_app(display, tmp_path, text_widget, delay_ms)
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.proc.terminate()
        try:
            app.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            app.proc.kill()
        if app.proc.stderr:
            app.proc.stderr.close()


@dataclass
class KeymapSnapshot:
    core: list[list[int]]
    xkb: list[bytes]
    keys_down: list[int]


def _snapshot(display_name: str) -> KeymapSnapshot:
    from Xlib import display as xdisplay

    d = xdisplay.Display(display_name)
    try:
        info = d.display.info
        first, count = info.min_keycode, info.max_keycode - info.min_keycode + 1
        core = [list(row) for row in d.get_keyboard_mapping(first, count)]
        xkb = Xkb.open(d)
        assert xkb is not None
        keymap = d.query_keymap()
        down = [8 * i + b for i, byte in enumerate(keymap) for b in range(8) if byte >> b & 1]
        return KeymapSnapshot(core, xkb.get_sym_maps(first, count), down)
    finally:
        d.close()


def _type(display: VirtualDisplay, text: str, **kwargs: Any) -> int:
    with XKeyboard(display.name) as kb:
        return kb.type_text(text, **kwargs)


# --- typing into Tk ----------------------------------------------------------------------------


@pytest.mark.gui
@pytest.mark.parametrize(
    "text",
    [
        "Zürich 東京 ok",
        'Hello, World! @#$%^&*()_+{}|:"<>?~',
        "The quick brown fox jumps over the lazy dog 0123456789 -=[]\\;',./`",
        "äöüß€東京",
        "éééé",
        "ÉÀ Ж ok, ÄÖÜ",
        "emoji 😀🎉 ok",
        "aé" * 20,
    ],
)
def test_types_exactly_into_entry(
    xvfb: VirtualDisplay, start_app: Callable[..., EchoApp], text: str
) -> None:
    app = start_app(xvfb)
    before = _snapshot(xvfb.name)
    assert _type(xvfb, text) == len(text)
    assert app.wait_for(text) == text
    after = _snapshot(xvfb.name)
    assert after.core == before.core, "core keyboard mapping not restored"
    assert after.xkb == before.xkb, "XKB symbol maps not restored byte for byte"
    assert after.keys_down == []


@pytest.mark.gui
def test_more_distinct_chars_than_spare_keycodes(
    xvfb: VirtualDisplay, start_app: Callable[..., EchoApp]
) -> None:
    """Several remap batches in one call; the keycodes get reused for other characters."""
    app = start_app(xvfb)
    before = _snapshot(xvfb.name)
    text = f"{CJK_60} mixed {CJK_60[::-1]} end"
    assert _type(xvfb, text) == len(text)
    assert app.wait_for(text) == text
    assert _snapshot(xvfb.name).core == before.core


@pytest.mark.gui
def test_consecutive_calls_on_one_keyboard(
    xvfb: VirtualDisplay, start_app: Callable[..., EchoApp]
) -> None:
    app = start_app(xvfb)
    parts = ["äö", "üß", "東", "京", "Zürich", "€"]
    with XKeyboard(xvfb.name) as kb:
        for part in parts:
            assert kb.type_text(part) == len(part)
    expected = "".join(parts)
    assert app.wait_for(expected) == expected


@pytest.mark.gui
def test_newlines_and_tabs_into_text_widget(
    xvfb: VirtualDisplay, start_app: Callable[..., EchoApp]
) -> None:
    app = start_app(xvfb, text_widget=True)
    text = "line one\n\tTab é\nZürich 東京\n\nend"
    assert _type(xvfb, text) == len(text)
    assert app.wait_for(text) == text
    assert _type(xvfb, "\r\nCRLF") == 6  # "\r\n" is one Return
    assert app.wait_for(text + "\nCRLF") == text + "\nCRLF"


@pytest.mark.gui
def test_should_stop_leaves_a_strict_prefix(
    xvfb: VirtualDisplay, start_app: Callable[..., EchoApp]
) -> None:
    app = start_app(xvfb)
    before = _snapshot(xvfb.name)
    text = "Zürich 東京 and much more text"
    calls = 0

    def stop_after_nine() -> bool:
        nonlocal calls
        calls += 1
        return calls > 9

    typed = _type(xvfb, text, should_stop=stop_after_nine)
    assert typed == 9
    got = app.wait_stable()
    assert got == text[:9] and len(got) < len(text)
    after = _snapshot(xvfb.name)
    assert after.core == before.core and after.keys_down == []


@pytest.mark.gui
def test_exception_restores_mapping_and_releases_shift(
    xvfb: VirtualDisplay, start_app: Callable[..., EchoApp]
) -> None:
    app = start_app(xvfb)
    before = _snapshot(xvfb.name)
    calls = 0

    def explode_while_shifted() -> bool:
        nonlocal calls
        calls += 1
        if calls == 4:  # "é", "A", "B" typed: shift is held for the uppercase letters
            raise KeyboardInterrupt
        return False

    with pytest.raises(KeyboardInterrupt):
        _type(xvfb, "éABCDé", should_stop=explode_while_shifted)
    assert app.wait_stable() == "éAB"
    after = _snapshot(xvfb.name)
    assert after.core == before.core and after.xkb == before.xkb
    assert after.keys_down == [], "a key (shift?) is still held down"
    assert _type(xvfb, "c") == 1  # and the next key is not shifted
    assert app.wait_for("éABc") == "éABc"


@pytest.mark.gui
def test_untypable_character_types_nothing(
    xvfb: VirtualDisplay, start_app: Callable[..., EchoApp]
) -> None:
    app = start_app(xvfb)
    with pytest.raises(ValueError):
        _type(xvfb, "abc\x00def")
    assert app.wait_stable(quiet=0.3) == ""


@pytest.mark.gui
def test_closed_keyboard_refuses(xvfb: VirtualDisplay) -> None:
    kb = XKeyboard(xvfb.name)
    kb.close()
    kb.close()  # idempotent
    with pytest.raises(RuntimeError):
        kb.type_text("a")


@pytest.mark.gui
def test_slow_app_gets_every_character(
    xvfb: VirtualDisplay, start_app: Callable[..., EchoApp]
) -> None:
    """The app needs 15 ms per character, far more than the time estimate assumes: the ping
    makes the keymap changes wait until the app has really handled the keys before them."""
    app = start_app(xvfb, delay_ms=15)
    text = "Zürich 東京 ok " + CJK_60[:30] + " done"
    assert _type(xvfb, text) == len(text)
    assert app.wait_for(text, timeout=20) == text


def _focus_follows_pointer(display: VirtualDisplay, x: int, y: int) -> None:
    """The keyboard focus on PointerRoot, as on an X server without a window manager (a bare
    Xvfb): keys go to the window under the pointer, put at (x, y)."""
    from Xlib import X
    from Xlib import display as xdisplay

    d = xdisplay.Display(display.name)
    try:
        d.set_input_focus(X.PointerRoot, X.RevertToPointerRoot, X.CurrentTime)
        d.screen().root.warp_pointer(x, y)
        d.sync()
    finally:
        d.close()


@pytest.mark.gui
def test_slow_app_under_the_pointer_gets_every_character(
    xvfb: VirtualDisplay, start_app: Callable[..., EchoApp]
) -> None:
    """No window manager: the focus is PointerRoot, so the app to ping is the one under the
    pointer (without a ping, the time estimate restores keycodes before a slow app read them)."""
    app = start_app(xvfb, delay_ms=15)
    _focus_follows_pointer(xvfb, 60, 35)  # the Entry, at +20+20 with 10 px of padding
    text = "Zürich 東京 ok " + CJK_60[:30] + " done"
    assert _type(xvfb, text) == len(text)
    assert app.wait_for(text, timeout=20) == text


@pytest.mark.gui
def test_core_protocol_fallback_without_xkb(
    xvfb: VirtualDisplay, start_app: Callable[..., EchoApp]
) -> None:
    app = start_app(xvfb)
    before = _snapshot(xvfb.name)
    text = "äöüß€東京 ok ÉÀ"
    with XKeyboard(xvfb.name) as kb:
        kb._xkb = None  # as on a server without the XKEYBOARD extension
        assert kb.type_text(text) == len(text)
    assert app.wait_for(text) == text
    assert _snapshot(xvfb.name).core == before.core


@pytest.mark.gui
def test_time_estimate_when_the_client_does_not_answer_pings(
    xvfb: VirtualDisplay, start_app: Callable[..., EchoApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(XKeyboard, "_ping_focused_client", lambda self, estimate: False)
    app = start_app(xvfb)
    text = "Zürich 東京 ok " + CJK_60[:30]
    with XKeyboard(xvfb.name, settle_s=0.3, client_key_s=0.01) as kb:
        assert kb.type_text(text) == len(text)
    assert app.wait_for(text) == text


@pytest.mark.gui
def test_borrows_keycodes_when_none_is_spare(
    make_display: Callable[[int, int], VirtualDisplay], start_app: Callable[..., EchoApp]
) -> None:
    from Xlib import display as xdisplay

    screen = make_display(640, 480)
    d = xdisplay.Display(screen.name)
    try:  # give every empty keycode a (harmless) keysym: F13..F35 and XF86 launch keys
        info = d.display.info
        first = info.min_keycode
        rows = d.get_keyboard_mapping(first, info.max_keycode - first + 1)
        empty = [first + i for i, row in enumerate(rows) if not any(row)]
        for n, keycode in enumerate(empty):
            d.change_keyboard_mapping(keycode, [[0x1008FF40 + n]])
        d.sync()
    finally:
        d.close()
    app = start_app(screen)
    before = _snapshot(screen.name)
    assert not any(not any(row) for row in before.core)
    text = "Zürich 東京 ok " + CJK_60[:12]
    assert _type(screen, text) == len(text)
    assert app.wait_for(text) == text
    after = _snapshot(screen.name)
    assert after.core == before.core and after.xkb == before.xkb


def _caps_lock_on(display: VirtualDisplay) -> bool:
    from Xlib import X
    from Xlib import display as xdisplay

    d = xdisplay.Display(display.name)
    try:
        return bool(d.screen().root.query_pointer().mask & X.LockMask)
    finally:
        d.close()


@pytest.mark.gui
def test_caps_lock_does_not_change_the_text_and_stays_on(
    xvfb: VirtualDisplay, start_app: Callable[..., EchoApp]
) -> None:
    app = start_app(xvfb)
    subprocess.run(["xdotool", "key", "Caps_Lock"], env=xvfb.env, check=True, timeout=10)
    assert _caps_lock_on(xvfb)
    try:
        text = "Hello World, zürich ÄÖ 東京 aB"
        assert _type(xvfb, text) == len(text)
        assert app.wait_for(text) == text
        assert _caps_lock_on(xvfb), "the person's Caps Lock was left off"
    finally:
        if _caps_lock_on(xvfb):
            subprocess.run(["xdotool", "key", "Caps_Lock"], env=xvfb.env, check=True, timeout=10)
