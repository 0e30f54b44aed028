"""Kill-switch latency of `agent run`, measured from outside like a person would experience it.

    python bench/kill_latency.py [--runs N] [--chars N] [--wait-latency S] [--json]

The real `agent run` CLI in a subprocess on a private Xvfb, the real Tk safety app
(tests/apps/safety_app.py, which stamps the wall-clock time of its last field change), fake
planner/grounder servers on 127.0.0.1 (harness: tests/safety/test_safety.py). The kill hotkey
is sent with `xdotool key ctrl+alt+Escape`; t0 is taken just before xdotool starts.

Scenarios, N runs each, every run on a fresh Xvfb (a hung run may leave keys held):

* typing:  the agent types a long text (--chars, default 400) into the app; the kill is sent as
  soon as the app shows the first characters. Measured: t0 → process exit, t0 → the last character
  arriving in the app (negative: the typing was over before the kill), characters that arrived.
* waiting: the agent waits for the planner, whose reply takes --wait-latency s (default 5); the
  kill is sent 0.5 s into the wait. Measured: t0 → process exit.
* pausing: the agent performs a `wait` action of 10 s (it polls the stop flag every 50 ms); the
  kill is sent 0.5 s in. Measured: t0 → process exit: the runtime's own way out, from hotkey
  detection to the end of the process, with nothing blocking it.

A run that has not exited 15 s after the kill counts as hung: it is killed (SIGKILL) and left
out of the medians. Target: ≤200 ms median from the hotkey to exit and to the last character.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # `tests` (Xvfb, app and fake-server helpers) is not installed

from tests.test_safety import (  # noqa: E402
    DONE,
    agent_args,
    fakes,
    keys_down,
    reply,
    safety_app,
    start_agent,
    type_into,
    wait_until,
)

from tests.xvfb import virtual_display  # noqa: E402

TARGET_MS = 200.0
HUNG_AFTER_S = 15.0
TEXT_UNIT = "the quick brown fox jumps over the lazy dog "


@dataclass
class Sample:
    scenario: str
    run: int
    exit_code: int | None  # None: hung
    exit_ms: float | None
    last_char_ms: float | None
    typed: int | None
    total: int | None
    keys_held: list[str]


def _exit_watcher(process: subprocess.Popen[bytes]) -> tuple[threading.Thread, list[float]]:
    stamp: list[float] = []

    def watch() -> None:
        process.wait()
        stamp.append(time.monotonic())

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread, stamp


def _send_kill(env: dict[str, str]) -> tuple[float, float]:
    """(monotonic, wall-clock) time just before xdotool starts."""
    t0, wall0 = time.monotonic(), time.time()
    subprocess.run(["xdotool", "key", "--delay", "0", "ctrl+alt+Escape"], env=env, check=True)
    return t0, wall0


def one_run(scenario: str, run: int, chars: int, wait_latency: float) -> Sample:
    text = (TEXT_UNIT * (chars // len(TEXT_UNIT) + 1))[:chars]
    with tempfile.TemporaryDirectory(prefix="kill-latency-") as tmp_name:
        tmp = Path(tmp_name)
        with virtual_display(1280, 800) as display, safety_app(display, tmp / "app") as app:
            if scenario == "typing":
                script, latency = [type_into(text, "the Notes field"), DONE], 0.0
            elif scenario == "pausing":
                script, latency = [reply({"name": "wait", "seconds": 10}), DONE], 0.0
            else:
                script, latency = [DONE], wait_latency
            with fakes(script, app, planner_latency=latency) as fake:
                args = agent_args(fake, tmp / "runs", "--approve", "never")
                with start_agent(args, display=display, cwd=tmp) as agent:
                    watcher, exited = _exit_watcher(agent.process)
                    if scenario == "typing":
                        app.wait_for(lambda s: s["fields"]["Notes"] != "", 60, "first characters")
                    else:
                        wait_until(lambda: fake.planner.requests, 60, "the planner request")
                        time.sleep(0.5)  # well into the planner's wait, or the wait action
                    t0, wall0 = _send_kill(display.env)
                    watcher.join(HUNG_AFTER_S)
                    hung = not exited
                    if hung:
                        agent.process.send_signal(signal.SIGKILL)
                        watcher.join()
                    code = None if hung else agent.process.returncode
                    exit_ms = None if hung else (exited[0] - t0) * 1000
                state = app.settled_state(quiet=0.4)
                held = keys_down(display)
        last_char_ms = typed = total = None
        if scenario == "typing":
            typed, total = len(state["fields"]["Notes"]), len(text)
            if state["changed_at"] is not None:
                last_char_ms = (state["changed_at"] - wall0) * 1000
        return Sample(scenario, run, code, exit_ms, last_char_ms, typed, total, held)


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def report(samples: list[Sample]) -> str:
    lines = [
        f"{'scenario':<9} {'run':>3} {'exit':>6} {'t→exit ms':>10} {'t→last char ms':>15} "
        f"{'typed':>9}  keys held afterwards",
    ]
    for s in samples:
        code = "HUNG" if s.exit_code is None else str(s.exit_code)
        typed = "" if s.typed is None else f"{s.typed}/{s.total}"
        lines.append(
            f"{s.scenario:<9} {s.run:>3} {code:>6} {_ms(s.exit_ms):>10} "
            f"{_ms(s.last_char_ms):>15} {typed:>9}  {', '.join(s.keys_held) or '-'}"
        )
    lines.append("")
    for scenario in dict.fromkeys(s.scenario for s in samples):
        group = [s for s in samples if s.scenario == scenario]
        hung = sum(s.exit_code is None for s in group)
        exit_median = _median([s.exit_ms for s in group])
        line = (
            f"{scenario}: median t→exit {_ms(exit_median)} ms over {len(group) - hung} "
            f"run(s), {hung} hung of {len(group)}"
        )
        if scenario == "typing":
            cut = sum(1 for s in group if s.typed is not None and s.typed < (s.total or 0))
            line += (
                f"; median t→last char {_ms(_median([s.last_char_ms for s in group]))} ms; "
                f"text cut short in {cut} of {len(group)}"
            )
        lines.append(line)
    lines.append(f"target: ≤{TARGET_MS:.0f} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per scenario (default 10)")
    parser.add_argument("--chars", type=int, default=400, help="length of the typed text")
    parser.add_argument(
        "--wait-latency",
        type=float,
        default=5.0,
        help="seconds the planner takes in the waiting scenario (default 5)",
    )
    parser.add_argument(
        "--scenarios", default="typing,waiting,pausing", help="typing,waiting,pausing"
    )
    parser.add_argument("--json", action="store_true", help="print the samples as JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    samples = []
    for scenario in args.scenarios.split(","):
        for run in range(1, args.runs + 1):
            sample = one_run(scenario, run, args.chars, args.wait_latency)
            samples.append(sample)
            print(
                f"  {scenario} run {run}: exit {sample.exit_code}, {_ms(sample.exit_ms)} ms",
                file=sys.stderr,
                flush=True,
            )
    if args.json:
        print(json.dumps([asdict(s) for s in samples], indent=1))
    else:
        print(report(samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
