"""Every example that can run here runs: against the Tk form on Xvfb and fake model servers.

examples/book_flight.yaml is run by tests/automation/test_script_gui.py; serve_uground.md needs a
GPU, so its `agent` command lines (and README.md's) are checked against the parser instead.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import actions
from actions import DryRunExecutor
from agent.cli import app as cli
from agent.run.loop import Limits, Loop
from agent.testing import FixedGrounder, MemoryRecorder, ScriptedPlanner, StaticScreen
from agent.testing.fake_server import FakeChatServer, scripted
from tests.automation.test_script_cli import _wired, parser
from tests.automation.test_script_gui import UGROUND, grounder_for
from tests.gui import clean_env, describe, form_app
from tests.paths import EXAMPLES
from tests.unit_helpers import reply_json
from tests.xvfb import VirtualDisplay


def run_example(name: str, *args: str, env: dict[str, str], cwd: Path,
                ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], env=env, cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          encoding="utf-8", timeout=180, check=False)


def load_custom_action(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Import the example with its own copy of the default registry (the suite's stays as is)."""
    monkeypatch.setattr(actions, "default_registry", actions.default_registry.copy())
    spec = importlib.util.spec_from_file_location("custom_action", EXAMPLES / "custom_action.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- custom_action.py


def test_custom_action_shows_in_the_planner_prompt(tmp_path: Path) -> None:
    result = run_example("custom_action.py", "--show-prompt", env=clean_env({}), cwd=tmp_path)
    assert result.returncode == 0, describe(result)
    assert ("- open_url(url): Open a web address (http or https) in the default web browser."
            in result.stdout.splitlines())
    assert "- click(target, button=\"left\")" in result.stdout


def test_custom_action_is_parsed_performed_and_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    example = load_custom_action(monkeypatch)
    registry = actions.default_registry
    opened: list[str] = []

    def fake_open(url: str) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(example.webbrowser, "open", fake_open)
    with pytest.raises(ValueError, match="only http:// and https://"):
        registry.parse({"name": "open_url", "url": "file:///etc/passwd"})
    planner = ScriptedPlanner([reply_json({"name": "open_url", "url": "https://example.org/"}),
                               reply_json({"name": "done"})], registry)
    recorder = MemoryRecorder()
    loop = Loop(screen=StaticScreen(), planner=planner, grounder=FixedGrounder(),
                executor=DryRunExecutor(), recorder=recorder, registry=registry,
                limits=Limits(max_steps=3))
    assert loop.run("open it", ["x"], {}).exit_code == 0
    assert opened == ["https://example.org/"]
    assert recorder.steps[0].action == {"name": "open_url", "url": "https://example.org/"}
    assert recorder.steps[0].outcome == "opened https://example.org/"


@pytest.mark.gui
def test_custom_action_runs_a_task_end_to_end(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf %s "$1" > {shlex.quote(str(opened))}\n')
    browser.chmod(0o755)
    replies = [reply_json({"name": "open_url", "url": "https://example.org/docs"}),
               reply_json({"name": "done", "answer": "opened"})]
    with FakeChatServer(scripted(replies), model="fake-planner") as planner, \
            FakeChatServer(lambda request: "(500, 500)", model=UGROUND) as grounder:
        env = clean_env(xvfb.env, BROWSER=str(browser), AGENT_APPROVE="never",
                        AGENT_RUNS_DIR=str(tmp_path / "runs"),
                        AGENT_PLANNER_BASE_URL=planner.base_url,
                        AGENT_GROUNDER_BASE_URL=grounder.base_url)
        result = run_example("custom_action.py", "open the docs", env=env, cwd=tmp_path)
    assert result.returncode == 0, describe(result)
    assert opened.read_text() == "https://example.org/docs"
    system = planner.requests[0].messages[0]["content"]
    assert "open_url(url)" in system
    assert "done in 2 step(s): opened" in result.stdout
    [run_dir] = (tmp_path / "runs").iterdir()
    assert (run_dir / "report.html").is_file()
    assert f"report: {run_dir / 'report.html'}" in result.stdout.splitlines()


# --------------------------------------------------------------------------- desktop_api.py


@pytest.mark.gui
def test_desktop_api_example_books_a_flight(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    with form_app(xvfb, tmp_path / "app", geometry="+300+150") as app, \
            grounder_for(app) as grounder:
        env = clean_env(xvfb.env, AGENT_GROUNDER_BASE_URL=grounder.base_url,
                        AGENT_GROUNDER_MODEL=UGROUND)
        result = run_example("desktop_api.py", "Paris", env=env, cwd=tmp_path)
        state = app.state()
    assert result.returncode == 0, describe(result)
    assert state["fields"] == {"From": "Boston", "To": "Paris", "Passenger": "Ada Lovelace"}
    assert state["presses"] == {"Search flights": 1, "Book now": 1}
    assert state["booked"]
    box = state["widgets"]["status"]
    x, y = (int(v) for v in re.findall(r"\((\d+), (\d+)\)", result.stdout)[-1])
    assert box["x"] <= x < box["x"] + box["width"] and box["y"] <= y < box["y"] + box["height"]


@pytest.mark.gui
def test_desktop_api_reports_a_missing_grounder_in_one_line(xvfb: VirtualDisplay,
                                                           tmp_path: Path) -> None:
    env = clean_env(xvfb.env, AGENT_GROUNDER="uground")  # a family, but no endpoint
    result = run_example("desktop_api.py", env=env, cwd=tmp_path)
    assert result.returncode == 2, describe(result)
    assert result.stderr.strip().splitlines() == [
        "desktop_api: the uground grounder needs --grounder-base-url: the OpenAI-compatible "
        "endpoint serving the model (see the README for serving UGround with vLLM), or use "
        "--grounder ocr to ground offline"]


# --------------------------------------------------------------------------- run_task.py


def flight_replies() -> list[str]:
    """What a planner answers to book the form's flight, one step at a time."""
    actions = [
        {"name": "type", "text": "Boston", "target": "the From text field"},
        {"name": "type", "text": "Zürich 東京", "target": "the To text field"},
        {"name": "type", "text": "Ada Lovelace", "target": "the Passenger text field"},
        {"name": "click", "target": "the Search flights button"},
        {"name": "click", "target": "the Book now button"},
        {"name": "done", "answer": "booked"},
    ]
    return [reply_json(action, instruction=f"step {n}") for n, action in enumerate(actions, 1)]


@pytest.mark.gui
def test_run_task_example_runs_a_task_from_python(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    with form_app(xvfb, tmp_path / "app", geometry="+200+100") as app, \
            grounder_for(app) as grounder, \
            FakeChatServer(scripted(flight_replies()), model="fake-planner") as planner:
        env = clean_env(xvfb.env, AGENT_PLANNER_BASE_URL=planner.base_url,
                        AGENT_GROUNDER_BASE_URL=grounder.base_url, AGENT_APPROVE="never",
                        AGENT_RUNS_DIR=str(runs_dir))
        result = run_example("run_task.py", "book", "a", "flight", env=env, cwd=tmp_path)
        state = app.state()
    assert result.returncode == 0, describe(result)
    assert state["fields"] == {"From": "Boston", "To": "Zürich 東京", "Passenger": "Ada Lovelace"}
    assert state["presses"] == {"Search flights": 1, "Book now": 1} and state["booked"]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("[1] step 1 -> {'name': 'type', 'text': 'Boston'"), lines
    assert lines[-2] == "done: booked", lines
    [run_dir] = runs_dir.iterdir()
    assert lines[-1] == f"report: {run_dir / 'report.html'}" and (run_dir / "report.html").is_file()
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert record["task"] == "book a flight" and record["status"] == "done"
    assert record["command"][1:] == ["Agent.run", "book a flight"]
    assert record["settings"]["max_steps"] == 20 and record["settings"]["approve"] == "never"


@pytest.mark.gui
def test_run_task_example_without_a_planner_says_so_in_one_line(
    xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    result = run_example("run_task.py", env=clean_env(xvfb.env), cwd=tmp_path)
    assert result.returncode == 2, describe(result)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("run_task: no planner configured"), line


# --------------------------------------------------------------------------- serve_uground.md


def agent_commands(markdown: str) -> list[list[str]]:
    """The `agent ...` command lines in the document's sh blocks (continuations joined)."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", markdown, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith("agent "):
                commands.append(shlex.split(line, comments=True)[1:])
    return commands


def parse_command(command: list[str]) -> Any:
    wired = _wired(command[0]) or command[0] in ("run", "ground")
    return (cli._parser() if wired else parser()).parse_args(command)


def test_serve_uground_commands_parse_with_the_real_cli() -> None:
    text = (EXAMPLES / "serve_uground.md").read_text(encoding="utf-8")
    commands = agent_commands(text)
    assert [c[0] for c in commands] == ["ground", "run", "run", "script", "replay"]
    for command in commands:
        assert parse_command(command).grounder_base_url == "http://localhost:8000/v1", command
    served = re.search(r"vllm serve (\S+)", text)
    assert served is not None and served.group(1) == UGROUND


def test_the_examples_readme_commands_parse() -> None:
    commands = agent_commands((EXAMPLES / "README.md").read_text(encoding="utf-8"))
    assert [c[0] for c in commands] == ["script", "replay", "replay", "export"]
    for command in commands:
        parse_command(command[:command.index(">")] if ">" in command else command)
