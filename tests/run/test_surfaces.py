"""One action, three surfaces: `agent run`'s loop, a script and `Desktop` take the same path
(the step pipeline), so takeover, secrets, approval edits and errors come out the same."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from actions import DryRunExecutor, builtin_registry
from agent.automation.desktop import Desktop
from agent.automation.scripted import ScriptPlanner, ScriptStep, script_registry
from agent.errors import ActionError, AgentError, GroundingError, Stopped
from agent.records import Approval, StepRecord
from agent.run.loop import Limits, Loop
from agent.safety.approval import Proposal
from agent.safety.control import RunControl
from agent.safety.secrets import Secrets
from agent.testing import FixedGrounder, MemoryRecorder, ScriptedPlanner, StaticScreen
from tests.unit_helpers import reply_json

SURFACES = ["run", "script", "desktop"]
POINTS = {"the Password field": (100.0, 50.0), "the OK button": (300.0, 200.0),
          "the Cancel button": (400.0, 200.0)}


class TouchyExecutor(DryRunExecutor):
    """A dry-run executor; while it clicks, `during_click` plays the person's input."""

    during_click: Callable[[], None] = staticmethod(lambda: None)

    def click(self, x: int, y: int, button: Any = "left", clicks: int = 1) -> None:
        super().click(x, y, button, clicks)
        self.during_click()


@dataclass
class EditOnce:
    """Answers the first proposal with an edit, then approves; keeps what it was shown."""

    edit: dict[str, Any]
    shown: list[Proposal]

    def review(self, proposal: Proposal) -> Approval:
        self.shown.append(proposal)
        if len(self.shown) == 1:
            return Approval(decision="edited", edited=self.edit)
        return Approval(decision="approved")


@dataclass
class Taken:
    record: StepRecord  # the action's step as recorded
    error: AgentError | None  # Desktop: what it raised; a loop: how the run ended
    executor: TouchyExecutor


def take(surface: str, action: dict[str, Any], *, approver: Any = None,
         secrets: dict[str, str] | None = None, on_takeover: str = "ignore",
         grounder: Any = None, person: Callable[[RunControl], None] | None = None) -> Taken:
    """Send `action` through one surface; its first step's record and error."""
    executor = TouchyExecutor()
    grounder = grounder or FixedGrounder(POINTS)
    recorder = MemoryRecorder()
    if surface == "desktop":
        desktop = Desktop(grounder, screen=StaticScreen(), executor=executor, recorder=recorder,
                          secrets=secrets or {}, approve=approver or "never",
                          on_takeover=on_takeover, settle_timeout=0)
        if person is not None:
            executor.during_click = lambda: person(desktop.control)
        error: AgentError | None = None
        try:
            desktop.do(desktop.registry.parse(action))
        except AgentError as exc:
            error = exc
        finally:
            desktop.close()
        return Taken(recorder.steps[0], error, executor)
    control = RunControl(on_takeover)  # type: ignore[arg-type]
    if person is not None:
        executor.during_click = lambda: person(control)
    registry = script_registry(builtin_registry())
    planner: Any
    rules: dict[str, Any] = {}
    if surface == "run":
        planner = ScriptedPlanner([reply_json(action), reply_json({"name": "done"})], registry)
    else:
        planner = ScriptPlanner([ScriptStep(registry.parse(action), "step 1")])
        rules = {"ends_at": planner.failed_step, "fail_wording": planner.fail_wording}
    loop = Loop(screen=StaticScreen(), planner=planner, grounder=grounder, executor=executor,
                recorder=recorder, registry=registry, limits=Limits(max_steps=2),
                control=control, secrets=Secrets(secrets or {}),
                **({"approver": approver} if approver else {}), **rules)
    outcome = loop.run("a task", ["agent"], {})
    return Taken(recorder.steps[0], outcome.error, executor)


@pytest.mark.parametrize("surface", SURFACES)
def test_a_secret_is_typed_and_never_recorded(surface: str) -> None:
    taken = take(surface, {"name": "type", "text": "{{PW}}", "target": "the Password field"},
                 secrets={"PW": "hunter22-x"})
    assert taken.record.status == "ok"
    assert ("type", "hunter22-x") in [(e.kind, e.args[0]) for e in taken.executor.events
                                      if e.kind == "type"]
    assert taken.record.action["text"] == "{{PW}}"
    assert "hunter22-x" not in taken.record.model_dump_json()
    assert taken.record.grounding[0].point == POINTS["the Password field"]


@pytest.mark.parametrize("surface", SURFACES)
def test_an_unknown_secret_is_an_action_error_and_nothing_is_typed(surface: str) -> None:
    taken = take(surface, {"name": "type", "text": "{{NOPE}}", "target": "the Password field"},
                 secrets={"PW": "hunter22-x"})
    assert taken.record.status == "error"
    assert "unknown secret {{NOPE}}" in (taken.record.error or "")
    if surface == "desktop":
        assert isinstance(taken.error, ActionError)
    assert taken.executor.events == []


@pytest.mark.parametrize("surface", SURFACES)
def test_an_edit_at_the_approval_prompt_regrounds_and_asks_again(surface: str) -> None:
    approver = EditOnce({"target": "the OK button"}, [])
    taken = take(surface, {"name": "click", "target": "the Cancel button"}, approver=approver)
    assert [p.grounding[0].point for p in approver.shown[:2]] == [
        POINTS["the Cancel button"], POINTS["the OK button"]]
    assert approver.shown[1].after_edit
    assert taken.record.approval == Approval(decision="edited",
                                             edited={"target": "the OK button"})
    assert taken.record.action["target"] == "the OK button"
    clicks = [e.args[:2] for e in taken.executor.events if e.kind == "click"]
    assert clicks == [(300, 200)]


@pytest.mark.parametrize("surface", SURFACES)
def test_a_target_not_found_is_a_grounding_error_in_the_record(surface: str) -> None:
    taken = take(surface, {"name": "click", "target": "the Help button"},
                 grounder=FixedGrounder(POINTS, default=None))
    assert taken.record.status == "error"
    assert taken.record.error == "FixedGrounder knows no point for 'the Help button'"
    if surface == "desktop":
        assert isinstance(taken.error, GroundingError)
        assert str(taken.error) == taken.record.error
    if surface == "script":  # a script ends at a step that did not go through
        assert "step 1 (click the Help button) failed" in str(taken.error)
    assert taken.executor.events == []


@pytest.mark.parametrize("surface", SURFACES)
def test_the_persons_keyboard_during_a_click_is_a_takeover(surface: str) -> None:
    """A click sends only mouse input: the person's typing meanwhile is theirs, not ours."""
    taken = take(surface, {"name": "click", "target": "the OK button"}, on_takeover="stop",
                 person=lambda control: control.user_input("keyboard"))
    assert taken.record.status == "stopped"
    assert isinstance(taken.error, Stopped)
    assert "the user took over (keyboard)" in str(taken.error)


@pytest.mark.parametrize("surface", SURFACES)
def test_the_clicks_own_mouse_input_is_no_takeover(surface: str) -> None:
    taken = take(surface, {"name": "click", "target": "the OK button"}, on_takeover="stop",
                 person=lambda control: control.user_input("mouse"))
    assert taken.record.status == "ok"
    assert taken.error is None


def test_every_surface_records_the_same_step() -> None:
    """Beyond the outcome: the recorded action, grounding and approval agree field by field."""
    def comparable(record: StepRecord) -> dict[str, Any]:
        return record.model_dump(include={"action", "grounding", "approval", "status", "error"})

    records = [comparable(take(s, {"name": "click", "target": "the OK button"}).record)
               for s in SURFACES]
    assert records[0] == records[1] == records[2]
