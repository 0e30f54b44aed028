"""`agent script` end to end: the Tk form on Xvfb, a fake UGround server with the form's geometry.

Everything but the grounding model is real: YAML, the loop, mss, pyautogui input into Tk, and
the run record on disk. A description that names no form widget gets an answer with no point,
as a model that finds nothing would give.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agent.testing.fake_server import (
    ChatRequest,
    FakeChatServer,
    uground_description,
    uground_reply_from,
)
from tests.automation.test_script_cli import agent_cli
from tests.gui import (
    FormApp,
    clean_env,
    contains,
    describe,
    form_app,
    read_steps,
    run_dirs,
    stderr_lines,
    widget_for,
)
from tests.paths import ROOT
from tests.xvfb import VirtualDisplay

pytestmark = pytest.mark.gui

BOOK_FLIGHT = ROOT / "examples" / "book_flight.yaml"
UGROUND = "osunlp/UGround-V1-7B"
RUN_KEYS = {"schema_version", "task", "command", "settings", "started_at", "ended_at", "status",
            "answer", "reason", "usage"}
STEP_KEYS = {"schema_version", "index", "observation", "thought", "instruction", "action",
             "grounding", "approval", "status", "error", "timings_ms", "usage"}


def uground_or_nothing(
    locate: Callable[[str], tuple[float, float]],
) -> Callable[[ChatRequest], str]:
    """UGround's answer for a form widget; for anything else, an answer without a point."""
    answer = uground_reply_from(locate)

    def reply(request: ChatRequest) -> str:
        try:
            return answer(request)
        except LookupError:
            return "There is no such element on the screen."

    return reply


def grounder_for(app: FormApp) -> FakeChatServer:
    return FakeChatServer(uground_or_nothing(app.locate), model=UGROUND)


def grounder_flags(grounder: FakeChatServer, runs_dir: Path) -> list[str]:
    return ["--grounder", "uground", "--grounder-base-url", grounder.base_url,
            "--grounder-model", UGROUND, "--runs-dir", str(runs_dir)]


def descriptions(grounder: FakeChatServer) -> list[str | None]:
    return [uground_description(r.last_user_text()) for r in grounder.requests]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def check_record(run_dir: Path, status: str, steps: int) -> tuple[dict[str, Any], list[Any]]:
    """A complete run record (CONTRACTS §6) with `steps` steps; run.json and the steps."""
    assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert set(run) >= RUN_KEYS and run["status"] == status, run
    assert run["started_at"] and run["ended_at"]
    assert "<html" in (run_dir / "report.html").read_text(encoding="utf-8").lower()
    records = read_steps(run_dir)
    assert [step["index"] for step in records] == list(range(1, steps + 1))
    for step in records:
        assert set(step) >= STEP_KEYS, sorted(STEP_KEYS - set(step))
        assert (run_dir / f"step-{step['index']:04d}.png").read_bytes()[:4] == b"\x89PNG"
    return run, records


def test_a_dry_run_of_the_example_grounds_every_step_and_performs_nothing(
        xvfb: VirtualDisplay, tmp_path: Path) -> None:
    """The checks (`wait_for`, `assert_visible`) look for what earlier steps would have made
    appear: in a dry run nothing did, so a miss there is no failure, and nothing waits."""
    runs_dir = tmp_path / "runs"
    with form_app(xvfb, tmp_path / "app") as app:
        result = agent_cli(["script", str(BOOK_FLIGHT), "--var", "city=Paris", "--dry-run",
                            "--grounder", "ocr", "--runs-dir", str(runs_dir)],
                           env=clean_env(xvfb.env), cwd=tmp_path, closed_stdin=True)
        state = app.state()
    assert result.returncode == 0, describe(result)
    assert state["fields"] == {"From": "", "To": "", "Passenger": ""}
    assert state["presses"] == {"Search flights": 0, "Book now": 0}
    assert "dry run: nothing was performed" in result.stdout
    (run_dir,) = run_dirs(runs_dir)
    records = [json.loads(line) for line in (run_dir / "steps.jsonl").read_text().splitlines()]
    assert [r["action"]["name"] for r in records][-3:] == ["click", "assert_visible", "done"]


def test_the_example_script_books_a_flight(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    """Unattended, as from cron: stdin closed, nothing asked."""
    runs_dir = tmp_path / "runs"
    with form_app(xvfb, tmp_path / "app") as app, grounder_for(app) as grounder:
        result = agent_cli(["script", str(BOOK_FLIGHT), "--var", "city=Paris",
                            *grounder_flags(grounder, runs_dir)],
                           env=clean_env(xvfb.env), cwd=tmp_path, closed_stdin=True)
        state = app.state()
    assert result.returncode == 0, describe(result)
    assert "warning" not in result.stderr  # --var city is used
    assert state["fields"] == {"From": "Boston", "To": "Paris", "Passenger": "Ada Lovelace"}
    assert state["presses"] == {"Search flights": 1, "Book now": 1}
    assert state["booked"] is True
    assert descriptions(grounder) == [
        "the From text field", "the To text field", "the Passenger text field",
        "the Search flights button", "the Book now button", "the Book now button", "Booked"]

    (run_dir,) = run_dirs(runs_dir)
    assert run_dir.name.endswith("-book-a-flight")
    run, steps = check_record(run_dir, "done", 8)
    assert run["task"] == "book a flight"
    assert run["settings"]["approve"] == "never" and run["settings"]["grounder"] == "uground"
    assert [s["action"]["name"] for s in steps] == [
        "type", "type", "type", "click", "wait_for", "click", "assert_visible", "done"]
    assert steps[1]["instruction"] == 'type "Paris" into the To text field'
    assert all(s["status"] == "ok" and s["error"] is None for s in steps)
    for step in steps[:7]:
        (grounding,) = step["grounding"]
        widget = widget_for(grounding["target"])
        assert contains(state, widget, grounding["screen_point"]), (step, widget)


def test_an_invalid_script_exits_2_before_anything_runs(xvfb: VirtualDisplay,
                                                        tmp_path: Path) -> None:
    script = write(tmp_path / "bad.yaml", (
        "steps:\n  - type: {text: Boston, target: the From text field}\n"
        "  - click: {target: the Search flights button}\n"
        "  - scroll: {direction: sideways, target: the form}\n"))
    runs_dir = tmp_path / "runs"
    with form_app(xvfb, tmp_path / "app") as app, grounder_for(app) as grounder:
        before = app.state()
        result = agent_cli(["script", str(script), *grounder_flags(grounder, runs_dir)],
                           env=clean_env(xvfb.env), cwd=tmp_path)
        after = app.state()
    assert result.returncode == 2, describe(result)
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"agent: {script}: step 3: invalid arguments for scroll: direction:")
    assert "Traceback" not in result.stderr
    assert after == before and after["fields"]["From"] == ""
    assert grounder.requests == [] and not runs_dir.exists()


def test_a_failing_assert_visible_exits_1_naming_the_step(xvfb: VirtualDisplay,
                                                          tmp_path: Path) -> None:
    script = write(tmp_path / "check.yaml", (
        "name: check the banner\nsteps:\n"
        "  - type: {text: Boston, target: the From text field}\n"
        "  - assert_visible: {target: the Confirmation banner}\n"
        "  - click: {target: the Search flights button}\n"))
    runs_dir = tmp_path / "runs"
    with form_app(xvfb, tmp_path / "app") as app, grounder_for(app) as grounder:
        result = agent_cli(["script", str(script), *grounder_flags(grounder, runs_dir)],
                           env=clean_env(xvfb.env), cwd=tmp_path)
        state = app.state()
    assert result.returncode == 1, describe(result)
    (run_dir,) = run_dirs(runs_dir)
    screenshot = run_dir / "step-0002.png"
    (last,) = stderr_lines(result)
    assert last.startswith("agent: step 2 (check that the Confirmation banner is visible) "
                           "failed: "), last
    assert "no (x, y) point" in last and last.endswith(f"screenshot: {screenshot}")
    assert screenshot.is_file()
    assert state["fields"]["From"] == "Boston" and state["presses"]["Search flights"] == 0
    run, steps = check_record(run_dir, "failed", 2)  # the failing step is the last record
    assert run["reason"].startswith("step 2 (check that")
    assert [s["status"] for s in steps] == ["ok", "error"]


def test_a_target_the_ocr_grounder_cannot_find_ends_the_record_there(
    xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    script = write(tmp_path / "calendar.yaml", (
        "steps:\n  - type: {text: Boston, target: the From text field}\n"
        "  - click: {target: the \"Calendar\" button}\n"
        "  - click: {target: the \"Search flights\" button}\n"))
    runs_dir = tmp_path / "runs"
    with form_app(xvfb, tmp_path / "app") as app:
        result = agent_cli(["script", str(script), "--grounder", "ocr", "--runs-dir",
                            str(runs_dir)], env=clean_env(xvfb.env), cwd=tmp_path)
        state = app.state()
    assert result.returncode == 1, describe(result)
    assert state["fields"]["From"] == "Boston" and state["presses"]["Search flights"] == 0
    (run_dir,) = run_dirs(runs_dir)
    _, steps = check_record(run_dir, "failed", 2)
    assert steps[1]["action"]["name"] == "click" and steps[1]["status"] == "error"
    assert not (run_dir / "step-0003.png").exists()
    (line,) = stderr_lines(result)
    assert line.startswith('agent: step 2 (click the "Calendar" button) failed: no text like '
                           "'calendar'"), line
    assert "[3]" not in result.stdout and "failed:" not in result.stdout


def test_a_var_the_script_does_not_use_is_warned_about(xvfb: VirtualDisplay,
                                                       tmp_path: Path) -> None:
    write(tmp_path / "flow.yaml", "steps:\n  - click: {target: the Search flights button}\n")
    with form_app(xvfb, tmp_path / "app") as app, grounder_for(app) as grounder:
        result = agent_cli(["script", "flow.yaml", "--var", "city=Osaka",
                            *grounder_flags(grounder, tmp_path / "runs")],
                           env=clean_env(xvfb.env), cwd=tmp_path)
        state = app.state()
    assert result.returncode == 0, describe(result)
    assert state["presses"]["Search flights"] == 1
    assert stderr_lines(result) == ["agent: warning: --var city is not used by flow.yaml"]


def test_approve_always_asks_about_the_scripts_steps_not_the_closing_done(
    xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    """`printf 'y\\n' | agent script one.yaml --approve always`: one answer for one step."""
    script = write(tmp_path / "one.yaml",
                   "steps:\n  - click: {target: the Search flights button}\n")
    runs_dir = tmp_path / "runs"
    with form_app(xvfb, tmp_path / "app") as app, grounder_for(app) as grounder:
        result = agent_cli(["script", str(script), "--approve", "always",
                            *grounder_flags(grounder, runs_dir)],
                           env=clean_env(xvfb.env), cwd=tmp_path, stdin="y\n")
        state = app.state()
    assert result.returncode == 0, describe(result)
    assert state["presses"]["Search flights"] == 1
    assert result.stderr.count("approve?") == 1
    (run_dir,) = run_dirs(runs_dir)
    _, steps = check_record(run_dir, "done", 2)
    assert steps[0]["approval"]["decision"] == "approved"
    assert steps[1]["action"]["name"] == "done" and steps[1]["approval"] is None


def test_secrets_are_typed_and_never_recorded(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    secret = "Grace Hopper 4711"
    script = write(tmp_path / "secret.yaml", (
        "steps:\n  - type: {text: '{{PASSENGER}}', target: the Passenger text field}\n"))
    runs_dir = tmp_path / "runs"
    with form_app(xvfb, tmp_path / "app") as app, grounder_for(app) as grounder:
        result = agent_cli(["script", str(script), *grounder_flags(grounder, runs_dir)],
                           env=clean_env(xvfb.env, AGENT_SECRET_PASSENGER=secret), cwd=tmp_path)
        state = app.state()
    assert result.returncode == 0, describe(result)
    assert state["fields"]["Passenger"] == secret
    (run_dir,) = run_dirs(runs_dir)
    _, steps = check_record(run_dir, "done", 2)
    assert steps[0]["action"]["text"] == "{{PASSENGER}}"
    for path in run_dir.rglob("*"):
        assert secret.encode() not in path.read_bytes(), path
    assert secret not in result.stdout + result.stderr
    assert all(secret not in r.text() for r in grounder.requests)


def test_a_click_that_changes_nothing_is_a_warning_and_strict_makes_it_a_failure(
        xvfb: VirtualDisplay, tmp_path: Path) -> None:
    """The grounder answers a blank spot of the window for "the Help link": the click lands,
    nothing happens. Exit 0 with a warning on the step's line and in its record; with
    --strict the script stops there, before the next step."""
    script = write(tmp_path / "miss.yaml", (
        "steps:\n  - type: {text: Boston, target: the From text field}\n"
        "  - click: {target: the Help link}\n"
        "  - type: {text: Paris, target: the To text field}\n"))

    def blank_or_widget(app: FormApp) -> Callable[[str], tuple[float, float]]:
        def locate(description: str) -> tuple[float, float]:
            if description != "the Help link":
                return app.locate(description)
            window = app.state()["window"]
            return window["x"] + window["width"] - 6, window["y"] + window["height"] - 6
        return locate

    for strict, code, to in ((False, 0, "Paris"), (True, 1, "")):
        runs_dir = tmp_path / f"runs-{strict}"
        with form_app(xvfb, tmp_path / f"app-{strict}") as app, \
                FakeChatServer(uground_reply_from(blank_or_widget(app)),
                               model=UGROUND) as grounder:
            result = agent_cli(["script", str(script), *grounder_flags(grounder, runs_dir),
                                *(["--strict"] if strict else [])],
                               env=clean_env(xvfb.env), cwd=tmp_path, closed_stdin=True)
            state = app.state()
        assert result.returncode == code, describe(result)
        assert (state["fields"]["From"], state["fields"]["To"]) == ("Boston", to)
        (run_dir,) = run_dirs(runs_dir)
        steps = read_steps(run_dir)
        assert steps[0]["status"] == "ok" and steps[0]["warnings"] == []  # the typing shows
        if strict:
            assert steps[1]["status"] == "error" and "(verify = strict)" in steps[1]["error"]
            assert "step 2 (click the Help link) failed: the screen did not change" in (
                result.stderr)
        else:
            point = steps[1]["grounding"][0]["point"]
            assert steps[1]["status"] == "ok"
            assert steps[1]["warnings"] == [
                "the screen did not change after click on 'the Help link' at "
                f"({point[0]:g}, {point[1]:g})"]
            assert "warning: the screen did not change" in result.stdout
