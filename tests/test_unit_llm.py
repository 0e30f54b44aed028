"""Which model name a request carries when none is configured (agent.llm.resolve_model)."""

from __future__ import annotations

import pytest

from agent.errors import ModelServerError
from agent.fake_server import FakeChatServer, scripted
from agent.llm import UNLISTED_MODEL, chat, resolve_model
from tests.unit_helpers import client_for


def test_a_configured_model_is_used_without_asking_the_server() -> None:
    with FakeChatServer(scripted([]), list_models=False) as server:
        assert resolve_model(client_for(server), "my-model", "planner") == "my-model"


def test_the_servers_only_model_is_used() -> None:
    with FakeChatServer(scripted([]), model="osunlp/UGround-V1-7B") as server:
        assert resolve_model(client_for(server), None, "grounder") == "osunlp/UGround-V1-7B"


def test_a_server_without_a_model_list_gets_a_placeholder_and_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with FakeChatServer(scripted(["fine"]), list_models=False) as server:
        client = client_for(server)
        model = resolve_model(client, None, "planner")
        reply = chat(client, model, [{"role": "user", "content": "hi"}], role="planner")
    assert model == UNLISTED_MODEL and reply.text == "fine"
    assert server.requests[0].model == UNLISTED_MODEL
    warning = capsys.readouterr().err
    assert "does not list its models" in warning and "--planner-model" in warning


def test_an_unreachable_server_is_a_server_error() -> None:
    with FakeChatServer(scripted([])) as server:
        client = client_for(server)
    with pytest.raises(ModelServerError, match="unreachable"):
        resolve_model(client, None, "grounder")
