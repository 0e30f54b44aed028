"""Grounding: answer parsing, coordinate spaces, and ModelGrounder over real HTTP (UGround)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent import FAMILIES
from agent.errors import GroundingError, ModelReplyError
from agent.grounding.grounder import Family, ModelGrounder
from agent.grounding.points import parse_pair
from agent.testing.fake_server import ChatRequest, FakeChatServer, FakeReply, FakeToolCall, scripted
from tests.unit_helpers import UGROUND_PROMPT, client_for, screenshot

# ------------------------------------------------------------------ parse_pair


@pytest.mark.parametrize("text, point", [
    ("(500, 250)", (500.0, 250.0)),
    ("(12.75,3.5)", (12.75, 3.5)),
    ("[640, 400]", (640.0, 400.0)),
    ("The button is at (31, 977).", (31.0, 977.0)),
    ("x, y = 100, 200", (100.0, 200.0)),
    ("Answer: 12.5, 30", (12.5, 30.0)),
    ("640, 400", (640.0, 400.0)),
    ("( 0.17 , 0.06 )", (0.17, 0.06)),
    ("(10, 20) or maybe (30, 40)", (10.0, 20.0)),
    ("[1, 2] then (3, 4)", (1.0, 2.0)),
    ("(-5, 7)", (-5.0, 7.0)),
    # the number grammar every family shares: a bare fraction, a trailing point
    ("(500., 300.)", (500.0, 300.0)),
    ("[.5, .25]", (0.5, 0.25)),
    ("The element is at (.5,12.)", (0.5, 12.0)),
    ("Answer: .5, 30.", (0.5, 30.0)),
    ("x, y = 100., .25.", (100.0, 0.25)),
])
def test_parse_pair_takes_the_first_point(text: str, point: tuple[float, float]) -> None:
    assert parse_pair(text) == point


def test_parse_pair_prefers_a_bracketed_pair_over_bare_numbers() -> None:
    assert parse_pair("Step 1, 2: the answer is (300, 400)") == (300.0, 400.0)


@pytest.mark.parametrize("text", ["", "I cannot find it.", "(12)", "x=3 y=", "(a, b)",
                                  "There are 2, 3 red buttons", "(1e3, 5e2)",
                                  "(inf, nan)", "(., .)", "(5..3, 2)", "0x10, 2"])
def test_parse_pair_without_a_point_raises_model_reply_error(text: str) -> None:
    with pytest.raises(ModelReplyError, match="no \\(x, y\\) point"):
        parse_pair(text)


# ------------------------------------------------------------------ coordinate spaces


def family(space: str) -> Family:
    return Family(name=f"test-{space}", template="uground.j2", space=space,  # type: ignore[arg-type]
                  parse=parse_pair)


@pytest.mark.parametrize("space, point, expected", [
    ("norm1000", (500, 250), (640.0, 200.0)),
    ("norm1000", (0, 0), (0.0, 0.0)),
    ("norm1000", (1000, 1000), (1280.0, 800.0)),
    ("norm1", (0.5, 0.25), (640.0, 200.0)),
    ("norm1", (1, 0), (1280.0, 0.0)),
    ("pixels", (640.5, 200.25), (640.5, 200.25)),
    ("pixels", (1280, 800), (1280.0, 800.0)),
])
def test_to_image_pixels_converts_each_space(
    space: str, point: tuple[float, float], expected: tuple[float, float]
) -> None:
    assert family(space).to_image_pixels(point, (1280, 800)) == pytest.approx(expected)


@pytest.mark.parametrize("space, point", [
    ("norm1000", (1000.5, 10)), ("norm1000", (10, -1)), ("norm1", (1.2, 0.5)),
    ("norm1", (0.5, -0.01)), ("pixels", (1281, 10)), ("pixels", (10, 801)),
    ("norm1", (500, 250)),  # a 0-1000 answer from a family that answers 0-1
])
def test_to_image_pixels_rejects_points_outside_the_space(
    space: str, point: tuple[float, float]
) -> None:
    with pytest.raises(ModelReplyError, match="outside"):
        family(space).to_image_pixels(point, (1280, 800))


def test_uground_is_registered_as_a_0_to_1000_family() -> None:
    uground = FAMILIES["uground"]
    assert uground.space == "norm1000"
    assert uground.temperature == 0.0


# ------------------------------------------------------------------ ModelGrounder over HTTP


@pytest.fixture
def uground_server() -> Iterator[FakeChatServer]:
    with FakeChatServer(scripted(["(500, 250)"]), model="osunlp/UGround-V1-7B") as server:
        yield server


def test_model_grounder_sends_the_image_then_the_verbatim_uground_prompt(
    uground_server: FakeChatServer,
) -> None:
    grounder = ModelGrounder(client_for(uground_server), "osunlp/UGround-V1-7B",
                             FAMILIES["uground"])
    grounder.ground(screenshot(1280, 800), "the blue 'Search flights' button")
    [request] = uground_server.requests
    assert request.model == "osunlp/UGround-V1-7B"
    [message] = request.messages
    assert message["role"] == "user"
    kinds = [part["type"] for part in message["content"]]
    assert kinds == ["image_url", "text"]
    text = message["content"][1]["text"]
    assert text == UGROUND_PROMPT.format(description="the blue 'Search flights' button")
    assert text.endswith("Description: the blue 'Search flights' button\n\nAnswer:")
    assert request.body["temperature"] == 0
    assert request.last_image_size() == (1280, 800)


def test_model_grounder_converts_a_uground_answer_to_screenshot_pixels(
    uground_server: FakeChatServer,
) -> None:
    grounder = ModelGrounder(client_for(uground_server), "m", FAMILIES["uground"])
    grounding = grounder.ground(screenshot(1280, 800), "the OK button")
    assert grounding.point == pytest.approx((640.0, 200.0))
    assert grounding.raw == "(500, 250)"
    assert grounding.usage.prompt_tokens > 0 and grounding.usage.completion_tokens > 0


def test_model_grounder_clamps_an_edge_answer_inside_the_image() -> None:
    with FakeChatServer(scripted(["(1000, 1000)"])) as server:
        grounding = ModelGrounder(client_for(server), "m", FAMILIES["uground"]).ground(
            screenshot(1280, 800), "the bottom-right corner")
    assert grounding.point == (1279.0, 799.0)


@pytest.mark.parametrize("answer", ["I cannot see that element.", "(1500, 20)", ""])
def test_model_grounder_turns_an_unusable_answer_into_grounding_error(answer: str) -> None:
    with FakeChatServer(scripted([answer])) as server:
        grounder = ModelGrounder(client_for(server), "m", FAMILIES["uground"])
        with pytest.raises(GroundingError) as info:
            grounder.ground(screenshot(), "the OK button")
    assert "uground" in str(info.value) and "'the OK button'" in str(info.value)
    assert info.value.tokens[0] > 0, "the unusable answer's tokens were paid for"


class SettableAnswer:
    """A reply function whose answer the test sets before each request."""

    def __init__(self) -> None:
        self.answer = ""
        self.lock = threading.Lock()

    def __call__(self, request: ChatRequest) -> str:
        with self.lock:
            return self.answer


@pytest.fixture(scope="module")
def settable_grounder() -> Iterator[tuple[ModelGrounder, SettableAnswer]]:
    answer = SettableAnswer()
    with FakeChatServer(answer) as server:
        yield ModelGrounder(client_for(server), "m", FAMILIES["uground"]), answer


SHOT = screenshot(200, 100)  # small: the PNG is encoded once and shared by every request


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60) | st.builds(
    lambda a, b, junk: f"{junk}({a}, {b}){junk}",
    st.floats(-2000, 2000, allow_nan=False) | st.integers(-2000, 2000),
    st.floats(-2000, 2000, allow_nan=False) | st.integers(-2000, 2000),
    st.text(max_size=10),
))
def test_any_answer_gives_a_point_inside_the_image_or_grounding_error(
    settable_grounder: tuple[ModelGrounder, SettableAnswer], answer: str
) -> None:
    grounder, reply = settable_grounder
    reply.answer = answer
    try:
        grounding = grounder.ground(SHOT, "anything")
    except GroundingError:
        return
    x, y = grounding.point
    assert 0 <= x <= SHOT.size[0] - 1 and 0 <= y <= SHOT.size[1] - 1


def test_a_tool_call_the_server_parsed_out_of_the_text_is_read() -> None:
    """vLLM with a tool-call parser returns Qwen2.5-VL's <tool_call> as `tool_calls`."""
    call = FakeToolCall("computer_use", {"action": "left_click", "coordinate": [700, 350]})
    with FakeChatServer(scripted([FakeReply(content=None, tool_calls=[call])])) as server:
        grounder = ModelGrounder(client_for(server), "m", FAMILIES["qwen25vl"])
        grounding = grounder.ground(screenshot(1400, 700), "the OK button")
    assert grounding.point == pytest.approx((700.0, 350.0))
    assert grounding.raw.startswith('<tool_call>\n{"name": "computer_use", "arguments": {')
