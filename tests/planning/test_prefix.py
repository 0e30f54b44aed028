"""Planner requests that prompt caches reuse: each begins with the one before it (issue 12)."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from actions import builtin_registry
from agent.llm import _cached_tokens
from agent.planning.planner import OpenAIPlanner, PastStep, PlanResult, shown_screenshots
from agent.records import StepRecord
from agent.testing.chat import ChatRequest
from agent.testing.fake_server import FakeChatServer, scripted
from tests.unit_helpers import client_for, reply_json, screenshot

CLICK_OK = reply_json({"name": "click", "target": "the OK button"})
COLORS = ["red", "green", "blue", "yellow", "black", "gray", "white"]


def run_steps(count: int, keep: int = 2, batch: int = 5, max_pixels: int | None = None
              ) -> tuple[list[ChatRequest], list[PlanResult]]:
    """`count` steps of one task, each seeing another screen; the requests and the results."""
    with FakeChatServer(scripted([CLICK_OK] * count), prefix_cache=True) as server:
        planner = OpenAIPlanner(client_for(server), "m", builtin_registry(),
                                history_images=keep, history_batch=batch,
                                max_pixels=max_pixels)
        past: list[PastStep] = []
        results = []
        for index in range(1, count + 1):
            shot = screenshot(color=COLORS[index % len(COLORS)])
            results.append(planner.plan("book a flight", past, shot, []))
            record = StepRecord(index=index, instruction=f"instruction number {index}",
                                action={"name": "click", "target": "the OK button"})
            past.append(PastStep(record, shot.png()))
        return server.requests, results


def repeats(previous: ChatRequest, current: ChatRequest) -> bool:
    """`current` begins with every message of `previous` but the last, then the last one's
    opening: the current screenshot, which is the next step's screenshot."""
    *before, last = previous.messages
    following = current.messages[len(before)]
    return (current.messages[:len(before)] == before
            and following["content"][:2] == last["content"][:2])


def past_images(request: ChatRequest) -> int:
    return len(request.image_urls()) - 1  # the last one is the current screen


@pytest.mark.parametrize("max_pixels", [None, 320 * 200])  # downscaled: the same bytes again
def test_each_request_repeats_the_previous_one_except_where_a_batch_is_dropped(
    max_pixels: int | None,
) -> None:
    requests, _ = run_steps(16, keep=2, batch=5, max_pixels=max_pixels)
    drops = []
    for number, (previous, current) in enumerate(itertools.pairwise(requests), start=2):
        if past_images(current) > past_images(previous):  # nothing dropped: a pure extension
            assert repeats(previous, current), number
            continue
        drops.append(number)
        assert not repeats(previous, current)
        # all the same up to the first step whose screenshot went: system, task, text-only steps
        first_dropped = next(i for i, m in enumerate(previous.messages)
                             if m != current.messages[i])
        assert previous.messages[first_dropped]["content"][1]["type"] == "image_url"
        assert first_dropped >= 2
    # 2 past screenshots kept, 5 dropped at once: drops when the 7th and 12th would be shown
    assert drops == [8, 13]
    assert [past_images(r) for r in requests] == [0, 1, 2, 3, 4, 5, 6, 2, 3, 4, 5, 6, 2,
                                                  3, 4, 5]


def test_every_step_is_its_own_message_in_order_and_the_current_screen_is_last() -> None:
    requests, _ = run_steps(4)
    last = requests[-1]
    system, task, *steps, current = last.messages
    assert system["role"] == "system" and "book a flight" in task["content"]
    assert [m["content"][-1]["text"].split(":")[0] for m in steps] == [
        "Step 1", "Step 2", "Step 3"]
    assert all("instruction number" in m["content"][-1]["text"] for m in steps)
    assert current["content"][0]["text"] == "Screenshot before step 4:"
    assert current["content"][1]["type"] == "image_url"
    assert "Reply with one JSON object." in current["content"][2]["text"]
    assert last.last_image_size() == (1280, 800)


@pytest.mark.parametrize("keep", [0, 1, 2, 3])
@pytest.mark.parametrize("batch", [1, 3, 5])
def test_at_least_history_screenshots_and_at_most_batch_minus_one_more(keep: int,
                                                                       batch: int) -> None:
    steps: list[PastStep] = []
    for index in range(1, 20):
        shown = shown_screenshots(steps, keep, batch)
        recent = list(range(len(steps)))[-keep:] if keep else []
        assert set(recent) <= set(shown)  # the last `keep` are always there
        assert shown == list(range(len(steps) - len(shown), len(steps)))  # the latest, in order
        assert len(shown) <= (keep + batch - 1 if keep else 0)
        steps.append(PastStep(StepRecord(index=index), b"png"))


def test_steps_without_a_screenshot_are_not_counted() -> None:
    steps = [PastStep(StepRecord(index=i), b"png" if i % 2 else None) for i in range(1, 8)]
    assert shown_screenshots(steps, 2, 1) == [4, 6]  # steps 5 and 7


def test_the_requests_show_the_last_history_screenshots() -> None:
    requests, _ = run_steps(9, keep=3, batch=3)
    for number, request in enumerate(requests, start=1):
        texts = request.texts()
        for step in range(max(1, number - 3), number):
            assert f"Screenshot before step {step}:" in texts, (number, step)
        assert min(number - 1, 3) <= past_images(request) <= 5


def test_cached_tokens_reported_by_the_server_are_counted() -> None:
    requests, results = run_steps(4)
    assert results[0].usage.cached_tokens == 0
    for previous, result in zip(requests, results[1:], strict=False):
        # at least the previous request's screenshots (85 tokens each at the fake) were cached
        assert result.usage.cached_tokens >= 85 * len(previous.image_urls())
        assert result.usage.cached_tokens < result.usage.prompt_tokens


def test_no_cached_tokens_when_the_server_says_nothing_or_null() -> None:
    with FakeChatServer(scripted([CLICK_OK])) as server:
        result = OpenAIPlanner(client_for(server), "m", builtin_registry()).plan(
            "t", [], screenshot(), [])
    assert result.usage.cached_tokens == 0 and result.usage.prompt_tokens > 0
    assert _cached_tokens(SimpleNamespace(prompt_tokens_details=None)) == 0
    nothing = SimpleNamespace(prompt_tokens_details=SimpleNamespace(cached_tokens=None))
    assert _cached_tokens(nothing) == 0
    some = SimpleNamespace(prompt_tokens_details=SimpleNamespace(cached_tokens=1024))
    assert _cached_tokens(some) == 1024
