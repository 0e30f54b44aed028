"""Replay and export without a display: reading records, choosing steps, writing scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from actions import Click, Done, DryRunExecutor, Point, Type
from agent.automation.replay import (
    export_script,
    read_run,
    recorded_ending,
    recorded_steps,
    skipped_warning,
    unfinished_warning,
)
from agent.automation.script import parse_script
from agent.automation.scripted import ScriptPlanner, script_registry
from agent.errors import UsageError
from agent.records import Approval, RunRecord
from agent.run.loop import Limits, Loop
from agent.rundir.recorder import RunDirectory
from agent.safety.approval import Proposal
from agent.safety.secrets import Secrets
from agent.testing import FixedGrounder, MemoryRecorder, ScriptedPlanner, StaticScreen
from tests.unit_helpers import reply_json

POINTS = {"the From field": (100.5, 50.0), "the Go button": (200.0, 60.25)}


class RejectTheSecond:
    """Rejects the approval of step 2, approves everything else."""

    def review(self, proposal: Proposal) -> Approval | None:
        return Approval(decision="rejected") if proposal.index == 2 else None


def record_a_run(runs: Path) -> Path:
    """A run with an ok step, a rejected one, an error, a point target, a wait_for and done."""
    replies = [
        reply_json({"name": "type", "text": "Boston ${x}", "target": "the From field"},
                   instruction="Type Boston into From.", observation="the form is empty",
                   thought="From comes first"),
        reply_json({"name": "click", "target": "the Go button"}),  # rejected
        reply_json({"name": "click", "target": "nowhere"}),  # grounding error
        reply_json({"name": "click", "target": {"x": 3, "y": 4}}),
        reply_json({"name": "wait_for", "target": "the Go button", "timeout": 5}),
        reply_json({"name": "click", "target": "the Go button", "button": "right"}),
        reply_json({"name": "done", "answer": "Booked: BOS-NRT"}, observation="a booking",
                   thought="it is booked", instruction="Report the booking."),
    ]
    registry = script_registry()
    directory = RunDirectory.create(runs, "fill the form")
    loop = Loop(screen=StaticScreen(), planner=ScriptedPlanner(replies, registry),
                grounder=FixedGrounder(POINTS, default=None), executor=DryRunExecutor(),
                recorder=directory, registry=registry, approver=RejectTheSecond(),
                limits=Limits(max_steps=10))
    outcome = loop.run("fill the form", ["agent", "run", "fill the form"], {})
    assert outcome.exit_code == 0, outcome.error
    return directory.path


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return record_a_run(tmp_path / "runs")


def test_replay_keeps_the_steps_that_went_through(run_dir: Path) -> None:
    recorded = read_run(run_dir)
    assert recorded.run.task == "fill the form" and len(recorded.steps) == 7
    steps = recorded_steps(recorded, script_registry())
    assert [s.action.to_json() for s in steps] == [
        {"name": "type", "text": "Boston ${x}", "target": "the From field", "enter": False},
        {"name": "click", "target": {"x": 3.0, "y": 4.0}, "button": "left"},
        {"name": "wait_for", "target": "the Go button", "timeout": 5.0},
        {"name": "click", "target": "the Go button", "button": "right"},
    ]
    assert [s.label for s in steps] == [
        "recorded step 1", "recorded step 4", "recorded step 5", "recorded step 6"]
    assert steps[0].describe() == "Type Boston into From."
    assert (steps[0].observation, steps[0].thought) == ("the form is empty", "From comes first")


def test_exact_replay_uses_the_recorded_points_and_leaves_out_checks(run_dir: Path) -> None:
    steps = recorded_steps(read_run(run_dir), script_registry(), exact=True)
    assert [s.action for s in steps] == [
        Type(text="Boston ${x}", target=Point(x=100.5, y=50.0)),
        Click(target=Point(x=3, y=4)),
        Click(target=Point(x=200.0, y=60.25), button="right"),
    ]


def test_export_writes_a_script_that_parses_back_to_the_same_actions(run_dir: Path) -> None:
    registry = script_registry()
    text = export_script(read_run(run_dir), registry)
    assert text.startswith("# exported by `agent export` from ")
    document = yaml.safe_load(text)
    assert document["name"] == "fill the form"
    assert document["steps"][0] == {"type": {"text": "Boston $${x}", "target": "the From field"}}
    assert "- click: {target: the Go button, button: right}" in text  # one readable line a step
    script = parse_script(text, "flow.yaml", registry=registry, secrets=Secrets())
    assert [s.action for s in script.steps] == [
        s.action for s in recorded_steps(read_run(run_dir), registry)]
    exact = parse_script(export_script(read_run(run_dir), registry, exact=True), "x.yaml",
                         registry=registry, secrets=Secrets())
    assert exact.steps[0].action == Type(text="Boston ${x}", target=Point(x=100.5, y=50.0))


def rewrite(path: Path, change: dict[str, object], line: int | None = None) -> None:
    if line is None:
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**data, **change}), encoding="utf-8")
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = json.dumps({**json.loads(lines[line - 1]), **change})
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_newer_schema_version_is_refused_clearly(run_dir: Path) -> None:
    rewrite(run_dir / "run.json", {"schema_version": 2})
    with pytest.raises(UsageError, match=r"run.json: schema_version 2 is not one this planground "
                                         r"reads \(1\); a newer planground wrote it"):
        read_run(run_dir)


def test_a_newer_step_version_is_refused_naming_the_line(run_dir: Path) -> None:
    rewrite(run_dir / "steps.jsonl", {"schema_version": 7, "new_field": 1}, line=3)
    with pytest.raises(UsageError, match=r"steps.jsonl line 3: schema_version 7"):
        read_run(run_dir)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("missing", "is not a run directory"),
        ("not-json", "line 2: not JSON"),
        ("no-version", "no schema_version"),
    ],
)
def test_broken_records_are_usage_errors(run_dir: Path, damage: str, message: str) -> None:
    steps = run_dir / "steps.jsonl"
    if damage == "missing":
        steps.unlink()
    elif damage == "not-json":
        lines = steps.read_text(encoding="utf-8").splitlines()
        steps.write_text("\n".join([lines[0], lines[1][:20], *lines[2:]]), encoding="utf-8")
    else:
        data = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
        del data["schema_version"]
        (run_dir / "run.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        read_run(run_dir)


def test_a_run_with_nothing_to_replay(tmp_path: Path) -> None:
    directory = RunDirectory.create(tmp_path, "nothing")
    loop = Loop(screen=StaticScreen(), planner=ScriptedPlanner([reply_json({"name": "done"})]),
                grounder=None, executor=DryRunExecutor(), recorder=directory,
                registry=script_registry())
    loop.run("nothing", ["agent"], {})
    with pytest.raises(UsageError, match="no recorded step to perform again"):
        recorded_steps(read_run(directory.path), script_registry())


# --------------------------------------------------------------------------- a run cut off


def tear_the_last_line(steps: Path) -> None:
    """steps.jsonl as SIGKILL leaves it: the last line half-written, without its newline."""
    data = steps.read_bytes()
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    steps.write_bytes(data[:last + (len(data) - last) // 2])


def test_a_torn_last_line_is_left_out_with_a_warning(run_dir: Path) -> None:
    tear_the_last_line(run_dir / "steps.jsonl")
    recorded = read_run(run_dir)
    assert [s.index for s in recorded.steps] == [1, 2, 3, 4, 5, 6]
    assert recorded.warnings == (
        "steps.jsonl line 7 is incomplete (the run was cut off); left out",)
    assert recorded_ending(recorded, script_registry()) is None  # the torn line was the `done`


def test_a_bad_line_in_the_middle_stays_an_error_even_when_the_last_is_torn(
    run_dir: Path,
) -> None:
    steps = run_dir / "steps.jsonl"
    tear_the_last_line(steps)
    lines = steps.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2][:30]
    steps.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(UsageError, match=r"steps.jsonl line 3: not JSON"):
        read_run(run_dir)


def test_an_unterminated_but_complete_last_line_is_kept(run_dir: Path) -> None:
    steps = run_dir / "steps.jsonl"
    steps.write_bytes(steps.read_bytes().rstrip(b"\n"))
    recorded = read_run(run_dir)
    assert len(recorded.steps) == 7 and recorded.warnings == ()


# --------------------------------------------------------------------------- what is left out


def test_steps_that_did_not_succeed_are_named_in_one_warning(run_dir: Path) -> None:
    text = skipped_warning(read_run(run_dir), "replayed")
    assert text == (
        "2 recorded steps did not succeed (step 2: rejected at the approval prompt; step 3: "
        "error: FixedGrounder knows no point for 'nowhere') and are not replayed")


def test_one_skipped_step_and_long_reasons_stay_one_short_line(tmp_path: Path) -> None:
    directory = RunDirectory.create(tmp_path, "x")
    registry = script_registry()
    loop = Loop(screen=StaticScreen(), planner=ScriptedPlanner([
        reply_json({"name": "press", "keys": ["a"]}),
        reply_json({"name": "click", "target": "a\nvery " + "long " * 40 + "target"}),
    ], registry), grounder=FixedGrounder(default=None), executor=DryRunExecutor(),
        recorder=directory, registry=registry, limits=Limits(max_steps=2))
    loop.run("x", ["agent"], {})
    text = skipped_warning(read_run(directory.path), "exported")
    assert text is not None and "\n" not in text and len(text) < 160, text
    assert text.startswith("1 recorded step did not succeed (step 2: error: FixedGrounder ")
    assert text.endswith("…) and is not exported")
    assert unfinished_warning(read_run(directory.path), "exported") == (
        "the recorded run did not finish (ended failed: budget: max_steps (2) reached before the "
        "task was done); the steps it did are exported")


def test_a_run_cut_off_is_said_to_be_unfinished(tmp_path: Path) -> None:
    directory = RunDirectory.create(tmp_path, "x")
    directory.start(RunRecord(task="x", command=["agent"], settings={}, started_at="now"))
    text = unfinished_warning(read_run(directory.path), "replayed")
    assert text == ("the recorded run did not finish (was cut off: run.json still says running); "
                    "the steps it did are replayed")


def test_a_clean_run_has_nothing_to_warn_about(tmp_path: Path) -> None:
    directory = RunDirectory.create(tmp_path, "x")
    loop = Loop(screen=StaticScreen(), planner=ScriptedPlanner([
        reply_json({"name": "press", "keys": ["a"]}), reply_json({"name": "done"})]),
        grounder=None, executor=DryRunExecutor(), recorder=directory,
        registry=script_registry())
    loop.run("x", ["agent"], {})
    recorded = read_run(directory.path)
    assert skipped_warning(recorded, "replayed") is None and recorded.warnings == ()
    assert unfinished_warning(recorded, "replayed") is None


# --------------------------------------------------------------------------- the monologue


def test_the_replay_carries_the_recorded_monologue_and_answer(run_dir: Path) -> None:
    registry = script_registry()
    recorded = read_run(run_dir)
    ending = recorded_ending(recorded, registry)
    assert ending is not None and ending.action == Done(answer="Booked: BOS-NRT")
    planner = ScriptPlanner(recorded_steps(recorded, registry), ending=ending)
    recorder = MemoryRecorder()
    loop = Loop(screen=StaticScreen(), planner=planner, grounder=FixedGrounder(POINTS),
                executor=DryRunExecutor(), recorder=recorder, registry=registry,
                ends_at=planner.failed_step, fail_wording=planner.fail_wording)
    outcome = loop.run("replay of fill the form", ["agent", "replay"], {})
    assert outcome.exit_code == 0, outcome.error
    assert outcome.record.answer == "Booked: BOS-NRT"
    first, last = recorder.steps[0], recorder.steps[-1]
    assert (first.observation, first.thought, first.instruction) == (
        "the form is empty", "From comes first", "Type Boston into From.")
    assert (last.observation, last.thought, last.instruction) == (
        "a booking", "it is booked", "Report the booking.")
    assert last.action == {"name": "done", "answer": "Booked: BOS-NRT"}
