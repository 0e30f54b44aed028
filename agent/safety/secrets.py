"""Secrets: the planner sees `{{NAME}}`; the executor types the value; nothing records it."""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from agent.errors import UsageError

__all__ = ["Secrets", "parse_secret_flags", "placeholders"]

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ENV_PREFIX = "AGENT_SECRET_"
REDACTED = "[secret]"
WHOLE_WORD_BELOW = 6  # shorter secret values are masked only where they stand alone
STRUCTURAL_KEYS = frozenset({
    "schema_version", "index", "status", "name", "decision", "argument", "button", "direction",
    "keys",
})
"""Record fields that name things rather than say them: a secret equal to "ok" or "type" must
not turn a step's status or action name into a placeholder."""


class Secrets:
    """Named secret values, substituted at the last moment and scrubbed from everything else."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = {name.upper(): value for name, value in (values or {}).items() if value}

    @classmethod
    def from_environment(cls, extra: Mapping[str, str] | None = None) -> Secrets:
        found = {key[len(ENV_PREFIX):]: value for key, value in os.environ.items()
                 if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX)}
        return cls({**found, **(extra or {})})

    @property
    def names(self) -> list[str]:
        return sorted(self._values)

    def short_names(self) -> list[str]:
        """Secrets too short to hide inside other text (see `redact`)."""
        return sorted(name for name, value in self._values.items()
                      if len(value) < WHOLE_WORD_BELOW)

    def __bool__(self) -> bool:
        return bool(self._values)

    def substitute(self, text: str) -> str:
        """`{{NAME}}` → the value; an unknown name is an error, never typed literally."""
        def value(match: re.Match[str]) -> str:
            name = match.group(1).upper()
            if name not in self._values:
                known = ", ".join(self.names) or "none"
                raise KeyError(f"unknown secret {{{{{match.group(1)}}}}} (known: {known})")
            return self._values[name]

        return _PLACEHOLDER.sub(value, text)

    def redact(self, text: str) -> str:
        """Every secret value in `text` replaced by its placeholder: anywhere for a value of
        `WHOLE_WORD_BELOW` characters or more, else only where it stands alone (a PIN `42` is
        masked in "PIN 42", not in "420" or "the 42nd")."""
        for name, secret in sorted(self._values.items(), key=lambda kv: -len(kv[1])):
            placeholder = "{{" + name + "}}"
            if len(secret) >= WHOLE_WORD_BELOW:
                text = text.replace(secret, placeholder)
            else:
                alone = rf"(?<![^\W_]){re.escape(secret)}(?![^\W_])"
                text = re.sub(alone, placeholder, text)  # a name has no backslash
        return text

    def redact_data(self, data: Any) -> Any:
        """`redact` applied to every free-text string inside JSON-like data; the values of
        `STRUCTURAL_KEYS` (statuses, action names, key names) are left as they are."""
        if not self._values:
            return data
        if isinstance(data, str):
            return self.redact(data)
        if isinstance(data, list):
            return [self.redact_data(item) for item in data]
        if isinstance(data, tuple):
            return tuple(self.redact_data(item) for item in data)
        if isinstance(data, dict):
            return {key: value if key in STRUCTURAL_KEYS else self.redact_data(value)
                    for key, value in data.items()}
        return data


def placeholders(text: str) -> list[str]:
    """The secret names `text` writes as `{{NAME}}`."""
    return _PLACEHOLDER.findall(text)


def parse_secret_flags(flags: Iterable[str], interactive: bool) -> dict[str, str]:
    """`--secret NAME=value` or `--secret NAME` (from AGENT_SECRET_NAME, else a hidden prompt)."""
    secrets: dict[str, str] = {}
    for flag in flags:
        name, has_value, value = flag.partition("=")
        if not _NAME.match(name):
            raise UsageError(f"--secret {name!r}: a secret's name is letters, digits and _, "
                             "and starts with a letter or _")
        if not has_value:
            value = os.environ.get(ENV_PREFIX + name.upper(), "")
            if not value and interactive:
                value = getpass.getpass(f"value of secret {name}: ")
            if not value:
                raise UsageError(f"--secret {name}: no value (set {ENV_PREFIX}{name.upper()} "
                                 "or pass NAME=value)")
        elif not value:
            raise UsageError(f"--secret {name}=: the value is empty")
        secrets[name.upper()] = value
    return secrets
