"""OpenAIPlanner against a fake OpenAI-compatible server over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from actions import Click, Point, builtin_registry, default_registry
from agent.errors import InvalidReplyError, ModelAccessError, ModelServerError
from agent.planning.planner import OpenAIPlanner, PastStep, downscale
from agent.records import StepRecord
from agent.run.loop import Loop
from agent.testing import DryRunExecutor, MemoryRecorder, StaticScreen
from agent.testing.fake_server import FakeChatServer, FakeReply, FakeToolCall, scripted
from tests.unit_helpers import client_for, reply_json, screenshot

CLICK_OK = reply_json({"name": "click", "target": "the OK button"})


def planner_for(server: FakeChatServer, **options: object) -> OpenAIPlanner:
    return OpenAIPlanner(client_for(server), "planner-model", builtin_registry(),
                         **options)  # type: ignore[arg-type]


def history(count: int) -> list[PastStep]:
    colors = ["red", "green", "blue", "yellow", "black", "gray"]
    return [
        PastStep(StepRecord(index=i, instruction=f"instruction number {i}",
                            action={"name": "wait", "seconds": 0}),
                 screenshot(1280, 800, color=colors[i % len(colors)]).png())
        for i in range(1, count + 1)
    ]


def test_a_valid_reply_is_parsed_and_the_request_is_as_expected() -> None:
    with FakeChatServer(scripted([CLICK_OK])) as server:
        result = planner_for(server).plan("book a flight", [], screenshot(), [])
    reply = result.reply
    assert isinstance(reply.action, Click) and reply.action.target == "the OK button"
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0

    [request] = server.requests
    assert request.model == "planner-model"
    assert request.body["temperature"] == 0
    system, task, current = request.messages  # no past steps: no turns between them
    assert system["role"] == "system"
    for spec in builtin_registry():
        assert spec.signature() in system["content"]
    assert task["role"] == current["role"] == "user"
    assert "book a flight" in task["content"]
    assert "None yet: this is the first step." in request.last_user_text()
    assert len(request.images()) == 1 and request.last_image_size() == (1280, 800)


def test_a_tool_call_reply_is_accepted() -> None:
    answer = FakeReply(content="Observation: a form\nThought: go\nInstruction: click OK",
                       tool_calls=[FakeToolCall("click", {"target": "OK", "button": "right"})])
    with FakeChatServer(scripted([answer])) as server:
        reply = planner_for(server).plan("t", [], screenshot(), []).reply
    assert isinstance(reply.action, Click) and reply.action.button == "right"
    assert reply.thought == "go" and reply.instruction == "click OK"


def test_an_invalid_reply_is_sent_back_with_the_validation_error() -> None:
    bad = reply_json({"name": "click", "target": "OK", "button": "sideways"})
    with FakeChatServer(scripted([bad, CLICK_OK])) as server:
        result = planner_for(server).plan("t", [], screenshot(), [])
    assert isinstance(result.reply.action, Click)

    first, second = server.requests
    assert "sideways" not in first.text()
    assert second.messages[:3] == first.messages  # the re-ask repeats the request, then adds
    assistant, reask = second.messages[3:]
    assert assistant == {"role": "assistant", "content": bad}
    assert reask["role"] == "user"
    assert "invalid arguments for click" in reask["content"]
    assert "button" in reask["content"]
    assert result.usage.completion_tokens > 1  # both answers counted
    [why] = result.reasked
    assert "invalid arguments for click" in why


def test_a_reply_without_json_is_re_asked_saying_so() -> None:
    with FakeChatServer(scripted(["I would click OK.", CLICK_OK])) as server:
        planner_for(server).plan("t", [], screenshot(), [])
    assert "no JSON object" in server.requests[1].last_user_text()


def test_replies_that_stay_invalid_raise_invalid_reply_error_after_the_bounded_re_asks() -> None:
    with FakeChatServer(scripted(["nope"] * 10)) as server:
        with pytest.raises(InvalidReplyError) as info:
            planner_for(server, reasks=2).plan("t", [], screenshot(), [])
        assert len(server.requests) == 3
    assert info.value.exit_code == 3
    assert "2 re-asks" in str(info.value) and "no JSON object" in str(info.value)


def test_zero_re_asks_gives_up_after_one_request() -> None:
    with FakeChatServer(scripted(["nope"] * 10)) as server:
        with pytest.raises(InvalidReplyError):
            planner_for(server, reasks=0).plan("t", [], screenshot(), [])
        assert len(server.requests) == 1


def test_a_server_error_is_a_model_server_error() -> None:
    server = FakeChatServer(scripted([FakeReply.http_error(500, "CUDA out of memory")]))
    with server, pytest.raises(ModelServerError) as info:
        planner_for(server).plan("t", [], screenshot(), [])
    assert info.value.exit_code == 3 and "planner" in str(info.value)


def test_a_refused_key_is_a_model_access_error() -> None:
    server = FakeChatServer(scripted([CLICK_OK]), api_key="sk-right")
    with server, pytest.raises(ModelAccessError) as info:
        planner_for(server).plan("t", [], screenshot(), [])
    assert info.value.exit_code == 2


@pytest.mark.parametrize("count, limit, expected_images", [
    (4, 2, 3), (4, 0, 1), (1, 2, 2), (0, 2, 1), (5, 10, 6),
])
def test_history_screenshots_are_limited_to_history_images(
    count: int, limit: int, expected_images: int
) -> None:
    # history_batch=1: no screenshots beyond `history` kept for the prompt cache's sake
    with FakeChatServer(scripted([CLICK_OK])) as server:
        planner_for(server, history_images=limit, history_batch=1).plan(
            "t", history(count), screenshot(), [])
    [request] = server.requests
    assert len(request.images()) == expected_images
    text = request.text()  # each past step is its own message now
    for i in range(1, count + 1):  # the text of every past step is kept
        assert f"instruction number {i}" in text


def test_the_most_recent_history_screenshots_are_sent_in_order() -> None:
    with FakeChatServer(scripted([CLICK_OK])) as server:
        planner_for(server, history_images=2, history_batch=1).plan("t", history(4),
                                                                    screenshot(), [])
    images = server.requests[0].images()
    colors = [image.convert("RGB").getpixel((5, 5)) for image in images]  # type: ignore[union-attr]
    assert colors == [(255, 255, 0), (0, 0, 0), (255, 255, 255)]  # steps 3, 4, then current
    texts = server.requests[0].texts()
    assert "Screenshot before step 3:" in texts and "Screenshot before step 4:" in texts
    assert "Screenshot before step 2:" not in texts
    assert "Screenshot before step 5:" in texts  # the current one: step 5 is decided now


def test_notes_reach_the_prompt() -> None:
    with FakeChatServer(scripted([CLICK_OK])) as server:
        planner_for(server).plan("t", [], screenshot(), ["The user rejected step 1: wrong one"])
    assert "The user rejected step 1: wrong one" in server.requests[0].last_user_text()


def test_planner_max_pixels_downscales_the_sent_image() -> None:
    with FakeChatServer(scripted([CLICK_OK])) as server:
        planner_for(server, max_pixels=320 * 200).plan("t", history(1), screenshot(1280, 800),
                                                       [])
    [request] = server.requests
    sizes = [image.size for image in request.images()]  # type: ignore[union-attr]
    assert sizes == [(320, 200), (320, 200)]  # the history screenshot too
    assert "320x200" in request.last_user_text()


def test_a_point_in_the_downscaled_image_comes_back_in_screenshot_pixels() -> None:
    reply = reply_json({"name": "drag", "source": {"x": 160, "y": 100},
                        "destination": "the Trash"})
    with FakeChatServer(scripted([reply])) as server:
        result = planner_for(server, max_pixels=320 * 200).plan("t", [], screenshot(1280, 800),
                                                                [])
    targets = result.reply.action.targets()
    assert targets == {"source": Point(x=640, y=400), "destination": "the Trash"}


def test_without_max_pixels_a_point_is_kept_as_given() -> None:
    reply = reply_json({"name": "click", "target": {"x": 160, "y": 100}})
    with FakeChatServer(scripted([reply])) as server:
        result = planner_for(server).plan("t", [], screenshot(1280, 800), [])
    assert result.reply.action.targets() == {"target": Point(x=160, y=100)}


def test_downscale_keeps_the_aspect_and_the_pixel_budget() -> None:
    image = screenshot(1920, 1080).image
    assert downscale(image, None) is image
    assert downscale(image, 1920 * 1080) is image
    small = downscale(image, 1_000_000)
    assert small.width * small.height <= 1_000_000
    assert abs(small.width / small.height - 1920 / 1080) < 0.01
    assert small.width > 1300


def test_history_text_includes_errors_and_outcomes() -> None:
    steps: Sequence[PastStep] = [
        PastStep(StepRecord(index=1, action={"name": "click", "target": "Go"}, status="error",
                            error="no target found for 'Go'")),
        PastStep(StepRecord(index=2, action={"name": "ask_user", "question": "?"},
                            outcome="The user answered: 1234")),
    ]
    with FakeChatServer(scripted([CLICK_OK])) as server:
        planner_for(server).plan("t", steps, screenshot(), [])
    text = server.requests[0].text()  # each past step is its own message now
    assert "no target found for 'Go'" in text and "The user answered: 1234" in text
    assert json.dumps({"name": "click", "target": "Go"}) in text


def test_replies_that_stay_invalid_still_count_in_the_run_usage() -> None:
    # Budgets must see what invalid replies cost: the record keeps their tokens.
    with FakeChatServer(lambda request: "no JSON here") as server:
        planner = OpenAIPlanner(client_for(server), "m", default_registry, reasks=2)
        loop = Loop(screen=StaticScreen(), planner=planner, grounder=None,
                    executor=DryRunExecutor(), recorder=MemoryRecorder(),
                    registry=default_registry)
        outcome = loop.run("t", ["agent"], {})
    assert outcome.exit_code == 3
    assert len(server.requests) == 3
    assert outcome.record.usage.planner.prompt_tokens > 0
    assert outcome.record.usage.planner.completion_tokens > 0
