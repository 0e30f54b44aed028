"""`RayFleet`: one Ray task per episode, on a local Ray instance or a cluster (`--ray`).

Ray is imported here only, when a RayFleet is made (the `ray` extra: the base install has none).
Every node that runs episodes needs what `agent run` needs (planground and the OS packages of
the README's install command) and the suite's folder and `--out` at the same paths (a shared
filesystem): an episode reads its apps and checks, and writes its run record, where the driver
says. A local instance uses the driver's own interpreter, so it imports the same `agent`.

Ray's own failures (a worker or node lost, an object lost, a task cancelled) come back as
`InfraError`s, which the runner retries; `max_retries=0` leaves every retry to the runner. A
worker killed without cleaning up would leave its episode's Xvfb, app and agent processes
behind: each episode has a watchdog process that kills them when its worker dies.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import subprocess
import sys
import uuid
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent.errors import UsageError
from agent.suites.episode import Episode, EpisodeResult, InfraError, run_episode

__all__ = ["EPISODE_CPUS", "RayFleet", "infra_error", "run_watched"]

# An episode mostly waits on model servers: its CPU use is bursts (Xvfb, the app, OCR) between
# seconds-long replies. Asking Ray for half a CPU lets two episodes share each core, so `workers`
# episodes fit on a 2-core node up to workers=4 (and a local instance is given enough logical
# CPUs for any `workers`: see _start_local). `workers` also caps what is in flight at once.
EPISODE_CPUS = 0.5
CONNECT_S = 5.0  # to reach a cluster's address before Ray tries it
STOP_GRACE_S = 5.0  # for an interrupted episode to tear down before its worker is killed
WAIT_S = 0.5  # ray.wait's timeout: Ctrl+C is noticed at least this often
QUIET = {"log_to_driver": False, "configure_logging": False}  # episodes log to their files
MARKER = "PLANGROUND_EPISODE_TOKEN"  # in the environment of every process of one episode

# The watchdog: reads its stdin until EOF. "done" first means the episode ended normally;
# anything else (the worker died and the kernel closed the pipe) kills every process that
# carries this episode's token in its environment (Xvfb, setup, app, agent and their children).
_WATCHDOG = r"""
import os, signal, sys
token = ("%s=" % sys.argv[1]).encode() + sys.argv[2].encode() + b"\0"
if sys.stdin.buffer.read() == b"done":
    sys.exit(0)
for _ in range(5):
    killed = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                if token in f.read() + b"\0":
                    os.kill(int(pid), signal.SIGKILL)
                    killed += 1
        except OSError:
            pass
    if not killed:
        break
"""


def run_watched(episode: Episode) -> EpisodeResult:
    """`run_episode` under a watchdog that cleans up if this process dies mid-episode.

    Ray runs one task at a time in a worker process, so the token can live in os.environ
    (every process of the episode inherits it) for the task's duration.
    """
    token = uuid.uuid4().hex
    watchdog = subprocess.Popen([sys.executable, "-c", _WATCHDOG, MARKER, token],
                                stdin=subprocess.PIPE, start_new_session=True)
    os.environ[MARKER] = token
    try:
        return run_episode(episode)
    finally:
        os.environ.pop(MARKER, None)
        assert watchdog.stdin is not None
        watchdog.stdin.write(b"done")
        watchdog.stdin.close()
        watchdog.wait()


class RayFleet:
    """Episodes as Ray tasks. `address`: "auto" (RAY_ADDRESS, else the cluster `ray start` runs
    here, else a new local instance) or a cluster's address; `workers`: episodes in flight at once
    (None: as many as the cluster's CPUs take, EPISODE_CPUS each)."""

    def __init__(self, address: str = "auto", workers: int | None = None) -> None:
        import ray  # ImportError without the `ray` extra: the CLI says how to install it

        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self._ray = ray
        self._workers = workers
        self._owns = not ray.is_initialized()  # a Ray already connected is not ours to close
        if self._owns:
            _connect(ray, address, workers)
        self._remote = ray.remote(num_cpus=EPISODE_CPUS, max_retries=0)(run_watched)
        self._running: dict[Any, Episode] = {}  # ObjectRef → its episode
        self._queued: deque[Episode] = deque()
        self._stopped = False

    def submit(self, episode: Episode) -> None:
        if self._stopped:
            raise RuntimeError("the fleet was stopped")
        self._queued.append(episode)
        self._launch()

    def finished(self) -> Iterator[tuple[Episode, EpisodeResult | InfraError]]:
        while (self._running or self._queued) and not self._stopped:
            ready, _ = self._ray.wait(list(self._running), num_returns=1, timeout=WAIT_S)
            for ref in ready:
                episode = self._running.pop(ref)
                outcome = self._outcome(ref)
                self._launch()
                yield episode, outcome

    def stop(self) -> None:
        """Idempotent: nothing queued starts; running tasks are interrupted (run_episode tears
        its episode down), then killed if they linger (their watchdogs clean up); a Ray
        instance this fleet connected to is shut down."""
        if self._stopped:
            return
        self._stopped = True
        self._queued.clear()
        try:
            for force in (False, True):
                self._cancel_running(force)
        finally:
            self._running.clear()
            if self._owns:
                self._ray.shutdown()

    def _cancel_running(self, force: bool) -> None:
        running = list(self._running)
        for ref in running:
            with contextlib.suppress(Exception):  # already finished, or its node is gone
                self._ray.cancel(ref, force=force)
        if running:
            _, left = self._ray.wait(running, num_returns=len(running), timeout=STOP_GRACE_S)
            self._running = {ref: self._running[ref] for ref in left}

    def _launch(self) -> None:
        while self._queued and (self._workers is None or len(self._running) < self._workers):
            episode = self._queued.popleft()
            self._running[self._remote.remote(episode)] = episode

    def _outcome(self, ref: Any) -> EpisodeResult | InfraError:
        try:
            result = self._ray.get(ref)
        except Exception as exc:
            return infra_error(exc)
        if not isinstance(result, EpisodeResult):
            return InfraError(f"the Ray task returned {type(result).__name__}, not a result")
        return result


def _connect(ray: Any, address: str, workers: int | None) -> None:
    """Connect to the cluster `address` names; "auto": RAY_ADDRESS, else the cluster `ray start`
    runs on this machine, else a new local instance. (Not Ray's own "auto", which also joins
    an instance that another program's ray.init() started.)"""
    found = address == "auto"
    if found:
        address = os.environ.get("RAY_ADDRESS") or _noted_cluster() or ""
        if not address:
            _start_local(ray, workers)
            return
    reason = _unreachable(address)  # Ray itself retries an unreachable address for minutes
    if reason is not None:
        raise UsageError(f"cannot reach the Ray cluster at {address}: {reason}")
    try:
        # Found: Ray finds it again by itself, and then sends this machine's token (a `ray
        # start` here made one) as it never does for an address it is given.
        if found:
            ray.init(**QUIET)
        else:
            ray.init(address=address, **QUIET)
    except ConnectionError as exc:
        raise UsageError(f"cannot connect to the Ray cluster at {address}: {_first_line(exc)} "
                         f"(token authentication: set RAY_AUTH_MODE=token and the cluster's "
                         f"token, see Ray's docs)") from None


def _noted_cluster() -> str | None:
    """The address `ray start` noted in Ray's temporary folder, when something answers there
    (a cluster that died without `ray stop` leaves its note behind)."""
    base = os.environ.get("RAY_TMPDIR") or os.environ.get("TMPDIR") or "/tmp"  # Ray's rule
    try:
        address = (Path(base) / "ray" / "ray_current_cluster").read_text(encoding="utf-8")
    except OSError:
        return None
    address = address.strip()
    return address if address and _unreachable(address) is None else None


def _unreachable(address: str) -> str | None:
    """Why nothing answers at `address` (HOST:PORT or ray://HOST:PORT), or None."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return None  # a form Ray knows and this check does not: Ray says what is wrong with it
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_S).close()
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _start_local(ray: Any, workers: int | None) -> None:
    """A local instance with enough logical CPUs for `workers` episodes (EPISODE_CPUS each)."""
    cpus = os.cpu_count() or 1
    if workers is not None:
        cpus = max(cpus, math.ceil(workers * EPISODE_CPUS))
    ray.init(address="local", num_cpus=cpus, include_dashboard=False, **QUIET)


def infra_error(exc: BaseException) -> InfraError:
    """A Ray failure as an InfraError with a one-line reason."""
    from ray import exceptions as rx

    cause = getattr(exc, "cause", None)
    if isinstance(exc, rx.RayTaskError) and isinstance(cause, InfraError):
        return InfraError(str(cause))
    reasons: list[tuple[type[BaseException], str]] = [
        (rx.TaskCancelledError, "the Ray task was cancelled"),
        (rx.WorkerCrashedError, "the Ray worker running the episode died"),
        (rx.NodeDiedError, "the node running the episode was lost"),
        (rx.ActorDiedError, "the Ray actor running the episode died"),
        (rx.OutOfMemoryError, "Ray killed the episode's worker: the node ran out of memory"),
        (rx.ObjectLostError, "Ray lost the episode's result"),
    ]
    for kind, reason in reasons:
        if isinstance(exc, kind):
            return InfraError(reason)
    if isinstance(exc, rx.RayTaskError) and cause is not None:
        return InfraError(f"the episode raised {type(cause).__name__}: {_first_line(cause)}")
    return InfraError(f"Ray failed: {type(exc).__name__}: {_first_line(exc)}")


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""
