"""Type arbitrary Unicode text into the focused X11 window through XTEST (like `xdotool type`).

Characters the current keymap already has (in the plain or the shifted column of a key) are typed
with that key. Any other character is typed through a spare keycode (one without keysyms) that is
temporarily given the character's keysym; the original mapping is restored before `type_text`
returns, on every exit path. python-xlib is imported lazily: importing this module needs no
display.

What remapping has to respect (measured against Tk on Xvfb, see tests/backends/test_xkeyboard.py):

* A client translates keycodes with its *cached* keymap. libX11 notes a MappingNotify as soon as it
  *reads* it from the socket and refetches at its next lookup, even while key events sent before
  the change still wait in its queue (Tk drains the socket eagerly). So a keycode must not be
  remapped or restored until the client has *handled* the key events that used the old mapping;
  `display.sync()` does not help, it only proves that the *server* is done.
* Several notifications in a row can leave a client stale. With one core ChangeKeyboardMapping
  per spare keycode sent back to back, Tk refetched only the first keycode (seen with the RECORD
  extension: XkbGetMap for keys 8..8), kept stale keysyms for the rest of the batch and typed the
  previous batch's characters (libX11 seems to forget changes noted while a refetch is in flight).
  So a batch is installed with a *single* XKB SetMap request (one notification) over the keycode
  range it spans, the keys in between written back byte for byte.
* Before any keymap change we wait until the focused client has handled everything sent so far: we
  send its top-level window a _NET_WM_PING (EWMH) and wait for the answer, which it sends only
  after processing the earlier events (Tk answers although its WM_PROTOCOLS does not list it;
  GTK, Qt and Chromium list it). With no window manager (a bare Xvfb) the focus is PointerRoot
  and the keys go to the window under the pointer: that top-level window is pinged. A client
  that does not answer gets a time estimate instead: `client_key_s` per key sent plus
  `settle_s`.
* The server drops requests it has not processed yet when a connection closes, so `type_text`
  ends with a round trip: a caller that closes right away could otherwise lose its last keys.
* Caps Lock would invert the case of letters (ours and remapped ones): it is switched off for the
  typing and back on after it, on every exit path.
* Without the XKEYBOARD extension, one core request per keycode is sent, each after the wait above.

Plain ASCII text never remaps anything and never waits.
"""

from __future__ import annotations

import select
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from agent.backends.xkb import Xkb
from agent.backends.xtyping import TypingSession

__all__ = ["XKeyboard", "char_to_keysym"]

# X11 "TTY function" keysyms for the control characters that have a key.
_CONTROL_KEYSYMS = {
    "\b": 0xFF08,  # BackSpace
    "\t": 0xFF09,  # Tab
    "\n": 0xFF0D,  # Return
    "\r": 0xFF0D,  # Return ("\r\n" is typed as one Return)
    "\x1b": 0xFF1B,  # Escape
    "\x7f": 0xFFFF,  # Delete
}
_UNICODE_KEYSYM_OFFSET = 0x01000000
_PING_PATIENCE_S = 10.0  # longest wait for a client known to answer _NET_WM_PING (hung?)
_PING_PROBE_S = 0.5  # least wait for the first answer of a client not known to answer


def char_to_keysym(char: str) -> int:
    """The X keysym that types `char`: Latin-1 keysym, TTY function key, or Unicode keysym."""
    if char in _CONTROL_KEYSYMS:
        return _CONTROL_KEYSYMS[char]
    code = ord(char)
    if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF:
        return code
    if code < 0xA0 or 0xD800 <= code <= 0xDFFF:
        raise ValueError(f"no key types the control character or lone surrogate {char!r}")
    return _UNICODE_KEYSYM_OFFSET + code


@dataclass
class _Pacing:
    """What the focused client of one display probably still has to do (shared per process)."""

    client_done_at: float = 0.0  # when it has handled every key sent so far (estimate)
    pool_done_at: float = 0.0  # when it has handled the last key sent on a remapped keycode
    last_change_at: float = 0.0  # when the keymap was last changed


_PACING: dict[str, _Pacing] = {}


class XKeyboard:
    """Types text into whichever X11 window has the keyboard focus, via the XTEST extension."""

    def __init__(
        self,
        display_name: str | None = None,
        *,
        settle_s: float = 0.02,
        client_key_s: float = 0.001,
    ) -> None:
        """Connect to `display_name` (default: $DISPLAY), which must have XTEST.

        `settle_s` and `client_key_s` only matter for a focused client that does not answer
        _NET_WM_PING: then a keymap change waits for `client_key_s` per key sent plus `settle_s`
        (see the module docstring); raise them for slow applications of that kind.
        """
        from Xlib import X
        from Xlib import display as xdisplay
        from Xlib.ext import xtest

        self._X: Any = X
        self._xtest: Any = xtest
        self._display: Any = xdisplay.Display(display_name)
        self._closed = False
        try:
            if not self._display.has_extension("XTEST"):
                raise RuntimeError(f"X display {display_name!r} has no XTEST extension")
            self._xkb: Xkb | None = Xkb.open(self._display)
        except BaseException:
            self.close()
            raise
        self.settle_s = settle_s
        self.client_key_s = client_key_s
        self._pacing = _PACING.setdefault(str(self._display.get_display_name()), _Pacing())
        self._atoms: dict[str, int] = {}
        self._watching_root = False
        self._ping_serial = 0
        # top-level window -> whether it answers pings (per instance: window ids get reused)
        self._answers_ping: dict[int, bool] = {}

    def __enter__(self) -> XKeyboard:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the display connection (idempotent)."""
        if not self._closed:
            self._closed = True
            self._display.close()

    def _ping_focused_client(self, estimate: float) -> bool:
        """Ping the focused top-level window; True once its client answered (it is idle then).

        A window known to answer (or listing _NET_WM_PING) gets up to _PING_PATIENCE_S; an
        unknown one until its estimated backlog is done but at least _PING_PROBE_S; a window
        known not to answer is not pinged.
        """
        from Xlib import X, error
        from Xlib.protocol import event

        try:
            window, advertised = self._focused_top_level()
        except error.XError:  # the focus window vanished while we walked up the tree
            return False
        if window is None or self._answers_ping.get(window.id) is False:
            return False
        answers = self._answers_ping.get(window.id, advertised)
        now = time.monotonic()
        if answers:
            deadline = now + _PING_PATIENCE_S
        else:  # first ping to this window: it has until its estimated backlog is done
            backlog_done = self._pacing.client_done_at + self.settle_s
            deadline = max(estimate, backlog_done, now + _PING_PROBE_S)
        if not self._watching_root:  # answers are sent to the root window
            self._display.screen().root.change_attributes(event_mask=X.SubstructureNotifyMask)
            self._watching_root = True
        self._ping_serial += 1
        protocols = self._atom("WM_PROTOCOLS")
        ping = [self._atom("_NET_WM_PING"), self._ping_serial, window.id, 0, 0]
        message = event.ClientMessage(window=window, client_type=protocols, data=(32, ping))
        window.send_event(message, event_mask=X.NoEventMask, onerror=error.CatchError())
        self._display.flush()
        while True:
            while self._display.pending_events():
                answer = self._display.next_event()
                if answer.type != X.ClientMessage or answer.client_type != protocols:
                    continue
                got = list(answer.data[1])
                if got[0] == ping[0] and got[2] == window.id:
                    self._answers_ping[window.id] = True
                    if got[1] == ping[1]:
                        return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._answers_ping[window.id] = answers
                return False
            select.select([self._display.fileno()], [], [], remaining)

    def _focused_top_level(self) -> tuple[Any, bool]:
        """The window with WM_PROTOCOLS holding (or containing) the keyboard focus, or None;
        and whether it lists _NET_WM_PING there."""
        from Xlib import X

        window = self._display.get_input_focus().focus
        if window == X.PointerRoot:  # no window manager set a focus: keys go under the pointer
            return self._top_level_under_pointer()
        root = self._display.screen().root
        while not isinstance(window, int) and window.id != root.id:  # int: None
            if (found := self._protocols(window)) is not None:
                return window, found
            window = window.query_tree().parent
        return None, False

    def _top_level_under_pointer(self) -> tuple[Any, bool]:
        """`_focused_top_level` for a PointerRoot focus (an X server without a window manager,
        such as a bare Xvfb): the outermost window under the pointer that has WM_PROTOCOLS."""
        window = self._display.screen().root.query_pointer().child
        while not isinstance(window, int):  # int: no child there
            if (found := self._protocols(window)) is not None:
                return window, found
            window = window.query_pointer().child
        return None, False

    def _protocols(self, window: Any) -> bool | None:
        """Whether `window`'s WM_PROTOCOLS lists _NET_WM_PING; None when it has none."""
        from Xlib import X

        prop = window.get_full_property(self._atom("WM_PROTOCOLS"), X.AnyPropertyType)
        return None if prop is None else self._atom("_NET_WM_PING") in prop.value

    def _atom(self, name: str) -> int:
        if name not in self._atoms:
            self._atoms[name] = self._display.intern_atom(name)
        return self._atoms[name]

    def type_text(self, text: str, should_stop: Callable[[], bool] | None = None) -> int:
        """Type `text` into the focused window; returns how many characters of it were typed.

        `should_stop` is called before each character; typing ends early once it returns True.
        Raises ValueError, before typing anything, for a character no key can produce.
        """
        if self._closed:
            raise RuntimeError("XKeyboard is closed")
        keysyms = [char_to_keysym(c) for c in text]
        if not keysyms:
            return 0
        session = TypingSession(self, text, keysyms)
        try:
            return session.run(should_stop)
        finally:
            session.finish()
