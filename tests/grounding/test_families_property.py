"""Whatever a model writes, a family yields a point on the screenshot or a ModelReplyError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.errors import ModelReplyError
from agent.grounding.families import FAMILIES

# Pieces of every family's answer formats, so that generated text often looks like an answer.
FRAGMENTS = [
    "(", ")", "[", "]", "[[", "]]", ",", ", ", " ", "\n", ".", "-", "=", "'", '"', "{", "}",
    "<|box_start|>", "<|box_end|>", "<|object_ref_start|>", "<|object_ref_end|>", "<ref>",
    "</ref>", "<box>", "</box>", "<point>", "</point>", "<bbox>", "</bbox>", "Action:",
    "Thought:", "click(start_box='", "click(point='", "<|recipient|>os", "pyautogui.click(",
    "pyautogui.moveTo(", "mobile.swipe(from_coord=", "x=", "y=", '"bbox_2d": ',
    '"coordinate": ', "<tool_call>", "</tool_call>", "1" * 400,
]
NUMBERS = st.one_of(
    st.integers(min_value=-100, max_value=6000).map(str),
    st.floats(min_value=-2, max_value=3000, allow_nan=False).map(lambda v: f"{v:.4g}"),
    st.floats(min_value=0, max_value=1.2).map(lambda v: f"{v:.2f}"),
    st.sampled_from(["0", "1000", "1", "999.9999", ".5", "5.", "+3", "1e5", "inf", "nan"]),
)
# Every documented answer shape, with arbitrary numbers and prose around it.
SHAPES = [
    "({},{})", "[{}, {}]", "[{}, {}, {}, {}]", "({},{},{},{})", "[[{},{}]]", "[[{},{},{},{}]]",
    "<|box_start|>({},{}),({},{})<|box_end|>", "<ref>a</ref><box>({},{}),({},{})</box>",
    "({},{}),({},{})", "Action: click(start_box='<|box_start|>({},{})<|box_end|>')",
    "Action: click(start_box='({},{})')", "click(point='<point>{} {}</point>')",
    "<bbox>{} {} {} {}</bbox>", '{{"bbox_2d": [{}, {}, {}, {}], "label": "x"}}',
    '<tool_call>{{"name": "computer_use", "arguments": {{"coordinate": [{}, {}]}}}}</tool_call>',
    "<|recipient|>os\npyautogui.click(x={}, y={})", "pyautogui.moveTo({}, {})",
    "mobile.swipe(from_coord=[{}, {}], to_coord=[{}, {}])",
]
SHAPED = st.builds(
    lambda before, shape, numbers, after: before + shape.format(*numbers) + after,
    st.text(max_size=20), st.sampled_from(SHAPES), st.lists(NUMBERS, min_size=4, max_size=4),
    st.text(max_size=20),
)
ANSWERS = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), NUMBERS, st.text(max_size=5)),
             max_size=30).map("".join),
    SHAPED,
    st.lists(SHAPED, min_size=2, max_size=3).map("\n".join),
)
SIZES = st.tuples(st.integers(min_value=50, max_value=4000),
                  st.integers(min_value=50, max_value=4000))


@pytest.mark.parametrize("name", sorted(FAMILIES))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=ANSWERS, size=SIZES)
def test_any_answer_gives_a_point_in_the_image_or_a_model_reply_error(
    name: str, answer: str, size: tuple[int, int]
) -> None:
    try:
        x, y = FAMILIES[name].to_original(answer, size)
    except ModelReplyError:
        return
    assert 0 <= x <= size[0]
    assert 0 <= y <= size[1]
