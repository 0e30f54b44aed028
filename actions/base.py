"""The action model, targets and the registry that makes the action space pluggable."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol, TypeVar, Union

from pydantic import BaseModel, ConfigDict, ValidationError

from actions.executor import Executor

__all__ = [
    "Action",
    "ActionContext",
    "ActionRegistry",
    "ActionSpec",
    "InputKind",
    "Perform",
    "Point",
    "ScreenPoint",
    "Target",
]


class Point(BaseModel):
    """A point in screenshot pixels (floats until the last step)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    x: float
    y: float


# A target is a description to ground, or a point the planner already knows (grounder skipped).
Target = Union[str, Point]  # noqa: UP007 - pydantic resolves this at runtime on 3.10 too

InputKind = Literal["mouse", "keyboard"]
ScreenPoint = tuple[int, int]
"""A pixel in the input backend's coordinates: what the mouse is moved to."""


class Action(BaseModel):
    """Base of every action. Subclasses set `name` and, if they aim at things, `target_fields`."""

    model_config = ConfigDict(extra="forbid")
    name: ClassVar[str]
    target_fields: ClassVar[tuple[str, ...]] = ()
    sends: ClassVar[frozenset[InputKind]] = frozenset({"mouse", "keyboard"})
    """The input performing it sends; the person's other input meanwhile is a takeover."""
    shows_effect: ClassVar[bool] = True
    """Whether acting on a target changes the screen (verified clicks check it did); a hover
    or a look for something does not have to."""

    def targets(self) -> dict[str, Target]:
        """The action's target arguments that are set, by argument name."""
        found: dict[str, Target] = {}
        for argument in self.target_fields:
            value = getattr(self, argument)
            if value is not None:
                found[argument] = value
        return found

    def arguments(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def patience(self) -> float:
        """Seconds to keep looking for the targets on fresh screenshots (0: one look)."""
        return 0.0

    def to_json(self) -> dict[str, Any]:
        """`{"name": ..., **arguments}`: the form the planner writes and the record keeps."""
        return {"name": self.name, **self.arguments()}

    def summary(self) -> str:
        args = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}"
                         for k, v in self.arguments().items() if v is not None)
        return f"{self.name}({args})"


@dataclass
class ActionContext:
    """What a `perform` function gets besides the action: the device and the grounded points."""

    executor: Executor
    points: Mapping[str, ScreenPoint] = field(default_factory=dict)
    should_stop: Callable[[], bool] = lambda: False
    ask_user: Callable[[str], str] | None = None
    # Told when the rest of the action sends fewer kinds of input than it declared (a `type`
    # after clicking its field: keys only), so that the person's mouse is noticed again.
    now_sending: Callable[[frozenset[InputKind]], None] = lambda kinds: None

    def point(self, argument: str = "target") -> ScreenPoint:
        return self.points[argument]

    def point_or_none(self, argument: str = "target") -> ScreenPoint | None:
        return self.points.get(argument)


A = TypeVar("A", bound=Action)


class Perform(Protocol):
    def __call__(self, action: Any, ctx: ActionContext, /) -> str | None:
        """Perform `action`; return an outcome in words for the next prompt, or None."""


@dataclass(frozen=True)
class ActionSpec:
    model: type[Action]
    perform: Perform

    @property
    def name(self) -> str:
        return self.model.name

    def signature(self) -> str:
        """`click(target, button="left")`: how the prompt shows the action."""
        parts = []
        for arg, info in self.model.model_fields.items():
            if info.is_required():
                parts.append(arg)
            else:
                default = info.get_default(call_default_factory=True)
                parts.append(f"{arg}={json.dumps(default, ensure_ascii=False, default=str)}")
        return f"{self.name}({', '.join(parts)})"

    def description(self) -> str:
        return " ".join((self.model.__doc__ or "").split())


class ActionRegistry:
    """Action name → model and perform function. Copy it to extend without touching the default."""

    def __init__(self, specs: Mapping[str, ActionSpec] | None = None) -> None:
        self._specs: dict[str, ActionSpec] = dict(specs or {})

    def register(self, model: type[A], perform: Perform) -> type[A]:
        name = getattr(model, "name", None)
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"{model.__name__} needs a class attribute `name` (an identifier)")
        for argument in model.target_fields:
            if argument not in model.model_fields:
                raise ValueError(f"{model.__name__}.target_fields names unknown field {argument!r}")
        self._specs[name] = ActionSpec(model, perform)
        return model

    def action(self, perform: Perform) -> Callable[[type[A]], type[A]]:
        """Class decorator: `@registry.action(perform_fn)`."""
        return lambda model: self.register(model, perform)

    def copy(self) -> ActionRegistry:
        return ActionRegistry(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[ActionSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def spec(self, name: str) -> ActionSpec:
        try:
            return self._specs[name]
        except KeyError:
            known = ", ".join(self._specs)
            raise KeyError(f"unknown action {name!r}; known actions: {known}") from None

    def parse(self, data: Mapping[str, Any]) -> Action:
        """Build an action from `{"name": ..., **arguments}`; raises ValueError saying why not."""
        name = data.get("name")
        if not isinstance(name, str):
            raise ValueError('the action needs a "name" (one of: ' + ", ".join(self._specs) + ")")
        try:
            model = self.spec(name).model
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
        arguments = {k: v for k, v in data.items() if k != "name"}
        try:
            return model.model_validate(arguments)
        except ValidationError as exc:
            raise ValueError(_explain(name, exc)) from None

    def perform(self, action: Action, ctx: ActionContext) -> str | None:
        return self.spec(action.name).perform(action, ctx)


def _explain(name: str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "arguments"
        problems.append(f"{where}: {error['msg']}")
    return f"invalid arguments for {name}: " + "; ".join(problems)
