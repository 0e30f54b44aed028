"""`agent export` as a command, without a display: what it warns about, and what it refuses."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from tests.automation.test_replay import record_a_run, tear_the_last_line
from tests.automation.test_script_cli import agent_cli
from tests.gui import stderr_lines

SKIPPED = ("agent: warning: 2 recorded steps did not succeed (step 2: rejected at the approval "
           "prompt; step 3: error: FixedGrounder knows no point for 'nowhere') and are not "
           "exported")


def test_export_of_a_run_cut_off_leaves_out_the_torn_line_and_says_so(tmp_path: Path) -> None:
    run_dir = record_a_run(tmp_path / "runs")
    tear_the_last_line(run_dir / "steps.jsonl")
    result = agent_cli(["export", str(run_dir)], env=dict(os.environ), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert stderr_lines(result) == [
        "agent: warning: steps.jsonl line 7 is incomplete (the run was cut off); left out",
        SKIPPED]
    assert len(yaml.safe_load(result.stdout)["steps"]) == 4


def test_export_of_a_run_with_a_bad_line_in_the_middle_exits_2(tmp_path: Path) -> None:
    run_dir = record_a_run(tmp_path / "runs")
    steps = run_dir / "steps.jsonl"
    lines = steps.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3][:25]
    steps.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = agent_cli(["export", str(run_dir)], env=dict(os.environ), cwd=tmp_path)
    assert result.returncode == 2
    (line,) = stderr_lines(result)
    assert line.startswith(f"agent: {steps} line 4: not JSON"), line
    assert result.stdout == ""
