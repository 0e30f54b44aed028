"""A `Desktop` on the real screen holds the display's lock, as `agent run` does (CONTRACTS §7)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from actions import DryRunExecutor
from agent.automation.desktop import Desktop
from agent.errors import UsageError
from agent.safety.lock import DisplayLock
from agent.settings import Settings
from agent.testing import FixedGrounder
from tests.gui import clean_env, describe, run_cli, stderr_lines
from tests.xvfb import VirtualDisplay, using_display

pytestmark = pytest.mark.gui

BUSY = "another agent run"


@pytest.fixture
def on_xvfb(xvfb: VirtualDisplay) -> Iterator[VirtualDisplay]:
    with using_display(xvfb):
        yield xvfb


def desktop(monitor: int | None = None) -> Desktop:
    """A Desktop on the display itself (no injected screen), acting on nothing."""
    return Desktop(FixedGrounder(), monitor, Settings(), executor=DryRunExecutor())


def test_one_desktop_at_a_time_drives_a_display(on_xvfb: VirtualDisplay) -> None:
    with desktop() as first:
        assert first.screenshot().size == (on_xvfb.width, on_xvfb.height)
        with pytest.raises(UsageError, match=BUSY):
            desktop()
        with pytest.raises(UsageError, match=BUSY):
            DisplayLock().acquire()
    DisplayLock().acquire().release()  # close() let it go
    with desktop():
        pass


def test_agent_run_is_refused_while_a_desktop_drives_the_display(
    on_xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    env = clean_env(on_xvfb.env, AGENT_RUNS_DIR=str(tmp_path / "runs"))
    args = ["run", "anything", "--planner-base-url", "http://127.0.0.1:9/v1",
            "--planner-model", "m", "--grounder", "ocr"]
    with desktop():
        result = run_cli(args, env=env, cwd=tmp_path)
    assert result.returncode == 2, describe(result)
    assert BUSY in stderr_lines(result)[-1], describe(result)
    assert not (tmp_path / "runs").exists()


def test_a_desktop_that_cannot_open_releases_the_lock(on_xvfb: VirtualDisplay) -> None:
    with pytest.raises(UsageError, match="monitor 7 does not exist"):
        desktop(monitor=7)
    DisplayLock().acquire().release()
