"""Helpers for GUI and end-to-end tests: the Tk form app on a virtual display, and the CLI.

`locate(state, description)` is test-side knowledge playing the grounding model: it maps a
description such as "the To text field" to the centre of the widget the app reports.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tests.xvfb import VirtualDisplay


def need(available: bool, what: str) -> None:
    """Skip a test whose tool is missing here; in CI (AGENT_REQUIRE_GUI=1) fail it instead."""
    import pytest

    if available:
        return
    if os.environ.get("AGENT_REQUIRE_GUI") == "1":
        pytest.fail(f"{what}, and CI must run this test")
    pytest.skip(what)


FORM_APP = Path(__file__).resolve().parents[1] / "agent" / "demo" / "flight_app.py"

# Widget names as the form app reports them, with the words a description may use for each.
WIDGET_KEYWORDS: dict[str, tuple[str, ...]] = {
    "Search flights": ("search flights", "search"),
    "Book now": ("book now", "book"),
    "Passenger": ("passenger", "name"),
    "From": ("from", "origin", "departure"),
    "To": ("to", "destination"),
    "status": ("status", "booked"),
}

State = dict[str, Any]


def widget_for(description: str) -> str:
    """The form widget a description names: the keyword that occurs earliest wins."""
    text = description.lower()
    best: tuple[int, int, str] | None = None  # (position, -length, widget)
    for widget, keywords in WIDGET_KEYWORDS.items():
        for keyword in keywords:
            match = re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", text)
            if match and (best is None or (match.start(), -len(keyword)) < best[:2]):
                best = (match.start(), -len(keyword), widget)
    if best is None:
        raise LookupError(f"no form widget matches the description {description!r}")
    return best[2]


def centre(state: State, widget: str) -> tuple[float, float]:
    """Centre of `widget` in screen coordinates, from the app's state."""
    box = state["widgets"][widget]
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def locate(state: State, description: str) -> tuple[float, float]:
    """Screen coordinates of the centre of the widget `description` names."""
    return centre(state, widget_for(description))


def contains(state: State, widget: str, point: Sequence[float]) -> bool:
    """Whether `point` (screen coordinates) lies on `widget`, edges included."""
    box = state["widgets"][widget]
    x, y = point[0], point[1]
    return bool(
        box["x"] <= x <= box["x"] + box["width"] - 1
        and box["y"] <= y <= box["y"] + box["height"] - 1
    )


@dataclass
class FormApp:
    """A running form app: its process, state file and display."""

    process: subprocess.Popen[bytes]
    state_path: Path
    display: VirtualDisplay
    log_path: Path

    def state(self) -> State:
        data = json.loads(self.state_path.read_text(encoding="utf-8"))
        assert isinstance(data, dict)
        return data

    def wait_for(
        self, predicate: Callable[[State], bool], timeout: float = 10.0, what: str = "condition"
    ) -> State:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"form app exited with {self.process.returncode}: {self.log()}")
            state: State | None = None
            if self.state_path.exists():
                state = self.state()
                if predicate(state):
                    return state
            if time.monotonic() > deadline:
                raise TimeoutError(f"form app: timed out waiting for {what}; last state {state}")
            time.sleep(0.05)

    def locate(self, description: str) -> tuple[float, float]:
        """Play the grounding model: the target's centre on the screen, from the app's state."""
        return locate(self.state(), description)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


App = TypeVar("App", bound=FormApp)


@contextmanager
def running_app(
    display: VirtualDisplay, directory: Path, script: Path, name: str, geometry: str,
    kind: type[App], timeout: float = 15.0,
) -> Iterator[App]:
    """Start a reporting Tk app (`script STATE.json --geometry G`) on `display`; wait until it
    is mapped and reports its widgets; stop it afterwards."""
    directory.mkdir(parents=True, exist_ok=True)
    state_path, log_path = directory / f"{name}-state.json", directory / f"{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(script), str(state_path), "--geometry", geometry],
            env=display.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    app = kind(process, state_path, display, log_path)
    try:
        app.wait_for(lambda s: bool(s["ready"] and s["widgets"]), timeout, "the window")
        yield app
    finally:
        app.stop()


@contextmanager
def form_app(
    display: VirtualDisplay, directory: Path, geometry: str = "+100+80", timeout: float = 15.0
) -> Iterator[FormApp]:
    """Start the form app on `display`, wait until it is mapped and reports its widgets."""
    with running_app(display, directory, FORM_APP, "form", geometry, FormApp, timeout) as app:
        yield app


@contextmanager
def tk_script(display: VirtualDisplay, script: str, *args: str) -> Iterator[dict[str, Any]]:
    """Run a Tk script (source text) on `display` that prints its widgets' geometry as one JSON
    line once mapped; yield that geometry; stop the script afterwards."""
    process = subprocess.Popen([sys.executable, "-c", script, *args], env=display.env,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        geometry: dict[str, Any] = json.loads(process.stdout.readline())
        time.sleep(0.3)  # the last expose events paint
        yield geometry
    finally:
        process.terminate()
        process.wait(timeout=5)


def map_characters(display: VirtualDisplay, text: str) -> None:
    """Give each non-ASCII character of `text` its own spare keycode on `display`, for good.

    `xdotool type` maps a missing character onto a scratch keycode, types it and maps it back at
    once; a busy client that reads the MappingNotify before the key event then loses the character
    (seen here: "Zürich" arriving as "Zrich"). With the characters already in the keymap xdotool
    just presses their keys. This changes the display's keymap: use a display of your own.
    """
    keymap = subprocess.run(
        ["xmodmap", "-pke"], env=display.env, capture_output=True, text=True, check=True
    ).stdout
    spare = [int(m[1]) for m in re.finditer(r"^keycode\s+(\d+)\s*=\s*$", keymap, re.M)]
    spare = [code for code in spare if code > 8]  # keycode 8 is ignored by some clients
    wanted = sorted({c for c in text if not (" " <= c <= "~")})
    if len(wanted) > len(spare):
        raise RuntimeError(f"only {len(spare)} spare keycodes for {len(wanted)} characters")
    expressions = []
    for code, char in zip(spare, wanted, strict=False):
        expressions += ["-e", f"keycode {code} = U{ord(char):04X} U{ord(char):04X}"]
    if expressions:
        subprocess.run(["xmodmap", *expressions], env=display.env, check=True, timeout=20)


# --------------------------------------------------------------------------- the CLI


def clean_env(base: Mapping[str, str], **extra: str) -> dict[str, str]:
    """`base` without the developer's agent/OpenAI settings, plus `extra`."""
    env = {
        key: value
        for key, value in base.items()
        if not key.startswith(("AGENT_", "OPENAI_")) and key != "WAYLAND_DISPLAY"
    }
    env.update(extra)
    return env


def run_cli(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    timeout: float = 180.0,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m agent ARGS` in a subprocess (never on the developer's display)."""
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def run_dirs(runs_dir: Path) -> list[Path]:
    return sorted(p for p in runs_dir.iterdir() if p.is_dir()) if runs_dir.exists() else []


def read_steps(run_dir: Path) -> list[dict[str, Any]]:
    """steps.jsonl as a list; every line must be one JSON object (the record is intact)."""
    path = run_dir / "steps.jsonl"
    if not path.exists():
        return []
    steps = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        step = json.loads(line)
        assert isinstance(step, dict), f"steps.jsonl line {number} is not an object: {line!r}"
        steps.append(step)
    return steps


def stderr_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def describe(result: subprocess.CompletedProcess[str]) -> str:
    """For assertion messages."""
    return (
        f"exit {result.returncode}\n--- stdout ---\n{result.stdout[-4000:]}"
        f"\n--- stderr ---\n{result.stderr[-4000:]}"
    )


def free_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


__all__ = [
    "FORM_APP",
    "FormApp",
    "centre",
    "clean_env",
    "contains",
    "describe",
    "form_app",
    "free_port",
    "locate",
    "map_characters",
    "need",
    "read_steps",
    "run_cli",
    "run_dirs",
    "running_app",
    "stderr_lines",
    "widget_for",
]
