"""One `XKeyboard.type_text` call: the keymap borrowed for characters it lacks, each key tapped
once no person holds a key, and the keymap given back (see agent/backends/xkeyboard.py for what
remapping has to respect)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from agent.backends.xkb import Xkb

if TYPE_CHECKING:
    from agent.backends.xkeyboard import XKeyboard

__all__ = ["PACE_EVERY", "TypingSession"]

_FOREIGN_MODIFIERS = 0x4 | 0x8 | 0x40  # ControlMask, Mod1Mask (Alt), Mod4Mask (Super)
_LOCK_MASK = 0x2
_CAPS_LOCK = 0xFFE5
_HELD_KEY_PATIENCE_S = 2.0  # then type anyway: a stuck key must not hang a run
_MAX_BORROWED = 8  # keycodes borrowed from real keys when the keymap has no empty ones
PACE_EVERY = 16  # characters typed between waits for the app to catch up (a stop cuts there)


class TypingSession:
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
        self.modifier_keycodes = {k for group in modifiers for k in group if k}
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
        self.pool = self._pool_keycodes(core, self.modifier_keycodes)
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
            # shortcut (ctrl+w closes a tab), or lose it to the grab the chord set off: wait it
            # out, then check and type under a server grab. The chord may be the one that paused
            # or resumes the run: looked at after should_stop.
            patient_until = self._wait_while_someone_holds_keys(should_stop)
            if patient_until is None:
                break
            keysym = keysyms[typed]
            remapped = keysym not in self.direct
            if remapped:  # remapping pings the app, which cannot answer during a grab: before it
                keycode, shifted = self._pool_keycode(typed), False
            else:
                keycode, shifted = self.direct[keysym]
            if not self._tap_unless_keys_held(keycode, shifted, patient_until):
                continue
            if remapped:
                self.pacing.pool_done_at = self.pacing.client_done_at
            typed += 2 if text[typed] == "\r" and text[typed + 1 : typed + 2] == "\n" else 1
        return typed

    def _tap_unless_keys_held(self, keycode: int, shifted: bool, patient_until: float) -> bool:
        """Type one key while no other client can send input; False (nothing typed) if a person
        pressed a key since the last look."""
        self.display.grab_server()
        try:
            held = self._someone_holds_keys() and time.monotonic() < patient_until
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

    def _someone_holds_keys(self) -> bool:
        """Ctrl, Alt or Super held, or any key that is no modifier (none of ours: each is let go
        at once). A chord's own key is often let go after its modifiers, and while it is down the
        grab it set off (the run's pause hotkey, another program's shortcut) takes every key we
        send: a character typed then would be lost."""
        if self.display.screen().root.query_pointer().mask & _FOREIGN_MODIFIERS:
            return True
        down = self.display.query_keymap()  # 32 bytes, a bit per keycode
        return any(byte >> bit & 1 and 8 * index + bit not in self.modifier_keycodes
                   for index, byte in enumerate(down) if byte for bit in range(8))

    def _key(self, keycode: int, press: bool) -> None:
        event = self.kb._X.KeyPress if press else self.kb._X.KeyRelease
        self.kb._xtest.fake_input(self.display, event, keycode)

    def _wait_while_someone_holds_keys(
        self, should_stop: Callable[[], bool] | None
    ) -> float | None:
        """Hold back while a person holds Ctrl, Alt, Super or a key that is no modifier (they
        may be pressing the kill hotkey); the time until which holding back goes on (a stuck key
        must not hang; time paused does not count), or None when the run is to stop."""
        deadline = time.monotonic() + _HELD_KEY_PATIENCE_S
        while self._someone_holds_keys() and time.monotonic() <= deadline:
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
