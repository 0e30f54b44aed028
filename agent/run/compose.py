"""Assemble a run's parts from `Settings`: the one place where configuration becomes objects."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from actions import ActionRegistry, DryRunExecutor, Executor, default_registry
from agent.backends.hotkeys import HotkeyListener
from agent.backends.mss_screen import MssScreen
from agent.errors import AgentError, TaskFailed, UsageError
from agent.grounding.declared import declared_family
from agent.grounding.families import FAMILIES
from agent.grounding.grounder import Family, Grounder, ModelGrounder
from agent.grounding.model_ids import family_for_model
from agent.grounding.refine import with_zoom
from agent.llm import make_client, resolve_model
from agent.planning.native import NATIVE_FORMATS, NativePlanner
from agent.planning.planner import OpenAIPlanner, Planner
from agent.records import StepRecord, Usage
from agent.run.loop import Limits, Loop, RunOutcome
from agent.run.settle import Settler
from agent.run.step import Verify
from agent.rundir.recorder import RunDirectory
from agent.safety.approval import Approver, make_approver
from agent.safety.budget import Pricing
from agent.safety.control import RunControl
from agent.safety.lock import DisplayLock
from agent.safety.secrets import Secrets
from agent.safety.stuck import StuckDetector
from agent.screen import check_display
from agent.settings import OPENAI_BASE_URL, Settings

__all__ = [
    "RunHandle",
    "build_grounder",
    "build_planner",
    "hotkeys_wanted",
    "make_executor",
    "named_family",
    "start_hotkeys",
    "start_run",
    "verify_mode",
]

DEFAULT_OPENAI_MODEL = "gpt-4o"
OCR = "ocr"
AutoFamily = Literal["auto"]
AUTO: AutoFamily = "auto"  # no --grounder: the served model's id names the family


def build_planner(
    settings: Settings, registry: ActionRegistry, secret_names: Sequence[str] = ()
) -> OpenAIPlanner | NativePlanner:
    key = _planner_key(settings)
    # OpenAI's URL given outright: OPENAI_BASE_URL (read by the openai client) must not send
    # OPENAI_API_KEY anywhere else (CONTRACTS §1)
    client = make_client(settings.planner_base_url or OPENAI_BASE_URL, key, settings.timeout)
    model = settings.planner_model or (
        DEFAULT_OPENAI_MODEL if settings.planner_base_url is None
        else resolve_model(client, None, "planner"))
    if settings.planner_format != "json":  # a computer-use model's own prompt and answers
        return NativePlanner(client, model, registry, NATIVE_FORMATS[settings.planner_format],
                             history_images=settings.history)
    return OpenAIPlanner(client, model, registry, history_images=settings.history,
                         max_pixels=settings.planner_max_pixels, secret_names=secret_names,
                         reasoning_effort=settings.planner_reasoning_effort,
                         structured=settings.planner_structured)


def _planner_key(settings: Settings) -> str:
    key = settings.planner_key()
    if key is None:
        raise UsageError("no planner configured: set --planner-base-url (or AGENT_PLANNER_BASE_URL"
                         ", or planner_base_url in agent.toml), or OPENAI_API_KEY for OpenAI")
    return key


def _needs_grounder(settings: Settings) -> bool:
    """False for a native planner, which points by itself; a grounder configured for it is
    said once to be unused."""
    if settings.planner_format == "json":
        return True
    if settings.grounder or settings.grounder_base_url:
        print(f"agent: the {settings.planner_format} planner points by itself; the configured "
              "grounder is unused", file=sys.stderr, flush=True)
    return False


def build_grounder(settings: Settings) -> Grounder:
    """The configured grounder: a model family behind an endpoint, or the offline OCR; refined
    by zooming with `refine = zoom`."""
    family = _model_family(settings)
    grounder: Grounder
    if family is None:
        from agent.grounding.ocr.grounder import (
            OcrGrounder,  # imports nothing heavy until it reads a screen
        )

        grounder = OcrGrounder(settings.ocr_engine)
    else:
        assert settings.grounder_base_url is not None  # _model_family checked it
        key = settings.grounder_key() or "EMPTY"
        client = make_client(settings.grounder_base_url, key, settings.timeout)
        model = resolve_model(client, settings.grounder_model, "grounder")
        family = _family_of_model(settings, family, model)
        grounder = ModelGrounder(client, model, family.with_pixels(settings.min_pixels,
                                                                   settings.max_pixels))
    return with_zoom(grounder, settings.refine_window) if settings.refine == "zoom" else grounder


def _family_of_model(settings: Settings, given: Family | AutoFamily, model: str) -> Family:
    """The family for the served `model`: with no --grounder, the one its id names (said once);
    with one, that one, and a warning when the id names another (CONTRACTS §5)."""
    named = family_for_model(model)
    if isinstance(given, Family) and settings.grounder:
        if named is not None and named != given.name:
            print(f"agent: warning: the grounder model {model!r} looks like the {named} family, "
                  f"not {given.name} (--grounder {given.name}); its answers may be misread",
                  file=sys.stderr)
        return given
    if named is None:
        raise UsageError(f"set --grounder: the grounder model id {model!r} names no known family "
                         f"(known: {', '.join([*FAMILIES, *settings.grounders, OCR])})")
    print(f"agent: grounder family {named}, from the model id {model!r} (--grounder to "
          "choose another)", file=sys.stderr)
    return FAMILIES[named]


def named_family(settings: Settings, name: str) -> Family | None:
    """The family called `name`: a built-in one, or one declared in the config file's
    `[grounders.NAME]` (CONTRACTS §5); None when there is none."""
    if name in settings.grounders:
        config = Settings._toml_file
        return declared_family(name, settings.grounders[name],
                               config.parent if config is not None else None)
    return FAMILIES.get(name)


def _model_family(settings: Settings) -> Family | AutoFamily | None:
    """The grounder's model family, checked without a server; None for the offline OCR;
    AUTO when the served model's id decides."""
    name = settings.grounder_family()
    if name == OCR:
        return None
    if name == AUTO:  # only with an endpoint (Settings.grounder_family)
        return AUTO
    family = named_family(settings, name)
    if family is None:
        known = ", ".join([*FAMILIES, *settings.grounders, OCR])
        raise UsageError(f"unknown grounder {name!r}; known: {known}")
    if settings.grounder_base_url is None:
        raise UsageError(f"the {name} grounder needs --grounder-base-url: the OpenAI-compatible "
                         "endpoint serving the model (see the README for serving UGround with "
                         "vLLM), or use --grounder ocr to ground offline")
    return family


def _pricing(settings: Settings, *models: str | None) -> Pricing:
    """The prices of the models in use; with --max-cost, every one of them needs a price (an
    unpriced model would make the budget silently count nothing)."""
    unpriced = [m for m in models if m is not None and m not in settings.prices]
    if settings.max_cost is not None and unpriced:
        tables = " and ".join(f'[prices."{m}"]' for m in unpriced)
        raise UsageError(f"--max-cost needs the price of every model in use: add {tables} with "
                         "input = … and output = … (dollars per million tokens) to the config "
                         "file")
    planner_model, grounder_model = models
    return Pricing.for_models(settings.prices, planner_model, grounder_model)


def make_executor(dry_run: bool) -> Executor:
    """The input backend: pyautogui on the display, or one that only records (dry runs)."""
    if dry_run:
        return DryRunExecutor()
    from agent.backends.pyautogui_executor import PyAutoGUIExecutor  # connects to the display

    return PyAutoGUIExecutor()


def hotkeys_wanted(settings: Settings) -> bool:
    """A dry run that ignores takeovers sends no input: nothing to stop or pause."""
    return not settings.dry_run or settings.on_takeover != "ignore"


def start_hotkeys(control: RunControl, settings: Settings) -> HotkeyListener | None:
    """The kill and pause hotkeys (and takeover detection) listening for `control`; None, with a
    warning, when the display cannot give them."""
    listener = HotkeyListener(control, settings.kill_hotkey, settings.pause_hotkey,
                              watch_takeover=settings.on_takeover != "ignore")
    try:
        return listener.__enter__()
    except Exception as exc:  # e.g. an X server without the RECORD extension
        print(f"agent: warning: no kill or pause hotkey ({exc}); Ctrl+C and the screen-corner "
              "fail-safe still stop the run", file=sys.stderr)
        return None


def _script_rules(ends_at: Callable[[StepRecord], AgentError | None] | None,
                  fail_wording: str | None) -> dict[str, Any]:
    """The loop's defaults, unless the caller (a script) brings its own."""
    rules: dict[str, Any] = {}
    if ends_at is not None:
        rules["ends_at"] = ends_at
    if fail_wording is not None:
        rules["fail_wording"] = fail_wording
    return rules


def _ask_on_terminal(question: str) -> str:
    """The person's answer; with no one attached (no TTY, no answer line) the run fails."""
    print(f"\nThe agent asks: {question}", file=sys.stderr, flush=True)
    if sys.stdin is None or sys.stdin.closed:
        raise TaskFailed(f"the agent asked {question!r} but no one is attached to answer")
    if sys.stdin.isatty():
        print("your answer: ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    if not answer.strip():
        raise TaskFailed(f"the agent asked {question!r} but no one answered")
    return answer.strip()


@dataclass
class RunHandle:
    loop: Loop
    directory: RunDirectory
    settings: Settings  # as used: models resolved
    lock: DisplayLock  # held since start_run; released when the run ends

    def run(self, task: str, command: list[str]) -> RunOutcome:
        """Listen for the kill and pause hotkeys, Ctrl+C and SIGTERM, and run."""
        try:
            with self.loop.control.handling_signals(), self._hotkeys():
                return self.loop.run(task, command, self.settings.public())
        finally:
            self.lock.release()

    @contextmanager
    def _hotkeys(self) -> Iterator[None]:
        listener = None
        if hotkeys_wanted(self.settings):
            listener = start_hotkeys(self.loop.control, self.settings)
        try:
            yield
        finally:
            if listener is not None:
                listener.__exit__(None, None, None)


def verify_mode(settings: Settings, default: Verify = "off") -> Verify:
    """The `verify` in effect: off in a dry run (nothing acts), else as set, else `default`
    (the surface's own: `agent run` off, scripts and `Desktop` warn)."""
    if settings.dry_run:
        return "off"
    return settings.verify or default


def start_run(
    task: str,
    settings: Settings,
    *,
    registry: ActionRegistry | None = None,
    secrets: Secrets | None = None,
    on_step: Callable[[StepRecord, Usage], None] = lambda record, total: None,
    planner: Planner | None = None,
    grounded: bool = True,
    stuck: StuckDetector | None = None,
    ends_at: Callable[[StepRecord], AgentError | None] | None = None,
    fail_wording: str | None = None,
    approver: Approver | None = None,
) -> RunHandle:
    """Check the configuration, open the display, create the run directory; nothing runs yet.

    `planner` replaces the planner model (scripts, replays); `grounded=False` builds no grounder
    (every target is a point); `ends_at` and `fail_wording`: as `Loop`'s (scripts); `approver`
    replaces the terminal's (an MCP client asks its person).
    """
    if not task.strip():
        raise UsageError('the task is empty: say what to do, e.g. "book a flight to Tokyo"')
    if planner is None:  # what the configuration lacks is found without a server
        _planner_key(settings)
        grounded = grounded and _needs_grounder(settings)
    if grounded:
        _model_family(settings)
    check_display()  # before any server is contacted: the error a user sees first is the one
    # to fix first (a model listing or a refused key can wait until there is a screen to drive)
    registry = registry or default_registry
    secrets = secrets or Secrets.from_environment()
    planner = planner or build_planner(settings, registry, secrets.names)
    grounder = build_grounder(settings) if grounded else None
    grounder_model = grounder.model if isinstance(grounder, ModelGrounder) else None
    planner_model = planner.model if isinstance(planner, (OpenAIPlanner, NativePlanner)) else None
    limits = Limits(settings.max_steps, settings.max_time, settings.max_tokens,
                    settings.max_cost, _pricing(settings, planner_model, grounder_model))
    screen = MssScreen(settings.monitor)
    lock = DisplayLock().acquire()  # before the run directory: a refused run leaves nothing
    try:
        directory = RunDirectory.create(settings.runs_dir, secrets.redact(task))
    except BaseException:
        lock.release()
        raise
    loop = Loop(
        screen=screen,
        planner=planner,
        grounder=grounder,
        executor=make_executor(settings.dry_run),
        recorder=directory,
        registry=registry,
        approver=approver or make_approver(settings.approve, settings.risk),
        settler=Settler(screen.grab_raw, timeout=settings.settle_timeout),
        limits=limits,
        control=RunControl(settings.on_takeover),
        secrets=secrets,
        stuck=stuck or StuckDetector(),
        ask_user=_ask_on_terminal,
        on_step=on_step,
        patient=not settings.dry_run,
        verify=verify_mode(settings),
        **_script_rules(ends_at, fail_wording),
    )
    used = settings.model_copy(update={
        "planner_model": planner_model,
        "grounder": (grounder.family.name if isinstance(grounder, ModelGrounder) else
                     settings.grounder_family() if grounder is not None else None),
        "grounder_model": grounder_model,
    })
    return RunHandle(loop, directory, used, lock)
