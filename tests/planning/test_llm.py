"""Which model name a request carries when none is configured (agent.llm.resolve_model)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest

from agent.errors import ModelServerError
from agent.llm import UNLISTED_MODEL, chat, resolve_model
from agent.testing.fake_server import FakeChatServer, scripted
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


class _HtmlHandler(BaseHTTPRequestHandler):
    """A web page where an API was expected (a base URL without /v1, a proxy's login page)."""

    disable_nagle_algorithm = True

    def _page(self) -> None:
        body = b"<!doctype html><html><body>Welcome to nginx!</body></html>"
        if self.command == "POST":
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _page

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def html_client() -> Iterator[openai.OpenAI]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield openai.OpenAI(base_url=f"http://127.0.0.1:{server.server_port}/",
                            api_key="EMPTY", max_retries=0, timeout=10)
    finally:
        server.shutdown()
        server.server_close()


def test_a_web_page_instead_of_a_chat_completion_is_a_server_error(
    html_client: openai.OpenAI,
) -> None:
    with pytest.raises(ModelServerError, match=r"did not answer with a chat completion.*/v1"):
        chat(html_client, "m", [{"role": "user", "content": "hi"}], role="planner")


def test_a_web_page_instead_of_a_model_list_is_a_server_error(html_client: openai.OpenAI) -> None:
    with pytest.raises(ModelServerError, match="did not answer with a model list"):
        resolve_model(html_client, None, "grounder")
