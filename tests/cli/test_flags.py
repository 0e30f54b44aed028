"""The settings each subcommand takes (agent/cli/flags.py), and parsers built on first use."""

from __future__ import annotations

import pytest

from agent.cli import flags
from agent.cli.app import _parser
from agent.settings import Settings


@pytest.mark.parametrize("names", [flags.GROUNDER_SETTINGS, flags.GROUND_SETTINGS,
                                   flags.SCRIPTED_SETTINGS, flags.DEMO_SETTINGS])
def test_every_listed_setting_exists(names: tuple[str, ...]) -> None:
    assert set(names) <= set(Settings.model_fields)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("argv, setting, value", [
    (["run", "t"], "planner_model", "m"),
    (["ground", "x"], "monitor", 2),
    (["script", "f.yaml"], "on_takeover", "stop"),
    (["replay", "runs/x"], "approve", "always"),
    (["demo"], "settle_timeout", 1.5),
    (["eval", "grounding", "d.jsonl"], "timeout", 9.0),
])
def test_each_subcommand_takes_its_settings(argv: list[str], setting: str, value: object) -> None:
    flag = "--" + setting.replace("_", "-")
    args = _parser().parse_args([*argv, flag, str(value)])
    assert getattr(args, setting) == value


def test_a_subcommand_parser_is_completed_for_its_help_too() -> None:
    parser = _parser()
    (commands,) = (action for action in parser._actions if action.dest == "==SUPPRESS==")
    assert "--grounder-model" in commands.choices["ground"].format_help()
