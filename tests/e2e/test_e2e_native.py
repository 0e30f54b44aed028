"""End to end, once per native planner format: `agent run --planner-format X`, no grounder.

A fake server answering in the model's own documented format (tests/native_fakes.py), from the
Tk form's true widget geometry, books the search at 1280x800, 1920x1080 and on the second
monitor; every click lands on the widget meant and is recorded with the model's answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from agent.testing.fake_server import FakeChatServer
from tests.e2e.test_e2e_families import SCREENS, ScreenConfig
from tests.gui import (
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
from tests.native_fakes import DESTINATION, NATIVE_FAKES, SEARCH, TO_FIELD, NativeFake
from tests.xvfb import VirtualDisplay, split_monitors, virtual_display, xvfb_available


@pytest.fixture(scope="module", params=list(SCREENS))
def screen(request: pytest.FixtureRequest) -> Iterator[tuple[ScreenConfig, VirtualDisplay]]:
    need(xvfb_available(), "Xvfb is not installed (apt install xvfb)")
    config = SCREENS[request.param]
    with virtual_display(config.width, config.height) as display:
        if config.monitors:
            split_monitors(display, list(config.monitors))
        yield config, display


@pytest.mark.gui
@pytest.mark.parametrize("fmt", list(NATIVE_FAKES))
def test_native_planner_books_without_a_grounder(
    fmt: str, screen: tuple[ScreenConfig, VirtualDisplay], tmp_path: Path
) -> None:
    config, display = screen
    runs_dir = tmp_path / "runs"
    with form_app(display, tmp_path / "app", geometry=config.geometry) as app:
        fake = NativeFake(fmt, app.locate, config.capture)
        monitor = ["--monitor", str(config.monitor)] if config.monitor else []
        with FakeChatServer(fake, model=f"fake/{fmt}") as planner:
            result = run_cli(
                ["run", "fill in the destination and search",
                 "--planner-base-url", planner.base_url, "--planner-model", f"fake/{fmt}",
                 "--planner-format", fmt, "--approve", "never", "--runs-dir", str(runs_dir),
                 "--max-steps", "8", *monitor],
                env=clean_env(display.env), cwd=tmp_path, timeout=60)
        state = app.state()

    assert fake.errors == [], fake.errors
    assert result.returncode == 0, describe(result)
    assert "Traceback" not in result.stderr, describe(result)
    assert state["fields"] == {"From": "", "To": DESTINATION, "Passenger": ""}
    assert state["presses"] == {"Search flights": 1, "Book now": 0}

    (run_dir,) = run_dirs(runs_dir)
    steps = read_steps(run_dir)
    assert [step["status"] for step in steps] == ["ok"] * 4, steps
    assert [step["action"]["name"] for step in steps] == ["click", "type", "click", "done"]
    groundings = [g for step in steps for g in step["grounding"]]
    clicks = [fake.answers[0], fake.answers[2]]
    for grounding, raw, target in zip(groundings, clicks, [TO_FIELD, SEARCH], strict=True):
        widget = widget_for(target)
        assert grounding["raw"] == raw
        assert contains(state, widget, grounding["screen_point"]), (grounding, widget)
        x, y = grounding["point"]  # screenshot pixels: the monitor's origin added back
        cap = config.capture
        assert contains(state, widget, (x + cap.left, y + cap.top)), grounding
    with Image.open(run_dir / "step-0001.png") as image:
        assert image.size == config.captured


@pytest.mark.gui
def test_a_configured_grounder_is_said_to_be_unused(tmp_path: Path) -> None:
    need(xvfb_available(), "Xvfb is not installed (apt install xvfb)")
    config = SCREENS["1280x800"]
    with virtual_display(config.width, config.height) as display, \
            form_app(display, tmp_path / "app", geometry=config.geometry) as app:
        fake = NativeFake("uitars", app.locate, config.capture)
        with FakeChatServer(fake, model="fake/uitars") as planner:
            result = run_cli(
                ["run", "fill in the destination and search",
                 "--planner-base-url", planner.base_url, "--planner-format", "uitars",
                 "--grounder", "qwen25vl", "--grounder-base-url", "http://127.0.0.1:9/v1",
                 "--approve", "never", "--runs-dir", str(tmp_path / "runs")],
                env=clean_env(display.env), cwd=tmp_path, timeout=60)
    assert result.returncode == 0, describe(result)
    said = "agent: the uitars planner points by itself; the configured grounder is unused"
    assert stderr_lines(result).count(said) == 1, describe(result)
