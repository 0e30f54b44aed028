"""The suite file (CONTRACTS §11): what loads, and the one-line error for what does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import UsageError
from agent.suites.suite import load_suite

GOOD = """\
name: sample
screen: [1024, 768]
settings: {max_steps: 15}
tasks:
  - id: book-tokyo
    task: Book a flight from Boston to Tokyo
    setup: python3 apps/flight.py --state "$EPISODE_DIR/state.json"
    ready: {text: Search flights, timeout: 20}
    check: python3 checks/booked.py "$EPISODE_DIR/state.json" Tokyo
    max_steps: 12
    tags: [forms]
  - id: plain
    task: do nothing
    check: "true"
    settings: {history: 1}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(UsageError) as caught:
        load_suite(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def test_a_good_suite_loads_with_its_folder(tmp_path: Path) -> None:
    suite = load_suite(write(tmp_path, GOOD))
    assert suite.name == "sample"
    assert suite.screen == (1024, 768)
    assert suite.folder == tmp_path.resolve()
    assert suite.settings == {"max_steps": 15}
    first, second = suite.tasks
    assert first.id == "book-tokyo" and first.max_steps == 12 and first.tags == ["forms"]
    assert first.ready is not None and first.ready.text == "Search flights"
    assert first.ready.timeout == 20
    assert second.setup is None and second.ready is None and second.settings == {"history": 1}


def test_defaults(tmp_path: Path) -> None:
    suite = load_suite(write(tmp_path, "name: s\ntasks: [{id: a, task: t, check: 'true'}]\n"))
    assert suite.screen == (1280, 800)
    assert suite.settings == {} and suite.tasks[0].tags == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("tags: [forms]", "tag: [forms]"), "tasks.1 (book-tokyo).tag: unknown key"),
        (GOOD.replace("screen:", "screne:"), "screne: unknown key"),
        (GOOD.replace("timeout: 20}", "timeout: 20, title: x}"),
         "tasks.1 (book-tokyo).ready.title: unknown key"),
        (GOOD.replace("id: plain", "id: book-tokyo"), "tasks.2.id: duplicate task id"),
        (GOOD.replace("max_steps: 15", "max_stepz: 15"), "settings.max_stepz: unknown setting"),
        (GOOD.replace("history: 1", "histroy: 1"), "tasks.2.settings.histroy: unknown setting"),
        (GOOD.replace('    check: "true"\n', ""), "tasks.2 (plain).check: missing"),
        (GOOD.replace("{text: Search flights, timeout: 20}", "{timeout: 20}"),
         "give exactly one of text, window, command"),
        (GOOD.replace("[1024, 768]", "[10, 10]"), "screen"),
        ("name: s\ntasks: []\n", "tasks"),
        ("- just\n- a list\n", "expected a mapping"),
        ("name: [unclosed\n", "is not YAML"),
    ],
    ids=["task-key", "top-key", "ready-key", "duplicate-id", "suite-setting", "task-setting",
         "missing-check", "ready-empty", "screen-size", "no-tasks", "not-mapping", "bad-yaml"],
)
def test_bad_files_give_one_line_naming_file_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert expected in error_of(tmp_path, text)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read suite file"):
        load_suite(tmp_path / "nope.yaml")
