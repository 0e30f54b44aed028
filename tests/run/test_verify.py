"""Verified clicks: after an action on a described target, a screen that did not change at all is
a warning in the record (`verify = warn`) or the step's error (`strict`)."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import ImageDraw

from actions import DryRunExecutor, builtin_registry
from agent.automation.desktop import Desktop
from agent.automation.scripted import ScriptPlanner, ScriptStep, script_registry
from agent.automation.step_result import VerifyWarning
from agent.errors import ActionError
from agent.records import StepRecord
from agent.run.loop import Limits, Loop
from agent.run.step import Verify
from agent.testing import FixedGrounder, MemoryRecorder, StaticScreen

POINTS = {"the OK button": (300.0, 200.0), "the word OK in the text": (600.0, 500.0)}


class PaintingExecutor(DryRunExecutor):
    """A click inside the OK button's box paints it pressed: the screen shows the effect."""

    def __init__(self, screen: StaticScreen) -> None:
        super().__init__()
        self.screen = screen

    def click(self, x: int, y: int, button: Any = "left", clicks: int = 1) -> None:
        super().click(x, y, button, clicks)
        if abs(x - 300) < 40 and abs(y - 200) < 15:
            ImageDraw.Draw(self.screen.image).rectangle((260, 185, 340, 215), fill="navy")


def run_script(actions: list[dict[str, Any]], verify: Verify,
               step_verify: bool = True) -> list[StepRecord]:
    screen = StaticScreen()
    registry = script_registry(builtin_registry())
    planner = ScriptPlanner([ScriptStep(registry.parse(a), f"step {i}", verify=step_verify)
                             for i, a in enumerate(actions, 1)])
    recorder = MemoryRecorder()
    loop = Loop(screen=screen, planner=planner, grounder=FixedGrounder(POINTS),
                executor=PaintingExecutor(screen), recorder=recorder, registry=registry,
                limits=Limits(max_steps=len(actions) + 1), ends_at=planner.failed_step,
                verify=verify)
    loop.run("a task", ["agent"], {})
    return recorder.steps


def test_a_click_that_changes_the_screen_is_not_questioned() -> None:
    (click, done) = run_script([{"name": "click", "target": "the OK button"}], "warn")
    assert click.status == "ok" and click.warnings == []
    assert done.action == {"name": "done", "answer": None}


def test_a_click_that_changes_nothing_is_a_warning_naming_where_it_acted() -> None:
    (click, _) = run_script([{"name": "click", "target": "the word OK in the text"}], "warn")
    assert click.status == "ok"
    assert click.warnings == ["the screen did not change after click on 'the word OK in the "
                              "text' at (600, 500)"]


def test_strict_makes_a_click_that_changes_nothing_fail_the_script() -> None:
    (click,) = run_script([{"name": "click", "target": "the word OK in the text"},
                           {"name": "click", "target": "the OK button"}], "strict")
    assert click.status == "error"
    assert click.error is not None and "did not change" in click.error
    assert "(verify = strict)" in click.error


@pytest.mark.parametrize("action", [
    {"name": "move", "target": "the word OK in the text"},  # a hover need not show anything
    {"name": "click", "target": {"x": 600, "y": 500}},  # a point: nothing was grounded
    {"name": "assert_visible", "target": "the word OK in the text"},
    {"name": "press", "keys": ["tab"]},
])
def test_only_actions_on_described_targets_with_a_visible_effect_are_checked(
        action: dict[str, Any]) -> None:
    (step, _) = run_script([action], "strict")
    assert step.status == "ok" and step.warnings == []


def test_off_and_a_steps_own_verify_false_skip_the_check() -> None:
    miss = [{"name": "click", "target": "the word OK in the text"}]
    assert run_script(miss, "off")[0].warnings == []
    (step, _) = run_script(miss, "strict", step_verify=False)
    assert step.status == "ok" and step.warnings == []


def test_desktop_warns_by_default_with_real_input_and_per_call_can_skip() -> None:
    screen = StaticScreen()
    with Desktop(FixedGrounder(POINTS), screen=screen, executor=PaintingExecutor(screen),
                 recorder=MemoryRecorder(), verify="warn") as desktop:
        with pytest.warns(VerifyWarning, match="did not change after click"):
            result = desktop.click("the word OK in the text")
        assert len(result.warnings) == 1
        assert desktop.click("the word OK in the text", verify=False).warnings == []
        assert desktop.click("the OK button").warnings == []


def test_desktop_strict_raises_and_a_stand_in_executor_is_not_verified() -> None:
    screen = StaticScreen()
    with Desktop(FixedGrounder(POINTS), screen=screen, executor=PaintingExecutor(screen),
                 recorder=MemoryRecorder(), verify="strict") as desktop, \
            pytest.raises(ActionError, match="did not change"):
        desktop.click("the word OK in the text")
    with Desktop(FixedGrounder(POINTS), screen=StaticScreen(), executor=DryRunExecutor(),
                 recorder=MemoryRecorder()) as desktop:  # verify unset: nothing real acts
        assert desktop.click("the word OK in the text").warnings == []
