"""The CLI owns the command line: no module outside agent/cli imports argparse or agent.cli."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.paths import ROOT

PACKAGES = ("agent", "actions", "prompts")
CLI = ROOT / "agent" / "cli"
CLI_ONLY = ("argparse", "agent.cli")
PROGRAMS = {  # modules that are a command line of their own
    "agent/__main__.py",  # `python -m agent`: the CLI's entry point
    "agent/demo/flight_app.py",  # the demo's sample app, a separate process with its own flags
    "agent/testing/task_planner.py",  # a fake planner server for task suites, run on its own
}
PENDING: set[str] = set()  # modules still to move into the CLI (none)


def imported_names(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (a function's lazy import included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_only_the_cli_imports_argparse_or_the_cli() -> None:
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.is_relative_to(CLI) or str(path.relative_to(ROOT)) in PROGRAMS | PENDING:
                continue
            for name in sorted(imported_names(path)):
                if any(name == banned or name.startswith(banned + ".") for banned in CLI_ONLY):
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []
