"""End to end: stopping and pausing *during* an action — a long `type`, a `wait` (CONTRACTS §2).

The fail-safe corner, a takeover and the pause hotkey act mid-action, not only between steps.
Harness in tests/safety/test_safety.py; each test that presses keys has a display of its own.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.gui import describe
from tests.safety.test_safety import (
    DONE,
    EXIT_STOPPED,
    agent_args,
    assert_exit,
    click,
    fakes,
    need_xdotool,
    reply,
    run_agent,
    safety_app,
    start_agent,
    the_run,
    type_into,
    xdotool,
)
from tests.safety.test_safety_stop import LONG_TEXT

pytestmark = pytest.mark.gui

WAIT_LONG = reply({"name": "wait", "seconds": 20})


def test_the_fail_safe_corner_stops_a_long_type_midway(make_display: Any, tmp_path: Path) -> None:
    need_xdotool()
    display = make_display(1280, 800)
    with safety_app(display, tmp_path / "app") as app:
        with fakes([type_into(LONG_TEXT, "the Notes field"), DONE], app) as fake:
            args = agent_args(fake, tmp_path / "runs", "--approve", "never")
            with start_agent(args, display=display, cwd=tmp_path) as agent:
                app.wait_for(lambda s: s["fields"]["Notes"] != "", 60, "the first characters")
                xdotool(display, "mousemove", "0", "0")
                result = agent.wait(30)
        notes = app.settled_state()["fields"]["Notes"]
    assert_exit(result, EXIT_STOPPED)
    run, _, _ = the_run(tmp_path / "runs")
    assert run["status"] == "stopped" and "corner" in run["reason"], run["reason"]
    assert notes and LONG_TEXT.startswith(notes) and len(notes) < len(LONG_TEXT), notes[-40:]
    assert len(fake.planner.requests) == 1


@pytest.mark.parametrize("how", ["fail-safe corner", "takeover"])
def test_a_wait_is_cut_short(how: str, make_display: Any, tmp_path: Path) -> None:
    """A 20 s `wait` ends as soon as the pointer reaches a corner, or the person takes over."""
    need_xdotool()
    display = make_display(1280, 800)
    with safety_app(display, tmp_path / "app") as app, \
            fakes([click("the From field"), WAIT_LONG, DONE], app) as fake:
        args = agent_args(fake, tmp_path / "runs", "--approve", "never", "--on-takeover", "stop")
        with start_agent(args, display=display, cwd=tmp_path) as agent:
            agent.wait_for_steps(1)
            time.sleep(1.0)  # into the wait
            started = time.monotonic()
            if how == "takeover":
                xdotool(display, "mousemove_relative", "--", "9", "9")
            else:
                xdotool(display, "mousemove", "0", "0")
            result = agent.wait(30)
            took = time.monotonic() - started
    assert_exit(result, EXIT_STOPPED)
    run, _, _ = the_run(tmp_path / "runs")
    assert ("corner" if how != "takeover" else "took over") in run["reason"], run["reason"]
    assert took < 10, f"the 20 s wait ran on for {took:.1f} s"
    assert len(fake.planner.requests) == 2, "nothing is planned after the stop"


@pytest.mark.parametrize("paused_by", [None, "takeover", "pause hotkey"])
def test_the_fail_safe_corner_stops_a_run_paused_or_not(paused_by: str | None,
                                                         make_display: Any,
                                                         tmp_path: Path) -> None:
    """The pointer on a corner stops the run, paused or not, and that move is no takeover."""
    need_xdotool()
    display = make_display(1280, 800)
    with safety_app(display, tmp_path / "app") as app, \
            fakes([click("the From field"), WAIT_LONG, DONE], app) as fake:
        args = agent_args(fake, tmp_path / "runs", "--approve", "never")  # takeover: pause
        with start_agent(args, display=display, cwd=tmp_path) as agent:
            agent.wait_for_steps(1)
            time.sleep(1.0)  # into the wait
            if paused_by == "takeover":
                xdotool(display, "mousemove_relative", "--", "9", "9")
            elif paused_by == "pause hotkey":
                xdotool(display, "key", "--delay", "0", "ctrl+alt+p")
            time.sleep(0.5)
            xdotool(display, "mousemove", "0", "0")
            result = agent.wait(15)
    assert_exit(result, EXIT_STOPPED)
    run, _, _ = the_run(tmp_path / "runs")
    assert "corner" in run["reason"], run["reason"]
    assert result.stderr.count("agent: paused") == (paused_by is not None), result.stderr
    assert result.stderr.count("took over") == (paused_by == "takeover"), result.stderr
    assert len(fake.planner.requests) == 2, "nothing is planned after the stop"


def test_the_pause_hotkey_pauses_a_long_type_and_resumes_it_exactly(
    make_display: Any, tmp_path: Path
) -> None:
    need_xdotool()
    display = make_display(1280, 800)
    text = LONG_TEXT[:1200]
    with safety_app(display, tmp_path / "app") as app:
        with fakes([type_into(text, "the Notes field"), DONE], app) as fake:
            args = agent_args(fake, tmp_path / "runs", "--approve", "never",
                              "--on-takeover", "ignore")
            with start_agent(args, display=display, cwd=tmp_path) as agent:
                app.wait_for(lambda s: s["fields"]["Notes"] != "", 60, "the first characters")
                xdotool(display, "key", "--delay", "0", "ctrl+alt+p")
                paused = app.settled_state(quiet=0.5)["fields"]["Notes"]
                time.sleep(2.5)  # longer than typing holds back for a chord someone holds
                assert app.state()["fields"]["Notes"] == paused, "typing went on while paused"
                assert len(paused) < len(text), "the whole text was typed before the pause"
                # A person lets go of the chord a moment after: no key may arrive as ctrl+alt+key.
                xdotool(display, "keydown", "--delay", "0", "ctrl+alt+p")
                xdotool(display, "keyup", "p")
                time.sleep(0.3)
                xdotool(display, "keyup", "--delay", "0", "ctrl+alt")
                result = agent.wait(60)
        notes = app.settled_state()["fields"]["Notes"]
    assert result.returncode == 0, describe(result)
    assert "paused" in result.stderr and "resumed" in result.stderr
    assert notes == text, "the text arrived changed"


def test_the_hotkeys_do_not_reach_the_focused_app(make_display: Any, tmp_path: Path) -> None:
    """ctrl+alt+p pauses the run; the app in focus must not also act on it (Tk's Control-p
    moves a text area's caret up a line, and the text typed after a pause would land there)."""
    need_xdotool()
    display = make_display(1280, 800)
    with safety_app(display, tmp_path / "app") as app, \
            fakes([click("the Notes field"), reply({"name": "wait", "seconds": 3}), DONE],
                  app) as fake:
        args = agent_args(fake, tmp_path / "runs", "--approve", "never")
        with start_agent(args, display=display, cwd=tmp_path) as agent:
            agent.wait_for_steps(1)
            app.wait_for(lambda s: s["focus"] == "Notes", 10, "focus on Notes")
            for _ in range(2):  # pause, resume
                xdotool(display, "key", "--delay", "0", "ctrl+alt+p")
                time.sleep(0.3)
            result = agent.wait(60)
        keys = [key["keysym"] for key in app.settled_state()["keys"]]
    assert result.returncode == 0, describe(result)
    assert "paused" in result.stderr and "resumed" in result.stderr
    assert "p" not in keys and "P" not in keys, keys
    assert len(fake.planner.requests) == 3


def test_the_app_gets_no_key_the_run_did_not_type(make_display: Any, tmp_path: Path) -> None:
    """Stopping the hotkey listeners at the end sends the app nothing it would act on: at most
    a key without a symbol ("??"), which no app binds."""
    display = make_display(1280, 800)
    with safety_app(display, tmp_path / "app") as app:
        with fakes([click("the From field"), DONE], app) as fake:
            result = run_agent(agent_args(fake, tmp_path / "runs", "--approve", "never"),
                               display=display, cwd=tmp_path)
        state = app.settled_state()
    assert result.returncode == 0, describe(result)
    assert state["focus"] == "From"
    assert [key["keysym"] for key in state["keys"] if key["keysym"] != "??"] == [], state["keys"]
