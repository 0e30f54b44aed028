"""Type arbitrary Unicode text into the focused X11 window through XTEST (like `xdotool type`).

Characters the current keymap already has (in the plain or the shifted column of a key) are typed
with that key. Any other character is typed through a spare keycode (one without keysyms) that is
temporarily given the character's keysym; the original mapping is restored before `type_text`
returns, on every exit path. python-xlib is imported lazily: importing this module needs no
display.

What remapping has to respect (measured against Tk on Xvfb, see tests/test_xkeyboard.py):

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
  GTK, Qt and Chromium list it). A client that does not answer gets a time estimate instead:
  `client_key_s` per key sent plus `settle_s`.
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
_MAX_BORROWED = 8  # keycodes borrowed from real keys when the keymap has no empty ones
_PING_PATIENCE_S = 10.0  # longest wait for a client known to answer _NET_WM_PING (hung?)
_PING_PROBE_S = 0.5  # least wait for the first answer of a client not known to answer
_FOREIGN_MODIFIERS = 0x4 | 0x8 | 0x40  # ControlMask, Mod1Mask (Alt), Mod4Mask (Super)
_LOCK_MASK = 0x2
_CAPS_LOCK = 0xFFE5
_FOREIGN_MODIFIER_PATIENCE_S = 2.0  # then type anyway: a stuck modifier must not hang a run
PACE_EVERY = 16  # characters typed between waits for the app to catch up (a stop cuts there)


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
        root = self._display.screen().root
        protocols = self._atom("WM_PROTOCOLS")
        while not isinstance(window, int) and window.id != root.id:  # int: None or PointerRoot
            prop = window.get_full_property(protocols, X.AnyPropertyType)
            if prop is not None:
                return window, self._atom("_NET_WM_PING") in prop.value
            window = window.query_tree().parent
        return None, False

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
        session = _TypingSession(self, text, keysyms)
        try:
            return session.run(should_stop)
        finally:
            session.finish()


class _TypingSession:
    """One `type_text` call: a keymap snapshot, the spare keycodes and what they hold now."""

    def __init__(self, kb: XKeyboard, text: str, keysyms: list[int]) -> None:
        self.kb = kb
        self.display: Any = kb._display
        self.pacing = kb._pacing
        self.text = text
        self.keysyms = keysyms
        info = self.display.display.info
        first, last = info.min_keycode, info.max_keycode
        rows = self.display.get_keyboard_mapping(first, last - first + 1)
        core = {first + i: list(row) for i, row in enumerate(rows)}
        # keysym -> (keycode, needs shift); a key's plain column wins over any shifted one.
        self.direct: dict[int, tuple[int, bool]] = {}
        for column in (0, 1):
            for keycode, row in core.items():
                if len(row) > column and row[column]:
                    self.direct.setdefault(row[column], (keycode, column == 1))
        modifiers = self.display.get_modifier_mapping()
        shift_keys = [k for k in modifiers[kb._X.ShiftMapIndex] if k]
        self.shift_keycode: int | None = shift_keys[0] if shift_keys else None
        self.shift_down = False
        self.caps_lock_keycode = self.direct.get(_CAPS_LOCK, (None, False))[0]
        self.caps_lock_was_on = False
        # Each key's mapping in the form the backend writes: XKB wire sym maps or core rows.
        self.original: dict[int, Any]
        if kb._xkb is not None:
            maps = kb._xkb.get_sym_maps(first, last - first + 1)
            self.original = {first + i: m for i, m in enumerate(maps)}
        else:
            self.original = {k: tuple(row) for k, row in core.items()}
        self.current = dict(self.original)
        self.pool = self._pool_keycodes(core, {k for group in modifiers for k in group if k})
        self.holds: dict[int, int] = {}  # pool keycode -> keysym it is mapped to now

    def _pool_keycodes(self, core: dict[int, list[int]], modifier_keycodes: set[int]) -> list[int]:
        spare = [k for k, row in core.items() if not any(row)]
        if spare:
            return spare
        # No empty keycode: borrow the highest ones that neither this text nor a modifier uses, and
        # that have no XKB actions (they would act, e.g. switch VT, instead of typing).
        used = {self.direct[s][0] for s in self.keysyms if s in self.direct} | modifier_keycodes
        if self.kb._xkb is not None:
            used |= self.kb._xkb.keys_with_actions(min(core), len(core))
        borrowed = [k for k in sorted(core, reverse=True) if k not in used]
        if not borrowed:
            raise RuntimeError("no keycode is free to remap")
        return borrowed[:_MAX_BORROWED]

    def run(self, should_stop: Callable[[], bool] | None) -> int:
        text, keysyms = self.text, self.keysyms
        self._suspend_caps_lock()
        first_remapped = next((i for i, s in enumerate(keysyms) if s not in self.direct), None)
        if first_remapped is not None:
            # Map the first batch before typing anything: the client is most likely idle now, so
            # the ping that precedes the change tells quickly whether the client answers pings.
            self._pool_keycode(first_remapped)
        typed = 0
        while typed < len(keysyms):
            if typed and typed % PACE_EVERY == 0:
                # Stay close behind the app: keys already queued would arrive after a stop.
                self._quiesce()
            if should_stop is not None and should_stop():  # may wait here while paused
                break
            # A chord a person presses between two keys of ours would turn the second into a
            # shortcut (ctrl+w closes a tab): wait it out, then check and type under a server grab.
            # The chord may be the one that paused or resumes the run: looked at after should_stop.
            patient_until = self._wait_while_someone_holds_modifiers(should_stop)
            if patient_until is None:
                break
            keysym = keysyms[typed]
            remapped = keysym not in self.direct
            if remapped:  # remapping pings the app, which cannot answer during a grab: before it
                keycode, shifted = self._pool_keycode(typed), False
            else:
                keycode, shifted = self.direct[keysym]
            if not self._tap_unless_modifiers_held(keycode, shifted, patient_until):
                continue
            if remapped:
                self.pacing.pool_done_at = self.pacing.client_done_at
            typed += 2 if text[typed] == "\r" and text[typed + 1 : typed + 2] == "\n" else 1
        return typed

    def _tap_unless_modifiers_held(self, keycode: int, shifted: bool, patient_until: float) -> bool:
        """Type one key while no other client can send input; False (nothing typed) if a person
        pressed a modifier since the last look."""
        self.display.grab_server()
        try:
            held = self._foreign_modifiers_held() and time.monotonic() < patient_until
            if not held:
                self._set_shift(shifted)
                self._tap(keycode)
        finally:
            self.display.ungrab_server()
            self.display.flush()
        return not held

    def _suspend_caps_lock(self) -> None:
        """Caps Lock would invert the case of every letter: off while typing, on again after."""
        if self.caps_lock_keycode is None:
            return
        if self.display.screen().root.query_pointer().mask & _LOCK_MASK:
            self._tap(self.caps_lock_keycode)
            self.caps_lock_was_on = True

    def _foreign_modifiers_held(self) -> bool:
        return bool(self.display.screen().root.query_pointer().mask & _FOREIGN_MODIFIERS)

    def _key(self, keycode: int, press: bool) -> None:
        event = self.kb._X.KeyPress if press else self.kb._X.KeyRelease
        self.kb._xtest.fake_input(self.display, event, keycode)

    def _wait_while_someone_holds_modifiers(
        self, should_stop: Callable[[], bool] | None
    ) -> float | None:
        """Hold back while a person holds Ctrl, Alt or Super (they may be pressing the kill
        hotkey); the time until which holding back goes on (a stuck modifier must not hang;
        time paused does not count), or None when the run is to stop."""
        deadline = time.monotonic() + _FOREIGN_MODIFIER_PATIENCE_S
        while self._foreign_modifiers_held() and time.monotonic() <= deadline:
            if should_stop is not None:
                asked = time.monotonic()
                if should_stop():
                    return None
                deadline += time.monotonic() - asked
            time.sleep(0.005)
        return deadline

    def _tap(self, keycode: int) -> None:
        self._key(keycode, True)
        self._key(keycode, False)
        pacing = self.pacing
        pacing.client_done_at = max(pacing.client_done_at, time.monotonic()) + self.kb.client_key_s

    def _set_shift(self, down: bool) -> None:
        if down == self.shift_down:
            return
        if self.shift_keycode is None:
            raise RuntimeError("the keymap has no Shift key")
        self._key(self.shift_keycode, down)
        self.shift_down = down

    def _pool_keycode(self, index: int) -> int:
        """The pool keycode mapped to keysyms[index], remapping the next batch if needed."""
        keysym = self.keysyms[index]
        for keycode, held in self.holds.items():
            if held == keysym:
                return keycode
        # Next batch: the first len(pool) distinct keysyms from here on that need a pool keycode.
        wanted: list[int] = []
        for s in self.keysyms[index:]:
            if s not in self.direct and s not in wanted:
                wanted.append(s)
                if len(wanted) == len(self.pool):
                    break
        keep = {k: s for k, s in self.holds.items() if s in wanted}
        fresh = [s for s in wanted if s not in keep.values()]
        assignment = dict(zip([k for k in self.pool if k not in keep], fresh, strict=False))
        self._change({k: self._entry(s) for k, s in assignment.items()})
        self.holds = {**keep, **assignment}
        return next(k for k, s in self.holds.items() if s == keysym)

    def _entry(self, keysym: int) -> Any:
        if self.kb._xkb is not None:
            return Xkb.one_level(keysym)
        return (keysym, keysym)  # core: same keysym with and without shift

    def _change(self, entries: dict[int, Any]) -> None:
        """Install `entries` once the client is done with the old mapping; synced on return."""
        self.current.update(entries)
        xkb = self.kb._xkb
        if xkb is not None:  # one request, one notification, over the span of the changed keys
            first, last = min(entries), max(entries)
            self._quiesce()
            xkb.set_sym_maps(first, [self.current[k] for k in range(first, last + 1)])
        else:  # core protocol: one request per keycode
            for keycode in sorted(entries):
                self._quiesce()
                self.display.change_keyboard_mapping(keycode, [list(entries[keycode])])
                self.display.sync()
        self.pacing.last_change_at = time.monotonic()

    def _quiesce(self) -> None:
        """Wait until the focused client has handled all we sent (ping, else time estimate)."""
        pacing = self.pacing
        estimate = max(pacing.pool_done_at, pacing.last_change_at) + self.kb.settle_s
        if self.kb._ping_focused_client(estimate):
            return
        delay = estimate - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def finish(self) -> None:
        """Release shift, restore Caps Lock, then every remapped keycode once the client is done
        with it."""
        try:
            if self.shift_down and self.shift_keycode is not None:
                self._key(self.shift_keycode, False)
                self.shift_down = False
            if self.caps_lock_was_on and self.caps_lock_keycode is not None:
                self._tap(self.caps_lock_keycode)
                self.caps_lock_was_on = False
            # A round trip, not just a flush: the server drops the requests it has not processed
            # yet when a connection closes, so a caller closing right away could lose keys.
            self.display.sync()
        finally:
            changed = {k: v for k, v in self.original.items() if self.current[k] != v}
            self.holds.clear()
            if changed:
                self._change(changed)
