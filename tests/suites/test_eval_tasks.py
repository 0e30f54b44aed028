"""`agent eval tasks` end to end: the real CLI runs tiny suites of a Tk app on private Xvfb
displays, with `agent run` as a subprocess talking real HTTP to a fake planner.

Outcomes are read from the app's side (the file the Tk entry writes), from results.jsonl, and
from /proc (nothing left running). CI never skips these (AGENT_REQUIRE_GUI=1).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.testing.fake_server import ChatRequest, FakeChatServer
from tests.gui import clean_env, describe, need
from tests.xvfb import xvfb_available

pytestmark = pytest.mark.gui

ECHO_APP = Path(__file__).resolve().parents[1] / "apps" / "echo_entry.py"
SECRET = "s3cret-Value-42"
API_KEY = "sk-suite-key-5d8e1f"


def planner_reply(request: ChatRequest) -> str:
    """Type the secret placeholder into the focused entry, then say done. Chosen from the
    request alone (how many past steps it carries), so episodes can share the server."""
    past = len(re.findall(r"^Step \d+:", request.text(), re.MULTILINE))
    action = {"name": "type", "text": "{{WORD}}"} if past == 0 else {"name": "done"}
    return json.dumps({"observation": "an entry", "thought": "type", "instruction": "type",
                       "action": action})


def echo_task(task_id: str, expected: str = SECRET, ready: str | None = None,
              settings: str = "{}") -> str:
    ready = ready or 'command: test -f "$EPISODE_DIR/out.txt.ready", timeout: 15'
    return f"""
  - id: {task_id}
    task: type the word
    setup: env > "$EPISODE_DIR/setup.env" && exec {sys.executable} {ECHO_APP} "$EPISODE_DIR/out.txt"
    ready: {{{ready}}}
    check: test "$(cat "$EPISODE_DIR/out.txt")" = "{expected}"
    tags: [echo]
    settings: {settings}
"""


def write_suite(tmp_path: Path, *tasks: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text("name: tiny\nscreen: [640, 400]\nsettings: {max_steps: 4}\ntasks:"
                    + "".join(tasks), encoding="utf-8")
    return path


def eval_env(planner: FakeChatServer) -> dict[str, str]:
    env = clean_env(os.environ, AGENT_PLANNER_BASE_URL=planner.base_url)
    env.pop("DISPLAY", None)  # episodes never use the caller's display
    return env


def eval_command(suite: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "agent", "eval", "tasks", str(suite), "--out", str(out),
            "--secret", f"WORD={SECRET}", *extra]


def run_eval(suite: Path, out: Path, env: dict[str, str], *extra: str
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(eval_command(suite, out, *extra), env=env, cwd=suite.parent,
                          capture_output=True, text=True, timeout=240, check=False)


def results(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def processes() -> Iterator[int]:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            yield int(entry)


def leftovers(out: Path, session: int | None = None) -> list[str]:
    """Processes an episode started (EPISODE_DIR under `out` in their environment) or, with
    `session`, any process of that session (Xvfb is started by the eval itself)."""
    found = []
    for pid in processes():
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        sid = int(stat.rsplit(")", 1)[1].split()[4])
        if f"EPISODE_DIR={out}".encode() in environ or (session is not None and sid == session):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            found.append(f"{pid}: {cmdline.decode(errors='replace')[:120]}")
    return found


@pytest.fixture(autouse=True)
def _needs_xvfb() -> None:
    need(xvfb_available(), "Xvfb is not installed (apt install xvfb)")


def test_success_agent_failure_and_never_ready(tmp_path: Path) -> None:
    suite = write_suite(
        tmp_path,
        echo_task("echo", settings="{history: 0}"),
        echo_task("wrong", expected="something else"),  # the agent's failure: not retried
        echo_task("never", ready="window: No such window, timeout: 1"),
    )
    out = tmp_path / "out"
    # The user's own settings reach every episode: agent.toml, environment, flags.
    (tmp_path / "agent.toml").write_text("history = 3\nsettle_timeout = 0.5\nmax_steps = 9\n")
    with FakeChatServer(planner_reply, model="fake-planner") as planner:
        env = {**eval_env(planner), "AGENT_TIMEOUT": "33", "AGENT_PLANNER_API_KEY": API_KEY}
        done = run_eval(suite, out, env, "--workers", "3", "--json", "--refine-window", "0.3")
    assert done.returncode == 0, describe(done)
    by_id = {line["id"]: line for line in results(out)}
    assert set(by_id) == {"echo", "wrong", "never"}

    echo = by_id["echo"]
    assert echo["success"] is True and echo["status"] == "done" and echo["infra_retries"] == 0
    assert echo["steps"] == 2 and isinstance(echo["tokens"], int) and echo["tokens"] > 0
    app_file = out / "episodes" / "echo" / "trial-1" / "attempt-1" / "out.txt"
    assert app_file.read_text() == SECRET  # the app's side: the secret was typed
    run_dir = Path(str(echo["run_dir"]))
    assert (run_dir / "report.html").is_file()
    for record in (run_dir / "run.json", run_dir / "steps.jsonl", run_dir.parents[1] / "agent.log"):
        assert SECRET not in record.read_text(), record
        assert API_KEY not in record.read_text(), record
    assert planner.requests and all(r.api_key == API_KEY for r in planner.requests)
    setup_env = (run_dir.parents[1] / "setup.env").read_text().splitlines()
    assert f"AGENT_SECRET_WORD={SECRET}" in setup_env  # a check may verify what the app got
    assert f"EPISODE_DIR={run_dir.parents[1]}" in setup_env
    assert any(line.startswith("DISPLAY=:") for line in setup_env)
    assert API_KEY not in "\n".join(setup_env)  # API keys are the agent's only
    settings = json.loads((run_dir / "run.json").read_text())["settings"]
    assert settings["approve"] == "never"  # no one is at a terminal
    assert settings["settle_timeout"] == 0.5  # agent.toml
    assert settings["timeout"] == 33  # environment
    assert settings["refine_window"] == 0.3  # flag
    assert settings["max_steps"] == 4  # the suite's settings over agent.toml
    assert settings["history"] == 0  # the task's over agent.toml's
    assert settings["runs_dir"] == str(run_dir.parent)

    wrong = by_id["wrong"]
    assert wrong["success"] is False and wrong["infra_retries"] == 0
    assert wrong["status"] == "done" and "check exited with 1" in str(wrong["error"])
    assert [p.name for p in (out / "episodes" / "wrong" / "trial-1").iterdir()] == ["attempt-1"]

    never = by_id["never"]
    assert never["status"] == "infra_error" and never["infra_retries"] == 2
    assert "setup never became ready" in str(never["error"])
    attempts = sorted(p.name for p in (out / "episodes" / "never" / "trial-1").iterdir())
    assert attempts == ["attempt-1", "attempt-2", "attempt-3"]

    summary = json.loads(done.stdout)
    assert summary["episodes"] == 2 and summary["successes"] == 1
    assert summary["infra_errors"] == 1 and summary["infra_retries"] == 2
    low, high = summary["ci95"]
    assert 0 < low < 0.5 < high < 1
    index = (out / "index.html").read_text()
    link = os.path.relpath(run_dir / "report.html", out)
    assert f'href="{link}"' in index and "infrastructure failure" in index
    assert leftovers(out) == []


def test_a_killed_agent_is_retried_and_the_retry_succeeds(tmp_path: Path) -> None:
    first_request = threading.Event()

    def slow_first(request: ChatRequest) -> str:
        if not first_request.is_set():
            first_request.set()
            time.sleep(4)  # the test kills the agent meanwhile
        return planner_reply(request)

    suite = write_suite(tmp_path, echo_task("echo"))
    out = tmp_path / "out"
    with FakeChatServer(slow_first, model="fake-planner") as planner:
        proc = subprocess.Popen(eval_command(suite, out), env=eval_env(planner), cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert first_request.wait(60), "the agent never asked the planner"
        agents = [pid for pid in processes() if is_agent_run(pid, out)]
        assert len(agents) == 1, agents
        os.kill(agents[0], signal.SIGKILL)
        _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    (line,) = results(out)
    assert line["success"] is True and line["infra_retries"] == 1, line
    attempt_1 = out / "episodes" / "echo" / "trial-1" / "attempt-1"
    assert not (attempt_1 / "out.txt").read_text()  # the killed attempt typed nothing
    assert (out / "episodes" / "echo" / "trial-1" / "attempt-2" / "out.txt").read_text() == SECRET
    assert leftovers(out) == []


def is_agent_run(pid: int, out: Path) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        return False
    return cmdline[1:4] == [b"-m", b"agent", b"run"] and out in cwd.parents


def test_ctrl_c_keeps_finished_episodes_and_resume_finishes(tmp_path: Path) -> None:
    suite = write_suite(tmp_path, echo_task("one"), echo_task("two"), echo_task("three"))
    out = tmp_path / "out"
    with FakeChatServer(planner_reply, model="fake-planner") as planner:
        env = eval_env(planner)
        proc = subprocess.Popen(eval_command(suite, out), env=env, cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        deadline = time.monotonic() + 90
        while not ((out / "results.jsonl").exists() and results(out)):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.1)
        time.sleep(1.0)  # the second episode is under way
        os.kill(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 130, stderr
        assert "stopped by the user" in stderr
        kept = results(out)
        assert 1 <= len(kept) < 3 and all(line["success"] for line in kept), kept
        assert leftovers(out, session=proc.pid) == []  # no Xvfb, app or agent left
        assert "of 3 episodes finished" in stdout

        resumed = run_eval(suite, out, env, "--resume")
    assert resumed.returncode == 0, describe(resumed)
    final = results(out)
    assert final[: len(kept)] == kept  # nothing finished was lost or redone
    assert sorted(str(line["id"]) for line in final) == ["one", "three", "two"]
    assert all(line["success"] for line in final)
    for task_id in ("one", "two", "three"):
        typed = list((out / "episodes" / task_id / "trial-1").glob("attempt-*/out.txt"))
        assert SECRET in [p.read_text() for p in typed]


def test_a_model_server_failure_exits_3_and_is_no_success(tmp_path: Path) -> None:
    suite = write_suite(tmp_path, '\n  - {id: down, task: anything, check: "true"}\n')
    out = tmp_path / "out"
    env = clean_env(os.environ, AGENT_PLANNER_BASE_URL="http://127.0.0.1:9/v1")  # nothing there
    done = run_eval(suite, out, env, "--timeout", "2")
    assert done.returncode == 3, describe(done)
    assert done.stderr.strip().splitlines()[-1].startswith("agent: a model server failed")
    (line,) = results(out)
    assert line["success"] is False and line["status"] == "error"
    assert line["exit_code"] == 3 and line["infra_retries"] == 0
    assert "unreachable" in str(line["error"])
    assert leftovers(out) == []


def test_sigterm_mid_episode_stops_cleanly(tmp_path: Path) -> None:
    asked = threading.Event()

    def slow(request: ChatRequest) -> str:
        asked.set()
        time.sleep(2)
        return planner_reply(request)

    suite = write_suite(tmp_path, echo_task("only"))
    out = tmp_path / "out"
    with FakeChatServer(slow, model="fake-planner") as planner:
        proc = subprocess.Popen(eval_command(suite, out), env=eval_env(planner), cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        assert asked.wait(60), "the agent never asked the planner"
        proc.terminate()
        _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "agent: stopped by the user"
    assert (out / "results.jsonl").read_text() == ""  # nothing finished, nothing invented
    assert leftovers(out, session=proc.pid) == []


def test_ready_by_text_on_screen_and_by_window_title(tmp_path: Path) -> None:
    app = f'{sys.executable} -m agent.demo.flight_app "$EPISODE_DIR/state.json"'
    tasks = [
        f"""
  - id: {task_id}
    task: look at the form
    setup: {app}
    ready: {{{ready}, timeout: 30}}
    check: grep -q '"ready":[[:space:]]*true' "$EPISODE_DIR/state.json"
    max_steps: 1
""" for task_id, ready in (("by-text", "text: Search flights"),
                           ("by-window", "window: Flight booking"))]
    suite = write_suite(tmp_path, *tasks)
    out = tmp_path / "out"
    with FakeChatServer(planner_reply, model="fake-planner") as planner:
        done = run_eval(suite, out, eval_env(planner), "--workers", "2")
        first_screens = [request.images()[-1] for request in planner.requests]
    assert done.returncode == 0, describe(done)
    lines = results(out)
    assert {line["id"] for line in lines} == {"by-text", "by-window"}
    assert all(line["success"] and line["infra_retries"] == 0 for line in lines), lines
    # The agent started only once the app was on the screen: its first screenshot shows it.
    assert len(first_screens) == 2
    for image in first_screens:
        assert not isinstance(image, bytes)
        low, high = image.convert("L").getextrema()
        assert high - low > 100  # a form, not an empty black screen
