"""`agent script FILE.yaml` (CONTRACTS §9): a list of actions, validated whole before anything runs.

    name: book a flight
    vars: {city: Tokyo}
    steps:
      - type: {text: Boston, target: the From text field}
      - type: {text: "${city}", target: the To text field}
      - click: the Search flights button        # shorthand: the action's first argument
      - wait_for: {target: the Book now button, timeout: 10}
      - assert_visible: {target: Booked}

A step is a one-key mapping from an action name (any registered action, or `wait_for` /
`assert_visible`) to its arguments. `${name}` is a variable from `vars:` or `--var name=value`
(`$${` is a literal `${`). `{{NAME}}` is a secret: typed from `AGENT_SECRET_NAME` (or `--secret`),
recorded as the placeholder, never sent to a model, so it cannot be a target. A file with a
mistake is a UsageError (exit 2) naming the step, raised before the display is touched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from actions import Action, ActionRegistry
from agent.automation.scripted import ScriptStep, check_secrets, script_registry
from agent.errors import UsageError
from agent.safety.secrets import Secrets

__all__ = ["Script", "load_script", "parse_script", "parse_vars"]

TOP_LEVEL = ("name", "vars", "steps")
_VARIABLE = re.compile(r"\$(\$?)\{([^}]*)\}")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Script:
    name: str
    steps: tuple[ScriptStep, ...]
    used_vars: frozenset[str] = frozenset()  # the variables its `${name}`s refer to


def load_script(
    path: Path,
    variables: Mapping[str, str] | None = None,
    *,
    registry: ActionRegistry | None = None,
    secrets: Secrets | None = None,
) -> Script:
    """Read and validate a script file; UsageError naming the step when anything is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read script {path}: {exc}") from None
    return parse_script(text, str(path), variables, registry=registry, secrets=secrets,
                        default_name=path.stem)


def parse_script(
    text: str,
    source: str = "script",
    variables: Mapping[str, str] | None = None,
    *,
    registry: ActionRegistry | None = None,
    secrets: Secrets | None = None,
    default_name: str = "script",
) -> Script:
    """Validate a script's text completely; `variables` override the file's `vars:`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"{source}: not valid YAML: {_yaml_problem(exc)}") from None
    if not isinstance(data, dict) or "steps" not in data:
        raise UsageError(f"{source}: a script is a mapping with `steps:` (a list), and "
                         "optionally `name:` and `vars:`")
    unknown = [str(key) for key in data if key not in TOP_LEVEL]
    if unknown:
        raise UsageError(f"{source}: unknown key(s) {', '.join(unknown)} (a script has "
                         f"{', '.join(TOP_LEVEL)})")
    values = {**_declared_vars(data.get("vars"), source), **(variables or {})}
    steps = data["steps"]
    if not isinstance(steps, list) or not steps:
        raise UsageError(f"{source}: `steps:` must be a non-empty list of actions")
    registry = script_registry() if registry is None else registry
    secrets = secrets if secrets is not None else Secrets.from_environment()
    built = []
    used: set[str] = set()
    for number, raw in enumerate(steps, start=1):
        try:
            raw, verify = _verify_option(raw)
            action = _action(raw, values, registry, used)
            check_secrets(action, secrets)
        except ValueError as exc:
            raise UsageError(f"{source}: step {number}: {exc}") from None
        built.append(ScriptStep(action, label=f"step {number}", verify=verify))
    try:
        name = _substitute(data.get("name", default_name), values, used)
    except ValueError as exc:
        raise UsageError(f"{source}: name: {exc}") from None
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"{source}: `name:` must be text")
    return Script(name.strip(), tuple(built), frozenset(used))


def _declared_vars(raw: object, source: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise UsageError(f"{source}: `vars:` must be a mapping of names to values")
    found: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not _IDENTIFIER.match(key):
            raise UsageError(f"{source}: vars: {key!r} is not a name (letters, digits, _)")
        if not isinstance(value, (str, int, float, bool)):
            raise UsageError(f"{source}: vars: {key} must be text or a number")
        found[key] = str(value)
    return found


def _verify_option(raw: object) -> tuple[object, bool]:
    """The step without its `verify: false` (beside the action's arguments), and that flag."""
    if not (isinstance(raw, dict) and len(raw) == 1):
        return raw, True
    ((name, arguments),) = raw.items()
    if not isinstance(arguments, dict) or "verify" not in arguments:
        return raw, True
    verify = arguments["verify"]
    if not isinstance(verify, bool):
        raise ValueError(f"verify must be true or false, not {verify!r}")
    return {name: {k: v for k, v in arguments.items() if k != "verify"}}, verify


def _action(
    raw: object, variables: Mapping[str, str], registry: ActionRegistry, used: set[str]
) -> Action:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ValueError("a step is a one-key mapping from an action to its arguments, e.g. "
                         "`- click: {target: the OK button}`")
    ((name, arguments),) = raw.items()
    if not isinstance(name, str) or name not in registry:
        known = ", ".join(spec.name for spec in registry)
        raise ValueError(f"unknown action {name!r}; known actions: {known}")
    if arguments is None:
        arguments = {}
    elif not isinstance(arguments, dict):  # shorthand: `- click: the OK button`
        first = next(iter(registry.spec(name).model.model_fields), None)
        if first is None:
            raise ValueError(f"{name} takes no arguments")
        arguments = {first: arguments}
    if "name" in arguments:
        raise ValueError(f"{name} has no argument 'name'")
    return registry.parse({"name": name, **_substitute(arguments, variables, used)})


def _substitute(value: Any, variables: Mapping[str, str], used: set[str]) -> Any:
    """`${name}` replaced in every string inside `value`; `$${` stays a literal `${`. The names
    replaced are added to `used`."""
    if isinstance(value, str):
        def replace(match: re.Match[str]) -> str:
            escaped, name = match.group(1), match.group(2)
            if escaped:
                return "${" + name + "}"
            if name not in variables:
                known = ", ".join(sorted(variables)) or "none"
                raise ValueError(f"unknown variable ${{{name}}} (defined: {known})")
            used.add(name)
            return variables[name]

        return _VARIABLE.sub(replace, value)
    if isinstance(value, list):
        return [_substitute(item, variables, used) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, variables, used) for key, item in value.items()}
    return value


def parse_vars(flags: Sequence[str]) -> dict[str, str]:
    """`--var name=value` flags as a mapping."""
    found: dict[str, str] = {}
    for flag in flags:
        name, has_value, value = flag.partition("=")
        if not has_value or not _IDENTIFIER.match(name):
            raise UsageError(f"--var {flag!r}: expected NAME=VALUE")
        found[name] = value
    return found


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's several-line message as one line: what is wrong, and where."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{problem}{where}"
