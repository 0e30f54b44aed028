"""Assemble a run's parts from `Settings`: the one place where configuration becomes objects."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from actions import ActionRegistry, DryRunExecutor, Executor, default_registry
from agent.approval import make_approver
from agent.errors import UsageError
from agent.families import FAMILIES
from agent.grounder import Grounder, ModelGrounder
from agent.llm import make_client, resolve_model
from agent.loop import Limits, Loop, RunOutcome
from agent.planner import OpenAIPlanner
from agent.recorder import RunDirectory
from agent.records import StepRecord
from agent.screen import MssScreen, check_display
from agent.settings import Settings
from agent.settle import Settler

__all__ = ["RunHandle", "build_grounder", "build_planner", "start_run"]

DEFAULT_OPENAI_MODEL = "gpt-4o"
OCR = "ocr"


def build_planner(settings: Settings, registry: ActionRegistry) -> OpenAIPlanner:
    key = settings.planner_key()
    if key is None:
        raise UsageError("no planner configured: set --planner-base-url (or AGENT_PLANNER_BASE_URL"
                         ", or planner_base_url in agent.toml), or OPENAI_API_KEY for OpenAI")
    client = make_client(settings.planner_base_url, key, settings.timeout)
    model = settings.planner_model or (
        DEFAULT_OPENAI_MODEL if settings.planner_base_url is None
        else resolve_model(client, None, "planner"))
    return OpenAIPlanner(client, model, registry, history_images=settings.history,
                         max_pixels=settings.planner_max_pixels)


def build_grounder(settings: Settings) -> Grounder:
    """The configured grounder: a model family behind an endpoint, or the offline OCR."""
    name = settings.grounder_family()
    if name == OCR:
        from agent.ocr import OcrGrounder  # imports nothing heavy until it reads a screen

        return OcrGrounder()
    family = FAMILIES.get(name)
    if family is None:
        known = ", ".join([*FAMILIES, OCR])
        raise UsageError(f"unknown grounder {name!r}; known: {known}")
    if settings.grounder_base_url is None:
        raise UsageError(f"the {name} grounder needs --grounder-base-url: the OpenAI-compatible "
                         "endpoint serving the model (see the README for serving UGround with "
                         "vLLM), or use --grounder ocr to ground offline")
    key = settings.grounder_key() or "EMPTY"
    client = make_client(settings.grounder_base_url, key, settings.timeout)
    return ModelGrounder(client, resolve_model(client, settings.grounder_model, "grounder"),
                         family.with_pixels(settings.min_pixels, settings.max_pixels))


def _executor(settings: Settings) -> Executor:
    if settings.dry_run:
        return DryRunExecutor()
    from actions.pyautogui_executor import PyAutoGUIExecutor  # connects to the display

    return PyAutoGUIExecutor()


def _ask_on_terminal(question: str) -> str:
    print(f"\nThe agent asks: {question}", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    if not answer:
        raise UsageError("the agent asked a question but no one is there to answer (no input)")
    return answer.strip()


@dataclass
class RunHandle:
    loop: Loop
    directory: RunDirectory
    settings: Settings  # as used: models resolved

    def run(self, task: str, command: list[str]) -> RunOutcome:
        return self.loop.run(task, command, self.settings.public())


def start_run(
    task: str,
    settings: Settings,
    *,
    registry: ActionRegistry | None = None,
    on_step: Callable[[StepRecord], None] = lambda record: None,
) -> RunHandle:
    """Check the configuration, open the display, create the run directory; nothing runs yet."""
    registry = registry or default_registry
    planner = build_planner(settings, registry)
    grounder = build_grounder(settings)
    check_display()
    screen = MssScreen(settings.monitor)
    directory = RunDirectory.create(settings.runs_dir, task)
    loop = Loop(
        screen=screen,
        planner=planner,
        grounder=grounder,
        executor=_executor(settings),
        recorder=directory,
        registry=registry,
        approver=make_approver(settings.approve),
        settler=Settler(screen.grab_raw, timeout=settings.settle_timeout),
        limits=Limits(settings.max_steps, settings.max_time, settings.max_tokens),
        ask_user=_ask_on_terminal,
        on_step=on_step,
    )
    used = settings.model_copy(update={
        "planner_model": planner.model,
        "grounder": settings.grounder_family(),
        "grounder_model": grounder.model if isinstance(grounder, ModelGrounder) else None,
    })
    return RunHandle(loop, directory, used)
