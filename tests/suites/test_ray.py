"""RayFleet on a local Ray instance this module starts once: episodes run as Ray tasks (real
Xvfb, the real flight app, `agent run` against the scripted task planner over HTTP); a killed
Ray worker comes back as an InfraError the runner retries; stop() leaves no process behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ray  # the ray extra: CI installs it, so these tests never skip

from agent.suites.episode import Episode, EpisodeResult, InfraError
from agent.suites.merge import episode_settings
from agent.suites.runner import read_results, run_suite
from agent.suites.suite import Suite, load_suite
from agent.testing.fake_server import FakeChatServer
from agent.testing.task_planner import task_planner
from tests.gui import need
from tests.xvfb import xvfb_available

pytestmark = pytest.mark.gui

TASK = "Book a flight from Boston to Tokyo"
REPLIES = f"""
tasks:
  - task: {TASK}
    replies:
      - {{observation: a form, thought: origin, instruction: type it,
          action: {{name: type, text: Boston, target: the From text field}}}}
      - {{observation: a form, thought: destination, instruction: type it,
          action: {{name: type, text: Tokyo, target: the To text field}}}}
      - {{observation: a form, thought: search, instruction: click it,
          action: {{name: click, target: the Search flights button}}}}
      - {{observation: a form, thought: book, instruction: click it,
          action: {{name: click, target: the Book now button}}}}
      - {{observation: booked, thought: done, instruction: stop, action: {{name: done}}}}
"""
# The setup leaves the pid of the process that started it (the Ray worker) for the kill test.
SETUP = f'echo $PPID > "$EPISODE_DIR/worker.pid"; exec {sys.executable} -m agent.demo.flight_app "$EPISODE_DIR/state.json"'  # noqa: E501
READY = "grep -qs '\"ready\": true' \"$EPISODE_DIR/state.json\""
CHECK = f'{sys.executable} -c "import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))[\'booked\'] else 1)" "$EPISODE_DIR/state.json"'  # noqa: E501


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Iterator[None]:
    """One local instance for the module (start-up is slow on 2 cores); RayFleets reuse it."""
    need(xvfb_available(), "Xvfb is not installed")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


def make_suite(folder: Path, ready: str = READY, ready_timeout: float = 30) -> Suite:
    text = json.dumps({
        "name": "ray-test", "screen": [800, 600],
        "tasks": [{"id": "book", "task": TASK, "setup": SETUP, "check": CHECK,
                   "ready": {"command": ready, "timeout": ready_timeout}}],
    })
    path = folder / "suite.yaml"
    path.write_text(text, encoding="utf-8")
    return load_suite(path)


@pytest.fixture
def planner(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[FakeChatServer]:
    replies = tmp_path / "replies.yaml"
    replies.write_text(REPLIES, encoding="utf-8")
    delay = getattr(request, "param", 0.0)
    with task_planner(replies, delay=delay) as server:
        yield server


def episode_of(suite: Suite, planner: FakeChatServer, episode_dir: Path) -> Episode:
    task = suite.tasks[0]
    base = {"planner_base_url": planner.base_url, "ocr_engine": "tesseract"}
    return Episode(suite=suite.name, folder=suite.folder, task=task, trial=1, screen=suite.screen,
                   settings=episode_settings(base, suite, task), secrets={},
                   episode_dir=episode_dir)


def fleet(workers: int = 2) -> Any:
    from agent.suites.ray_fleet import RayFleet

    return RayFleet("auto", workers)


def app_state(episode_dir: Path) -> dict[str, Any]:
    return dict(json.loads((episode_dir / "state.json").read_text(encoding="utf-8")))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(
        f"/proc/{pid}/status").read_text()


def processes_of(episode_dir: Path) -> list[int]:
    """Live processes whose environment names this episode (EPISODE_DIR: setup, app, agent)."""
    marker = f"EPISODE_DIR={episode_dir}\0".encode()
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker in Path(f"/proc/{pid}/environ").read_bytes() + b"\0" and alive(int(pid)):
                found.append(int(pid))
        except OSError:
            continue
    return found


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_an_episode_runs_as_a_ray_task_and_returns_its_result(
    tmp_path: Path, planner: FakeChatServer
) -> None:
    suite = make_suite(tmp_path)
    ray_fleet = fleet()
    episode = episode_of(suite, planner, tmp_path / "episode")
    ray_fleet.submit(episode)
    outcomes = list(ray_fleet.finished())
    ray_fleet.stop()
    assert len(outcomes) == 1 and outcomes[0][0] == episode
    result = outcomes[0][1]
    assert isinstance(result, EpisodeResult), result
    assert (result.status, result.success, result.steps) == ("done", True, 5)
    state = app_state(tmp_path / "episode")  # the app's own account
    assert state["booked"] and state["fields"]["To"] == "Tokyo"
    worker = int((tmp_path / "episode" / "worker.pid").read_text())
    assert b"ray::" in Path(f"/proc/{worker}/cmdline").read_bytes()  # a Ray worker ran it
    assert ray.is_initialized()  # the module's instance was not the fleet's to shut down


def test_a_setup_that_never_gets_ready_is_an_infra_error(
    tmp_path: Path, planner: FakeChatServer
) -> None:
    suite = make_suite(tmp_path, ready="false", ready_timeout=1)
    ray_fleet = fleet()
    ray_fleet.submit(episode_of(suite, planner, tmp_path / "episode"))
    [(_, outcome)] = list(ray_fleet.finished())
    ray_fleet.stop()
    assert isinstance(outcome, InfraError)
    assert str(outcome).startswith("setup never became ready")


@pytest.mark.parametrize("planner", [1.0], indirect=True)
def test_a_worker_killed_mid_episode_is_retried_and_leaves_nothing(
    tmp_path: Path, planner: FakeChatServer
) -> None:
    suite = make_suite(tmp_path)
    out = tmp_path / "out"
    first = out / "episodes" / "book" / "trial-1" / "attempt-1"
    killed: list[int] = []

    def kill_the_worker_mid_episode() -> None:
        # mid-episode: the agent has recorded its first step and waits on the planner
        wait_for(lambda: any(first.glob("runs/*/steps.jsonl")), 60, "the first step")
        killed.append(int((first / "worker.pid").read_text()))
        os.kill(killed[0], signal.SIGKILL)

    killer = threading.Thread(target=kill_the_worker_mid_episode, daemon=True)
    killer.start()
    run = run_suite(suite, fleet(), out, base_settings={"planner_base_url": planner.base_url},
                    secrets={})
    killer.join(timeout=1)
    assert killed, "the worker was never killed"
    [result] = read_results(out)
    assert (result.status, result.success, result.infra_retries) == ("done", True, 1)
    assert run.results[("book", 1)].infra_retries == 1
    assert app_state(out / "episodes" / "book" / "trial-1" / "attempt-2")["booked"]
    assert not app_state(first)["booked"]  # the killed attempt never got that far
    # the killed worker's episode (Xvfb, app, agent) was cleaned up by its watchdog
    wait_for(lambda: not processes_of(first), 10, "the killed episode's processes to end")
    assert not alive(app_state(first)["pid"])


@pytest.mark.parametrize("planner", [30.0], indirect=True)
def test_stop_kills_a_running_episode_and_leaves_nothing(
    tmp_path: Path, planner: FakeChatServer
) -> None:
    suite = make_suite(tmp_path)
    ray_fleet = fleet()
    episode_dir = tmp_path / "episode"
    ray_fleet.submit(episode_of(suite, planner, episode_dir))
    wait_for(lambda: (episode_dir / "agent.log").exists() and planner.requests, 60,
             "the agent's first planner request")
    app = app_state(episode_dir)["pid"]
    started = time.monotonic()
    ray_fleet.stop()
    assert time.monotonic() - started < 15  # not the 30 s the planner would take
    assert list(ray_fleet.finished()) == []
    assert not alive(app)
    wait_for(lambda: not processes_of(episode_dir), 10, "the episode's processes to end")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


@pytest.mark.parametrize("planner", [1.0], indirect=True)
def test_the_watchdog_ends_an_episode_whose_worker_process_died(
    tmp_path: Path, planner: FakeChatServer
) -> None:
    """Without Ray (which may reap a dead worker's children itself): a process running
    run_watched is SIGKILLed mid-episode; its Xvfb, app and agent must not outlive it."""
    suite = make_suite(tmp_path)
    episode_dir = tmp_path / "episode"
    spec = tmp_path / "episode.json"
    spec.write_text(episode_of(suite, planner, episode_dir).model_dump_json(), encoding="utf-8")
    code = ("import sys; from agent.suites.episode import Episode; "
            "from agent.suites.ray_fleet import run_watched; "
            "run_watched(Episode.model_validate_json(open(sys.argv[1]).read()))")
    worker = subprocess.Popen([sys.executable, "-c", code, str(spec)])
    children: list[int] = []
    try:
        wait_for(lambda: any(episode_dir.glob("runs/*/steps.jsonl")), 60, "the first step")
        children = children_of(worker.pid)  # Xvfb, the setup's app, the agent, the watchdog
        assert len(children) >= 4, children
        worker.kill()
        worker.wait()
        wait_for(lambda: not any(alive(pid) for pid in children), 10,
                 "the dead worker's episode processes to end")
        assert not alive(app_state(episode_dir)["pid"])
    finally:
        for pid in children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def ray_failures() -> list[tuple[BaseException, str]]:
    from ray import exceptions as rx

    wrapped = rx.RayTaskError("run_watched", "Traceback ...",
                              InfraError("setup never became ready: x")).as_instanceof_cause()
    bug = rx.RayTaskError("run_watched", "Traceback ...", KeyError("settings")
                          ).as_instanceof_cause()
    return [
        (wrapped, "setup never became ready: x"),
        (bug, "the episode raised KeyError: 'settings'"),
        (rx.WorkerCrashedError(), "the Ray worker running the episode died"),
        (rx.NodeDiedError("node 1 died"), "the node running the episode was lost"),
        (rx.ActorDiedError(), "the Ray actor running the episode died"),
        (rx.OwnerDiedError("ab" * 14, None, ""), "Ray lost the episode's result"),
        (rx.OutOfMemoryError("oom\nmore"), "Ray killed the episode's worker: the node ran out "
                                           "of memory"),
        (rx.TaskCancelledError(), "the Ray task was cancelled"),
        (rx.RaySystemError("gcs\ngone"), "Ray failed: RaySystemError: System error: gcs"),
    ]


def test_ray_failures_become_infra_errors_with_one_line() -> None:
    from agent.suites.ray_fleet import infra_error

    for failure, reason in ray_failures():
        error = infra_error(failure)
        assert isinstance(error, InfraError)
        assert str(error) == reason, type(failure)


def test_an_unreachable_cluster_is_a_one_line_usage_error(tmp_path: Path) -> None:
    make_suite(tmp_path)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_", "RAY_"))}
    done = subprocess.run(
        [sys.executable, "-m", "agent", "eval", "tasks", str(tmp_path / "suite.yaml"),
         "--ray", f"127.0.0.1:{port}", "--planner-base-url", "http://127.0.0.1:9/v1",
         "--out", str(tmp_path / "out")],
        env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"agent: cannot reach the Ray cluster at 127.0.0.1:{port}: Connection refused")


def test_auto_joins_the_cluster_ray_start_noted_only_when_it_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent.suites.ray_fleet import _noted_cluster

    monkeypatch.setenv("RAY_TMPDIR", str(tmp_path))
    assert _noted_cluster() is None  # no `ray start` here
    (tmp_path / "ray").mkdir()
    note = tmp_path / "ray" / "ray_current_cluster"
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        address = f"127.0.0.1:{listening.getsockname()[1]}"
        note.write_text(address + "\n", encoding="utf-8")
        assert _noted_cluster() == address
    assert _noted_cluster() is None  # a dead cluster's note: auto starts a local instance
