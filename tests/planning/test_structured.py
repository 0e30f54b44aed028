"""Structured planner replies (issue 12, item 2): `response_format` with a JSON schema generated
from the action registry; with `auto`, a server refusing it is fallen back from once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Literal

import pytest

from actions import Action, ActionContext, ActionRegistry, Click, builtin_registry
from agent.errors import ModelAccessError, UsageError
from agent.planning.planner import OpenAIPlanner
from agent.planning.reply import parse_reply
from agent.planning.schema import SCHEMA_NAME, reply_format, reply_schema
from agent.settings import load_settings
from agent.testing.fake_server import FakeChatServer, scripted
from tests.unit_helpers import clear_agent_env, client_for, reply_json, screenshot

CLICK_OK = reply_json({"name": "click", "target": "the OK button"})


class Zoom(Action):
    """Zoom the view in or out by `steps`."""

    name: ClassVar[str] = "zoom"
    direction: Literal["in", "out"]
    steps: int = 1


def zoom(action: Zoom, ctx: ActionContext) -> None:
    """Never performed here: the planner only needs to know the action."""


def registry_with_zoom() -> ActionRegistry:
    registry = builtin_registry()
    registry.register(Zoom, zoom)
    return registry


def objects(schema: Any) -> Iterator[dict[str, Any]]:
    """Every object schema inside `schema`."""
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            yield schema
        for value in schema.values():
            yield from objects(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from objects(value)


def action_option(schema: dict[str, Any], name: str) -> dict[str, Any]:
    (option,) = [o for o in schema["properties"]["action"]["anyOf"]
                 if o["properties"]["name"]["enum"] == [name]]
    return option


def test_the_schema_names_every_action_with_typed_arguments() -> None:
    registry = registry_with_zoom()
    schema = reply_schema(registry)
    assert schema["required"] == ["observation", "thought", "instruction", "action"]
    names = [o["properties"]["name"]["enum"][0] for o in schema["properties"]["action"]["anyOf"]]
    assert names == [spec.name for spec in registry]  # the user's zoom included
    zoom = action_option(schema, "zoom")
    assert zoom["properties"]["direction"] == {"enum": ["in", "out"], "title": "Direction",
                                               "type": "string"}
    assert zoom["properties"]["steps"]["anyOf"] == [{"type": "integer"}, {"type": "null"}]
    click = action_option(schema, "click")
    assert {"type": "string"} in click["properties"]["target"]["anyOf"]
    assert {"$ref": "#/$defs/Point"} in click["properties"]["target"]["anyOf"]
    assert schema["$defs"]["Point"]["required"] == ["x", "y"]


def test_the_schema_follows_openais_strict_mode() -> None:
    response_format = reply_format(registry_with_zoom())
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == SCHEMA_NAME
    assert response_format["json_schema"]["strict"] is True
    found = list(objects(response_format["json_schema"]["schema"]))
    assert len(found) > 10
    for schema in found:
        assert schema["additionalProperties"] is False
        assert schema["required"] == list(schema["properties"])
    assert '"default"' not in str(response_format).replace("'", '"')


def test_a_strict_reply_with_nulls_for_optional_arguments_parses() -> None:
    registry = registry_with_zoom()
    text = reply_json({"name": "click", "target": "OK", "button": None})
    action = parse_reply(text, [], registry).action
    assert isinstance(action, Click) and action.button == "left"
    zoom = parse_reply(reply_json({"name": "zoom", "direction": "in", "steps": None}), [],
                       registry).action
    assert isinstance(zoom, Zoom) and zoom.steps == 1
    with pytest.raises(ValueError, match="target"):  # a required argument stays required
        parse_reply(reply_json({"name": "click", "target": None, "button": None}), [], registry)


def planner_for(server: FakeChatServer, structured: Any) -> OpenAIPlanner:
    return OpenAIPlanner(client_for(server), "m", registry_with_zoom(), structured=structured)


def test_on_and_auto_send_the_schema_and_off_does_not() -> None:
    for structured in ("auto", "on"):
        with FakeChatServer(scripted([CLICK_OK])) as server:
            planner_for(server, structured).plan("t", [], screenshot(), [])
        sent = server.requests[0].body["response_format"]
        assert sent == reply_format(registry_with_zoom())
    with FakeChatServer(scripted([CLICK_OK])) as server:
        planner_for(server, "off").plan("t", [], screenshot(), [])
    assert "response_format" not in server.requests[0].body


def test_auto_falls_back_to_text_once_when_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeChatServer(scripted([CLICK_OK, CLICK_OK]), rejects=("response_format",)) as server:
        planner = planner_for(server, "auto")
        planner.plan("t", [], screenshot(), [])
        planner.plan("t", [], screenshot(), [])
    assert ["response_format" in r.body for r in server.requests] == [True, False, False]
    (note,) = capsys.readouterr().err.splitlines()
    assert "response_format" in note and "text" in note


def test_on_refused_is_a_configuration_error() -> None:
    server = FakeChatServer(scripted([CLICK_OK]), rejects=("response_format",))
    with server, pytest.raises(ModelAccessError, match="--planner-structured on"):
        planner_for(server, "on").plan("t", [], screenshot(), [])
    assert len(server.requests) == 1


def test_the_planner_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_agent_env(monkeypatch)
    assert load_settings({}).planner_structured == "auto"
    assert load_settings({}).planner_reasoning_effort is None
    monkeypatch.setenv("AGENT_PLANNER_STRUCTURED", "off")
    monkeypatch.setenv("AGENT_PLANNER_REASONING_EFFORT", "high")
    settings = load_settings({})
    assert (settings.planner_structured, settings.planner_reasoning_effort) == ("off", "high")
    with pytest.raises(UsageError, match="planner_reasoning_effort"):
        load_settings({"planner_reasoning_effort": "extreme"})
