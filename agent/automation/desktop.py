"""`Desktop`: drive the screen from Python with the agent's own actions, targets named in words.

    from agent.automation.desktop import Desktop

    with Desktop() as desktop:     # grounder, endpoint, monitor: as for `agent run` (AGENT_*, toml)
        desktop.type("Boston", into="the From text field")
        desktop.click("the Search flights button")
        desktop.wait_for("the Book now button", timeout=10)

Each call captures the screen, grounds its targets, asks the approver (`never` by default,
CONTRACTS §7), performs the built-in action through the registry — pyautogui with its fail-safe
corner on; the kill and pause hotkeys listen while the Desktop is open — and waits for the screen
to settle. Points, given or returned, are screenshot pixels of the monitor driven.

Secrets are the CLI's: `type("{{PW}}", into="the Password field")` types the value of
`AGENT_SECRET_PW` (or of `secrets={"PW": ...}`), substituted at the last moment; no error this
class raises shows it. On the real screen the Desktop holds the display's lock until `close()`,
so no other Desktop or `agent run` drives the display at the same time.
"""

from __future__ import annotations

import json
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
from agent.automation.scripted import AssertVisible, describe, ground_within
from agent.errors import ActionError, AgentError, Stopped, UsageError
from agent.grounding.grounder import Grounder
from agent.records import GroundingRecord
from agent.run.compose import build_grounder
from agent.run.loop import ground_targets
from agent.run.settle import Settler
from agent.safety.approval import ApproveMode, Approver, Proposal, make_approver
from agent.safety.control import HotkeyListener, RunControl
from agent.safety.lock import DisplayLock
from agent.safety.secrets import Secrets
from agent.screen import MssScreen, Screen, Screenshot, check_display
from agent.settings import Settings, settings_with

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
        secrets: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> None:
        """`grounder`: a Grounder, a family name (`uground`, `ocr`, ...) or None (the settings').

        `settings` default to the environment and ./agent.toml, as for `agent run`; `overrides`
        are settings by name (`grounder_base_url=...`, `settle_timeout=1`), validated; `approve`
        defaults to `never` unless the settings set it. `secrets` add to `AGENT_SECRET_*`.
        `screen` and `executor` replace the real ones (tests: `agent.testing.StaticScreen`,
        `actions.DryRunExecutor`); with an injected `screen` no display lock is taken.
        """
        self.settings = settings_with(settings, overrides)
        self.registry = default_registry if registry is None else registry
        self.secrets = Secrets.from_environment(secrets)
        self.grounder = _grounder(grounder, self.settings)
        self.actions = 0
        self._listener: HotkeyListener | None = None
        self._lock: DisplayLock | None = None
        if screen is None:
            check_display()
            self._lock = DisplayLock().acquire()  # UsageError while another run drives it
        try:
            self._open(screen, monitor, executor, dry_run or self.settings.dry_run, approve)
        except BaseException:
            self._unlock()
            raise

    def _open(self, screen: Screen | None, monitor: int | None, executor: Executor | None,
              dry_run: bool, approve: ApproveMode | None) -> None:
        """The screen, executor, approver, settler, and (for real input) the hotkey listener."""
        self.screen = screen if screen is not None else MssScreen(
            monitor if monitor is not None else self.settings.monitor)
        real_input = executor is None and not dry_run
        self.executor = executor or _executor(real_input)
        self.approver: Approver = make_approver(approve or self._setting("approve", "never"),
                                                self.settings.risk)
        self.settler = Settler(self.screen.grab_raw, timeout=self.settings.settle_timeout)
        self.control = RunControl(self._setting("on_takeover", "ignore"))
        if real_input:
            self._listener = HotkeyListener(
                self.control, self.settings.kill_hotkey, self.settings.pause_hotkey,
                watch_takeover=self.control.on_takeover != "ignore").__enter__()

    def _setting(self, name: str, default: Any) -> Any:
        """A setting as configured, or this API's own default when nobody set it."""
        return getattr(self.settings, name) if name in self.settings.model_fields_set else default

    # -- the actions (CONTRACTS §4) -----------------------------------------------------------
    def click(self, target: TargetLike, button: str = "left") -> None:
        """Click `target` (a description or a point) with `button` (left, right, middle)."""
        self._do("click", target=_target(target), button=button)

    def double_click(self, target: TargetLike) -> None:
        """Double-click `target`."""
        self._do("double_click", target=_target(target))

    def right_click(self, target: TargetLike) -> None:
        """Right-click `target`."""
        self._do("right_click", target=_target(target))

    def move(self, target: TargetLike) -> None:
        """Move the mouse onto `target` without clicking."""
        self._do("move", target=_target(target))

    def drag(self, source: TargetLike, destination: TargetLike) -> None:
        """Drag from `source` and drop onto `destination`."""
        self._do("drag", source=_target(source), destination=_target(destination))

    def scroll(self, direction: str = "down", amount: int = 3,
               target: TargetLike | None = None) -> None:
        """Scroll `amount` notches up, down, left or right, over `target` if given."""
        self._do("scroll", direction=direction, amount=amount, target=_target(target))

    def type(self, text: str, target: TargetLike | None = None, *,
             into: TargetLike | None = None, enter: bool = False) -> None:
        """Type `text` (`{{NAME}}`: a secret); with `target` (alias `into`), click there first."""
        if target is not None and into is not None:
            raise ValueError("give target or into, not both")
        self._do("type", text=text, target=_target(target if into is None else into),
                 enter=enter)

    def press(self, keys: str | Sequence[str]) -> None:
        """Press one key, or keys one after another: `press("enter")`, `press(["tab", "tab"])`."""
        self._do("press", keys=[keys] if isinstance(keys, str) else list(keys))

    def hotkey(self, *keys: str | Sequence[str]) -> None:
        """Press keys together: `hotkey("ctrl", "s")` or `hotkey(["ctrl", "s"])`."""
        self._do("hotkey", keys=_key_list(keys))

    def wait(self, seconds: float) -> None:
        """Wait `seconds` (the kill hotkey still stops it)."""
        self._do("wait", seconds=seconds)

    # -- looking -------------------------------------------------------------------------------
    def locate(self, description: str) -> tuple[float, float]:
        """Where `description` is now, in screenshot pixels (GroundingError if not found)."""
        return self.grounder.ground(self.screen.capture(), description).point

    def wait_for(self, description: str, timeout: float = 10.0) -> tuple[float, float]:
        """Ground until found: a model grounder answers at once, OCR waits for the text."""
        return ground_within(self.grounder, description, timeout, self.screen.capture(),
                             self.screen.capture).point

    def assert_visible(self, description: str) -> tuple[float, float]:
        """The script step `assert_visible`: GroundingError unless `description` is found now."""
        self.control.checkpoint()
        check = AssertVisible(target=description)
        [found] = ground_targets(check, self.screen.capture(), self.grounder)
        return found.point

    def screenshot(self) -> Image.Image:
        """The monitor driven, as it is now."""
        return self.screen.capture().image

    # -- any registered action ---------------------------------------------------------------
    def do(self, action: Action) -> str | None:
        """Perform any registered action (yours too) as `agent run` would; its outcome, if any."""
        try:
            return self._do_action(action)
        except Exception as exc:
            safe = _scrubbed(exc, self.secrets)
            if safe is exc:
                raise
            raise safe from None  # the original, and its cause, show a secret's value

    def _do(self, name: str, **arguments: Any) -> None:
        self.do(self.registry.parse({"name": name, **arguments}))  # ValueError when invalid

    def _do_action(self, action: Action) -> str | None:
        self._typed(action)  # an unknown secret fails before anything happens
        self.control.checkpoint()
        self.actions += 1
        shot = self.screen.capture()
        self.control.corners = frozenset(shot.desktop.corners())
        action, grounding = self._approved(action, shot)
        if isinstance(action, (Done, Fail)):
            return None
        self.control.checkpoint()
        outcome = self._perform(self._typed(action), grounding)
        with self.control.acting():
            self.settler.settle(self.control.should_stop)
        return None if outcome is None else self.secrets.redact(outcome)

    def _typed(self, action: Action) -> Action:
        """`action` as performed: `{{NAME}}` in its text replaced by the secret's value."""
        data = action.to_json()
        if "{{" not in json.dumps(data):
            return action
        try:
            filled = {key: self.secrets.substitute(value)
                      if isinstance(value, str) and key not in action.target_fields else value
                      for key, value in data.items()}
        except KeyError as exc:
            raise UsageError(f"{exc.args[0]}: set AGENT_SECRET_<NAME> or pass "
                             "Desktop(secrets={...})") from None
        return self.registry.parse(filled)

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
                            should_stop=self.control.should_stop,
                            now_sending=self.control.now_sending)
        self.control.refuse_own_hotkey(action)
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
        """Stop the hotkeys, release every key and button, and unlock the display."""
        if self._listener is not None:
            self._listener.__exit__(None, None, None)
            self._listener = None
        self.executor.release_all()
        if isinstance(self.screen, MssScreen):
            self.screen.close()
        self._unlock()

    def _unlock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

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
    from agent.backends.pyautogui_executor import PyAutoGUIExecutor  # connects to the display

    return PyAutoGUIExecutor()


def _key_list(keys: tuple[str | Sequence[str], ...]) -> list[Any]:
    """`("ctrl", "s")` or `(["ctrl", "s"],)` as `["ctrl", "s"]`."""
    if len(keys) == 1 and not isinstance(keys[0], str):
        return list(keys[0])
    return list(keys)


def _scrubbed(exc: Exception, secrets: Secrets) -> Exception:
    """`exc`, or, when it or a cause shows a secret's value, a copy saying the placeholder."""
    if not _shows_secret(exc, secrets):
        return exc
    text = secrets.redact(str(exc))
    try:
        return type(exc)(text)
    except Exception:  # a constructor that wants more than a message
        return ActionError(text)


def _shows_secret(exc: BaseException | None, secrets: Secrets) -> bool:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if secrets.redact(str(exc)) != str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _target(value: TargetLike | None) -> str | dict[str, float] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Point):
        return {"x": value.x, "y": value.y}
    if isinstance(value, Mapping):
        return {"x": float(value["x"]), "y": float(value["y"])}
    x, y = value
    return {"x": float(x), "y": float(y)}
