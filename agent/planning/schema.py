"""The JSON schema of a planner reply (CONTRACTS §3), generated from the action registry.

Sent as `response_format` so that servers with structured outputs (OpenAI, vLLM's guided
decoding, SGLang) can only produce a valid reply. The schema follows OpenAI's strict mode
(platform.openai.com/docs/guides/structured-outputs: every property required, optional ones
nullable, `additionalProperties: false`, no `default`); the parser drops such nulls.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic.json_schema import models_json_schema

from actions import ActionRegistry

__all__ = ["SCHEMA_NAME", "reply_format", "reply_schema"]

SCHEMA_NAME = "planner_reply"
JSON = dict[str, Any]


def reply_format(registry: ActionRegistry) -> JSON:
    """The `response_format` of a chat-completion request asking for a planner reply."""
    return {"type": "json_schema",
            "json_schema": {"name": SCHEMA_NAME, "schema": reply_schema(registry), "strict": True}}


def reply_schema(registry: ActionRegistry) -> JSON:
    """{observation, thought, instruction, action}: the action one of the registry's, each
    with its name and its typed arguments (pydantic's schema of the action's model)."""
    specs = list(registry)
    refs, top = models_json_schema([(spec.model, "validation") for spec in specs],
                                   ref_template="#/$defs/{model}")
    defs: JSON = {name: _strict(schema) for name, schema in top.get("$defs", {}).items()}
    actions: list[JSON] = []
    for spec in specs:
        ref = refs[(spec.model, "validation")]["$ref"].rsplit("/", 1)[1]
        action = copy.deepcopy(defs.pop(ref))
        action["properties"] = {"name": {"type": "string", "enum": [spec.name]},
                                **action.get("properties", {})}
        action["required"] = list(action["properties"])
        actions.append(action)
    text = {"type": "string"}
    schema: JSON = {
        "type": "object",
        "properties": {"observation": text, "thought": text, "instruction": text,
                       "action": {"anyOf": actions}},
        "required": ["observation", "thought", "instruction", "action"],
        "additionalProperties": False,
    }
    if defs:  # models the actions' arguments use (Point, a user's own)
        schema["$defs"] = defs
    return schema


def _strict(schema: JSON) -> JSON:
    """`schema` for OpenAI's strict mode: objects closed, every property required (an optional
    one may be null), no defaults; nested schemas alike."""
    schema = {key: value for key, value in schema.items() if key != "default"}
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        if isinstance(schema.get(key), list):
            schema[key] = [_strict(part) for part in schema[key]]
    if isinstance(schema.get("items"), dict):
        schema["items"] = _strict(schema["items"])
    properties = schema.get("properties")
    if schema.get("type") == "object" and isinstance(properties, dict):
        required = set(schema.get("required", []))
        schema["properties"] = {
            name: _strict(part) if name in required else _nullable(_strict(part))
            for name, part in properties.items()
        }
        schema["required"] = list(properties)
        schema["additionalProperties"] = False
    return schema


def _nullable(schema: JSON) -> JSON:
    if schema.get("type") == "null" or any(
        part.get("type") == "null" for part in schema.get("anyOf", [])
    ):
        return schema
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    described: JSON = {key: schema.pop(key) for key in ("title", "description") if key in schema}
    return {**described, "anyOf": [schema, {"type": "null"}]}
