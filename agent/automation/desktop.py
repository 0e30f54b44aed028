"""`Desktop`: drive the screen from Python with the agent's own actions, targets named in words.

    from agent import Desktop

    with Desktop() as desktop:     # grounder, endpoint, monitor: as for `agent run` (AGENT_*, toml)
        desktop.type("Boston", into="the From text field")
        result = desktop.click("the Search flights button")
        print(result.screen_point, result.outcome)
        desktop.wait_for("the Book now button", timeout=10)
    print(desktop.run_dir)         # steps.jsonl, the screenshots and report.html

Each call is one step of the one step pipeline that `agent run` and scripts use (capture, ground,
approve — `never` by default, CONTRACTS §7 —, secrets, perform, settle, record): pyautogui with
its fail-safe corner on; the kill and pause hotkeys listen while the Desktop is open. Each action
returns a `StepResult` (the point acted on and the outcome); a step that does not go through
raises (GroundingError, ActionError; Stopped) once it is recorded. Points, given or returned, are
screenshot pixels of the monitor driven. A step on a described target after which the screen did
not change at all warns (a `VerifyWarning`, and in `StepResult.warnings`): most likely the click
landed on something other than what was meant. `verify="strict"` makes it an `ActionError`;
`click(..., verify=False)` skips the check for one step (an action with no visible effect).

Secrets are the CLI's: `type("{{PW}}", into="the Password field")` types the value of
`AGENT_SECRET_PW` (or of `secrets={"PW": ...}`), substituted at the last moment; no error this
class raises shows it. On the real screen the Desktop holds the display's lock until `close()`,
so no other Desktop or `agent run` drives the display at the same time.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image

from actions import Action, ActionRegistry, Executor, default_registry
from agent.automation.scripted import AssertVisible, WaitFor, describe, script_registry
from agent.automation.step_result import StepResult, TargetLike, VerifyWarning, target_json
from agent.errors import ActionError
from agent.grounding.grounder import Grounder
from agent.records import RunRecord, StepRecord
from agent.run.compose import (
    build_grounder,
    hotkeys_wanted,
    make_executor,
    start_hotkeys,
    verify_mode,
)
from agent.run.loop import status_of
from agent.run.settle import Settler
from agent.run.step import Choice, StepPipeline
from agent.rundir.recorder import Recorder, RunDirectory, now_iso
from agent.safety.approval import ApproveMode, Approver, make_approver
from agent.safety.control import RunControl
from agent.safety.lock import DisplayLock
from agent.safety.secrets import Secrets
from agent.screen import Screen, check_display
from agent.settings import Settings, settings_with

__all__ = ["Desktop", "StepResult", "TargetLike", "VerifyWarning"]  # the last three: step_result


SESSION_TASK = "Desktop session"


class Desktop:
    """The agent's action space as Python methods; see the module docstring."""

    def __init__(
        self,
        grounder: Grounder | str | None = None,
        monitor: int | None = None,
        settings: Settings | None = None,
        dry_run: bool = False,
        *,
        approve: ApproveMode | Approver | None = None,
        registry: ActionRegistry | None = None,
        screen: Screen | None = None,
        executor: Executor | None = None,
        recorder: Recorder | None = None,
        secrets: Mapping[str, str] | Secrets | None = None,
        **overrides: Any,
    ) -> None:
        """`grounder`: a Grounder, a family name (`uground`, `ocr`, ...) or None (the settings').

        `settings` default to the environment and ./agent.toml, as for `agent run`; `overrides`
        are settings by name (`grounder_base_url=...`, `settle_timeout=1`), validated; `approve`
        (a mode, or your own `Approver`) defaults to `never` unless the settings set it;
        `secrets` add to `AGENT_SECRET_*`. `screen`, `executor` and `recorder` replace the real
        ones (tests: `agent.testing.StaticScreen`, `actions.DryRunExecutor`,
        `agent.testing.MemoryRecorder`); with an injected `screen` no display lock is taken and no
        hotkeys listen.
        """
        self.settings = settings_with(settings, overrides)
        if dry_run:
            self.settings = self.settings.model_copy(update={"dry_run": True})
        self.registry = script_registry(default_registry if registry is None else registry)
        self.secrets = secrets if isinstance(secrets, Secrets) else Secrets.from_environment(
            secrets)
        self.grounder = _grounder(grounder, self.settings)
        self.actions = 0
        self._listener: Any = None
        self._lock: DisplayLock | None = None
        if screen is None:
            check_display()
            self._lock = DisplayLock().acquire()  # UsageError while another run drives it
        try:
            self._open(screen, monitor, executor, recorder, approve)
        except BaseException:
            self._unlock()
            raise

    def _open(self, screen: Screen | None, monitor: int | None, executor: Executor | None,
              recorder: Recorder | None, approve: ApproveMode | Approver | None) -> None:
        """The pipeline's parts, the run record, and (on the real screen) the hotkey listener."""
        settings = self.settings
        real_screen = screen is None
        if screen is None:
            from agent.backends.mss_screen import MssScreen

            screen = MssScreen(monitor if monitor is not None else settings.monitor)
        self.screen = screen
        self.executor = executor or make_executor(settings.dry_run)
        self.control = RunControl(self._setting("on_takeover", "ignore"))
        self.recorder = recorder or RunDirectory.create(settings.runs_dir, SESSION_TASK)
        self.run_dir: Path | None = getattr(self.recorder, "path", None)
        self.pipeline = StepPipeline(
            screen=screen, grounder=self.grounder, executor=self.executor,
            registry=self.registry, recorder=self.recorder,
            approver=_approver(approve or self._setting("approve", "never"), settings),
            settler=Settler(screen.grab_raw, timeout=settings.settle_timeout),
            control=self.control, secrets=self.secrets, patient=not settings.dry_run,
            # a stand-in executor (tests, fakes) changes nothing on the screen to check
            verify=verify_mode(settings, "warn" if executor is None else "off"))
        self._run = RunRecord(task=SESSION_TASK, command=_command(), settings=settings.public(),
                              started_at=now_iso())
        self.recorder.start(self._run)
        if real_screen and executor is None and hotkeys_wanted(settings):
            self._listener = start_hotkeys(self.control, settings)

    def _setting(self, name: str, default: Any) -> Any:
        """A setting as configured, or this API's own default when nobody set it."""
        return getattr(self.settings, name) if name in self.settings.model_fields_set else default

    @property
    def approver(self) -> Approver:
        return self.pipeline.approver

    @approver.setter
    def approver(self, approver: Approver) -> None:
        self.pipeline.approver = approver

    @property
    def settler(self) -> Settler | None:
        return self.pipeline.settler

    # -- the actions (CONTRACTS §4) -----------------------------------------------------------
    def click(self, target: TargetLike, button: str = "left", *, verify: bool = True
              ) -> StepResult:
        """Click `target` (a description or a point) with `button` (left, right, middle)."""
        return self._do("click", target=target_json(target), button=button, verify_=verify)

    def double_click(self, target: TargetLike, *, verify: bool = True) -> StepResult:
        """Double-click `target`."""
        return self._do("double_click", target=target_json(target), verify_=verify)

    def right_click(self, target: TargetLike, *, verify: bool = True) -> StepResult:
        """Right-click `target`."""
        return self._do("right_click", target=target_json(target), verify_=verify)

    def move(self, target: TargetLike) -> StepResult:
        """Move the mouse onto `target` without clicking."""
        return self._do("move", target=target_json(target))

    def drag(self, source: TargetLike, destination: TargetLike, *, verify: bool = True
             ) -> StepResult:
        """Drag from `source` and drop onto `destination`."""
        return self._do("drag", source=target_json(source), destination=target_json(destination),
                        verify_=verify)

    def scroll(self, direction: str = "down", amount: int = 3,
               target: TargetLike | None = None, *, verify: bool = True) -> StepResult:
        """Scroll `amount` notches up, down, left or right, over `target` if given."""
        return self._do("scroll", direction=direction, amount=amount, target=target_json(target),
                        verify_=verify)

    def type(self, text: str, target: TargetLike | None = None, *,
             into: TargetLike | None = None, enter: bool = False, verify: bool = True
             ) -> StepResult:
        """Type `text` (`{{NAME}}`: a secret); with `target` (alias `into`), click there first."""
        if target is not None and into is not None:
            raise ValueError("give target or into, not both")
        return self._do("type", text=text, target=target_json(target if into is None else into),
                        enter=enter, verify_=verify)

    def press(self, keys: str | Sequence[str]) -> StepResult:
        """Press one key, or keys one after another: `press("enter")`, `press(["tab", "tab"])`."""
        return self._do("press", keys=[keys] if isinstance(keys, str) else list(keys))

    def hotkey(self, *keys: str | Sequence[str]) -> StepResult:
        """Press keys together: `hotkey("ctrl", "s")` or `hotkey(["ctrl", "s"])`."""
        return self._do("hotkey", keys=_key_list(keys))

    def wait(self, seconds: float) -> StepResult:
        """Wait `seconds` (the kill hotkey still stops it)."""
        return self._do("wait", seconds=seconds)

    # -- looking -------------------------------------------------------------------------------
    def locate(self, description: str) -> tuple[float, float]:
        """Where `description` is now, in screenshot pixels (a look only: nothing recorded)."""
        return self.grounder.ground(self.screen.capture(), description).point

    def wait_for(self, description: str, timeout: float = 10.0) -> tuple[float, float]:
        """The script step `wait_for`: `description`'s point once it is on the screen."""
        return _found_point(self.do(WaitFor(target=description, timeout=timeout)))

    def assert_visible(self, description: str) -> tuple[float, float]:
        """The script step `assert_visible`: GroundingError unless `description` is found now."""
        return _found_point(self.do(AssertVisible(target=description)))

    def screenshot(self) -> Image.Image:
        """The monitor driven, as it is now."""
        return self.screen.capture().image

    def settle(self) -> None:
        """Wait until the screen stops changing (bounded by `settle_timeout`)."""
        self.pipeline.settle()

    # -- any registered action ---------------------------------------------------------------
    def do(self, action: Action, *, verify: bool = True) -> StepResult:
        """Perform any registered action (yours too) as `agent run` would: one recorded step."""
        try:
            return self._step(action, verify)
        except Exception as exc:
            safe = _scrubbed(exc, self.secrets)
            if safe is exc:
                raise
            raise safe from None  # the original, and its cause, show a secret's value

    def _do(self, name: str, verify_: bool = True, **arguments: Any) -> StepResult:
        action = self.registry.parse({"name": name, **arguments})  # ValueError if invalid
        return self.do(action, verify=verify_)

    def _step(self, action: Action, verify: bool) -> StepResult:
        self.control.checkpoint()
        self.actions += 1
        outcome = self.pipeline.step(self.actions,
                                     lambda shot, record: _chosen(action, record, verify))
        if outcome.error is not None:
            raise outcome.error
        for warning in outcome.record.warnings:
            warnings.warn(f"step {outcome.record.index}: {warning}", VerifyWarning, stacklevel=4)
        if outcome.record.status == "rejected":
            approval = outcome.record.approval
            feedback = approval.feedback if approval is not None else None
            raise ActionError(f"{action.summary()} was rejected: "
                              f"{feedback or 'no reason given'}")
        return StepResult(outcome.record)

    # -- lifetime ------------------------------------------------------------------------------
    def close(self, error: BaseException | None = None) -> None:
        """Stop the hotkeys, release keys and buttons, finish the record, unlock the display."""
        if self._listener is not None:
            self._listener.__exit__(None, None, None)
            self._listener = None
        try:
            self.executor.release_all()
            close_screen = getattr(self.screen, "close", None)
            if close_screen is not None:
                close_screen()
            self._finish(error)
        finally:
            self._unlock()

    def _finish(self, error: BaseException | None) -> None:
        if self._run.ended_at is not None:
            return  # closed before
        status, reason = "done", None
        if error is not None:
            status = status_of(error)
            reason = self.secrets.redact(str(error) or type(error).__name__)
        self._run = self._run.model_copy(update={
            "status": status, "reason": reason, "ended_at": now_iso(), "steps": self.actions})
        self.recorder.finish(self._run)
        if self.run_dir is not None:
            from agent.rundir.report import write_report_safely

            write_report_safely(self.run_dir)

    @contextmanager
    def handing_over(self) -> Iterator[None]:
        """Lend the display (its lock and hotkeys) to a run started meanwhile (`run_task`)."""
        listening = self._listener is not None
        if self._listener is not None:
            self._listener.__exit__(None, None, None)
            self._listener = None
        locked = self._lock is not None
        self._unlock()
        try:
            yield
        finally:
            if locked:
                self._lock = DisplayLock().acquire()
            if listening:
                self._listener = start_hotkeys(self.control, self.settings)

    def _unlock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Desktop:
        return self

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        self.close(error)


def _approver(approve: ApproveMode | Approver, settings: Settings) -> Approver:
    return make_approver(approve, settings.risk) if isinstance(approve, str) else approve


def _chosen(action: Action, record: StepRecord, verify: bool = True) -> Choice:
    """The caller's action, worded as a script's instruction would be."""
    record.instruction = describe(action)
    return Choice(action, verify=verify)


def _found_point(result: StepResult) -> tuple[float, float]:
    assert result.point is not None  # a check's target is grounded, or the step raised
    return result.point


def _command() -> list[str]:
    return [Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", "Desktop"]


def _grounder(grounder: Grounder | str | None, settings: Settings) -> Grounder:
    if isinstance(grounder, str):
        return build_grounder(settings.model_copy(update={"grounder": grounder}))
    return grounder if grounder is not None else build_grounder(settings)


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
