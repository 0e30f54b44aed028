"""Desktops opened by these tests record their sessions under the test's own folder."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _runs_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_RUNS_DIR", str(tmp_path / "desktop-runs"))
