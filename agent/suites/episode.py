"""One episode: a fresh private Xvfb display, the task's setup, `agent run` as a subprocess on
that display, the task's check; everything torn down after it, whatever happened.

`run_episode` is blocking and module-level (Ray ships it to other nodes). It raises InfraError
when the episode could not be run; an agent that ran and failed is a result.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from agent.backends.xvfb import VirtualDisplay, virtual_display
from agent.errors import UsageError
from agent.rundir.reader import read_run_dir
from agent.suites.merge import settings_env
from agent.suites.suite import Ready, SuiteTask

__all__ = ["Episode", "EpisodeResult", "InfraError", "cancel_threads", "run_episode"]

CHECK_TIMEOUT_S = 120.0
KILL_GRACE_S = 3.0
POLL_S = 0.2
RAN_TO_AN_END = (0, 1)
"""`agent run` exit codes of a run that ended on its own terms (done, or failed: CONTRACTS §2);
only then is the check run. A usage error (2), a model server failure (3) or a stop (130) is
no success, whatever the app shows."""


class Episode(BaseModel):
    """All a worker needs; picklable, no live objects."""

    suite: str
    folder: Path
    task: SuiteTask
    trial: int
    screen: tuple[int, int]
    settings: dict[str, Any]  # by Settings field name: base + suite + task, API keys included
    secrets: dict[str, str]  # passed on to the agent run as AGENT_SECRET_<NAME>, never argv
    episode_dir: Path  # fresh per attempt: EPISODE_DIR, the run record, logs


class EpisodeResult(BaseModel):
    """One line of results.jsonl (CONTRACTS §11) + `error` and the agent's `exit_code`."""

    id: str
    trial: int
    status: str  # run.json's status (done, failed, stopped, error), or infra_error
    success: bool  # the agent's run ended (done or failed) and the check exited 0
    steps: int
    tokens: int
    cost_usd: float | None
    wall_s: float
    infra_retries: int
    run_dir: str | None
    error: str | None = None
    exit_code: int | None = None  # of `agent run` (CONTRACTS §2): 3 = a model server failed


class InfraError(Exception):
    """The episode could not be run (setup never ready, display failed, agent process killed by
    a signal, node lost): the runner retries it."""

    def __reduce__(self) -> tuple[Any, ...]:  # picklable through Ray with its message
        return (type(self), self.args)


# --------------------------------------------------------------------------- cancellation

_lock = threading.Lock()
_live: dict[int, list[subprocess.Popen[bytes]]] = {}  # thread id → its episode's processes
_cancelled: set[int] = set()


def cancel_threads(threads: Iterable[int]) -> None:
    """Stop the episodes these threads run: their processes are killed at once and their
    `run_episode` raises InfraError("cancelled") after tearing down."""
    with _lock:
        idents = set(threads)
        _cancelled.update(idents)
        doomed = [proc for ident in idents for proc in _live.get(ident, [])]
    for proc in doomed:
        _kill_group(proc, signal.SIGKILL)


def forget_thread(ident: int) -> None:
    """A worker thread ends: its id may be reused by a later thread."""
    with _lock:
        _cancelled.discard(ident)
        _live.pop(ident, None)


def _check_cancelled() -> None:
    if threading.get_ident() in _cancelled:
        raise InfraError("cancelled")


def _start(command: list[str], *, env: dict[str, str], cwd: Path, log: IO[bytes]
           ) -> subprocess.Popen[bytes]:
    """A process in its own session (process group): killed as a group at teardown, and a
    Ctrl+C at the eval's terminal is the runner's to handle, not the app's or the agent's."""
    _check_cancelled()
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    with _lock:
        _live.setdefault(threading.get_ident(), []).append(proc)
    return proc


def _kill_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _teardown(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each group, then SIGKILL what is left after a grace period."""
    for proc in procs:
        _kill_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + KILL_GRACE_S
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        _kill_group(proc, signal.SIGKILL)  # the group may outlive its leader
        proc.wait()


def _wait(proc: subprocess.Popen[bytes], timeout: float | None) -> int | None:
    """The exit code, or None at the timeout; wakes up to notice a cancellation."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        _check_cancelled()
        code = proc.poll()
        if code is not None:
            return code
        if deadline is not None and time.monotonic() > deadline:
            return None
        time.sleep(POLL_S)


# --------------------------------------------------------------------------- the episode


def run_episode(episode: Episode) -> EpisodeResult:
    """Run one episode to its result; InfraError when it could not be run."""
    started = time.monotonic()
    episode.episode_dir.mkdir(parents=True, exist_ok=True)
    _check_cancelled()
    try:
        with virtual_display(*episode.screen) as display:
            return _on_display(episode, display, started)
    except RuntimeError as exc:  # Xvfb did not start
        raise InfraError(f"the display failed: {exc}") from None
    finally:
        with _lock:
            _live.pop(threading.get_ident(), None)


def _on_display(episode: Episode, display: VirtualDisplay, started: float) -> EpisodeResult:
    # The agent gets the episode's settings; setup and check only the secrets (a check may
    # verify what the app received), never the API keys among the settings.
    agent_env = settings_env(display.env, _run_settings(episode), episode.secrets)
    env = settings_env(display.env, {}, episode.secrets)
    for variables in (agent_env, env):
        variables["EPISODE_DIR"] = str(episode.episode_dir)
        variables["PATH"] = _interpreter_first(variables.get("PATH", os.defpath))
    procs: list[subprocess.Popen[bytes]] = []
    with _log(episode, "setup") as setup_log, _log(episode, "agent") as agent_log:
        try:
            if episode.task.setup:
                procs.append(_start(["sh", "-c", episode.task.setup], env=env,
                                    cwd=episode.folder, log=setup_log))
            if episode.task.ready is not None:
                _wait_ready(episode, episode.task.ready, env, procs)
            agent = _start(_agent_command(episode), env=agent_env, cwd=episode.episode_dir,
                           log=agent_log)
            procs.append(agent)
            code = _wait(agent, None)
            assert code is not None
            if code < 0:
                raise InfraError(f"the agent process was killed by signal {-code}")
            success, check_error = False, None
            if code in RAN_TO_AN_END:
                success, check_error = _run_check(episode, env)
        finally:
            _teardown(procs)
    return _result(episode, code, success, check_error, time.monotonic() - started)


def _interpreter_first(path: str) -> str:
    """PATH with this interpreter's folder first: a suite's `python3 app.py` runs where
    planground is installed (its virtual environment), as `agent` itself does."""
    folder = os.path.dirname(sys.executable)
    return os.pathsep.join([folder, *(p for p in path.split(os.pathsep) if p != folder)])


def _run_settings(episode: Episode) -> dict[str, Any]:
    return {**episode.settings, "runs_dir": str(episode.episode_dir / "runs")}


def _agent_command(episode: Episode) -> list[str]:
    secrets = [arg for name in sorted(episode.secrets) for arg in ("--secret", name)]
    return [sys.executable, "-m", "agent", "run", *secrets, "--", episode.task.task]


def _log(episode: Episode, name: str) -> IO[bytes]:
    return open(episode.episode_dir / f"{name}.log", "ab")


def _wait_ready(episode: Episode, ready: Ready, env: dict[str, str],
                procs: list[subprocess.Popen[bytes]]) -> None:
    """Poll the readiness condition until it holds; InfraError at its timeout, or when the
    setup exits with an error first."""
    deadline = time.monotonic() + ready.timeout
    with _log(episode, "ready") as log:
        while True:
            if _ready_now(episode, ready, env, log, deadline):
                return
            setup = procs[0] if procs else None
            if setup is not None and setup.poll() not in (None, 0):
                raise InfraError(f"setup never became ready: it exited with {setup.returncode} "
                                 f"(see {episode.episode_dir / 'setup.log'})")
            if time.monotonic() >= deadline:
                raise InfraError(f"setup never became ready: {_describe(ready)} not seen in "
                                 f"{ready.timeout:g} s")
            time.sleep(POLL_S)


def _ready_now(episode: Episode, ready: Ready, env: dict[str, str], log: IO[bytes],
               deadline: float) -> bool:
    left = max(0.5, deadline - time.monotonic())
    if ready.command:
        command = ["sh", "-c", ready.command]
    elif ready.window:
        command = ["xdotool", "search", "--onlyvisible", "--name", ready.window]
    else:
        engine = str(episode.settings.get("ocr_engine", "auto"))
        command = [sys.executable, "-m", "agent.suites.probe", str(ready.text), f"{left:.1f}",
                   engine]
    proc = _start(command, env=env, cwd=episode.folder, log=log)
    try:
        code = _wait(proc, left + 5)
    finally:
        _teardown([proc])
    return code == 0


def _describe(ready: Ready) -> str:
    if ready.command:
        return f"the command {ready.command!r} succeeding"
    if ready.window:
        return f"a window named {ready.window!r}"
    return f"the text {ready.text!r}"


def _run_check(episode: Episode, env: dict[str, str]) -> tuple[bool, str | None]:
    with _log(episode, "check") as log:
        proc = _start(["sh", "-c", episode.task.check], env=env, cwd=episode.folder, log=log)
        try:
            code = _wait(proc, CHECK_TIMEOUT_S)
        finally:
            _teardown([proc])
    if code is None:
        return False, f"the check did not end in {CHECK_TIMEOUT_S:g} s"
    return code == 0, None if code == 0 else f"the check exited with {code}"


def _result(episode: Episode, code: int, success: bool, check_error: str | None,
            wall_s: float) -> EpisodeResult:
    """The result from the run record the agent left (none: it could not start a run)."""
    runs = sorted(p for p in (episode.episode_dir / "runs").glob("*") if p.is_dir())
    steps, tokens, cost, status, error = 0, 0, None, "error", check_error
    run_dir = str(runs[-1]) if runs else None
    if runs:
        try:
            record = read_run_dir(runs[-1]).run
        except UsageError as exc:
            error = str(exc)
        else:
            usage = record.usage
            steps, cost, status = record.steps, record.cost_usd, record.status
            tokens = sum(u.prompt_tokens + u.completion_tokens
                         for u in (usage.planner, usage.grounder))
            if record.status not in ("done", "failed") and record.reason:
                error = record.reason
    if (code != 0 and not runs) or status == "running":
        error = _last_line(episode.episode_dir / "agent.log") or f"agent run exited with {code}"
    return EpisodeResult(id=episode.task.id, trial=episode.trial, status=status, success=success,
                         steps=steps, tokens=tokens, cost_usd=cost, wall_s=round(wall_s, 3),
                         infra_retries=0, run_dir=run_dir, error=error, exit_code=code)


def _last_line(path: Path) -> str | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return None
    return lines[-1].strip() if lines else None
