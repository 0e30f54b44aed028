"""End to end, once per grounder family: the real `agent run` CLI fills in the Tk form on Xvfb.

The backbone e2e (tests/test_e2e_run.py) with a fake grounder per family (tests/family_fakes.py)
that answers in the family's exact format and space, as the model behind its server would, at
1280x800, at 1920x1080 and on the second monitor of a screen split in two (`--monitor 2`). The
planner fake answers CONTRACTS §3 JSON: type "Zürich" into the To field, click Search, done.
The app reports what really arrived and where its widgets are; every grounding record's
`screen_point` must lie on the widget meant.

Also `agent ground --grounder ocr` on the live screen, with no model server at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from agent.grounding.families import FAMILIES
from agent.grounding.ocr.engines import rapidocr_available
from agent.screen import encode_png
from agent.testing.fake_server import ChatRequest, FakeChatServer, scripted
from tests.family_fakes import (
    FAMILY_NAMES,
    SPECS,
    Box,
    Capture,
    family_fake,
    sent_size,
)
from tests.gui import (
    State,
    clean_env,
    contains,
    describe,
    form_app,
    need,
    read_steps,
    run_cli,
    run_dirs,
    stderr_lines,
    widget_for,
)
from tests.xvfb import VirtualDisplay, split_monitors, virtual_display, xvfb_available

DESTINATION = "Zürich"
TO_FIELD = "the To text field"
SEARCH = "the Search flights button"
PLAN: list[dict[str, Any]] = [
    {"observation": "A flight booking form; the To field is empty.",
     "thought": "Enter the destination.", "instruction": f"Type {DESTINATION} into the To field.",
     "action": {"name": "type", "text": DESTINATION, "target": TO_FIELD}},
    {"observation": f"To says {DESTINATION}.", "thought": "Search for flights.",
     "instruction": "Click the Search flights button.",
     "action": {"name": "click", "target": SEARCH}},
    {"observation": "The search ran.", "thought": "That is all.", "instruction": "Finish.",
     "action": {"name": "done", "answer": "searched"}},
]
TARGETS = [step["action"]["target"] for step in PLAN if "target" in step["action"]]


@dataclass(frozen=True)
class ScreenConfig:
    width: int
    height: int
    capture: Capture  # the monitor the agent drives
    geometry: str  # where the form app goes (screen coordinates)
    monitors: tuple[int, ...] = ()  # split the screen into monitors this wide, left to right
    monitor: int | None = None  # --monitor

    @property
    def captured(self) -> tuple[int, int]:
        return self.capture.width, self.capture.height


SCREENS = {
    "1280x800": ScreenConfig(1280, 800, Capture(0, 0, 1280, 800), "+100+80"),
    "1920x1080": ScreenConfig(1920, 1080, Capture(0, 0, 1920, 1080), "+900+500"),
    # One wide screen split into 1280 + 1024; the app and the agent on the right-hand monitor.
    "monitor2": ScreenConfig(2304, 800, Capture(1280, 0, 1024, 800), "+1380+80",
                             monitors=(1280, 1024), monitor=2),
}


@pytest.fixture(scope="module", params=list(SCREENS))
def screen(request: pytest.FixtureRequest) -> Iterator[tuple[ScreenConfig, VirtualDisplay]]:
    """One Xvfb per screen configuration, shared by every family (pytest orders the tests so
    that only one is up at a time)."""
    need(xvfb_available(), "Xvfb is not installed (apt install xvfb)")
    config = SCREENS[request.param]
    with virtual_display(config.width, config.height) as display:
        if config.monitors:
            split_monitors(display, list(config.monitors))
        yield config, display


def widget_box(state: State, description: str) -> Box:
    """The box of the widget `description` names, screen coordinates (right/bottom exclusive)."""
    box = state["widgets"][widget_for(description)]
    return box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"]


def planner_replies() -> list[str]:
    return [json.dumps(step, ensure_ascii=False) for step in PLAN]


# --------------------------------------------------------------------------- the fakes alone


@pytest.mark.parametrize("captured", [(1280, 800), (1920, 1080), (1024, 800)],
                         ids=["1280x800", "1920x1080", "1024x800"])
@pytest.mark.parametrize("family", FAMILY_NAMES)
def test_fake_answers_convert_back_onto_the_target(family: str, captured: tuple[int, int]) -> None:
    """No display: each fake's answer to the runtime's own request, read back by the runtime's
    family, lands on the target (so a failure of the GUI test below is not the fake's)."""
    origin = (1280, 0) if captured == (1024, 800) else (0, 0)
    capture = Capture(*origin, *captured)
    boxes = {  # screen coordinates, right/bottom exclusive: a field and a button
        TO_FIELD: (origin[0] + 212, origin[1] + 161, origin[0] + 512, origin[1] + 192),
        SEARCH: (origin[0] + 124, origin[1] + 262, origin[0] + 297, origin[1] + 302),
    }

    def centre(description: str) -> tuple[float, float]:
        left, top, right, bottom = boxes[description]
        return (left + right) / 2, (top + bottom) / 2

    fake = family_fake(family, centre, capture, box=boxes.__getitem__)
    runtime = FAMILIES[family]
    sent = runtime.sent_size(captured)
    assert sent == sent_size(family, captured), "the runtime resizes unlike the documentation"
    png = encode_png(Image.new("RGB", sent, "white"))
    for description, (left, top, right, bottom) in boxes.items():
        request = ChatRequest({"model": "m", "messages": runtime.messages(png, description, sent)})
        raw = fake(request)
        assert SPECS[family].raw.fullmatch(raw), raw
        x, y = runtime.to_original(raw, captured)
        x, y = x + origin[0], y + origin[1]
        assert left <= x <= right - 1 and top <= y <= bottom - 1, (raw, (x, y), (left, top))
    assert fake.errors == []


# --------------------------------------------------------------------------- end to end


@pytest.mark.gui
@pytest.mark.parametrize("family", FAMILY_NAMES)
def test_family_clicks_land_on_the_widgets(
    family: str, screen: tuple[ScreenConfig, VirtualDisplay], tmp_path: Path
) -> None:
    config, display = screen
    runs_dir = tmp_path / "runs"
    model = f"fake/{family}"
    with form_app(display, tmp_path / "app", geometry=config.geometry) as app:
        window = app.state()["window"]
        cap = config.capture
        assert cap.left <= window["x"] and window["x"] + window["width"] <= cap.left + cap.width
        fake = family_fake(family, app.locate, cap, box=lambda d: widget_box(app.state(), d))
        planner = FakeChatServer(scripted(planner_replies()), model="fake-planner")
        grounder = FakeChatServer(fake, model=model)
        monitor = ["--monitor", str(config.monitor)] if config.monitor else []
        with planner, grounder:
            result = run_cli(
                ["run", "fill in the destination and search",
                 "--planner-base-url", planner.base_url, "--planner-model", "fake-planner",
                 "--grounder", family, "--grounder-base-url", grounder.base_url,
                 "--grounder-model", model, "--approve", "never", "--runs-dir", str(runs_dir),
                 "--max-steps", "6", *monitor],
                env=clean_env(display.env), cwd=tmp_path, timeout=60,
            )
        state = app.state()

    assert fake.errors == [], fake.errors
    assert result.returncode == 0, describe(result)
    assert "Traceback" not in result.stderr, describe(result)

    # The app's side: the text arrived in the To field, Search was pressed once.
    assert state["fields"] == {"From": "", "To": DESTINATION, "Passenger": ""}
    assert state["presses"] == {"Search flights": 1, "Book now": 0}

    # The grounder's side: the family's prompt, the image the family's server expects.
    assert [a.description for a in fake.answers] == TARGETS
    expected_size = sent_size(family, config.captured)
    for request, answer in zip(grounder.requests, fake.answers, strict=True):
        assert request.model == model
        assert answer.received == expected_size

    # The record: each grounding on the widget meant, in screen and screenshot coordinates.
    (run_dir,) = run_dirs(runs_dir)
    steps = read_steps(run_dir)
    assert [step["status"] for step in steps] == ["ok"] * len(PLAN), steps
    groundings = [g for step in steps for g in step["grounding"]]
    assert [g["target"] for g in groundings] == TARGETS
    for grounding, answer in zip(groundings, fake.answers, strict=True):
        widget = widget_for(grounding["target"])
        box = state["widgets"][widget]
        assert grounding["raw"] == answer.raw
        assert SPECS[family].raw.fullmatch(grounding["raw"]), grounding["raw"]
        assert contains(state, widget, grounding["screen_point"]), (grounding, box)
        x, y = grounding["point"]  # screenshot pixels: the monitor's origin added back
        assert contains(state, widget, (x + cap.left, y + cap.top)), (grounding, box)
    with Image.open(run_dir / "step-0001.png") as image:
        assert image.size == config.captured


# --------------------------------------------------------------------------- agent ground, OCR


@pytest.mark.gui
@pytest.mark.parametrize("engine", ["tesseract", "rapidocr"])
def test_ground_with_ocr_finds_the_button_on_the_live_screen(
    engine: str, make_display: Callable[[int, int], VirtualDisplay], tmp_path: Path
) -> None:
    need(engine != "rapidocr" or rapidocr_available(), "rapidocr is not installed")
    xvfb = make_display(1280, 800)  # a screen of its own: nothing else on it reads "Search"
    with form_app(xvfb, tmp_path / "app", geometry="+100+80") as app:
        result = run_cli(["ground", "--grounder", "ocr", "--ocr-engine", engine,
                          'the "Search flights" button', "--json"],
                         env=clean_env(xvfb.env), cwd=tmp_path, timeout=60)
        state = app.state()
    assert result.returncode == 0, describe(result)
    answer = json.loads(result.stdout)
    assert set(answer) == {"point", "screen_point", "raw"}, answer
    assert contains(state, "Search flights", answer["screen_point"]), (answer, state["widgets"])
    assert contains(state, "Search flights", answer["point"]), answer  # one monitor at 0,0
    assert json.loads(answer["raw"])["text"] == "Search flights", answer
    assert json.loads(answer["raw"])["engine"] == engine, answer


@pytest.mark.gui
@pytest.mark.parametrize("description", [
    'the "Book" text',  # "Book a flight" (the title) and "Book now" (the button)
    'the "Delete account" button',  # nowhere on the form
], ids=["ambiguous", "missing"])
def test_ground_with_ocr_fails_on_an_ambiguous_or_missing_target(
    description: str, make_display: Callable[[int, int], VirtualDisplay], tmp_path: Path
) -> None:
    xvfb = make_display(1280, 800)
    with form_app(xvfb, tmp_path / "app", geometry="+100+80"):
        result = run_cli(["ground", "--grounder", "ocr", description, "--json"],
                         env=clean_env(xvfb.env), cwd=tmp_path, timeout=60)
    assert result.returncode == 1, describe(result)
    assert result.stdout == "", describe(result)
    assert len(stderr_lines(result)) == 1, describe(result)
    assert "Traceback" not in result.stderr
    word = "ambiguous" if "Book" in description else "no text"
    assert word in result.stderr, describe(result)


# --------------------------------------------------------------------------- family from model id


@pytest.mark.gui
def test_without_grounder_the_served_model_id_names_the_family(
    make_display: Callable[[int, int], VirtualDisplay], tmp_path: Path
) -> None:
    """CONTRACTS §5: no --grounder, a grounder endpoint serving Qwen/Qwen3-VL-8B-Instruct (its
    /v1/models lists it): the run reads Qwen3-VL's 0–1000 answers, and says so once."""
    xvfb = make_display(1280, 800)
    runs_dir = tmp_path / "runs"
    model = "Qwen/Qwen3-VL-8B-Instruct"
    with form_app(xvfb, tmp_path / "app", geometry="+100+80") as app:
        fake = family_fake("qwen3vl", app.locate, Capture(0, 0, 1280, 800),
                           box=lambda d: widget_box(app.state(), d))
        with FakeChatServer(scripted(planner_replies()), model="fake-planner") as planner, \
                FakeChatServer(fake, model=model) as grounder:
            result = run_cli(
                ["run", "fill in the destination and search",
                 "--planner-base-url", planner.base_url, "--planner-model", "fake-planner",
                 "--grounder-base-url", grounder.base_url, "--approve", "never",
                 "--runs-dir", str(runs_dir), "--max-steps", "6"],
                env=clean_env(xvfb.env), cwd=tmp_path, timeout=60)
        state = app.state()
    assert fake.errors == [], fake.errors
    assert result.returncode == 0, describe(result)
    assert state["fields"] == {"From": "", "To": DESTINATION, "Passenger": ""}
    assert state["presses"] == {"Search flights": 1, "Book now": 0}
    said = f"agent: grounder family qwen3vl, from the model id {model!r} (--grounder to choose " \
           "another)"
    assert stderr_lines(result).count(said) == 1, describe(result)
    (run_dir,) = run_dirs(runs_dir)
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert run["settings"]["grounder"] == "qwen3vl"
    assert run["settings"]["grounder_model"] == model
