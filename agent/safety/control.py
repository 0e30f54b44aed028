"""Stopping and pausing a run from outside the loop: kill hotkey, takeover, signals.

The loop asks `checkpoint()` between phases and the executor asks `should_stop()` between keys
and chunks of text. A stop while the main thread waits (for a model, at a prompt, between
phases) interrupts it at once with a real SIGINT, which also breaks a blocked socket read. A stop
while it sends input, or writes the record, is never delivered as an exception there — an X
request cut in half would hang the connection with keys held — the input ends at the next key,
and the loop stops at its next checkpoint. The hotkeys and the person's input are watched by
agent.backends.hotkeys.HotkeyListener, which calls `stop`, `toggle_pause`, `user_input` and
`pointer_moved` here.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Literal

from actions import Action, Hotkey
from actions.executor import FAIL_SAFE_REASON
from actions.keys import chord
from agent.errors import ActionError, AgentError, Stopped, TaskFailed

__all__ = ["RunControl", "TakeoverPolicy"]

TakeoverPolicy = Literal["pause", "stop", "ignore"]
# Synthetic events reach the listeners a little after they are sent: input of the kinds an
# action sent is still ours for this long after it (after a click, before a `type`: shorter).
_OWN_INPUT_LATE_S = 0.3
_PERSON_ANSWERS_S = 0.15  # no person reads a question and answers it faster
_OWN_CLICK_LATE_S = 0.1
_PAUSED_POLL_S = 0.1  # a paused wait wakes this often (a signal, a stop) on a real clock
_SIGNAL_REASONS = {signal.SIGINT: "stopped by the user (Ctrl+C)",
                   signal.SIGTERM: "stopped by SIGTERM"}


class RunControl:
    """Shared stop/pause state of one run."""

    def __init__(self, on_takeover: TakeoverPolicy = "ignore",
                 say: Callable[[str], None] | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`clock`: seconds, monotonic; it times the windows in which late events of the run's
        own input are no takeover, and the time spent asking a person (tests pass a fake)."""
        self.on_takeover = on_takeover
        self._clock = clock
        self.say = say or (lambda text: print(text, file=sys.stderr, flush=True))
        self.reason: str | None = None
        self._stopped = threading.Event()
        self._running = threading.Event()  # cleared while paused
        self._running.set()
        self._ours: frozenset[str] = frozenset()  # the input kinds we are sending now
        self._was_ours: frozenset[str] = frozenset()  # ... until `_acting_until`
        self._attending = 0  # a person is being asked something: their input is the answer
        self._answered = False  # they gave input while asked: its last events may come late
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
        self._wait_while_paused()
        return self._stopped.is_set()

    def checkpoint(self) -> None:
        """Raise Stopped (TaskFailed for a budget) when stopped; block while paused."""
        self._wait_while_paused()
        if self._stopped.is_set():
            raise self.stopped_error()

    def _wait_while_paused(self) -> None:
        # stop() sets _running too; the timeout only keeps the main thread's signals prompt.
        while not self._running.is_set() and not self._stopped.is_set():
            self._running.wait(_PAUSED_POLL_S)

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
        ongoing = self._clock() - self._asked_at if self._attending else 0.0
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
            self._acting_until = self._clock() + _OWN_INPUT_LATE_S

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
        self._acting_until = self._clock() + _OWN_CLICK_LATE_S  # a click's come within ms

    @contextmanager
    def attending(self) -> Iterator[None]:
        """While a person is asked (approval, ask_user): typing the answer is no takeover."""
        if not self._attending:
            self._asked_at = self._clock()
        self._attending += 1
        try:
            yield
        finally:
            self._attending -= 1
            if not self._attending:
                asked_for = self._clock() - self._asked_at
                self._attended += asked_for
                if self._answered or asked_for >= _PERSON_ANSWERS_S:
                    # A person answered: the answer's last events (Enter's release) come late.
                    # A faster answer was a machine's (`never`, piped stdin): no blind spot.
                    self._was_ours = frozenset({"mouse", "keyboard"})
                    self._acting_until = self._clock() + _OWN_INPUT_LATE_S
                self._answered = False

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
        recent = self._was_ours if self._clock() < self._acting_until else frozenset()
        if self._attending:
            self._answered = True
            return
        if what in self._ours or what in recent or self._stopped.is_set():
            return
        if self.on_takeover == "stop":
            self.stop(f"the user took over ({what})")
        elif self.on_takeover == "pause" and self._running.is_set():
            self._running.clear()
            self.say(f"agent: paused: you took over ({what}); press the pause hotkey to resume")

