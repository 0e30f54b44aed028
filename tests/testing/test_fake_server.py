"""The fake OpenAI-compatible server, exercised with the real `openai` client over real HTTP."""

from __future__ import annotations

import base64
import io
import json
import statistics
import threading
import time
import urllib.request
from typing import Any

import openai
import pytest
from PIL import Image

from agent.testing.fake_server import (
    ChatRequest,
    FakeChatServer,
    FakeReply,
    FakeToolCall,
    ScriptExhausted,
    scripted,
    uground_description,
    uground_reply_from,
)
from tests.unit_helpers import UGROUND_PROMPT


def png_data_url(width: int, height: int, color: str = "white") -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def client_for(server: FakeChatServer, **kwargs: Any) -> openai.OpenAI:
    kwargs.setdefault("api_key", "EMPTY")
    kwargs.setdefault("max_retries", 0)
    return openai.OpenAI(base_url=server.base_url, **kwargs)


def user_message(text: str, *image_urls: str) -> Any:
    parts: list[dict[str, Any]] = [
        {"type": "image_url", "image_url": {"url": url}} for url in image_urls
    ]
    parts.append({"type": "text", "text": text})
    return {"role": "user", "content": parts}


def test_chat_completion_has_the_openai_shape_and_the_request_is_recorded() -> None:
    with FakeChatServer(lambda request: "hello", model="planner-x") as server:
        client = client_for(server)
        completion = client.chat.completions.create(
            model="planner-x",
            messages=[
                {"role": "system", "content": "You are a GUI agent."},
                user_message("Task: book a flight", png_data_url(64, 32)),
            ],
            temperature=0,
        )
        raw = urllib.request.urlopen(  # the exact JSON, not only what the client model accepts
            urllib.request.Request(
                server.base_url + "/chat/completions",
                data=json.dumps({"model": "m", "messages": []}).encode(),
                headers={"Content-Type": "application/json"},
            )
        )
        body = json.loads(raw.read())

    assert completion.object == "chat.completion"
    assert completion.model == "planner-x"
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].message.content == "hello"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.total_tokens == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens
    )
    assert set(body) == {"id", "object", "created", "model", "choices", "usage"}
    assert body["id"].startswith("chatcmpl-") and isinstance(body["created"], int)
    assert set(body["choices"][0]) == {"index", "message", "logprobs", "finish_reason"}
    assert set(body["usage"]) == {"prompt_tokens", "completion_tokens", "total_tokens"}

    request = server.requests[0]
    assert request.model == "planner-x"
    assert request.body["temperature"] == 0
    assert request.api_key == "EMPTY"
    assert request.texts() == ["You are a GUI agent.", "Task: book a flight"]
    assert request.last_user_text() == "Task: book a flight"
    image = request.last_image()
    assert isinstance(image, Image.Image) and image.size == (64, 32)
    assert request.last_image_size() == (64, 32)
    assert len(server.requests) == 2


def test_images_are_decoded_in_order_and_undecodable_ones_stay_bytes() -> None:
    junk = "data:image/png;base64," + base64.b64encode(b"not a png").decode()
    request = ChatRequest(
        body={
            "messages": [
                user_message("first", png_data_url(10, 10)),
                {"role": "assistant", "content": "ok"},
                user_message("second", png_data_url(20, 10), "https://example.com/x.png", junk),
            ]
        }
    )
    images = request.images()
    assert [img.size for img in images if isinstance(img, Image.Image)] == [(10, 10), (20, 10)]
    assert images[-1] == b"not a png" and request.last_image() == b"not a png"
    assert request.texts() == ["first", "ok", "second"]
    assert request.last_user_text() == "second"
    assert len(request.image_urls()) == 4
    with pytest.raises(LookupError):
        ChatRequest(body={"messages": [{"role": "user", "content": "no image"}]}).last_image()


def test_models_endpoint_lists_the_model() -> None:
    with FakeChatServer(lambda request: "", model="osunlp/UGround-V1-7B") as server:
        client = client_for(server)
        models = client.models.list()
        assert [m.id for m in models.data] == ["osunlp/UGround-V1-7B"]
        assert client.models.retrieve("osunlp/UGround-V1-7B").id == "osunlp/UGround-V1-7B"
        with pytest.raises(openai.NotFoundError):
            client.models.retrieve("other")


def test_tool_calls_reply() -> None:
    reply = FakeReply(
        content="Thought: the To field is empty",
        tool_calls=[FakeToolCall("type", {"text": "Zürich 東京", "target": "the To text field"})],
    )
    with FakeChatServer(lambda request: reply) as server:
        completion = client_for(server).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "go"}]
        )
    message = completion.choices[0].message
    assert completion.choices[0].finish_reason == "tool_calls"
    assert message.content == "Thought: the To field is empty"
    assert message.tool_calls is not None and len(message.tool_calls) == 1
    call = message.tool_calls[0]
    assert call.type == "function" and call.id
    assert call.function.name == "type"
    assert json.loads(call.function.arguments) == {
        "text": "Zürich 東京",
        "target": "the To text field",
    }


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, openai.AuthenticationError),
        (403, openai.PermissionDeniedError),
        (404, openai.NotFoundError),
        (429, openai.RateLimitError),
        (500, openai.InternalServerError),
        (503, openai.InternalServerError),
    ],
)
def test_forced_http_status(status: int, error: type[openai.APIStatusError]) -> None:
    server = FakeChatServer(lambda request: FakeReply.http_error(status, "nope"))
    with server, pytest.raises(error) as info:
        client_for(server).chat.completions.create(model="m", messages=[])
    assert info.value.status_code == status
    assert "nope" in str(info.value)


def test_status_script_forces_the_first_statuses_then_answers() -> None:
    with FakeChatServer(lambda request: "finally", status_script=[503, 200, 500]) as server:
        client = client_for(server)  # no retries: each request sees its own status
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="m", messages=[])
        assert client.chat.completions.create(model="m", messages=[]).choices[0].message.content
        with pytest.raises(openai.InternalServerError, match="status_script"):
            client.chat.completions.create(model="m", messages=[])
        completion = client.chat.completions.create(model="m", messages=[])
    assert completion.choices[0].message.content == "finally"
    assert len(server.requests) == 4


def test_api_key_and_model_checks() -> None:
    with FakeChatServer(lambda r: "ok", model="real", api_key="sk-good", check_model=True) as s:
        with pytest.raises(openai.AuthenticationError):
            client_for(s, api_key="sk-bad").chat.completions.create(model="real", messages=[])
        with pytest.raises(openai.NotFoundError, match="does not exist"):
            client_for(s, api_key="sk-good").chat.completions.create(model="other", messages=[])
        ok = client_for(s, api_key="sk-good").chat.completions.create(model="real", messages=[])
    assert ok.choices[0].message.content == "ok"


def test_scripted_replies_in_order_then_a_clear_500() -> None:
    with FakeChatServer(scripted(["one", FakeReply(content="two")])) as server:
        client = client_for(server)
        answers = [
            client.chat.completions.create(model="m", messages=[]).choices[0].message.content
            for _ in range(2)
        ]
        with pytest.raises(openai.InternalServerError, match="script exhausted"):
            client.chat.completions.create(model="m", messages=[])
    assert answers == ["one", "two"]


def test_a_failing_reply_function_answers_500_with_its_message() -> None:
    def reply(request: ChatRequest) -> str:
        raise KeyError("no such widget")

    with FakeChatServer(reply) as server, pytest.raises(openai.InternalServerError) as info:
        client_for(server).chat.completions.create(model="m", messages=[])
    assert "no such widget" in str(info.value)


def test_streaming_answers_one_chunk_stream() -> None:
    with FakeChatServer(lambda request: "streamed text") as server:
        stream = client_for(server).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        chunks = list(stream)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == "streamed text"
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_uground_description_extraction() -> None:
    prompt = UGROUND_PROMPT.format(description="the Search flights button")
    assert uground_description(prompt) == "the Search flights button"
    assert uground_description("Description: x\n\nAnswer:") == "x"
    assert uground_description("no prompt here") is None


@pytest.mark.parametrize(
    ("size", "origin", "screen_point", "expected"),
    [
        ((1280, 800), (0, 0), (640, 400), "(500, 500)"),
        ((1920, 1080), (0, 0), (96, 1079), "(50, 999)"),
        ((1024, 800), (1280, 0), (1280 + 512, 200), "(500, 250)"),
        ((1280, 800), (0, 0), (0, 0), "(0, 0)"),
    ],
)
def test_uground_reply_normalises_to_thousandths_of_the_sent_image(
    size: tuple[int, int], origin: tuple[int, int], screen_point: tuple[int, int], expected: str
) -> None:
    seen: list[str] = []

    def locate(description: str) -> tuple[float, float]:
        seen.append(description)
        return screen_point

    with FakeChatServer(uground_reply_from(locate, monitor_origin=origin)) as server:
        completion = client_for(server).chat.completions.create(
            model="osunlp/UGround-V1-7B",
            messages=[
                user_message(
                    UGROUND_PROMPT.format(description="the To text field"), png_data_url(*size)
                )
            ],
        )
    assert completion.choices[0].message.content == expected
    assert seen == ["the To text field"]


def test_uground_reply_without_a_description_is_a_clear_500() -> None:
    server = FakeChatServer(uground_reply_from(lambda d: (0, 0)))
    with server, pytest.raises(openai.InternalServerError, match="not a UGround prompt"):
        client_for(server).chat.completions.create(
            model="m", messages=[user_message("click it", png_data_url(8, 8))]
        )


def test_latency_is_applied() -> None:
    with FakeChatServer(lambda request: "slow", latency=0.2) as server:
        started = time.monotonic()
        client_for(server).chat.completions.create(model="m", messages=[])
        assert time.monotonic() - started >= 0.2


def test_requests_are_fast_on_a_kept_alive_connection() -> None:
    """Nagle disabled: no ~48 ms delayed-ACK stall per request."""
    with FakeChatServer(lambda request: "x") as server:
        client = client_for(server)
        client.chat.completions.create(model="m", messages=[])  # warm up the connection
        durations = []
        for _ in range(15):
            started = time.perf_counter()
            client.chat.completions.create(
                model="m", messages=[user_message("x" * 5000, png_data_url(32, 32))]
            )
            durations.append(time.perf_counter() - started)
    assert statistics.median(durations) < 0.03, durations


def test_concurrent_requests_are_all_recorded() -> None:
    with FakeChatServer(lambda request: request.last_user_text().upper()) as server:
        client = client_for(server)
        answers: dict[int, str | None] = {}

        def ask(i: int) -> None:
            completion = client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": f"n{i}"}]
            )
            answers[i] = completion.choices[0].message.content

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answers == {i: f"N{i}" for i in range(12)}
    assert sorted(r.last_user_text() for r in server.requests) == sorted(f"n{i}" for i in range(12))


def test_lifecycle() -> None:
    server = FakeChatServer(lambda request: "x")
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.base_url
    server.start()
    assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
    port = server.port
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(openai.APIConnectionError):
        openai.OpenAI(
            base_url=f"http://127.0.0.1:{port}/v1", api_key="x", max_retries=0, timeout=2
        ).chat.completions.create(model="m", messages=[])


def test_stop_cuts_kept_alive_connections() -> None:
    server = FakeChatServer(lambda request: "x").start()
    client = client_for(server)
    client.chat.completions.create(model="m", messages=[])  # opens a keep-alive connection
    server.stop()
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(model="m", messages=[])


def test_a_reply_function_can_stop_its_server_mid_request() -> None:
    first = scripted(["the only answer"])

    def reply(request: ChatRequest) -> str | FakeReply:
        try:
            return first(request)
        except ScriptExhausted:
            server.stop()  # dies while answering: the client sees a dropped connection
            return "never delivered"

    server = FakeChatServer(reply).start()
    client = client_for(server, max_retries=1)
    assert client.chat.completions.create(model="m", messages=[]).choices[0].message.content
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(model="m", messages=[])
    assert len(server.requests) == 2
