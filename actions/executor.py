"""The `Executor` seam: the device that performs input at screen coordinates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = ["FAIL_SAFE_REASON", "Button", "Direction", "DryRunExecutor", "Executor", "InputEvent",
           "StopRequested"]

FAIL_SAFE_REASON = "the pointer reached a screen corner (pyautogui fail-safe)"

Button = Literal["left", "right", "middle"]
Direction = Literal["up", "down", "left", "right"]


class StopRequested(Exception):
    """The person asked to stop (pyautogui's fail-safe corner, a kill hotkey) mid-action."""


class Executor(Protocol):
    """Performs input on screen coordinates (the input backend's, already converted)."""

    def click(self, x: int, y: int, button: Button = "left", clicks: int = 1) -> None: ...

    def move(self, x: int, y: int) -> None: ...

    def drag(self, start: tuple[int, int], end: tuple[int, int]) -> None: ...

    def scroll(self, direction: Direction, amount: int, at: tuple[int, int] | None) -> None: ...

    def type_text(self, text: str, should_stop: Callable[[], bool]) -> None:
        """Type `text` exactly (any Unicode); stop between characters when `should_stop()`."""
        ...

    def press(self, key: str) -> None: ...

    def hotkey(self, keys: Sequence[str]) -> None: ...

    def release_all(self) -> None:
        """Release every key and button this executor may hold (called on every way out)."""
        ...


@dataclass(frozen=True)
class InputEvent:
    kind: str
    args: tuple[object, ...]


@dataclass
class DryRunExecutor:
    """Performs nothing; remembers what it would have done (`--dry-run`, and tests)."""

    events: list[InputEvent] = field(default_factory=list)

    def _note(self, kind: str, *args: object) -> None:
        self.events.append(InputEvent(kind, args))

    def click(self, x: int, y: int, button: Button = "left", clicks: int = 1) -> None:
        self._note("click", x, y, button, clicks)

    def move(self, x: int, y: int) -> None:
        self._note("move", x, y)

    def drag(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        self._note("drag", start, end)

    def scroll(self, direction: Direction, amount: int, at: tuple[int, int] | None) -> None:
        self._note("scroll", direction, amount, at)

    def type_text(self, text: str, should_stop: Callable[[], bool]) -> None:
        self._note("type", text)

    def press(self, key: str) -> None:
        self._note("press", key)

    def hotkey(self, keys: Sequence[str]) -> None:
        self._note("hotkey", tuple(keys))

    def release_all(self) -> None:
        pass
