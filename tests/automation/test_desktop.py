"""The Python `Desktop` API with fakes: the same actions, grounding and approval as `agent run`."""

from __future__ import annotations

import inspect
import pydoc
import traceback
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import field_validator

from actions import Action, ActionContext, DryRunExecutor, builtin_registry
from agent.automation.desktop import Desktop
from agent.errors import ActionError, GroundingError, Stopped, UsageError
from agent.records import Approval, StepRecord
from agent.rundir.reader import read_run_dir
from agent.safety.approval import AutoApprover, Proposal
from agent.safety.lock import DisplayLock
from agent.screen import Monitor, Rect, Screenshot
from agent.settings import Settings
from agent.testing import FixedGrounder, MemoryRecorder, StaticScreen
from agent.testing.fake_server import FakeChatServer, uground_description
from tests.automation.test_script import AppearsLater

POINTS = {"the Save button": (100.0, 40.0), "the search box": (300.4, 20.6),
          "the list": (50.0, 500.0), "the bin": (900.0, 700.0)}


def make(grounder: Any = None, **kwargs: Any) -> tuple[Desktop, DryRunExecutor]:
    executor = DryRunExecutor()
    kwargs.setdefault("recorder", MemoryRecorder())
    desktop = Desktop(grounder or FixedGrounder(POINTS, default=None), settings=Settings(),
                      screen=kwargs.pop("screen", StaticScreen()), executor=executor, **kwargs)
    return desktop, executor


def recorded(desktop: Desktop) -> list[StepRecord]:
    assert isinstance(desktop.recorder, MemoryRecorder)
    return desktop.recorder.steps


def events(executor: DryRunExecutor) -> list[tuple[str, tuple[object, ...]]]:
    return [(event.kind, event.args) for event in executor.events]


def test_every_method_performs_the_built_in_action_at_the_grounded_point() -> None:
    desktop, executor = make()
    desktop.click("the Save button")
    desktop.double_click("the Save button")
    desktop.right_click((10, 20))
    desktop.move({"x": 5, "y": 6})
    desktop.type("hello", into="the search box", enter=True)
    desktop.press("enter")
    desktop.press(["tab", "Tab"])
    desktop.hotkey("ctrl", "s")
    desktop.scroll("down", 5, target="the list")
    desktop.drag("the list", "the bin")
    assert events(executor) == [
        ("click", (100, 40, "left", 1)),
        ("click", (100, 40, "left", 2)),
        ("click", (10, 20, "right", 1)),
        ("move", (5, 6)),
        ("click", (300, 21, "left", 1)), ("type", ("hello",)), ("press", ("enter",)),
        ("press", ("enter",)),
        ("press", ("tab",)), ("press", ("tab",)),
        ("hotkey", (("ctrl", "s"),)),
        ("scroll", ("down", 5, (50, 500))),
        ("drag", ((50, 500), (900, 700))),
    ]
    assert desktop.actions == 10


def test_points_are_screenshot_pixels_of_the_monitor_driven() -> None:
    screen = StaticScreen(monitor=Monitor(2, Rect(1280, 0, 1280, 800)),
                          desktop=Rect(0, 0, 2560, 800))
    desktop, executor = make(screen=screen)
    desktop.click("the Save button")
    assert desktop.locate("the Save button") == (100.0, 40.0)
    assert events(executor) == [("click", (1380, 40, "left", 1))]


def test_bad_arguments_fail_before_anything_happens() -> None:
    desktop, executor = make()
    with pytest.raises(ValueError, match="invalid arguments for scroll"):
        desktop.scroll("sideways")
    with pytest.raises(ValueError, match="unknown key"):
        desktop.press("hyperspace")
    with pytest.raises(ValueError, match="target or into"):
        desktop.type("x", "the search box", into="the search box")
    with pytest.raises(GroundingError):
        desktop.click("a button that is not there")
    assert executor.events == []


def test_wait_for_polls_and_locate_does_not() -> None:
    desktop, _ = make(AppearsLater(misses=2))
    assert desktop.wait_for("Ready", timeout=5) == (7.0, 8.0)
    desktop, _ = make(AppearsLater(misses=1))
    with pytest.raises(GroundingError, match="not on the screen"):
        desktop.locate("Ready")
    desktop, _ = make(AppearsLater(misses=100))
    with pytest.raises(GroundingError, match=r"did not appear within 0\.3 s"):
        desktop.wait_for("Ready", timeout=0.3)


def test_a_family_name_builds_that_grounder_from_the_settings() -> None:
    with FakeChatServer(lambda request: "(500, 250)", model="osunlp/UGround-V1-7B") as server:
        settings = Settings(grounder_base_url=server.base_url, grounder="qwen2vl")
        executor = DryRunExecutor()
        desktop = Desktop("uground", settings=settings, screen=StaticScreen(), executor=executor)
        desktop.click("the middle")
        assert uground_description(server.requests[0].last_user_text()) == "the middle"
    assert events(executor) == [("click", (640, 200, "left", 1))]


def test_settings_can_be_given_as_keywords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_SETTLE_TIMEOUT", "2.5")
    with FakeChatServer(lambda request: "(500, 250)") as server:
        desktop = Desktop("uground", grounder_base_url=server.base_url, screen=StaticScreen(),
                          executor=DryRunExecutor())
        assert desktop.locate("the middle") == (640.0, 200.0)
    assert desktop.settings.settle_timeout == 2.5  # the environment still counts
    assert isinstance(desktop.approver, AutoApprover)  # the API's default: nothing set it
    with pytest.raises(UsageError, match="settle_timeout"):
        Desktop(settle_timeout=-1, screen=StaticScreen(), executor=DryRunExecutor())


def test_screenshot_is_the_current_screen() -> None:
    desktop, _ = make()
    assert desktop.screenshot().size == (1280, 800)


class OpenThing(Action):
    """A user's own action."""

    name: ClassVar[str] = "open_thing"
    what: str


def test_any_registered_action_runs_through_do() -> None:
    registry = builtin_registry()
    opened: list[str] = []

    def open_thing(action: OpenThing, ctx: ActionContext) -> str:
        opened.append(action.what)
        return f"opened {action.what}"

    registry.register(OpenThing, open_thing)
    desktop, _ = make(registry=registry)
    result = desktop.do(OpenThing(what="docs"))
    assert (result.status, result.outcome, result.point) == ("ok", "opened docs", None)
    assert opened == ["docs"]


def test_a_failing_action_is_an_action_error() -> None:
    registry = builtin_registry()

    def broken(action: OpenThing, ctx: ActionContext) -> None:
        raise OSError("no such thing")

    registry.register(OpenThing, broken)
    desktop, _ = make(registry=registry)
    with pytest.raises(ActionError, match="open_thing failed: OSError: no such thing"):
        desktop.do(OpenThing(what="x"))


class Answers:
    def __init__(self, *answers: Approval) -> None:
        self.answers = list(answers)
        self.proposals: list[Proposal] = []

    def review(self, proposal: Proposal) -> Approval | None:
        self.proposals.append(proposal)
        return self.answers.pop(0)


def test_the_approver_can_reject_edit_or_abort() -> None:
    desktop, executor = make()
    assert desktop.approver.review(
        Proposal(1, "", "", builtin_registry().parse({"name": "press", "keys": "a"}), [])) is None
    desktop.approver = Answers(Approval(decision="rejected", feedback="no"))
    with pytest.raises(ActionError, match="was rejected: no"):
        desktop.click("the Save button")
    answers = Answers(Approval(decision="edited", edited={"target": "the search box"}),
                      Approval(decision="approved"))
    desktop.approver = answers
    desktop.click("the Save button")
    assert answers.proposals[0].instruction == "click the Save button"
    assert events(executor) == [("click", (300, 21, "left", 1))]
    desktop.approver = Answers(Approval(decision="aborted"))
    with pytest.raises(Stopped):
        desktop.press("enter")


# ----------------------------------------------------------------------------- secrets

SECRET = "hunter2-sesame"


def test_a_secret_is_typed_from_the_environment_and_the_reviewer_sees_its_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AGENT_SECRET_PW", SECRET)
    desktop, executor = make(secrets={"pin": "4711"})
    answers = Answers(Approval(decision="approved"), Approval(decision="approved"))
    desktop.approver = answers
    desktop.type("{{PW}}", into="the search box")
    desktop.type("PIN {{ pin }}")
    assert [e for e in events(executor) if e[0] == "type"] == [
        ("type", (SECRET,)), ("type", ("PIN 4711",))]
    assert [p.action.to_json()["text"] for p in answers.proposals] == ["{{PW}}", "PIN {{ pin }}"]


def test_an_unknown_secret_fails_before_anything_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in `agent run` and scripts: an ActionError, recorded, before grounding or input."""
    monkeypatch.delenv("AGENT_SECRET_PW", raising=False)
    desktop, executor = make(secrets={"PIN": "4711"})
    with pytest.raises(ActionError, match=r"unknown secret \{\{PW\}\} \(known: PIN\)"):
        desktop.type("{{PW}}", into="the search box")
    assert executor.events == []
    [step] = recorded(desktop)
    assert step.status == "error" and step.grounding == []


class Secretive(Action):
    """An action whose own errors repeat what it was given."""

    name: ClassVar[str] = "secretive"
    text: str

    @field_validator("text")
    @classmethod
    def _no_spaces(cls, text: str) -> str:
        if " " in text:
            raise ValueError(f"no spaces in {text}")
        return text


def _leaky(action: Secretive, ctx: ActionContext) -> str:
    raise OSError(f"the app refused {action.text}")


@pytest.mark.parametrize("value", [SECRET, "open sesame"])
def test_no_error_the_desktop_raises_shows_a_secret(value: str) -> None:
    registry = builtin_registry()
    registry.register(Secretive, _leaky)
    desktop, _ = make(registry=registry, secrets={"PW": value})
    with pytest.raises((ActionError, ValueError)) as caught:
        desktop.do(Secretive(text="{{PW}}"))
    shown = "".join(traceback.format_exception(caught.value))
    assert "{{PW}}" in str(caught.value) and value not in shown, shown


# ----------------------------------------------------------------------------- the action space


def test_hotkey_takes_keys_as_arguments_or_as_one_list() -> None:
    desktop, executor = make()
    desktop.hotkey("ctrl", "a")
    desktop.hotkey(["ctrl", "a"])
    desktop.hotkey(("alt", "f4"))
    assert events(executor) == [("hotkey", (("ctrl", "a"),)), ("hotkey", (("ctrl", "a"),)),
                                ("hotkey", (("alt", "f4"),))]


def test_assert_visible_is_the_script_step() -> None:
    desktop, executor = make()
    assert desktop.assert_visible("the Save button") == (100.0, 40.0)
    with pytest.raises(GroundingError):
        desktop.assert_visible("a button that is not there")
    desktop, _ = make(AppearsLater(misses=1))
    with pytest.raises(GroundingError, match="not on the screen"):
        desktop.assert_visible("Ready")  # checks now; it does not wait
    with pytest.raises(ValueError):
        desktop.assert_visible("")
    assert executor.events == []


def test_every_public_method_has_a_one_line_docstring() -> None:
    methods = [(name, member) for name, member in inspect.getmembers(Desktop, inspect.isfunction)
               if not name.startswith("_")]
    assert {"click", "hotkey", "assert_visible", "do", "close"} <= {name for name, _ in methods}
    for name, member in methods:
        doc = member.__doc__ or ""
        assert len(doc.strip().splitlines()) == 1, name
        assert pydoc.getdoc(member) == doc.strip(), name


def test_an_injected_screen_takes_no_display_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":4711")
    lock = DisplayLock().acquire()
    try:
        with make()[0] as desktop:
            desktop.click("the Save button")
    finally:
        lock.release()


def test_each_call_is_a_recorded_step_and_says_where_it_acted(tmp_path: Path) -> None:
    executor = DryRunExecutor()
    with Desktop(FixedGrounder(POINTS, default=None), settings=Settings(runs_dir=tmp_path),
                 screen=StaticScreen(), executor=executor) as desktop:
        clicked = desktop.click("the Save button")
        typed = desktop.type("Tokyo", into="the search box", enter=True)
        pressed = desktop.press("tab")
        found = desktop.wait_for("the Save button", timeout=1)
        desktop.settle()
    assert (clicked.index, clicked.status, clicked.point) == (1, "ok", POINTS["the Save button"])
    assert clicked.screen_point == (100, 40)
    assert typed.point == POINTS["the search box"] and pressed.point is None
    assert found == POINTS["the Save button"]
    run_dir = desktop.run_dir
    assert run_dir is not None and run_dir.parent == tmp_path
    contents = read_run_dir(run_dir)
    steps = contents.steps
    assert [s.instruction for s in steps] == [
        "click the Save button", 'type "Tokyo" into the search box', "press tab",
        "wait for the Save button (at most 1 s)"]
    assert sorted(p.name for p in run_dir.glob("step-*.png")) == [
        f"step-{i:04d}.png" for i in range(1, 5)]
    assert (contents.run.status, contents.run.steps, contents.run.task) == (
        "done", 4, "Desktop session")
    assert (run_dir / "report.html").is_file()


def test_a_desktop_closed_by_an_error_records_how_it_ended(tmp_path: Path) -> None:
    with pytest.raises(GroundingError), Desktop(
            FixedGrounder(POINTS, default=None), settings=Settings(runs_dir=tmp_path),
            screen=StaticScreen(), executor=DryRunExecutor()) as desktop:
        desktop.click("the Help button")
    assert desktop.run_dir is not None
    contents = read_run_dir(desktop.run_dir)
    assert contents.run.status == "error" and "the Help button" in (contents.run.reason or "")
    [step] = contents.steps
    assert step.status == "error"


def test_a_script_grounds_when_asked_and_never_reads_screens_ahead() -> None:
    """`prepare` is for a planner's thinking time: a script chooses at once, and most of its
    actions (keys, typing, waits) ground nothing, so nothing reads a screen in the background."""
    seen: list[str] = []

    class Preparing(FixedGrounder):
        def prepare(self, screenshot: Screenshot) -> None:
            seen.append("prepare")

    desktop, _executor = make(Preparing(POINTS, default=None))
    desktop.press("enter")
    desktop.click("the Save button")
    assert seen == []
    assert [r.status for r in recorded(desktop)] == ["ok", "ok"]
