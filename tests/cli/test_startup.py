"""`agent --help` and `agent --version` start fast: they load argparse and the CLI, not the runtime.

Measured with `python -X importtime`, whose stderr names every module imported. Wall-clock
figures are bench/startup.py's (run by hand).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.paths import ROOT

HEAVY = (
    "openai",  # the model clients
    "agent.grounding",  # the families and the OCR grounder
    "agent.settings",  # settings load only for a subcommand that takes them
    "pydantic",
    "pydantic_settings",
    "PIL",
    "jinja2",  # the prompts
    "yaml",  # scripts
    "mss",
    "pyautogui",
    "pynput",
    "Xlib",
    "numpy",
)


def imported_modules(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`python -X importtime -m agent ARGS`, and the modules it imported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "agent", *args],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
                            check=False)
    modules = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                modules.add(name)
    return result, modules


def heavy_among(modules: set[str]) -> list[str]:
    return sorted(name for name in modules
                  if any(name == heavy or name.startswith(heavy + ".") for heavy in HEAVY))


@pytest.mark.parametrize("flag, shown", [("--help", "usage: agent"),
                                         ("--version", "planground ")])
def test_help_and_version_load_none_of_the_runtime(flag: str, shown: str) -> None:
    result, modules = imported_modules(flag)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith(shown)
    assert "agent.cli.app" in modules  # the measurement itself works
    assert heavy_among(modules) == []


def test_a_subcommand_still_loads_what_it_needs() -> None:
    """The check above is no accident of a broken parser: `agent run --help` lists the settings,
    which takes pydantic."""
    result, modules = imported_modules("run", "--help")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "--planner-model" in result.stdout
    assert {"agent.settings", "pydantic"} <= modules
