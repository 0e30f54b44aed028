"""`agent eval tasks` refuses bad input with one line and exit 2, before any episode starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.cli.app import main

GOOD = "name: s\ntasks:\n  - {id: a, task: t, check: 'true'}\n"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(argv)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    return code, lines


@pytest.mark.parametrize(
    ("suite", "extra", "expected"),
    [
        ("name: s\ntasks:\n  - {id: a, task: t, check: 'true', setings: {}}\n", [],
         "tasks.1 (a).setings: unknown key"),
        ("name: s\nsettings: {max_step: 3}\n" + GOOD.split("\n", 1)[1], [],
         "settings.max_step: unknown setting"),
        ("name: s\nsettings: {approve: sometimes}\n" + GOOD.split("\n", 1)[1], [],
         "task a: invalid approve"),
        (GOOD, ["--resume"], "--resume needs --out DIR"),
        (GOOD, ["--max-steps", "0"], "invalid max_steps"),
    ],
    ids=["unknown-key", "unknown-setting", "bad-setting-value", "resume-without-out",
         "bad-flag-value"],
)
def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    suite: str, extra: list[str], expected: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "suite.yaml").write_text(suite)
    code, lines = run(["eval", "tasks", "suite.yaml", *extra], capsys)
    assert code == 2
    assert len(lines) == 1 and expected in lines[0], lines
    assert not (tmp_path / "evals").exists()  # nothing ran, nothing was written


def test_runs_dir_is_no_flag_of_a_suite_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The episodes' runs go under --out: a --runs-dir taken and ignored had sent the user
    looking for them elsewhere."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "suite.yaml").write_text(GOOD)
    with pytest.raises(SystemExit) as stop:
        main(["eval", "tasks", "suite.yaml", "--runs-dir", "runs"])
    lines = capsys.readouterr().err.splitlines()
    assert stop.value.code == 2
    assert len(lines) == 1 and "unrecognized arguments: --runs-dir" in lines[0], lines
    assert not (tmp_path / "evals").exists() and not (tmp_path / "runs").exists()


def test_an_existing_results_file_needs_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "suite.yaml").write_text(GOOD)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "results.jsonl").write_text("")
    code, lines = run(["eval", "tasks", "suite.yaml", "--out", "out"], capsys)
    assert code == 2 and "add --resume" in lines[-1]
