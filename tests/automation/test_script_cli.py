"""The `script`, `replay` and `export` subcommands' parsers, and `agent_cli` for the GUI tests."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import pytest

from agent.cli import app as cli
from agent.cli.common import settings_from
from agent.cli.replay import export_command, replay_command
from agent.cli.script import script_command
from tests.paths import ROOT


def parser() -> argparse.ArgumentParser:
    """The `agent` command's parser."""
    return cli._parser()


@cache
def _wired(command: str) -> bool:
    """Whether `agent COMMAND` exists (tests/e2e/test_examples.py asks)."""
    for action in cli._parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return command in action.choices
    return False


def agent_cli(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    timeout: float = 180.0,
    closed_stdin: bool = False,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`agent ARGS` in a subprocess on the given display environment; stdin closed if asked, or
    the text `stdin` piped in."""
    argv = [sys.executable, "-m", "agent", *args]
    if closed_stdin:
        argv = ["sh", "-c", 'exec "$0" "$@" <&-', *argv]
    root = str(ROOT)
    pythonpath = ":".join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return subprocess.run(argv, env={**env, "PYTHONPATH": pythonpath}, cwd=cwd, input=stdin,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout,
                          check=False)


# --------------------------------------------------------------------------- the parsers


def test_the_subcommands_parse_their_arguments_and_settings() -> None:
    args = parser().parse_args(["script", "flow.yaml", "--var", "city=Paris", "--var", "n=2",
                                "--secret", "PIN", "--dry-run", "--approve", "always",
                                "--grounder", "uground"])
    assert args.handler is script_command
    assert (args.file, args.var, args.secret) == (Path("flow.yaml"), ["city=Paris", "n=2"],
                                                   ["PIN"])
    settings = settings_from(args)
    assert settings.dry_run and settings.approve == "always" and settings.grounder == "uground"
    args = parser().parse_args(["replay", "runs/x", "--exact", "--monitor", "2"])
    assert (args.handler, args.run_dir, args.exact) == (replay_command, Path("runs/x"), True)
    args = parser().parse_args(["export", "runs/x"])
    assert (args.handler, args.exact) == (export_command, False)


@pytest.mark.parametrize("argv", [
    ["script", "f.yaml", "--planner-model", "x"],  # no planner here
    ["script", "f.yaml", "--dry"],  # no abbreviations
    ["export", "runs/x", "--grounder", "ocr"],
])
def test_flags_that_do_not_belong_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parser().parse_args(argv)
    assert info.value.code == 2


def test_approval_defaults_to_never_for_scripts(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    from agent.automation.script_run import scripted_settings

    monkeypatch.delenv("AGENT_APPROVE", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./agent.toml
    settings = settings_from(parser().parse_args(["script", "f.yaml"]))
    assert scripted_settings(settings, []).approve == "never"
    settings = settings_from(parser().parse_args(["script", "f.yaml", "--approve", "risky"]))
    assert scripted_settings(settings, []).approve == "risky"
    monkeypatch.setenv("AGENT_APPROVE", "always")
    settings = settings_from(parser().parse_args(["script", "f.yaml"]))
    assert scripted_settings(settings, []).approve == "always"


def test_an_invalid_script_exits_2_before_touching_the_display(tmp_path: Path) -> None:
    script = tmp_path / "bad.yaml"
    script.write_text("steps:\n  - click: {target: OK}\n  - clack: {target: OK}\n",
                      encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    result = agent_cli(["script", str(script), "--runs-dir", str(tmp_path / "runs")], env=env,
                       cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"agent: {script}: step 2: unknown action 'clack'; known actions: click, double_click, "
        "right_click, move, drag, scroll, type, press, hotkey, wait, ask_user, done, fail, "
        "wait_for, assert_visible"]
    assert not (tmp_path / "runs").exists()


def test_export_of_a_missing_run_exits_2(tmp_path: Path) -> None:
    result = agent_cli(["export", str(tmp_path / "nope")], env=dict(os.environ),
                       cwd=tmp_path)
    assert result.returncode == 2
    assert "is not a run directory" in result.stderr
