"""`agent replay` and `agent export` end to end, on a run recorded by the real `agent run`.

The run is recorded once per module against the form at +100+80 (fake planner and UGround
servers, as in test_e2e_run.py); it includes a step whose target could not be found, which a
replay must skip. Replays then drive fresh form apps: moved by 100 px (re-grounded), unmoved
(`--exact`, no grounder at all), and through `agent export` → `agent script`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.testing.fake_server import FakeChatServer, scripted
from tests.automation.test_replay import tear_the_last_line
from tests.automation.test_script_cli import agent_cli
from tests.automation.test_script_gui import (
    check_record,
    descriptions,
    grounder_flags,
    grounder_for,
)
from tests.gui import (
    clean_env,
    contains,
    describe,
    form_app,
    read_steps,
    run_cli,
    run_dirs,
    stderr_lines,
    widget_for,
)
from tests.xvfb import VirtualDisplay

pytestmark = pytest.mark.gui

TASK = "book a flight to Tokyo"
PLAN: list[dict[str, Any]] = [
    {"name": "type", "text": "Boston", "target": "the From text field"},
    {"name": "click", "target": "the Calendar icon"},  # not on the form: a grounding error
    {"name": "type", "text": "Tokyo", "target": "the To text field"},
    {"name": "type", "text": "Ada Lovelace", "target": "the Passenger text field"},
    {"name": "click", "target": "the Search flights button"},
    {"name": "click", "target": "the Book now button"},
    {"name": "done", "answer": "Booked: BOS-NRT"},
]
REPLAYED = [a["target"] for a in PLAN if a["name"] != "done" and "Calendar" not in a["target"]]
BOOKED = {"From": "Boston", "To": "Tokyo", "Passenger": "Ada Lovelace"}
SKIPPED = ("agent: warning: 1 recorded step did not succeed (step 2: error: the uground "
           "grounder's answer for 'the Calendar icon' is unusable: ")


def skipped(line: str, done: str) -> bool:
    """The warning about the recorded step 2, whose target could not be found."""
    return line.startswith(SKIPPED) and line.endswith(f"…) and is not {done}")


def reply(action: dict[str, Any]) -> str:
    return json.dumps({"observation": f"seen before {action['name']}",
                       "thought": f"why {action['name']}",
                       "instruction": f"do {action['name']}", "action": action})


@pytest.fixture(scope="module")
def recorded(xvfb: VirtualDisplay, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A run directory written by `agent run` against the form at +100+80."""
    tmp = tmp_path_factory.mktemp("recorded")
    with form_app(xvfb, tmp / "app", geometry="+100+80") as app, grounder_for(app) as grounder, \
            FakeChatServer(scripted([reply(a) for a in PLAN]), model="fake-planner") as planner:
        result = run_cli(["run", TASK, "--planner-base-url", planner.base_url,
                          "--planner-model", "fake-planner", "--approve", "never",
                          *grounder_flags(grounder, tmp / "runs")],
                         env=clean_env(xvfb.env), cwd=tmp)
        assert result.returncode == 0, describe(result)
        assert app.state()["booked"]
    (run_dir,) = run_dirs(tmp / "runs")
    assert [s["status"] for s in read_steps(run_dir)] == ["ok", "error", *["ok"] * 5]
    yield run_dir


def test_replay_re_grounds_on_a_window_moved_by_100_px(
    recorded: Path, xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    runs_dir = tmp_path / "runs"
    with form_app(xvfb, tmp_path / "app", geometry="+200+180") as app, \
            grounder_for(app) as grounder:
        result = agent_cli(["replay", str(recorded), *grounder_flags(grounder, runs_dir)],
                           env=clean_env(xvfb.env), cwd=tmp_path)
        state = app.state()
    assert result.returncode == 0, describe(result)
    (line,) = stderr_lines(result)
    assert skipped(line, "replayed"), line
    assert state["fields"] == BOOKED and state["booked"]
    assert state["window"]["x"] == 200 and state["window"]["y"] == 180
    assert descriptions(grounder) == REPLAYED
    (run_dir,) = run_dirs(runs_dir)
    run, steps = check_record(run_dir, "done", len(REPLAYED) + 1)
    assert run["task"] == f"replay of {TASK}"
    assert run["answer"] == "Booked: BOS-NRT" and "done in 6 step(s): Booked: BOS-NRT" in (
        result.stdout)
    old = [s for s in read_steps(recorded) if s["status"] == "ok"]
    assert len(old) == len(steps)
    for new, before in zip(steps, old, strict=True):
        for key in ("observation", "thought", "instruction", "action"):
            assert new[key] == before[key], key
    report = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "why click" in report and "seen before done" in report
    for new, before in zip(steps[:-1], old, strict=False):
        (now,), (then,) = new["grounding"], before["grounding"]
        assert now["target"] == then["target"]
        assert now["screen_point"][0] - then["screen_point"][0] in (99, 100, 101)
        assert now["screen_point"][1] - then["screen_point"][1] in (99, 100, 101)


def test_exact_replay_acts_at_the_recorded_points_without_a_grounder(
    recorded: Path, xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    runs_dir = tmp_path / "runs"
    with form_app(xvfb, tmp_path / "app", geometry="+100+80") as app:
        result = agent_cli(["replay", str(recorded), "--exact", "--runs-dir", str(runs_dir)],
                           env=clean_env(xvfb.env), cwd=tmp_path)
        state = app.state()
    assert result.returncode == 0, describe(result)
    assert state["fields"] == BOOKED and state["booked"]
    (run_dir,) = run_dirs(runs_dir)
    run, steps = check_record(run_dir, "done", len(REPLAYED) + 1)
    assert run["settings"]["grounder"] is None
    for step, description in zip(steps, REPLAYED, strict=False):
        (grounding,) = step["grounding"]
        assert grounding["raw"] is None and isinstance(grounding["target"], dict)
        assert contains(state, widget_for(description), grounding["screen_point"])


def test_an_exported_run_is_a_script_that_completes(
    recorded: Path, xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    exported = agent_cli(["export", str(recorded)], env=clean_env(xvfb.env), cwd=tmp_path)
    assert exported.returncode == 0, describe(exported)
    (line,) = stderr_lines(exported)
    assert skipped(line, "exported"), line
    flow = yaml.safe_load(exported.stdout)
    assert flow["name"] == TASK
    assert flow["steps"][0] == {"type": {"text": "Boston", "target": "the From text field"}}
    assert [next(iter(s.values()))["target"] for s in flow["steps"]] == REPLAYED
    script = tmp_path / "flow.yaml"
    script.write_text(exported.stdout, encoding="utf-8")
    with form_app(xvfb, tmp_path / "app", geometry="+150+120") as app, \
            grounder_for(app) as grounder:
        result = agent_cli(["script", str(script), *grounder_flags(grounder, tmp_path / "runs")],
                           env=clean_env(xvfb.env), cwd=tmp_path)
        state = app.state()
    assert result.returncode == 0, describe(result)
    assert state["fields"] == BOOKED and state["booked"]
    assert state["presses"] == {"Search flights": 1, "Book now": 1}
    assert descriptions(grounder) == REPLAYED


def test_a_run_cut_off_while_writing_its_last_step_is_replayed_with_a_warning(
    recorded: Path, xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    """SIGKILL while the `done` line was being written: the finished steps replay."""
    torn = shutil.copytree(recorded, tmp_path / "torn")
    tear_the_last_line(torn / "steps.jsonl")
    runs_dir = tmp_path / "runs"
    with form_app(xvfb, tmp_path / "app", geometry="+100+80") as app:
        result = agent_cli(["replay", str(torn), "--exact", "--runs-dir", str(runs_dir)],
                           env=clean_env(xvfb.env), cwd=tmp_path)
        state = app.state()
    assert result.returncode == 0, describe(result)
    torn_line, line = stderr_lines(result)
    assert torn_line == (
        "agent: warning: steps.jsonl line 7 is incomplete (the run was cut off); left out")
    assert skipped(line, "replayed"), line
    assert state["fields"] == BOOKED and state["booked"]
    (run_dir,) = run_dirs(runs_dir)
    run, _ = check_record(run_dir, "done", len(REPLAYED) + 1)
    assert run["answer"] is None  # the recorded answer was on the torn line
