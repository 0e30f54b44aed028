"""`Desktop`: drive the screen from Python with the agent's own actions, targets named in words.

    from agent.desktop import Desktop

    with Desktop() as desktop:     # grounder, endpoint, monitor: as for `agent run` (AGENT_*, toml)
        desktop.type("Boston", into="the From text field")
        desktop.click("the Search flights button")
        desktop.wait_for("the Book now button", timeout=10)

Each call captures the screen, grounds its targets, asks the approver (`never` by default,
CONTRACTS §7), performs the built-in action through the registry — pyautogui with its fail-safe
corner on; the kill and pause hotkeys listen while the Desktop is open — and waits for the screen
to settle. Points, given or returned, are screenshot pixels of the monitor driven.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Union

from PIL import Image

from actions import (
    Action,
    ActionContext,
    ActionRegistry,
    Done,
    DryRunExecutor,
    Executor,
    Fail,
    Point,
    StopRequested,
    default_registry,
)
from agent.approval import ApproveMode, Approver, Proposal, make_approver
from agent.control import HotkeyListener, RunControl
from agent.errors import ActionError, AgentError, Stopped
from agent.grounder import Grounder
from agent.loop import ground_targets
from agent.records import GroundingRecord
from agent.runner import build_grounder
from agent.screen import MssScreen, Screen, Screenshot, check_display
from agent.scripted import describe, ground_within
from agent.settings import Settings, load_settings
from agent.settle import Settler

__all__ = ["Desktop", "TargetLike"]

TargetLike = Union[str, tuple[float, float], Point, Mapping[str, float]]  # noqa: UP007
"""A description to ground ("the Save button"), or a point in screenshot pixels."""

MAX_EDITS = 5


class Desktop:
    """The agent's action space as Python methods; see the module docstring."""

    def __init__(
        self,
        grounder: Grounder | str | None = None,
        monitor: int | None = None,
        settings: Settings | None = None,
        dry_run: bool = False,
        *,
        approve: ApproveMode | None = None,
        registry: ActionRegistry | None = None,
        screen: Screen | None = None,
        executor: Executor | None = None,
    ) -> None:
        """`grounder`: a Grounder, a family name (`uground`, `ocr`, ...) or None (the settings').

        `settings` default to the environment and ./agent.toml, as for `agent run`; `approve`
        defaults to `never` unless the settings set it. `screen` and `executor` replace the real
        ones (tests: `agent.testing.StaticScreen`, `actions.DryRunExecutor`).
        """
        self.settings = settings if settings is not None else load_settings({})
        self.registry = default_registry if registry is None else registry
        self.grounder = _grounder(grounder, self.settings)
        if screen is None:
            check_display()
            screen = MssScreen(monitor if monitor is not None else self.settings.monitor)
        self.screen = screen
        real_input = executor is None and not (dry_run or self.settings.dry_run)
        self.executor = executor or _executor(real_input)
        self.approver: Approver = make_approver(approve or self._setting("approve", "never"),
                                                self.settings.risk)
        self.settler = Settler(screen.grab_raw, timeout=self.settings.settle_timeout)
        self.control = RunControl(self._setting("on_takeover", "ignore"))
        self.actions = 0
        self._listener: HotkeyListener | None = None
        if real_input:
            self._listener = HotkeyListener(
                self.control, self.settings.kill_hotkey, self.settings.pause_hotkey,
                watch_takeover=self.control.on_takeover != "ignore").__enter__()

    def _setting(self, name: str, default: Any) -> Any:
        """A setting as configured, or this API's own default when nobody set it."""
        return getattr(self.settings, name) if name in self.settings.model_fields_set else default

    # -- the actions (CONTRACTS §4) -----------------------------------------------------------
    def click(self, target: TargetLike, button: str = "left") -> None:
        self._do("click", target=_target(target), button=button)

    def double_click(self, target: TargetLike) -> None:
        self._do("double_click", target=_target(target))

    def right_click(self, target: TargetLike) -> None:
        self._do("right_click", target=_target(target))

    def move(self, target: TargetLike) -> None:
        self._do("move", target=_target(target))

    def drag(self, source: TargetLike, destination: TargetLike) -> None:
        self._do("drag", source=_target(source), destination=_target(destination))

    def scroll(self, direction: str = "down", amount: int = 3,
               target: TargetLike | None = None) -> None:
        self._do("scroll", direction=direction, amount=amount, target=_target(target))

    def type(self, text: str, target: TargetLike | None = None, *,
             into: TargetLike | None = None, enter: bool = False) -> None:
        """Type `text`; with `target` (or its alias `into`), click there first."""
        if target is not None and into is not None:
            raise ValueError("give target or into, not both")
        self._do("type", text=text, target=_target(target if into is None else into),
                 enter=enter)

    def press(self, keys: str | Sequence[str]) -> None:
        """Press one key, or keys one after another: `press("enter")`, `press(["tab", "tab"])`."""
        self._do("press", keys=[keys] if isinstance(keys, str) else list(keys))

    def hotkey(self, *keys: str) -> None:
        """Press keys together: `hotkey("ctrl", "s")`."""
        self._do("hotkey", keys=list(keys))

    def wait(self, seconds: float) -> None:
        self._do("wait", seconds=seconds)

    # -- looking -------------------------------------------------------------------------------
    def locate(self, description: str) -> tuple[float, float]:
        """Where `description` is now, in screenshot pixels (GroundingError if not found)."""
        return self.grounder.ground(self.screen.capture(), description).point

    def wait_for(self, description: str, timeout: float = 10.0) -> tuple[float, float]:
        """Ground until found: a model grounder answers at once, OCR waits for the text."""
        return ground_within(self.grounder, description, timeout, self.screen.capture(),
                             self.screen.capture).point

    def screenshot(self) -> Image.Image:
        return self.screen.capture().image

    # -- any registered action ---------------------------------------------------------------
    def do(self, action: Action) -> str | None:
        """Perform any registered action (yours too) as `agent run` would; its outcome, if any."""
        self.control.checkpoint()
        self.actions += 1
        shot = self.screen.capture()
        action, grounding = self._approved(action, shot)
        if isinstance(action, (Done, Fail)):
            return None
        self.control.checkpoint()
        outcome = self._perform(action, grounding)
        with self.control.acting():
            self.settler.settle(self.control.should_stop)
        return outcome

    def _do(self, name: str, **arguments: Any) -> None:
        self.do(self.registry.parse({"name": name, **arguments}))  # ValueError when invalid

    def _approved(self, action: Action, shot: Screenshot) -> tuple[Action, list[GroundingRecord]]:
        for _ in range(MAX_EDITS + 1):
            grounding = ground_targets(action, shot, self.grounder)
            approval = self.approver.review(
                Proposal(self.actions, "", describe(action), action, grounding))
            if approval is None or approval.decision == "approved":
                return action, grounding
            if approval.decision == "aborted":
                raise Stopped("aborted at the approval prompt")
            if approval.decision == "rejected" or not approval.edited:
                raise ActionError(f"{action.summary()} was rejected: "
                                  f"{approval.feedback or 'no reason given'}")
            action = self.registry.parse({**action.to_json(), **approval.edited})
        raise ActionError(f"{action.summary()} was rejected: too many edits")

    def _perform(self, action: Action, grounding: list[GroundingRecord]) -> str | None:
        ctx = ActionContext(self.executor, {g.argument: g.screen_point for g in grounding},
                            should_stop=self.control.should_stop)
        try:
            with self.control.acting():
                return self.registry.perform(action, ctx)
        except AgentError:
            self.executor.release_all()
            raise
        except StopRequested as exc:
            self.executor.release_all()
            raise Stopped(f"stopped by the user: {exc}") from exc
        except Exception as exc:
            self.executor.release_all()
            raise ActionError(f"{action.name} failed: {type(exc).__name__}: {exc}") from exc
        except BaseException:  # the kill hotkey, Ctrl+C: no key or button stays held
            self.executor.release_all()
            raise

    # -- lifetime ------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop listening for the hotkeys and release every key and button."""
        if self._listener is not None:
            self._listener.__exit__(None, None, None)
            self._listener = None
        self.executor.release_all()
        if isinstance(self.screen, MssScreen):
            self.screen.close()

    def __enter__(self) -> Desktop:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _grounder(grounder: Grounder | str | None, settings: Settings) -> Grounder:
    if isinstance(grounder, str):
        return build_grounder(settings.model_copy(update={"grounder": grounder}))
    return grounder if grounder is not None else build_grounder(settings)


def _executor(real_input: bool) -> Executor:
    if not real_input:
        return DryRunExecutor()
    from actions.pyautogui_executor import PyAutoGUIExecutor  # connects to the display

    return PyAutoGUIExecutor()


def _target(value: TargetLike | None) -> str | dict[str, float] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Point):
        return {"x": value.x, "y": value.y}
    if isinstance(value, Mapping):
        return {"x": float(value["x"]), "y": float(value["y"])}
    x, y = value
    return {"x": float(x), "y": float(y)}
