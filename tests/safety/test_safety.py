"""End to end: human in the loop — approval, ask_user, secrets (CONTRACTS §1, §4, §6, §7).

Everything runs the real `agent run` CLI in a subprocess on a private Xvfb, against a real Tk app
(tests/apps/safety_app.py) that reports what it received, with fake OpenAI-compatible planner and
grounder servers on 127.0.0.1 that record every request. Assertions are made from three sides: the
app's state, the run record on disk, and the requests the fake models received.

This module also holds the harness the other tests/test_safety_*.py modules and
bench/kill_latency.py use (`SafetyApp`, `start_agent`, `Fakes`, ...).
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from agent.testing.fake_server import (
    ChatRequest,
    FakeChatServer,
    ReplyFunction,
    scripted,
    uground_description,
    uground_reply_from,
)
from tests.gui import (
    FormApp,
    clean_env,
    contains,
    describe,
    need,
    read_steps,
    run_dirs,
    running_app,
    stderr_lines,
)
from tests.paths import APPS
from tests.xvfb import VirtualDisplay, using_display

pytestmark = pytest.mark.gui

SAFETY_APP = APPS / "safety_app.py"
TASK = "fill in the safety form"
PLANNER_MODEL = "fake-planner"
GROUNDER_MODEL = "fake-grounder"
EXIT_STOPPED = 130

# Words a description may use for each widget of the safety app (earliest keyword wins).
SAFETY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "From": ("from",),
    "Passenger": ("passenger",),
    "Password": ("password",),
    "Notes": ("notes",),
    "Inert": ("nothing happens", "inert", "label"),
}

# ----------------------------------------------------------------------------- the harness


def wait_until(
    predicate: Callable[[], Any], timeout: float = 20.0, what: str = "a condition"
) -> Any:
    """Poll `predicate` until it returns something truthy; that value. Never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.02)


def safety_widget(description: str) -> str:
    text = description.lower()
    found = [
        (text.find(keyword), widget)
        for widget, keywords in SAFETY_KEYWORDS.items()
        for keyword in keywords
        if keyword in text
    ]
    if not found:
        raise LookupError(f"no safety-app widget matches {description!r}")
    return min(found)[1]


class SafetyApp(FormApp):
    """The safety app running on a display; `locate` plays the grounding model."""

    def locate(self, description: str) -> tuple[float, float]:
        box = self.state()["widgets"][safety_widget(description)]
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def fields(self) -> dict[str, str]:
        return dict(self.state()["fields"])

    def settled_state(self, quiet: float = 0.3, timeout: float = 10.0) -> dict[str, Any]:
        """The state once the app has stopped changing for `quiet` s (its input backlog done)."""
        last = self.state_path.read_bytes()
        still_since = time.monotonic()
        deadline = still_since + timeout
        while time.monotonic() - still_since < quiet:
            if time.monotonic() > deadline:
                raise TimeoutError("the app kept changing")
            time.sleep(0.02)
            now = self.state_path.read_bytes()
            if now != last:
                last, still_since = now, time.monotonic()
        return self.state()


@contextmanager
def safety_app(
    display: VirtualDisplay, directory: Path, geometry: str = "+60+60"
) -> Iterator[SafetyApp]:
    with running_app(display, directory, SAFETY_APP, "safety", geometry, SafetyApp) as app:
        yield app


def reply(action: dict[str, Any], thought: str = "") -> str:
    """One CONTRACTS §3 planner reply."""
    return json.dumps(
        {
            "observation": "The safety test form.",
            "thought": thought or f"Next: {action['name']}.",
            "instruction": f"Do {action['name']}.",
            "action": action,
        },
        ensure_ascii=False,
    )


def type_into(text: str, target: str, **more: Any) -> str:
    return reply({"name": "type", "text": text, "target": target, **more})


def click(target: str) -> str:
    return reply({"name": "click", "target": target})


DONE = reply({"name": "done", "answer": "finished"})


class UsageRecorder(FakeChatServer):
    """A fake that also remembers the `usage` block of every answer it sent."""

    def __init__(self, reply: ReplyFunction, **options: Any) -> None:
        super().__init__(reply, **options)
        self.sent_usage: list[dict[str, int]] = []

    def _completion(self, request: ChatRequest, answer: Any) -> dict[str, Any]:
        payload = super()._completion(request, answer)
        self.sent_usage.append(payload["usage"])
        return payload


@dataclass
class Fakes:
    planner: UsageRecorder
    grounder: UsageRecorder

    def descriptions(self) -> list[str | None]:
        """What the grounder was asked to find, in order."""
        return [uground_description(r.last_user_text()) for r in self.grounder.requests]

    def all_request_bodies(self) -> str:
        requests = [*self.planner.requests, *self.grounder.requests]
        return "\n".join(json.dumps(r.body, ensure_ascii=False) for r in requests)


@contextmanager
def fakes(
    planner_reply: ReplyFunction | Sequence[str],
    app: SafetyApp,
    *,
    planner_latency: float = 0.0,
) -> Iterator[Fakes]:
    """A scripted planner (or any reply function) and a UGround-style grounder for `app`."""
    reply_fn = planner_reply if callable(planner_reply) else scripted(planner_reply)
    planner = UsageRecorder(reply_fn, model=PLANNER_MODEL, latency=planner_latency)
    grounder = UsageRecorder(uground_reply_from(app.locate), model=GROUNDER_MODEL)
    with planner, grounder:
        yield Fakes(planner, grounder)


def agent_args(fake: Fakes, runs_dir: Path, *extra: str, task: str = TASK) -> list[str]:
    return [
        "run",
        task,
        "--planner-base-url",
        fake.planner.base_url,
        "--planner-model",
        PLANNER_MODEL,
        "--grounder",
        "uground",
        "--grounder-base-url",
        fake.grounder.base_url,
        "--grounder-model",
        GROUNDER_MODEL,
        "--runs-dir",
        str(runs_dir),
        "--timeout",
        "30",
        *extra,
    ]


@dataclass
class AgentProcess:
    """`python -m agent ...` running in the background; output goes to files (no pipe stalls)."""

    process: subprocess.Popen[bytes]
    out_path: Path
    err_path: Path
    runs_dir: Path
    result: subprocess.CompletedProcess[str] | None = field(default=None)

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def wait(self, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            # SIGABRT: faulthandler (PYTHONFAULTHANDLER=1) prints every thread's stack first.
            self.process.send_signal(signal.SIGABRT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            raise AssertionError(
                f"the agent hung: not finished after {timeout:g} s; its threads' stacks are "
                f"at the end of stderr:\n{self.output()}"
            ) from None
        self.result = subprocess.CompletedProcess(
            self.process.args, code, self._read(self.out_path), self._read(self.err_path)
        )
        return self.result

    def output(self) -> str:
        out, err = self._read(self.out_path), self._read(self.err_path)
        return f"--- stdout ---\n{out}\n--- stderr ---\n{err}"

    @staticmethod
    def _read(path: Path) -> str:
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def run_dir(self, timeout: float = 20.0) -> Path:
        """The run's directory, once its run.json exists."""
        return Path(
            wait_until(
                lambda: next(
                    (d for d in run_dirs(self.runs_dir) if (d / "run.json").exists()), None
                ),
                timeout,
                "the run directory",
            )
        )

    def wait_for_steps(self, count: int, timeout: float = 60.0) -> list[dict[str, Any]]:
        """Poll steps.jsonl until it holds `count` steps (fails early if the agent exits)."""

        def enough() -> list[dict[str, Any]] | None:
            if not self.running():
                raise AssertionError(f"the agent exited early:\n{self.output()}")
            directory = next(iter(run_dirs(self.runs_dir)), None)
            steps = read_steps(directory) if directory is not None else []
            return steps if len(steps) >= count else None

        return list(wait_until(enough, timeout, f"{count} recorded step(s)"))

    def stop(self) -> None:
        if self.running():
            self.process.kill()
            self.process.wait()


@contextmanager
def start_agent(
    args: Sequence[str],
    *,
    display: VirtualDisplay,
    cwd: Path,
    stdin: str | None = None,
    closed_stdin: bool = False,
    silent_stdin: bool = False,
    env: dict[str, str] | None = None,
    entry: Sequence[str] = ("-m", "agent"),
) -> Iterator[AgentProcess]:
    """Start the real CLI. `stdin`: lines fed through a pipe (then end of input); None: empty
    input (/dev/null); `closed_stdin`: no stdin at all (file descriptor 0 closed);
    `silent_stdin`: a pipe that stays open and says nothing (someone who never answers).
    `entry`: how Python starts it (a control experiment may patch something first)."""
    out_path, err_path = cwd / "agent.stdout", cwd / "agent.stderr"
    command = [sys.executable, *entry, *args]
    if closed_stdin:  # a shell closes fd 0, then execs Python (preexec_fn is unsafe with threads)
        command = ["sh", "-c", 'exec "$0" "$@" <&-', *command]
    runs_dir = Path(args[list(args).index("--runs-dir") + 1])
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(
            command,
            env=clean_env(display.env, **{"PYTHONFAULTHANDLER": "1", **(env or {})}),
            cwd=cwd,
            stdin=subprocess.PIPE if stdin is not None or silent_stdin else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
    if stdin is not None and process.stdin is not None:
        process.stdin.write(stdin.encode())
        process.stdin.close()
    agent = AgentProcess(process, out_path, err_path, runs_dir)
    try:
        yield agent
    finally:
        agent.stop()


def run_agent(
    args: Sequence[str], *, display: VirtualDisplay, cwd: Path, timeout: float = 120.0, **kw: Any
) -> subprocess.CompletedProcess[str]:
    with start_agent(args, display=display, cwd=cwd, **kw) as agent:
        return agent.wait(timeout)


def the_run(runs_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]], Path]:
    """run.json, steps.jsonl and the directory of the one run under `runs_dir`."""
    (run_dir,) = run_dirs(runs_dir)
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    return run, read_steps(run_dir), run_dir


def assert_exit(result: subprocess.CompletedProcess[str], code: int) -> None:
    """Exit `code`, no traceback, and one clear last line on stderr."""
    assert result.returncode == code, describe(result)
    assert "Traceback" not in result.stderr, describe(result)
    assert "unexpected error" not in result.stderr, describe(result)
    lines = stderr_lines(result)
    assert lines and lines[-1].startswith("agent: ") and len(lines[-1]) > 15, describe(result)


def xdotool(display: VirtualDisplay, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=display.env, check=True, timeout=20)


def need_xdotool() -> None:
    need(shutil.which("xdotool") is not None, "xdotool is not installed (apt install xdotool)")


def keys_down(display: VirtualDisplay) -> list[str]:
    """Names of the keys the X server holds down right now (XQueryKeymap)."""
    from Xlib import XK
    from Xlib import display as xdisplay

    with using_display(display):
        connection = xdisplay.Display(display.name)
    try:
        keymap = connection.query_keymap()
        codes = [
            i * 8 + bit for i, byte in enumerate(keymap) for bit in range(8) if byte >> bit & 1
        ]
        return [
            XK.keysym_to_string(connection.keycode_to_keysym(code, 0)) or f"keycode {code}"
            for code in codes
        ]
    finally:
        connection.close()


# ----------------------------------------------------------------------------- approval

REJECT_FEEDBACK = "wrong field"
NEW_TARGET = "the Passenger text field"


def test_approve_always_reject_edit_and_quit(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    """Step 1 is rejected (not executed; the feedback reaches the planner), step 2's target is
    edited (re-grounded on the new description, lands on the new widget), step 3 is aborted."""
    runs_dir = tmp_path / "runs"
    with safety_app(xvfb, tmp_path / "app") as app:
        script = [
            type_into("Ada Lovelace", "the From text field"),
            type_into("Ada Lovelace", "the From text field"),
            type_into("Boston", "the From text field"),
        ]
        answers = f"n {REJECT_FEEDBACK}\ne target={NEW_TARGET}\ny\nq\n"
        with fakes(script, app) as fake:
            result = run_agent(
                agent_args(fake, runs_dir, "--approve", "always"),
                display=xvfb,
                cwd=tmp_path,
                stdin=answers,
            )
        state = app.settled_state()

    assert_exit(result, EXIT_STOPPED)
    run, steps, run_dir = the_run(runs_dir)
    assert run["status"] == "stopped", run
    assert "approval" in run["reason"] or "abort" in run["reason"], run["reason"]

    # The app: only the edited step ran, into the Passenger field; nothing reached From.
    assert state["fields"]["Passenger"] == "Ada Lovelace"
    assert state["fields"]["From"] == ""

    # The planner heard the rejection and its feedback in its next request.
    assert len(fake.planner.requests) == 3
    assert REJECT_FEEDBACK not in fake.planner.requests[0].text()
    assert REJECT_FEEDBACK in fake.planner.requests[1].text()
    # The grounder was asked again with the edited description.
    assert fake.descriptions() == [
        "the From text field",
        "the From text field",
        NEW_TARGET,
        "the From text field",
    ]

    # Every decision is in the record.
    assert [s["index"] for s in steps] == [1, 2, 3]
    first, second, third = steps
    assert first["status"] == "rejected"
    assert first["approval"]["decision"] == "rejected"
    assert first["approval"]["feedback"] == REJECT_FEEDBACK
    assert second["status"] == "ok"
    assert second["approval"]["decision"] == "edited"
    assert second["approval"]["edited"] == {"target": NEW_TARGET}
    assert second["action"]["target"] == NEW_TARGET
    (grounding,) = second["grounding"]
    assert grounding["target"] == NEW_TARGET
    assert contains(state, "Passenger", grounding["screen_point"]), grounding
    assert third["status"] == "stopped"

    # The prompt went to stderr, with the preview image's path; the preview has a crosshair.
    assert result.stderr.count("approve? [y]es") == 4, describe(result)
    preview = run_dir / "approve-0001.png"
    assert str(preview) in result.stderr
    assert_crosshair(preview, run_dir / "step-0001.png", first["grounding"][0]["point"])

    # CONTRACTS §6 has an "aborted" decision: the `q` answer is a decision like the others.
    assert third["approval"] is not None, "the `q` decision is missing from steps.jsonl"
    assert third["approval"]["decision"] == "aborted"


CROSSHAIR_RGB = (0xFF, 0x1F, 0x5A)


def assert_crosshair(preview: Path, screenshot: Path, point: Sequence[float]) -> None:
    """The preview is the screenshot plus crosshair-coloured pixels around `point`, only there."""
    with Image.open(preview) as marked, Image.open(screenshot) as plain:
        marked, plain = marked.convert("RGB"), plain.convert("RGB")
        assert marked.size == plain.size
        x, y = round(point[0]), round(point[1])
        box = (x - 40, y - 40, x + 41, y + 41)
        near = marked.crop(box)
        red = sum(1 for pixel in _pixels(near) if _close(pixel, CROSSHAIR_RGB))
        assert red >= 40, f"no crosshair around {point} in {preview} ({red} marked pixels)"
        assert not any(_close(p, CROSSHAIR_RGB) for p in _pixels(plain.crop(box)))
        # Away from the point the preview is the screenshot itself.
        far = (0, 0, marked.width, max(1, y - 60))
        assert marked.crop(far).tobytes() == plain.crop(far).tobytes()


def _pixels(image: Image.Image) -> list[tuple[int, ...]]:
    data = image.convert("RGB").tobytes()
    return [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]


def _close(pixel: Sequence[int], rgb: Sequence[int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, rgb, strict=False))


def test_end_of_input_while_an_approval_is_pending_stops(
    xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    runs_dir = tmp_path / "runs"
    with safety_app(xvfb, tmp_path / "app") as app:
        script = [
            type_into("Boston", "the From text field"),
            type_into("Ada", "the Passenger field"),
        ]
        with fakes(script, app) as fake:
            result = run_agent(
                agent_args(fake, runs_dir, "--approve", "always"),
                display=xvfb,
                cwd=tmp_path,
                stdin="y\n",  # one answer, then end of input while step 2 waits
            )
        state = app.settled_state()

    assert_exit(result, EXIT_STOPPED)
    run, steps, _ = the_run(runs_dir)
    assert run["status"] == "stopped", run
    assert "end of input" in run["reason"], run["reason"]
    assert state["fields"]["From"] == "Boston"
    assert state["fields"]["Passenger"] == "", "the unanswered step must not run"
    assert [s["status"] for s in steps] == ["ok", "stopped"]
    assert steps[0]["approval"]["decision"] == "approved"
    assert steps[1]["approval"] is not None, "the end-of-input abort is missing from steps.jsonl"
    assert steps[1]["approval"]["decision"] == "aborted"


def test_a_risky_action_with_stdin_closed_stops(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    """No stdin at all (fd 0 closed) is end of input too: the pending approval is `q`."""
    runs_dir = tmp_path / "runs"
    with safety_app(xvfb, tmp_path / "app") as app:
        with fakes([type_into("s3cret", "the password field"), DONE], app) as fake:
            result = run_agent(
                agent_args(fake, runs_dir), display=xvfb, cwd=tmp_path, closed_stdin=True
            )
        state = app.settled_state()
    assert_exit(result, EXIT_STOPPED)
    run, _, _ = the_run(runs_dir)
    assert run["status"] == "stopped", run
    assert state["fields"]["Password"] == ""


def test_approve_risky_is_the_default_and_asks_only_for_risky_actions(
    xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    """No --approve flag: a plain click runs unasked; typing into a password field, typing with
    enter=true, and `done` ask."""
    runs_dir = tmp_path / "runs"
    with safety_app(xvfb, tmp_path / "app") as app:
        script = [
            click("the From field"),
            type_into("s3cret", "the password field"),
            type_into("Boston", "the From field", enter=True),
            DONE,
        ]
        # password: approve; enter: reject; done: approve
        with fakes(script, app) as fake:
            result = run_agent(
                agent_args(fake, runs_dir),
                display=xvfb,
                cwd=tmp_path,
                stdin="y\nn no submitting\ny\n",
            )
        state = app.settled_state()

    assert result.returncode == 0, describe(result)
    _, steps, _ = the_run(runs_dir)
    assert [s["approval"] and s["approval"]["decision"] for s in steps] == [
        None,
        "approved",
        "rejected",
        "approved",
    ]
    assert [s["status"] for s in steps] == ["ok", "ok", "rejected", "ok"]
    # Exactly three prompts, none of them for the click.
    assert result.stderr.count("approve? [y]es") == 3, describe(result)
    assert "step 1:" not in result.stderr, describe(result)
    assert "typing into a secret field" in result.stderr
    assert "Enter" in result.stderr
    assert state["fields"]["Password"] == "s3cret"
    assert state["fields"]["From"] == "", "the rejected typing must not run"
    assert "no submitting" in fake.planner.requests[3].text()


# ----------------------------------------------------------------------------- ask_user

QUESTION = "Which city should I fly to?"


def test_ask_user_answer_reaches_the_planner(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    with safety_app(xvfb, tmp_path / "app") as app:
        script = [reply({"name": "ask_user", "question": QUESTION}), DONE]
        with fakes(script, app) as fake:
            result = run_agent(
                agent_args(fake, runs_dir, "--approve", "never"),
                display=xvfb,
                cwd=tmp_path,
                stdin="Tokyo, window seat\n",
            )

    assert result.returncode == 0, describe(result)
    assert QUESTION in result.stderr
    assert len(fake.planner.requests) == 2
    assert "Tokyo, window seat" not in fake.planner.requests[0].text()
    assert "Tokyo, window seat" in fake.planner.requests[1].text()
    _, steps, _ = the_run(runs_dir)
    assert steps[0]["action"] == {"name": "ask_user", "question": QUESTION}
    assert steps[0]["status"] == "ok"


@pytest.mark.parametrize("stdin", ["empty", "closed"])
def test_ask_user_without_anyone_to_answer_fails(
    stdin: str, xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    runs_dir = tmp_path / "runs"
    with safety_app(xvfb, tmp_path / "app") as app:
        script = [reply({"name": "ask_user", "question": QUESTION}), DONE]
        with fakes(script, app) as fake:
            result = run_agent(
                agent_args(fake, runs_dir, "--approve", "never"),
                display=xvfb,
                cwd=tmp_path,
                closed_stdin=stdin == "closed",
            )

    assert_exit(result, 1)
    run, steps, _ = the_run(runs_dir)
    assert run["status"] == "failed", run
    assert QUESTION in run["reason"] and "no one" in run["reason"], run["reason"]
    assert run["reason"] in result.stderr
    assert len(fake.planner.requests) == 1
    assert steps[-1]["status"] == "error"


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "kill hotkey"])
def test_a_pending_question_does_not_hold_off_a_stop(how: str, make_display: Any,
                                                      tmp_path: Path) -> None:
    need_xdotool()
    display = make_display(1280, 800)
    runs_dir = tmp_path / "runs"
    with safety_app(display, tmp_path / "app") as app:
        script = [reply({"name": "ask_user", "question": QUESTION}), DONE]
        with fakes(script, app) as fake, start_agent(
            agent_args(fake, runs_dir, "--approve", "never"), display=display, cwd=tmp_path,
            silent_stdin=True,
        ) as agent:
            wait_until(lambda: QUESTION in agent.output(), 60, "the question")
            if how == "kill hotkey":
                xdotool(display, "key", "--delay", "0", "ctrl+alt+Escape")
            else:
                agent.process.send_signal(getattr(signal, how))
            result = agent.wait(15)
    assert_exit(result, EXIT_STOPPED)
    run, steps, _ = the_run(runs_dir)
    assert run["status"] == "stopped", run
    assert steps[-1]["status"] == "stopped"
    assert len(fake.planner.requests) == 1


# ----------------------------------------------------------------------------- secrets


@pytest.mark.parametrize("source", ["flag", "environment"])
def test_secret_is_typed_but_never_seen_or_recorded(
    source: str, xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    value = f"hunter2-{time.time_ns() % 10**9}-Zq"
    runs_dir = tmp_path / "runs"
    with safety_app(xvfb, tmp_path / "app") as app:
        script = [
            type_into("{{PW}}", "the Password field"),
            # A planner that read the value somewhere and repeats it must not leak it either:
            # not to the grounder in a description, not in its thought or answer.
            click(f"the Notes field below the text {value}"),
            reply({"name": "done", "answer": f"typed {value}"}, thought=f"I typed {value}?"),
        ]
        extra: list[str] = ["--secret", f"PW={value}"] if source == "flag" else ["--secret", "PW"]
        env = {"AGENT_SECRET_PW": value} if source == "environment" else {}
        with fakes(script, app) as fake:
            result = run_agent(  # asked before each action: the prompts are output too
                agent_args(fake, runs_dir, "--approve", "always", *extra,
                           task=f"log in with the password {value}"),
                display=xvfb,
                cwd=tmp_path,
                env=env,
                stdin="y\ny\ny\n",
            )
        state = app.settled_state()

    assert result.returncode == 0, describe(result)
    assert state["fields"]["Password"] == value, "the app gets the real value"
    # Never in what the models were sent, in what was printed, or in the record.
    assert value not in fake.all_request_bodies()
    assert value not in result.stdout + result.stderr
    run, steps, run_dir = the_run(runs_dir)
    assert value not in run_dir.name
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert value.encode() not in path.read_bytes(), path
    assert "step 1:" in result.stderr and "approve?" in result.stderr, describe(result)
    assert run["task"] == "log in with the password {{PW}}"
    # The placeholder is what the planner is told about and what the record keeps.
    assert "{{PW}}" in fake.planner.requests[1].text()
    assert "PW" in fake.planner.requests[0].text()
    assert steps[0]["action"]["text"] == "{{PW}}"
    assert "{{PW}}" in (run_dir / "steps.jsonl").read_text(encoding="utf-8")
    assert steps[1]["action"]["target"] == "the Notes field below the text {{PW}}"
    assert "{{PW}}" in steps[2]["thought"]
    assert run["answer"] == "typed {{PW}}"
