"""Where episodes run: the `Fleet` protocol, and `LocalFleet` (worker threads on this machine,
each running one episode's subprocesses at a time). RayFleet (ray_fleet.py) is the cluster's."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Protocol

from agent.suites.episode import (
    Episode,
    EpisodeResult,
    InfraError,
    cancel_threads,
    forget_thread,
    run_episode,
)

__all__ = ["Attempt", "Fleet", "LocalFleet"]

Attempt = tuple[Episode, EpisodeResult | InfraError]
STOP_JOIN_S = 20.0


class Fleet(Protocol):
    def submit(self, episode: Episode) -> None:
        """Queue one attempt of an episode."""
        ...

    def finished(self) -> Iterator[Attempt]:
        """Each attempt as it ends (blocking); submit() may be called between yields (retries);
        ends when nothing is pending."""
        ...

    def stop(self) -> None:
        """Cancel what is queued, kill what runs: no leftover Xvfb, app or agent processes."""
        ...


class LocalFleet:
    """`workers` threads, each taking the next episode and running it (the work is in
    subprocesses, so threads are enough)."""

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self._todo: queue.Queue[Episode | None] = queue.Queue()
        self._done: queue.Queue[Attempt] = queue.Queue()
        self._pending = 0
        self._stopped = False
        self._running: set[int] = set()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._work, name=f"episode-worker-{n}",
                                          daemon=True) for n in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, episode: Episode) -> None:
        if self._stopped:
            raise RuntimeError("the fleet was stopped")
        self._pending += 1
        self._todo.put(episode)

    def finished(self) -> Iterator[Attempt]:
        while self._pending > 0 and not self._stopped:
            try:
                attempt = self._done.get(timeout=0.5)  # a timeout lets Ctrl+C through at once
            except queue.Empty:
                continue
            self._pending -= 1
            yield attempt

    def stop(self) -> None:
        """Idempotent; returns once every worker has torn its episode down."""
        with self._lock:
            self._stopped = True
            running = set(self._running)
        while True:  # nothing queued starts
            try:
                self._todo.get_nowait()
            except queue.Empty:
                break
        cancel_threads(running)
        for _ in self._threads:
            self._todo.put(None)
        for thread in self._threads:
            thread.join(timeout=STOP_JOIN_S)

    def _work(self) -> None:
        ident = threading.get_ident()
        try:
            while (episode := self._todo.get()) is not None:
                with self._lock:
                    if self._stopped:
                        continue
                    self._running.add(ident)
                try:
                    outcome: EpisodeResult | InfraError = run_episode(episode)
                except InfraError as exc:
                    outcome = exc
                except Exception as exc:
                    outcome = InfraError(f"unexpected {type(exc).__name__}: {exc}")
                finally:
                    with self._lock:
                        self._running.discard(ident)
                self._done.put((episode, outcome))
        finally:
            forget_thread(ident)
