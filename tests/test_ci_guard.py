"""In CI (AGENT_REQUIRE_GUI=1) nothing is skipped: a test or module that would skip fails and
says why; elsewhere it skips as usual."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT

SKIPPING = {
    "test_tool.py": "import pytest\n\ndef test_needs_a_tool():\n    pytest.skip('no tool here')\n",
    "test_extra.py": "import pytest\n\npytest.importorskip('no_such_extra_xyz')\n\n"
                     "def test_x():\n    pass\n",
}


@pytest.mark.parametrize("name", sorted(SKIPPING))
@pytest.mark.parametrize("in_ci", [True, False])
def test_a_skip_fails_only_in_ci(name: str, in_ci: bool, tmp_path: Path) -> None:
    test = tmp_path / name
    test.write_text(SKIPPING[name], encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "AGENT_REQUIRE_GUI"}
    if in_ci:
        env["AGENT_REQUIRE_GUI"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "-q", "-rfEs", "--rootdir", str(tmp_path), str(test)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if in_ci:
        assert result.returncode != 0, result.stdout
        assert "skipped in CI, where every test must run" in result.stdout, result.stdout
    else:
        assert result.returncode in (0, 5), result.stdout  # 5: a module skipped whole
        assert "1 skipped" in result.stdout, result.stdout
