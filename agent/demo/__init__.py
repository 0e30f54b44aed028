"""`agent demo`: what a newcomer runs first, with no model endpoint and no key.

It opens the bundled flight-booking app (`agent.demo.flight_app`), replays the bundled recorded
run of "book a flight to Tokyo" (`recorded/`, made by `agent run` with a scripted planner and the
`ocr` grounder) with the offline `ocr` grounder, checks that the app reached its booked state and
prints the report's path. On a private Xvfb display when Xvfb is installed; otherwise on your own
display after a countdown (the kill hotkey stops it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.errors import DisplayError, TaskFailed, UsageError

if TYPE_CHECKING:
    from actions import ActionRegistry
    from agent.automation.scripted import ScriptStep
    from agent.settings import Settings

__all__ = ["RECORDED_RUN", "RecordedDemo", "recorded_demo", "run_demo"]

RECORDED_RUN = Path(__file__).parent / "recorded"
COUNTDOWN_SECONDS = 5


def run_demo(settings: Settings, *, real_display: bool, replay: Callable[[Settings], int]) -> int:
    """The demo from start to end: `replay(settings)` runs `recorded_demo()`'s steps (as the CLI
    runs a script) while the sample app is up; the exit code of CONTRACTS §2."""
    settings = settings.model_copy(update={"grounder": "ocr", "approve": "never"})
    with ExitStack() as stack:
        private = not real_display and _xvfb_installed()
        if private:
            stack.enter_context(_private_display())
        else:
            _countdown(settings.kill_hotkey, "--real-display" if real_display else
                       "Xvfb is not installed")
        state = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "state.json"
        stack.enter_context(_flight_app(state))
        code = replay(settings)
        booked = _read_state(state).get("booked") is True
    if code == 0 and not booked:
        raise TaskFailed("the replay ended but the app is not in its booked state")
    if code == 0:
        print("the sample app says: booked ✓")
    return code


def _xvfb_installed() -> bool:
    from agent.backends.xvfb import xvfb_available

    return xvfb_available()


@contextmanager
def _private_display() -> Iterator[None]:
    from agent.backends.xvfb import using_display, virtual_display

    with virtual_display(1280, 800) as display, using_display(display):
        print(f"agent demo: on a private virtual display ({display.name}, 1280x800)")
        yield


def _countdown(kill_hotkey: str, why: str) -> None:
    """`why` the real display: the flag, or no Xvfb."""
    if not os.environ.get("DISPLAY") and sys.platform.startswith("linux"):
        hint = ("--real-display needs DISPLAY set (a desktop session); without the flag the demo"
                 " uses a private Xvfb display") if why == "--real-display" else (
                "agent demo needs Xvfb (sudo apt-get install xvfb) or a desktop session with "
                "DISPLAY set")
        raise DisplayError(hint)
    print(f"agent demo: {why}, so the demo drives YOUR mouse and keyboard in "
          f"{COUNTDOWN_SECONDS} s; press {kill_hotkey} (or move the mouse to a screen corner) to "
          "stop it.", flush=True)
    for left in range(COUNTDOWN_SECONDS, 0, -1):
        print(f"  {left}…", flush=True)
        time.sleep(1)


@contextmanager
def _flight_app(state: Path) -> Iterator[None]:
    app = subprocess.Popen([sys.executable, "-m", "agent.demo.flight_app", str(state),
                            "--geometry", "+100+80"])
    try:
        deadline = time.monotonic() + 15
        while not _read_state(state).get("ready"):
            if app.poll() is not None or time.monotonic() > deadline:
                raise UsageError("the sample app did not start (is python3-tk installed?)")
            time.sleep(0.05)
        yield
    finally:
        app.terminate()
        app.wait(timeout=5)


def _read_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class RecordedDemo:
    """The demo's recorded run, as steps to replay."""

    task: str
    steps: list[ScriptStep]
    ending: ScriptStep | None
    registry: ActionRegistry


def recorded_demo() -> RecordedDemo:
    from agent.automation.replay import read_run, recorded_ending, recorded_steps
    from agent.automation.scripted import script_registry

    recorded = read_run(RECORDED_RUN)
    registry = script_registry()
    return RecordedDemo(f"demo: {recorded.run.task}", recorded_steps(recorded, registry),
                        recorded_ending(recorded, registry), registry)
