"""The `agent` command's usage errors and exits (CONTRACTS §2), without a display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent import __version__
from agent.cli.app import _parser, main
from agent.cli.common import redacted_command as _redacted
from agent.safety.lock import display_key
from tests.paths import ROOT
from tests.unit_helpers import clear_agent_env

UNUSED_URL = "http://127.0.0.1:9/v1"  # never contacted: the models are named, nothing runs


@pytest.fixture(autouse=True)
def no_display(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    clear_agent_env(monkeypatch)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./agent.toml, and any runs/ lands here
    return tmp_path


def stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


def test_version_works_without_a_display(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"planground {__version__}"


def test_help_works_without_a_display(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "run" in capsys.readouterr().out


def test_run_help_lists_every_setting_as_a_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--planner-model", "--planner-base-url", "--planner-api-key", "--grounder",
                 "--grounder-base-url", "--max-steps", "--max-time", "--max-tokens", "--monitor",
                 "--runs-dir", "--dry-run", "--approve", "--planner-max-pixels", "--history",
                 "--timeout", "--config"):
        assert flag in out, flag


@pytest.mark.parametrize("argv", [
    ["run", "task", "--no-such-flag"],
    ["run", "task", "--max-steps", "many"],
    ["run", "task", "--approve", "sometimes"],
    ["run"],
    [],
    ["fly"],
    ["run", "task", "--prices", "{bad"],
    ["eval", "grounding"],
])
def test_bad_flags_exit_2_with_one_line(argv: list[str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    [line] = stderr_lines(capsys)
    assert line.startswith("agent: ") and line.endswith(" --help)"), line


def test_an_empty_task_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", " ", "--planner-base-url", "http://127.0.0.1:9/v1"]) == 2
    assert stderr_lines(capsys) == [
        'agent: the task is empty: say what to do, e.g. "book a flight to Tokyo"']


def test_no_planner_configured_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "open the settings"]) == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 1
    assert lines[0].startswith("agent: ") and "no planner configured" in lines[0]
    assert "--planner-base-url" in lines[0]


def test_no_display_with_planner_and_grounder_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], no_display: Path
) -> None:
    code = main(["run", "open the settings", "--planner-base-url", UNUSED_URL,
                 "--planner-model", "p", "--grounder-base-url", UNUSED_URL,
                 "--grounder-model", "g"])
    assert code == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 1 and "DISPLAY" in lines[0]
    assert not (no_display / "runs").exists()  # nothing was started


def test_a_display_without_an_x_server_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], no_display: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", ":987")  # no server there
    code = main(["run", "t", "--planner-base-url", UNUSED_URL, "--planner-model", "p",
                 "--grounder", "uground", "--grounder-base-url", UNUSED_URL,
                 "--grounder-model", "g"])
    assert code == 2
    [line] = stderr_lines(capsys)
    assert "cannot open the display :987" in line


@pytest.mark.parametrize("flag", ["--planner-base-url", "--grounder-base-url"])
def test_a_base_url_without_a_scheme_exits_2(flag: str, capsys: pytest.CaptureFixture[str],
                                             no_display: Path) -> None:
    assert main(["run", "t", flag, "127.0.0.1:8000/v1"]) == 2
    [line] = stderr_lines(capsys)
    assert line.startswith(f"agent: invalid {flag[2:].replace('-', '_')} ({flag} / AGENT_")
    assert "'127.0.0.1:8000/v1' is not an http:// or https:// URL" in line


def test_wayland_without_x_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    code = main(["run", "t", "--planner-base-url", UNUSED_URL, "--planner-model", "p",
                 "--grounder-base-url", UNUSED_URL, "--grounder-model", "g"])
    assert code == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 1 and "Wayland" in lines[0]


def test_an_unknown_grounder_family_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["run", "t", "--planner-base-url", UNUSED_URL, "--planner-model", "p",
                 "--grounder", "teleport-vl", "--grounder-base-url", UNUSED_URL])
    assert code == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 1
    assert "teleport-vl" in lines[0] and "uground" in lines[0]


def test_a_bad_setting_in_the_environment_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENT_MAX_STEPS", "lots")
    assert main(["run", "t"]) == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 1 and "AGENT_MAX_STEPS" in lines[0]


def test_an_unknown_key_in_agent_toml_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], no_display: Path
) -> None:
    (no_display / "agent.toml").write_text("planer_model = 'typo'\n")
    assert main(["run", "t"]) == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 1 and "planer_model" in lines[0]


def test_the_module_runs_without_a_display_in_a_fresh_process(no_display: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(ROOT)
    version = subprocess.run([sys.executable, "-m", "agent", "--version"], env=env,
                             capture_output=True, text=True, timeout=60, cwd=no_display)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"planground {__version__}"

    run = subprocess.run([sys.executable, "-m", "agent", "run", "t"], env=env,
                         capture_output=True, text=True, timeout=60, cwd=no_display)
    assert run.returncode == 2
    assert len(run.stderr.splitlines()) == 1 and "no planner configured" in run.stderr


# ------------------------------------------------------------------ secrets in the command line


@pytest.mark.parametrize("command, secret", [
    (["agent", "run", "t", "--planner-api-key", "sk-PLANNER"], "sk-PLANNER"),
    (["agent", "run", "t", "--grounder-api-key=sk-GROUNDER"], "sk-GROUNDER"),
    (["agent", "run", "t", "--planner-api-key=sk-A", "--grounder-api-key", "sk-B"], "sk-"),
])
def test_redacted_hides_api_keys(command: list[str], secret: str) -> None:
    shown = _redacted(command)
    assert secret not in " ".join(shown)
    assert len(shown) == len(command)
    assert "***" in shown or any(arg.endswith("=***") for arg in shown)


def test_redacted_keeps_everything_else() -> None:
    command = ["agent", "run", "book a flight", "--planner-api-key", "sk-X", "--max-steps", "5",
               "--grounder-api-key=sk-Y", "--dry-run"]
    assert _redacted(command) == ["agent", "run", "book a flight", "--planner-api-key", "***",
                                  "--max-steps", "5", "--grounder-api-key=***", "--dry-run"]


@pytest.mark.parametrize("args", [
    ["--planner-api-key", "sk-SECRET"],
    ["--planner-api-key=sk-SECRET"],
    ["--grounder-api-key", "sk-SECRET"],
    ["--planner-api", "sk-SECRET"],  # argparse accepts unambiguous abbreviations
    ["--grounder-api-k=sk-SECRET"],
])
def test_every_spelling_argparse_accepts_for_a_key_is_redacted(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # BUG (agent/cli/app.py): argparse's allow_abbrev accepts "--planner-api X" as
    # --planner-api-key, but _redacted only knows the full flag names, so the key is written to
    # run.json's command.
    flag = args[0].split("=")[0]
    try:
        parsed = _parser().parse_args(["run", "t", *args])
    except SystemExit:  # a spelling argparse refuses never becomes a key (allow_abbrev=False)
        assert flag not in ("--planner-api-key", "--grounder-api-key")  # full names must work
        return
    given = parsed.planner_api_key if hasattr(parsed, "planner_api_key") else \
        parsed.grounder_api_key
    assert given == "sk-SECRET"  # argparse took it as the key...
    assert "sk-SECRET" not in " ".join(_redacted(["agent", "run", "t", *args]))  # ...so hide it


@pytest.mark.parametrize(("name", "key"), [
    (":84", "local-84"), (":84.0", "local-84"), ("unix:84.1", "local-84"),
    ("localhost:84", "local-84"), ("remote.example:3", "remote.example-3"), ("weird", "weird"),
])
def test_every_spelling_of_a_display_has_one_lock(name: str, key: str) -> None:
    assert display_key(name) == key
