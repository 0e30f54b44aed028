"""The built-in actions (CONTRACTS §4) and how each is performed."""

from __future__ import annotations

import time
from typing import ClassVar

from pydantic import Field, field_validator

from actions.base import Action, ActionContext, ActionRegistry, InputKind, Target
from actions.executor import Button, Direction
from actions.keys import normalize_key

__all__ = [
    "AskUser",
    "Click",
    "Done",
    "DoubleClick",
    "Drag",
    "Fail",
    "Hotkey",
    "Move",
    "Press",
    "RightClick",
    "Scroll",
    "Type",
    "Wait",
    "builtin_registry",
]

MAX_WAIT_SECONDS = 60.0


class Click(Action):
    """Click the target once (button: left, right or middle)."""

    name: ClassVar[str] = "click"
    sends: ClassVar[frozenset[InputKind]] = frozenset({"mouse"})
    target_fields: ClassVar[tuple[str, ...]] = ("target",)
    target: Target
    button: Button = "left"


class DoubleClick(Action):
    """Double-click the target."""

    name: ClassVar[str] = "double_click"
    sends: ClassVar[frozenset[InputKind]] = frozenset({"mouse"})
    target_fields: ClassVar[tuple[str, ...]] = ("target",)
    target: Target


class RightClick(Action):
    """Right-click the target (opens context menus)."""

    name: ClassVar[str] = "right_click"
    sends: ClassVar[frozenset[InputKind]] = frozenset({"mouse"})
    target_fields: ClassVar[tuple[str, ...]] = ("target",)
    target: Target


class Move(Action):
    """Move the mouse onto the target without clicking (hover)."""

    name: ClassVar[str] = "move"
    sends: ClassVar[frozenset[InputKind]] = frozenset({"mouse"})
    shows_effect: ClassVar[bool] = False
    target_fields: ClassVar[tuple[str, ...]] = ("target",)
    target: Target


class Drag(Action):
    """Press on the source, move to the destination, release."""

    name: ClassVar[str] = "drag"
    sends: ClassVar[frozenset[InputKind]] = frozenset({"mouse"})
    target_fields: ClassVar[tuple[str, ...]] = ("source", "destination")
    source: Target
    destination: Target


class Scroll(Action):
    """Scroll up, down, left or right by `amount` notches, over the target if one is given."""

    name: ClassVar[str] = "scroll"
    sends: ClassVar[frozenset[InputKind]] = frozenset({"mouse"})
    target_fields: ClassVar[tuple[str, ...]] = ("target",)
    direction: Direction
    amount: int = Field(default=3, ge=1, le=50)
    target: Target | None = None


class Type(Action):
    """Type text; with a target, click it first; `enter` presses Enter afterwards."""

    name: ClassVar[str] = "type"
    target_fields: ClassVar[tuple[str, ...]] = ("target",)
    text: str
    target: Target | None = None
    enter: bool = False


class _KeysAction(Action):
    keys: list[str] = Field(min_length=1)
    chord: ClassVar[bool] = False  # keys pressed together: "ctrl+s" is read as ["ctrl", "s"]

    @field_validator("keys", mode="before")
    @classmethod
    def _one_key_is_a_list(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        if cls.chord and "+" in value.strip("+"):
            return [key.strip() for key in value.split("+")]
        return [value]

    @field_validator("keys")
    @classmethod
    def _known_keys(cls, keys: list[str]) -> list[str]:
        return [normalize_key(k) for k in keys]


class Press(_KeysAction):
    """Press keys one after another, e.g. ["tab", "tab", "enter"]."""

    name: ClassVar[str] = "press"
    sends: ClassVar[frozenset[InputKind]] = frozenset({"keyboard"})


class Hotkey(_KeysAction):
    """Press keys together, e.g. ["ctrl", "s"]."""

    name: ClassVar[str] = "hotkey"
    sends: ClassVar[frozenset[InputKind]] = frozenset({"keyboard"})
    chord: ClassVar[bool] = True


class Wait(Action):
    """Wait `seconds` (at most 60) for something slow, such as a page loading."""

    name: ClassVar[str] = "wait"
    sends: ClassVar[frozenset[InputKind]] = frozenset()
    seconds: float = Field(ge=0, le=MAX_WAIT_SECONDS)


class AskUser(Action):
    """Ask the person a question (a code, a choice); the answer comes in the next step."""

    name: ClassVar[str] = "ask_user"
    question: str


class Done(Action):
    """The task is complete; `answer` holds what the user asked for, if anything."""

    name: ClassVar[str] = "done"
    sends: ClassVar[frozenset[InputKind]] = frozenset()
    answer: str | None = None


class Fail(Action):
    """The task cannot be completed; say why."""

    name: ClassVar[str] = "fail"
    sends: ClassVar[frozenset[InputKind]] = frozenset()
    reason: str


def _click(action: Click, ctx: ActionContext) -> None:
    ctx.executor.click(*ctx.point(), button=action.button)


def _double_click(action: DoubleClick, ctx: ActionContext) -> None:
    ctx.executor.click(*ctx.point(), clicks=2)


def _right_click(action: RightClick, ctx: ActionContext) -> None:
    ctx.executor.click(*ctx.point(), button="right")


def _move(action: Move, ctx: ActionContext) -> None:
    ctx.executor.move(*ctx.point())


def _drag(action: Drag, ctx: ActionContext) -> None:
    ctx.executor.drag(ctx.point("source"), ctx.point("destination"))


def _scroll(action: Scroll, ctx: ActionContext) -> None:
    ctx.executor.scroll(action.direction, action.amount, ctx.point_or_none())


def _type(action: Type, ctx: ActionContext) -> str | None:
    at = ctx.point_or_none()
    if at is not None:
        ctx.executor.click(*at)
    ctx.now_sending(frozenset({"keyboard"}))
    ctx.executor.type_text(action.text, ctx.should_stop)
    if action.enter and not ctx.should_stop():
        ctx.executor.press("enter")
    return None


def _press(action: Press, ctx: ActionContext) -> None:
    for key in action.keys:
        if ctx.should_stop():
            return
        ctx.executor.press(key)


def _hotkey(action: Hotkey, ctx: ActionContext) -> None:
    ctx.executor.hotkey(action.keys)


def _wait(action: Wait, ctx: ActionContext) -> None:
    # A deliberate pause the planner asked for; the loop still settles afterwards.
    deadline = time.monotonic() + action.seconds
    while not ctx.should_stop() and time.monotonic() < deadline:
        time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))


def _ask_user(action: AskUser, ctx: ActionContext) -> str:
    if ctx.ask_user is None:
        raise RuntimeError("no person is attached to answer the question")
    return f"The user answered: {ctx.ask_user(action.question)}"


def _nothing(action: Action, ctx: ActionContext) -> None:
    """`done` and `fail` end the run; the loop handles them."""


def builtin_registry() -> ActionRegistry:
    """A fresh registry holding the built-in actions."""
    registry = ActionRegistry()
    registry.register(Click, _click)
    registry.register(DoubleClick, _double_click)
    registry.register(RightClick, _right_click)
    registry.register(Move, _move)
    registry.register(Drag, _drag)
    registry.register(Scroll, _scroll)
    registry.register(Type, _type)
    registry.register(Press, _press)
    registry.register(Hotkey, _hotkey)
    registry.register(Wait, _wait)
    registry.register(AskUser, _ask_user)
    registry.register(Done, _nothing)
    registry.register(Fail, _nothing)
    return registry
