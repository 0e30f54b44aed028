"""`agent demo`: a newcomer's first command books a flight offline, with no endpoint and no key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gui import clean_env, need
from tests.xvfb import VirtualDisplay

pytestmark = pytest.mark.gui


def run_demo(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agent", "demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180)


def test_demo_books_the_flight_on_a_private_display(tmp_path: Path) -> None:
    from agent.backends.xvfb import xvfb_available

    need(xvfb_available(), "Xvfb is not installed")
    env = clean_env(os.environ)
    env.pop("DISPLAY", None)  # never the developer's display: the demo starts its own
    result = run_demo(tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert "booked ✓" in result.stdout
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1
    report = runs[0] / "report.html"
    ok_steps = report.read_text().count('<section class="card step s-border-ok"')
    assert ok_steps == 6  # five actions and done
    assert "done in 6 step(s): Booked: Boston" in result.stdout  # the recorded answer
    run = json.loads((runs[0] / "run.json").read_text(encoding="utf-8"))
    assert run["answer"].startswith("Booked: Boston")
    assert "Traceback" not in result.stderr


def test_demo_without_xvfb_or_a_display_says_what_to_install(tmp_path: Path) -> None:
    env = clean_env(os.environ)
    env.pop("DISPLAY", None)
    env["PATH"] = str(Path(sys.executable).parent)  # no Xvfb on it
    result = run_demo(tmp_path, env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "xvfb" in lines[0].lower()


def test_demo_on_the_real_display_says_why_and_books(xvfb: VirtualDisplay,
                                                     tmp_path: Path) -> None:
    """`--real-display`, with Xvfb installed: the countdown names the flag, not a missing Xvfb."""
    result = subprocess.run([sys.executable, "-m", "agent", "demo", "--real-display"],
                            cwd=tmp_path, env=clean_env(xvfb.env), capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "agent demo: --real-display, so the demo drives YOUR mouse" in result.stdout
    assert "not installed" not in result.stdout and "booked ✓" in result.stdout
