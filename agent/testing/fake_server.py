"""A fake OpenAI-compatible chat server on 127.0.0.1, for tests, examples and benchmarks.

The real ``openai`` client (or anything else that speaks the chat completions API) talks to it
over real HTTP; a Python function decides what it answers::

    from agent.testing.fake_server import FakeChatServer, scripted, uground_reply_from

    with FakeChatServer(scripted(['{"observation": "...", "thought": "...", ...}'])) as planner:
        client = openai.OpenAI(base_url=planner.base_url, api_key="EMPTY")
        ...
    planner.requests  # every request received, as ChatRequest records

Endpoints: ``POST /v1/chat/completions`` (the exact ``chat.completion`` JSON shape, or one SSE
chunk stream when the request asks for ``stream``), ``GET /v1/models`` and
``GET /v1/models/{id}``. Errors use OpenAI's ``{"error": {"message", "type", "param", "code"}}``
body. A reply function that raises answers HTTP 500 with the exception's message.

Only the standard library and Pillow are used, so the module can ship with the package.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast

from agent.testing.chat import (
    ChatRequest,
    FakeReply,
    FakeToolCall,
    JSONDict,
    ReplyFunction,
    ScriptExhausted,
    cached_tokens,
    estimate_tokens,
    refusal,
    scripted,
    uground_description,
    uground_reply_from,
)

__all__ = [
    "ChatRequest",
    "FakeChatServer",
    "FakeReply",
    "FakeToolCall",
    "ReplyFunction",
    "ScriptExhausted",
    "scripted",
    "uground_description",
    "uground_reply_from",
]

# --------------------------------------------------------------------------- the server


class _Server(ThreadingHTTPServer):
    """Tracks open connections so that a stopped fake is really gone (keep-alive included)."""

    daemon_threads = True
    fake: FakeChatServer

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):  # the client went away, or we were stopped
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the openai client expects
    disable_nagle_algorithm = True  # otherwise every request costs ~48 ms (delayed ACK)
    server_version = "planground-fake/1"

    @property
    def fake(self) -> FakeChatServer:
        return cast(_Server, self.server).fake

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if not self.fake.list_models:
            self._send_error(404, f"no route for GET {self.path}", "not_found")
        elif path in ("/v1/models", "/models"):
            self._send_json(200, {"object": "list", "data": [self.fake.model_card()]})
        elif path.startswith(("/v1/models/", "/models/")):
            model = urllib.parse.unquote(path.split("/models/", 1)[1])
            if model == self.fake.model:
                self._send_json(200, self.fake.model_card())
            else:
                self._send_error(404, f"The model `{model}` does not exist.", "model_not_found")
        else:
            self._send_error(404, f"no route for GET {self.path}", "not_found")

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        body_bytes = self._read_body()
        if path not in ("/v1/chat/completions", "/chat/completions"):
            self._send_error(404, f"no route for POST {self.path}", "not_found")
            return
        try:
            body = json.loads(body_bytes or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._send_error(400, f"request body is not JSON: {exc}", "invalid_request_error")
            return
        if not isinstance(body, dict):
            self._send_error(400, "request body must be a JSON object", "invalid_request_error")
            return
        request = ChatRequest(
            body=body,
            path=path,
            headers={k.lower(): v for k, v in self.headers.items()},
            received_at=time.time(),
        )
        status, payload = self.fake.handle(request)
        if status != 200:
            self._send_json(status, payload)
        elif body.get("stream"):
            self._send_stream(payload)
        else:
            self._send_json(200, payload)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send_json(self, status: int, payload: JSONDict) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, status: int, message: str, code: str) -> None:
        self._send_json(status, _error_body(status, message, code))

    def _send_stream(self, completion: JSONDict) -> None:
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        for chunk in _stream_chunks(completion):
            self.wfile.write(b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + b"\n\n")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def _error_body(status: int, message: str, code: str | None = None) -> JSONDict:
    kinds = {
        400: "invalid_request_error",
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        429: "rate_limit_error",
    }
    kind = kinds.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _stream_chunks(completion: JSONDict) -> Iterator[JSONDict]:
    choice = completion["choices"][0]
    message = choice["message"]
    base = {k: completion[k] for k in ("id", "created", "model")}
    base["object"] = "chat.completion.chunk"
    delta: JSONDict = {"role": "assistant", "content": message.get("content")}
    for name in ("reasoning_content", "reasoning"):
        if name in message:
            delta[name] = message[name]
    if message.get("tool_calls"):
        delta["tool_calls"] = [{"index": i, **call} for i, call in enumerate(message["tool_calls"])]
    yield {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
    yield {
        **base,
        "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}],
        "usage": completion["usage"],
    }


class FakeChatServer:
    """An OpenAI-compatible chat server on 127.0.0.1 whose answers come from ``reply``.

    ``reply(request)`` returns the message text, or a ``FakeReply`` (content and/or tool calls,
    or a forced HTTP status). ``latency`` seconds are slept before each answer.
    ``status_script`` forces the HTTP status of the first requests, in order (``200`` = answer
    normally), e.g. ``[503, 503]`` to exercise a client's retries; later requests answer
    normally. ``api_key``, when given, is required as the bearer token (else 401).
    ``check_model`` answers 404 for a request naming another model, as vLLM does;
    ``list_models=False`` answers 404 to ``GET /v1/models``, as minimal servers do.
    ``rejects`` names request parameters answered with OpenAI's 400 for them (``temperature``,
    ``max_tokens``, ``response_format``: see ``OPENAI_REFUSALS``), as a reasoning model does.
    ``prefix_cache`` reports ``usage.prompt_tokens_details.cached_tokens``: the prompt tokens of
    what a request repeats of the one before it (``cached_tokens``), as a prefix cache serves.

    Usable as a context manager or with ``start()`` / ``stop()``. ``port=0`` picks a free port.
    ``stop()`` also cuts open keep-alive connections, so a stopped fake is unreachable (it may be
    called from inside a reply function to simulate a server that dies mid-run).
    """

    def __init__(
        self,
        reply: ReplyFunction,
        *,
        model: str = "fake-model",
        latency: float = 0.0,
        status_script: Iterable[int] | None = None,
        api_key: str | None = None,
        check_model: bool = False,
        list_models: bool = True,
        port: int = 0,
        rejects: Iterable[str] = (),
        prefix_cache: bool = False,
    ) -> None:
        self.reply = reply
        self.model = model
        self.latency = latency
        self.api_key = api_key
        self.check_model = check_model
        self.list_models = list_models
        self.rejects = tuple(rejects)
        self.prefix_cache = prefix_cache
        self.requests: list[ChatRequest] = []
        self._status_script = list(status_script or ())
        self._lock = threading.Lock()
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> FakeChatServer:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", self._port))
        server.fake = self
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeChatServer:{server.server_address[1]}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()  # kept-alive connections too: a stopped fake is unreachable
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def __enter__(self) -> FakeChatServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake server is not running (call start())")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``: what an OpenAI client's ``base_url`` should be."""
        return f"http://127.0.0.1:{self.port}/v1"

    # ----------------------------------------------------------------- answering

    def model_card(self) -> JSONDict:
        return {"id": self.model, "object": "model", "created": 0, "owned_by": "planground-fake"}

    def handle(self, request: ChatRequest) -> tuple[int, JSONDict]:
        """Record ``request`` and compute ``(status, JSON body)`` (the HTTP layer sends it)."""
        with self._lock:
            previous = self.requests[-1] if self.requests else None
            self.requests.append(request)
            forced = self._status_script.pop(0) if self._status_script else 200
        if self.latency > 0:
            time.sleep(self.latency)
        if forced != 200:
            return forced, _error_body(forced, f"forced HTTP {forced} by status_script")
        if self.api_key is not None and request.api_key != self.api_key:
            return 401, _error_body(401, "Incorrect API key provided.", "invalid_api_key")
        if self.check_model and request.model != self.model:
            message = f"The model `{request.model}` does not exist."
            return 404, _error_body(404, message, "model_not_found")
        refused = refusal(request.body, self.rejects)
        if refused is not None:
            return 400, refused
        try:
            answer = self.reply(request)
        except Exception as exc:
            return 500, _error_body(500, f"fake reply function failed: {type(exc).__name__}: {exc}")
        if isinstance(answer, str):
            answer = FakeReply(content=answer)
        if answer.status != 200:
            message = answer.error or f"forced HTTP {answer.status}"
            return answer.status, _error_body(answer.status, message)
        body = self._completion(request, answer)
        if self.prefix_cache:
            body["usage"]["prompt_tokens_details"] = {
                "cached_tokens": cached_tokens(previous, request)}
        return 200, body

    def _completion(self, request: ChatRequest, answer: FakeReply) -> JSONDict:
        message: JSONDict = {"role": "assistant", "content": answer.content}
        if answer.tool_calls:
            message["tool_calls"] = [call.to_json(i) for i, call in enumerate(answer.tool_calls)]
        if answer.reasoning is not None:
            message[answer.reasoning_field] = answer.reasoning
        finish_reason = answer.finish_reason or ("tool_calls" if answer.tool_calls else "stop")
        prompt_tokens = sum(estimate_tokens(t) for t in request.texts())
        prompt_tokens += 85 * len(request.image_urls())
        completion_text = (answer.content or "") + "".join(
            json.dumps(call["function"]) for call in message.get("tool_calls", [])
        )
        completion_tokens = estimate_tokens(completion_text)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.model or self.model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
