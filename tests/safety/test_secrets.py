"""Redaction: secret values become `{{NAME}}` in free text, and only there; `--secret` flags."""

from __future__ import annotations

import re

import pytest

from agent.errors import UsageError
from agent.records import StepRecord
from agent.safety.secrets import Secrets, parse_secret_flags


def test_a_long_value_is_masked_wherever_it_appears() -> None:
    secrets = Secrets({"pw": "hunter2xyz"})
    assert secrets.redact("typed hunter2xyz, and xhunter2xyzx") == (
        "typed {{PW}}, and x{{PW}}x")


def test_a_short_value_is_masked_only_where_it_stands_alone() -> None:
    secrets = Secrets({"pin": "42", "pw": "e"})
    assert secrets.redact("PIN 42, not 420 or the 42nd") == "PIN {{PIN}}, not 420 or the 42nd"
    assert secrets.redact("no text found; e") == "no text found; {{PW}}"
    assert secrets.redact("code=42;") == "code={{PIN}};"


def test_structural_fields_of_a_record_are_never_masked() -> None:
    """A secret equal to a status, an action name or a key must leave the record valid."""
    secrets = Secrets({"a": "ok", "b": "type", "c": "left", "d": "ctrl"})
    record = StepRecord(index=1, status="ok", instruction="type ok then left",
                        action={"name": "type", "text": "ok", "target": "the ok field"})
    redacted = StepRecord.model_validate(secrets.redact_data(record.model_dump(mode="json")))
    assert redacted.status == "ok" and redacted.action is not None
    assert redacted.action["name"] == "type"
    assert redacted.action["text"] == "{{A}}"
    assert redacted.instruction == "{{B}} {{A}} then {{C}}"
    hotkey = {"name": "hotkey", "keys": ["ctrl", "a"]}
    assert secrets.redact_data(hotkey) == hotkey


def test_secret_flags_give_values_from_the_flag_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AGENT_SECRET_PIN", "2468")
    assert parse_secret_flags(["pw=a=b", "PIN"], interactive=False) == {"PW": "a=b", "PIN": "2468"}


@pytest.mark.parametrize(("flag", "message"), [
    ("PW=", "--secret PW=: the value is empty"),
    ("1PW=x", "starts with a letter or _"),
    ("MISSING", "--secret MISSING: no value (set AGENT_SECRET_MISSING or pass NAME=value)"),
])
def test_bad_secret_flags_are_usage_errors(flag: str, message: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENT_SECRET_MISSING", raising=False)
    with pytest.raises(UsageError, match=re.escape(message)):
        parse_secret_flags([flag], interactive=False)


def test_short_secrets_are_named() -> None:
    assert Secrets({"pin": "4711", "pw": "hunter2xyz"}).short_names() == ["PIN"]
