"""Stopping and pausing a run from outside the loop: kill hotkey, takeover, signals.

The loop asks `checkpoint()` between phases and the executor asks `should_stop()` between keys
and chunks of text. A stop while the main thread waits (for a model, at a prompt, between
phases) interrupts it at once with a real SIGINT, which also breaks a blocked socket read. A stop
while it sends input, or writes the record, is never delivered as an exception there — an X
request cut in half would hang the connection with keys held — the input ends at the next key,
and the loop stops at its next checkpoint.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, Literal

from actions import Action, Hotkey
from actions.executor import FAIL_SAFE_REASON
from actions.keys import MODIFIERS, chord, parse_chord
from agent.backends.keygrab import KeyGrab
from agent.errors import ActionError, AgentError, Stopped, TaskFailed, UsageError

__all__ = ["HotkeyListener", "RunControl", "TakeoverPolicy", "pynput_hotkey"]

TakeoverPolicy = Literal["pause", "stop", "ignore"]
_META_KEYSYMS = (0xFFE7, 0xFFE8)  # Meta_L, Meta_R
_SIGNAL_REASONS = {signal.SIGINT: "stopped by the user (Ctrl+C)",
                   signal.SIGTERM: "stopped by SIGTERM"}


class RunControl:
    """Shared stop/pause state of one run."""

    def __init__(self, on_takeover: TakeoverPolicy = "ignore",
                 say: Callable[[str], None] | None = None) -> None:
        self.on_takeover = on_takeover
        self.say = say or (lambda text: print(text, file=sys.stderr, flush=True))
        self.reason: str | None = None
        self._stopped = threading.Event()
        self._running = threading.Event()  # cleared while paused
        self._running.set()
        self._ours: frozenset[str] = frozenset()  # the input kinds we are sending now
        self._was_ours: frozenset[str] = frozenset()  # ... until `_acting_until`
        self._attending = 0  # a person is being asked something: their input is the answer
        self._attended = 0.0  # seconds spent asking a person, before the current question
        self._asked_at = 0.0
        self._budget = False  # stopped because a budget ran out, not by the user
        self._shielded = 0  # nesting depth of work a KeyboardInterrupt must not cut
        self._acting_until = 0.0
        self._main = threading.main_thread().ident
        # pyautogui's fail-safe corners, told by the loop: the pointer there stops the run at
        # once, even while paused (pyautogui itself only looks when it sends input).
        self.corners: frozenset[tuple[int, int]] = frozenset()
        self.own_hotkeys: dict[frozenset[str], str] = {}  # chord → "the kill hotkey ctrl+alt+esc"

    # -- asked by the loop and the executor ---------------------------------------------------
    def should_stop(self) -> bool:
        """Whether to stop now; while paused, waits here (mid-text, mid-wait) until resumed."""
        while not self._running.is_set() and not self._stopped.is_set():
            self._running.wait(0.1)
        return self._stopped.is_set()

    def checkpoint(self) -> None:
        """Raise Stopped (TaskFailed for a budget) when stopped; block while paused."""
        while not self._running.is_set() and not self._stopped.is_set():
            self._running.wait(0.1)
        if self._stopped.is_set():
            raise self.stopped_error()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def stopped_error(self) -> AgentError:
        """How a stopped run ends: Stopped (exit 130), or TaskFailed when a budget ran out."""
        if self._budget:
            return TaskFailed(self.reason or "budget reached")
        return Stopped(self.reason or "stopped by the user (Ctrl+C)")

    def attended(self) -> float:
        """Seconds a person has been asked something so far (approval, ask_user): their time,
        which no time budget counts."""
        ongoing = time.monotonic() - self._asked_at if self._attending else 0.0
        return self._attended + ongoing

    def refuse_own_hotkey(self, action: Action) -> None:
        """ActionError when `action` presses this run's kill or pause hotkey: the listener would
        take the run's own keys for the person's."""
        if not isinstance(action, Hotkey):
            return
        own = self.own_hotkeys.get(chord(action.keys))
        if own is not None:
            raise ActionError(f"{'+'.join(action.keys)} is {own}: the agent may not press it")

    @contextmanager
    def shielded(self) -> Iterator[None]:
        """Work that a stop must not cut in half (X requests, the record); it stops after."""
        self._shielded += 1
        try:
            yield
        finally:
            self._shielded -= 1

    @contextmanager
    def acting(self, sends: Iterable[str] = ("mouse", "keyboard")) -> Iterator[None]:
        """While the runtime itself sends input of the kinds `sends`: shielded, and that input
        is not a takeover (the person's input of another kind still is)."""
        self.checkpoint()
        self._ours = frozenset(sends)
        try:
            with self.shielded():
                yield
        finally:
            # Synthetic events reach listeners a little late; don't mistake them for the user's.
            self._was_ours, self._ours = self._ours, frozenset()
            self._acting_until = time.monotonic() + 0.3

    @contextmanager
    def asking(self) -> Iterator[None]:
        """While an action waits for a person's answer (ask_user): not shielded, since no input
        is being sent, so a stop interrupts the wait at once; the answer is no takeover."""
        shielded, self._shielded = self._shielded, 0
        try:
            self.checkpoint()
            with self.attending():
                yield
        finally:
            self._shielded = shielded

    def now_sending(self, sends: Iterable[str]) -> None:
        """The rest of the current action sends only `sends` (a `type` after its click): other
        input is the person's again, once events of ours still on their way have arrived."""
        self._was_ours, self._ours = self._ours, frozenset(sends)
        self._acting_until = time.monotonic() + 0.1  # a click's own events come within ms

    @contextmanager
    def attending(self) -> Iterator[None]:
        """While a person is asked (approval, ask_user): typing the answer is no takeover."""
        if not self._attending:
            self._asked_at = time.monotonic()
        self._attending += 1
        try:
            yield
        finally:
            self._attending -= 1
            if not self._attending:
                self._attended += time.monotonic() - self._asked_at
            self._was_ours = frozenset({"mouse", "keyboard"})
            self._acting_until = time.monotonic() + 0.3

    # -- signals -----------------------------------------------------------------------------
    @contextmanager
    def handling_signals(self) -> Iterator[None]:
        """Ctrl+C and SIGTERM stop the run through this control (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {number: signal.signal(number, self._on_signal) for number in _SIGNAL_REASONS}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        if not self._stopped.is_set():
            self.stop(_SIGNAL_REASONS.get(signal.Signals(number), "stopped"), interrupt=False)
        if not self._shielded:
            raise KeyboardInterrupt

    # -- called from listener threads --------------------------------------------------------
    def stop(self, reason: str, interrupt: bool = True) -> None:
        """Stop the run; `interrupt` wakes the main thread if it is waiting."""
        if self._stopped.is_set():
            return
        self.reason = reason
        self._stopped.set()
        self._running.set()
        if interrupt and self._main is not None and signal.getsignal(signal.SIGINT) == (
            self._on_signal
        ):
            signal.pthread_kill(self._main, signal.SIGINT)

    def run_out(self, reason: str) -> None:
        """A budget ran out mid-step (max_time): stop at once, as the kill hotkey does, but the
        run fails (exit 1) with `reason`."""
        if not self._stopped.is_set():
            self._budget = True
            self.stop(reason)

    def toggle_pause(self) -> None:
        if self._running.is_set():
            self._running.clear()
            self.say("agent: paused (press the pause hotkey again to resume)")
        else:
            self._running.set()
            self.say("agent: resumed")

    def pointer_moved(self, x: int, y: int) -> None:
        """The pointer moved (anyone's doing): onto a fail-safe corner it stops the run, else
        it may be a takeover."""
        if (x, y) in self.corners:
            self.stop(FAIL_SAFE_REASON)
        else:
            self.user_input("mouse")

    def user_input(self, what: str) -> None:
        """The person moved the mouse or typed: a takeover, unless it was our own input or an
        answer to a question."""
        recent = self._was_ours if time.monotonic() < self._acting_until else frozenset()
        if what in self._ours or what in recent or self._attending or self._stopped.is_set():
            return
        if self.on_takeover == "stop":
            self.stop(f"the user took over ({what})")
        elif self.on_takeover == "pause" and self._running.is_set():
            self._running.clear()
            self.say(f"agent: paused: you took over ({what}); press the pause hotkey to resume")


def _nudge() -> None:
    """Send one event of each kind: pynput's X listeners only notice stop() at their next event,
    and would otherwise outlive the run (and fail loudly when a private display closes). The key
    is one no keyboard has (a keycode without symbols: no app acts on it), the pointer moves a
    pixel and back."""
    if not sys.platform.startswith("linux"):  # the other platforms' listeners stop by themselves
        return
    from Xlib import X
    from Xlib import display as xdisplay
    from Xlib.ext import xtest

    from agent.backends.pyautogui_executor import quiet_xlib

    with quiet_xlib():
        connection = xdisplay.Display()
    try:
        keycode = _keycode_without_symbols(connection) or connection.keysym_to_keycode(0xFFE1)
        xtest.fake_input(connection, X.KeyPress, keycode)
        xtest.fake_input(connection, X.KeyRelease, keycode)
        xtest.fake_input(connection, X.MotionNotify, detail=1, x=1, y=0)  # relative
        xtest.fake_input(connection, X.MotionNotify, detail=1, x=-1, y=0)
        connection.sync()
    finally:
        connection.close()


def _keycode_without_symbols(connection: Any) -> int | None:
    first, last = connection.display.info.min_keycode, connection.display.info.max_keycode
    rows = connection.get_keyboard_mapping(first, last - first + 1)
    return next((first + i for i, row in enumerate(rows) if not any(row)), None)


_PYNPUT_NAMES = {"escape": "esc", "command": "cmd", "win": "cmd", "pageup": "page_up",
                 "pagedown": "page_down", "capslock": "caps_lock", "numlock": "num_lock",
                 "scrolllock": "scroll_lock", "printscreen": "print_screen",
                 "prntscrn": "print_screen"}


def pynput_hotkey(keys: str) -> str:
    """`ctrl+alt+esc` (any spelling the action space takes) → pynput's `<ctrl>+<alt>+<esc>`."""
    try:
        names = sorted(parse_chord(keys), key=lambda name: (name not in MODIFIERS, name))
    except ValueError as exc:
        raise UsageError(f"bad hotkey {keys!r}: {exc}") from None
    return "+".join(name if len(name) == 1 else f"<{_PYNPUT_NAMES.get(name, name)}>"
                    for name in names)


class HotkeyListener:
    """Global kill and pause hotkeys, and takeover detection, with pynput (needs the display).

    One keyboard listener serves both, so pressing a hotkey is never mistaken for a takeover.
    """

    def __init__(self, control: RunControl, kill: str, pause: str,
                 watch_takeover: bool) -> None:
        from agent.backends.pyautogui_executor import quiet_xlib

        with quiet_xlib():
            from pynput import keyboard, mouse

        self._control = control
        self._modifiers = {keyboard.Key.ctrl, keyboard.Key.ctrl_l, keyboard.Key.ctrl_r,
                           keyboard.Key.alt, keyboard.Key.alt_l, keyboard.Key.alt_r,
                           keyboard.Key.alt_gr, keyboard.Key.shift, keyboard.Key.shift_l,
                           keyboard.Key.shift_r, keyboard.Key.cmd, keyboard.Key.cmd_l,
                           keyboard.Key.cmd_r}
        self._held: set[Any] = set()
        self._alt = keyboard.Key.alt
        self._watch_takeover = watch_takeover
        hotkeys = {kill: lambda: control.stop(f"kill hotkey {kill}"), pause: control.toggle_pause}
        self._hotkeys = []
        for keys, act in hotkeys.items():
            try:
                self._hotkeys.append(keyboard.HotKey(keyboard.HotKey.parse(pynput_hotkey(keys)),
                                                     act))
            except ValueError as exc:  # a key pynput has no name for
                raise UsageError(f"bad hotkey {keys!r}: {exc}") from None
        control.own_hotkeys = {parse_chord(kill): f"the kill hotkey {kill}",
                               parse_chord(pause): f"the pause hotkey {pause}"}
        self._grab = KeyGrab(control.own_hotkeys)
        self._keyboard: Any = keyboard.Listener(on_press=self._press, on_release=self._release)
        self._listeners: list[Any] = [self._keyboard]
        # Always on: the pointer on a fail-safe corner stops the run even when input is ignored.
        self._listeners.append(mouse.Listener(
            on_move=lambda x, y: control.pointer_moved(int(x), int(y)),
            on_click=lambda *args: control.user_input("mouse")))

    def _meta_is_alt(self, key: Any) -> Any:
        # With shift held, X reports the Alt key as Meta_L/Meta_R: still the kill chord's alt.
        return self._alt if getattr(key, "vk", None) in _META_KEYSYMS else key

    def _press(self, key: Any) -> None:
        key = self._meta_is_alt(key)
        canonical = self._keyboard.canonical(key)
        for hotkey in self._hotkeys:
            hotkey.press(canonical)
        self._held.add(key)
        # A key pressed with a modifier held may be a hotkey; lone modifiers are not typing.
        if self._watch_takeover and not self._held & self._modifiers:
            self._control.user_input("keyboard")

    def _release(self, key: Any) -> None:
        key = self._meta_is_alt(key)
        canonical = self._keyboard.canonical(key)
        for hotkey in self._hotkeys:
            hotkey.release(canonical)
        self._held.discard(key)

    def __enter__(self) -> HotkeyListener:
        from agent.backends.pyautogui_executor import quiet_xlib

        with quiet_xlib():  # the listeners' own X connections print auth noise
            for listener in self._listeners:
                listener.daemon = True
                listener.start()
            for listener in self._listeners:
                listener.wait()  # ready before the first action
        self._grab.__enter__()  # the chords no longer reach the focused app
        return self

    def __exit__(self, *exc: object) -> None:
        self._grab.close()
        for listener in self._listeners:
            listener.stop()
        if any(listener.is_alive() for listener in self._listeners):
            _nudge()
        for listener in self._listeners:
            listener.join(timeout=1.0)  # gone before the display may close
