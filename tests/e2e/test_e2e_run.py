"""End to end: the real CLI books a flight in a real Tk app on Xvfb.

The planner is a fake OpenAI-compatible server scripted with CONTRACTS §3 replies; the grounder
is a fake server answering exactly like UGround-V1 ("(x, y)" in [0, 1000) of the sent image),
with the app's true widget geometry. Everything else is real: the `openai` client, mss capture,
pyautogui input through the X server into Tk's own event handlers, and the run record on disk.
CI never skips these (AGENT_REQUIRE_GUI=1).
"""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from agent.testing.fake_server import (
    FakeChatServer,
    scripted,
    uground_description,
    uground_reply_from,
)
from tests.gui import (
    clean_env,
    contains,
    describe,
    form_app,
    map_characters,
    need,
    read_steps,
    run_cli,
    run_dirs,
    widget_for,
)
from tests.xvfb import VirtualDisplay

pytestmark = pytest.mark.gui

TASK = "book a flight to Tokyo"
PASSENGER = "Ada Lovelace"
DESTINATION = "Zürich 東京"
ANSWER = f"Booked: Boston → {DESTINATION} for {PASSENGER}"
API_KEY = "sk-e2e-secret-4f9c2a7d"  # must never appear in outputs or the record

# (observation, thought, instruction, action) — one planner reply per step, CONTRACTS §3.
PLAN: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "A flight booking form with empty From, To and Passenger fields.",
        "Start with the departure city.",
        "Type Boston into the From field.",
        {"name": "type", "text": "Boston", "target": "the From text field"},
    ),
    (
        "From says Boston; To is empty.",
        "The destination comes next.",
        f"Type {DESTINATION} into the To field.",
        {"name": "type", "text": DESTINATION, "target": "the To text field"},
    ),
    (
        "From and To are filled in; Passenger is empty.",
        "A booking needs a passenger name.",
        f"Type {PASSENGER} into the Passenger field.",
        {"name": "type", "text": PASSENGER, "target": "the Passenger text field"},
    ),
    (
        "All three fields are filled in.",
        "Search before booking.",
        "Click the Search flights button.",
        {"name": "click", "target": "the Search flights button"},
    ),
    (
        "The status line says flights were found.",
        "Book the flight that was found.",
        "Click the Book now button.",
        {"name": "click", "target": "the Book now button"},
    ),
    (
        "The status line confirms the booking.",
        "The task is complete.",
        "Report the booking.",
        {"name": "done", "answer": ANSWER},
    ),
]
TARGETS = [action["target"] for *_, action in PLAN if "target" in action]

STEP_KEYS = {
    "schema_version",
    "index",
    "observation",
    "thought",
    "instruction",
    "action",
    "grounding",
    "approval",
    "status",
    "error",
    "timings_ms",
    "usage",
}
RUN_KEYS = {
    "schema_version",
    "task",
    "command",
    "settings",
    "started_at",
    "ended_at",
    "status",
    "answer",
    "reason",
    "usage",
}
TIMING_KEYS = {"capture", "plan", "ground", "approve", "execute", "settle"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


PROSE = "I will type the destination into the To field next."  # no JSON: invalid


def planner_replies() -> list[str]:
    return [
        json.dumps(
            {"observation": o, "thought": t, "instruction": i, "action": a}, ensure_ascii=False
        )
        for o, t, i, a in PLAN
    ]


def test_form_app_reports_real_input(make_display: Any, tmp_path: Path) -> None:
    """The app itself, driven by xdotool: what the e2e test relies on works from the app's side.

    Its own display, because `map_characters` changes the keymap for good.
    """
    for tool in ("xdotool", "xmodmap"):
        need(shutil.which(tool) is not None,
             f"{tool} is not installed (apt install xdotool x11-xserver-utils)")
    display: VirtualDisplay = make_display(1280, 800)
    map_characters(display, DESTINATION)
    with form_app(display, tmp_path, geometry="+60+50") as app:

        def xdotool(*args: str) -> None:
            subprocess.run(["xdotool", *args], env=display.env, check=True, timeout=20)

        def click(description: str) -> None:
            x, y = app.locate(description)
            xdotool("mousemove", str(round(x)), str(round(y)), "click", "1")

        click("the Book now button")
        app.wait_for(lambda s: s["presses"]["Book now"] == 1, what="the early Book press")
        for description, text in [
            ("the From text field", "Boston"),
            ("the To text field", DESTINATION),
            ("the Passenger text field", PASSENGER),
        ]:
            click(description)
            widget = widget_for(description)
            app.wait_for(lambda s, w=widget: s["focus"] == w, what=f"focus on {widget}")
            xdotool("type", "--delay", "10", text)
            app.wait_for(lambda s, w=widget, t=text: s["fields"][w] == t, what=f"{widget}={text}")
        click("the Search flights button")
        click("the Book now button")
        state = app.wait_for(lambda s: s["booked"], what="the booking")
    assert state["status"] == ANSWER
    assert state["presses"] == {"Search flights": 1, "Book now": 2}
    assert state["window"]["x"] == 60 and state["window"]["y"] == 50


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)], ids=["1280x800", "1920x1080"])
def test_agent_books_a_flight(
    size: tuple[int, int], xvfb: VirtualDisplay, make_display: Any, tmp_path: Path
) -> None:
    display: VirtualDisplay = xvfb if size == (xvfb.width, xvfb.height) else make_display(*size)
    geometry = "+100+80" if size == (1280, 800) else "+900+500"
    runs_dir = tmp_path / "runs"

    with form_app(display, tmp_path / "app", geometry=geometry) as app:
        replies = planner_replies()
        replies.insert(1, PROSE)  # step 2's first answer is invalid: re-asked, then answered
        # prefix_cache: the planner server reports cached prompt tokens, as OpenAI's does
        planner = FakeChatServer(scripted(replies), model="fake-planner", prefix_cache=True)
        grounder = FakeChatServer(uground_reply_from(app.locate), model="osunlp/UGround-V1-7B")
        with planner, grounder:
            result = run_cli(
                [
                    "run",
                    TASK,
                    "--planner-base-url",
                    planner.base_url,
                    "--planner-model",
                    "fake-planner",
                    "--grounder",
                    "uground",
                    "--grounder-base-url",
                    grounder.base_url,
                    "--grounder-model",
                    "osunlp/UGround-V1-7B",
                    "--approve",
                    "never",
                    "--runs-dir",
                    str(runs_dir),
                    "--max-steps",
                    "10",
                ],
                env=clean_env(display.env, AGENT_PLANNER_API_KEY=API_KEY),
                cwd=tmp_path,
            )
        state = app.state()

    assert result.returncode == 0, describe(result)
    assert "Traceback" not in result.stderr, describe(result)

    # The app's side: real input arrived, non-ASCII included.
    assert state["fields"] == {"From": "Boston", "To": DESTINATION, "Passenger": PASSENGER}
    assert state["presses"] == {"Search flights": 1, "Book now": 1}
    assert state["booked"] is True
    assert state["status"] == ANSWER

    # The models' side.
    assert len(planner.requests) == len(PLAN) + 1
    assert "reply was invalid 1x and sent back" in result.stdout
    first = planner.requests[0]
    assert any(TASK in text for text in first.texts()), first.texts()
    for request in planner.requests:
        assert request.api_key == API_KEY
        assert request.image_urls(), "every planner request carries a screenshot"
        assert any(m.get("role") == "system" for m in request.messages)
    assert [uground_description(r.last_user_text()) for r in grounder.requests] == TARGETS
    for request in grounder.requests:
        assert request.api_key == "EMPTY"  # another server: never the planner's key
        assert request.model == "osunlp/UGround-V1-7B"
        assert len(request.image_urls()) == 1
        assert request.last_image_size() == size  # the monitor screenshot, unresized

    # The run record (CONTRACTS §6).
    (run_dir,) = run_dirs(runs_dir)
    assert re.fullmatch(r"\d{8}-\d{6}-book-a-flight-to-tokyo(-\d+)?", run_dir.name), run_dir.name
    assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert set(run) >= RUN_KEYS, sorted(RUN_KEYS - set(run))
    assert run["task"] == TASK
    assert run["status"] == "done"
    assert run["answer"] == ANSWER
    assert run["started_at"] and run["ended_at"]

    steps = read_steps(run_dir)
    assert [step["index"] for step in steps] == list(range(1, len(PLAN) + 1))
    # Each planner request repeats the one before it: the server's cache served part of it.
    cached = [step["usage"]["planner"]["cached_tokens"] for step in steps]
    assert cached[0] == 0 and all(tokens > 0 for tokens in cached[1:]), cached
    assert re.search(r"\[\d+ tokens, \d+ cached\]", result.stdout), describe(result)
    assert [len(step["reasked"]) for step in steps] == [0, 1] + [0] * (len(PLAN) - 2)
    for step, (observation, thought, instruction, action) in zip(steps, PLAN, strict=True):
        assert set(step) >= STEP_KEYS, (step["index"], sorted(STEP_KEYS - set(step)))
        assert step["status"] == "ok", step
        assert step["error"] is None
        assert (step["observation"], step["thought"], step["instruction"]) == (
            observation,
            thought,
            instruction,
        )
        assert step["action"]["name"] == action["name"]
        for key, value in action.items():
            assert step["action"].get(key) == value, (key, step["action"])
        assert step["approval"] is None or step["approval"]["decision"] == "approved"
        assert set(step["timings_ms"]) >= TIMING_KEYS, step["timings_ms"]
        assert "planner" in step["usage"]
        check_grounding(step, action, state)
        screenshot = run_dir / f"step-{step['index']:04d}.png"
        assert screenshot.read_bytes()[:8] == PNG_SIGNATURE, screenshot
        with Image.open(screenshot) as image:
            assert image.size == size

    # No secret anywhere in what the run left behind or printed.
    assert API_KEY not in result.stdout + result.stderr
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert API_KEY.encode() not in path.read_bytes(), path


def check_grounding(step: dict[str, Any], action: dict[str, Any], state: dict[str, Any]) -> None:
    if "target" not in action:
        assert step["grounding"] == [], step["grounding"]
        return
    (grounding,) = step["grounding"]
    assert grounding["argument"] == "target"
    assert grounding["target"] == action["target"]
    assert re.fullmatch(r"\(\d{1,3}, \d{1,3}\)", grounding["raw"]), grounding["raw"]
    widget = widget_for(action["target"])
    for key in ("point", "screen_point"):  # one monitor at the origin: both spaces coincide
        point = grounding[key]
        assert len(point) == 2 and all(isinstance(v, (int, float)) for v in point), point
        assert contains(state, widget, point), (key, point, state["widgets"][widget])


def test_dry_run_plans_and_grounds_but_performs_nothing(xvfb: VirtualDisplay,
                                                        tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    with form_app(xvfb, tmp_path / "app", geometry="+100+80") as app:
        planner = FakeChatServer(scripted(planner_replies()), model="fake-planner")
        grounder = FakeChatServer(uground_reply_from(app.locate), model="osunlp/UGround-V1-7B")
        with planner, grounder:
            result = run_cli(
                ["run", TASK, "--planner-base-url", planner.base_url, "--grounder-base-url",
                 grounder.base_url, "--approve", "never", "--runs-dir", str(runs_dir),
                 "--dry-run"],
                env=clean_env(xvfb.env), cwd=tmp_path)
        state = app.state()  # the app writes its state on every change: none came
    assert result.returncode == 0, describe(result)
    assert state["fields"] == {"From": "", "To": "", "Passenger": ""}
    assert state["presses"] == {"Search flights": 0, "Book now": 0} and not state["booked"]
    assert f"done in {len(PLAN)} step(s) (dry run: nothing was performed)" in result.stdout
    assert [uground_description(r.last_user_text()) for r in grounder.requests] == TARGETS
    (run_dir,) = run_dirs(runs_dir)
    steps = read_steps(run_dir)
    assert all(step["status"] == "ok" for step in steps) and len(steps) == len(PLAN)
    for step, (*_, action) in zip(steps, PLAN, strict=True):
        check_grounding(step, action, state)
