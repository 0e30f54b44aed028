"""The 2025–26 grounder families (issue 11): documented answers, spaces, resizes, prompts.

Answers are written as each model's reference code or published outputs show them (sources in
agent/grounding/families.py and prompts/<family>*.j2). Conversions are checked against sizes and
scales computed here from the references, not from the runtime's tables.
"""

from __future__ import annotations

import pytest

from agent.errors import GroundingError, ModelReplyError
from agent.grounding.families import FAMILIES
from agent.grounding.grounder import ModelGrounder
from agent.grounding.points import TargetNotFound
from agent.testing.fake_server import ChatRequest, FakeChatServer
from tests.family_fakes import reference_smart_resize
from tests.unit_helpers import client_for, screenshot

RECENT = ["qwen3vl", "opencua", "gelato", "holo2", "uivenus15", "uivenus", "glm45v", "maiui",
          "infigui", "internvl", "gemini", "holo15", "phiground"]


@pytest.mark.parametrize("name, answer, point", [
    # Qwen3-VL: point_2d / bbox_2d JSON (cookbooks), a mobile_use tool call
    # (cookbooks/mobile_agent.ipynb output), a thinking model's answer after </think>
    ("qwen3vl", '[{"point_2d": [346, 328], "label": "person"}]', (346, 328)),
    ("qwen3vl", '```json\n[{"bbox_2d": [100, 200, 300, 400], "label": "x"}]\n```', (200, 300)),
    ("qwen3vl", '<tool_call>\n{"name": "mobile_use", "arguments": {"action": "click", '
                '"coordinate": [447, 81]}}\n</tool_call>', (447, 81)),
    ("qwen3vl", '{"x": 120, "y": 640}', (120, 640)),
    ("qwen3vl", "<think>Rows 3 and 4: [1, 2].</think>\n[500, 600]", (500, 600)),
    # OpenCUA: its action code after the monologue
    ("opencua", "## Action:\nOpen the filter.\n\n## Code:\n```python\n"
                "pyautogui.click(x=1430, y=340)\n```", (1430, 340)),
    # Gelato: published log evaluation/logs/grounding_eval_osworld-g-gelato-30b.json
    ("gelato", "(745, 315)", (745, 315)),
    ("uivenus", "[100,200,300,400]", (200, 300)),
    ("uivenus15", "[500,300]", (500, 300)),
    ("uivenus15", "[100, 200, 300, 400]", (200, 300)),
    ("uivenus15", "[100,200],[300,400]", (200, 300)),
    # Holo1.5 / Holo2 cookbook outputs: ClickAbsoluteAction(x=342, y=345), ClickCoordinates
    ("holo15", '{"action": "click_absolute", "x": 342, "y": 345}', (342, 345)),
    ("holo2", '{"x": 240, "y": 490}', (240, 490)),
    ("holo2", '<think>x 1, y 2</think>{"x": 240, "y": 490}', (240, 490)),
    # GLM: box tokens after thinking; the same with special tokens skipped; a point
    ("glm45v", "<think>At (12, 13) maybe.</think><answer><|begin_of_box|>[[100,200,300,400]]"
               "<|end_of_box|></answer>", (200, 300)),
    ("glm45v", "<think>no</think><answer>[[100,200,300,400]]</answer>", (200, 300)),
    ("glm45v", "<|begin_of_box|>[500, 600]<|end_of_box|>", (500, 600)),
    # MAI-UI: published evaluation/grounding/output_server/SSV2.jsonl raw_response
    ("maiui", '<grounding_think>\nThought: the "Language" item [1,2].\n</grounding_think>\n'
              '<answer>\n{"coordinate":[186,63]}\n</answer>', (186, 63)),
    # InfiGUI-G1: the first point_2d after </think>
    ("infigui", '<think>Maybe [3, 4].</think>\n[{"point_2d": [512, 300]}, {"point_2d": [9, 9]}]',
     (512, 300)),
    # InternVL: <ref>…</ref><box>[[…]]</box>; the reference text may hold numbers
    ("internvl", "<ref>the 2nd [1, 2] tab</ref><box>[[100, 200, 300, 400]]</box>", (200, 300)),
    ("internvl", "[[500, 600]]", (500, 600)),
    # Phi-Ground: tags first (CUActSpot parsing.py), commas or spaces
    ("phiground", "<bbox>100, 200, 300, 400</bbox>", (200, 300)),
    ("phiground", "<point>500 600</point>", (500, 600)),
    ("phiground", "<box>100,200,300,400</box>", (200, 300)),
])
def test_documented_answers(name: str, answer: str, point: tuple[float, float]) -> None:
    assert FAMILIES[name].parse(answer) == point


@pytest.mark.parametrize("answer, point", [
    # Gemini writes y first: a point [y, x] and a box_2d [ymin, xmin, ymax, xmax] (docs)
    ('```json\n[{"point": [600, 250], "label": "button"}]\n```', (250, 600)),
    ('[{"box_2d": [100, 200, 300, 600], "label": "button"}]', (400, 200)),
])
def test_gemini_reads_y_first(answer: str, point: tuple[float, float]) -> None:
    assert FAMILIES["gemini"].read(answer) == point
    assert FAMILIES["gemini"].to_original(answer, (2000, 1000)) == (point[0] * 2, point[1])


def test_gemini_checks_each_axis_of_a_box_against_its_own_side() -> None:
    # box_2d [ymin, xmin, ymax, xmax] = x 0…500 and y 10…30: in range however read
    assert FAMILIES["gemini"].to_original('{"box_2d": [10, 0, 30, 500]}', (1000, 1000)) == (
        250, 20)
    with pytest.raises(ModelReplyError, match=r"the box \(0, 10, 1200, 30\) reaches outside"):
        FAMILIES["gemini"].to_original('{"box_2d": [10, 0, 30, 1200]}', (1000, 1000))


@pytest.mark.parametrize("name, answer", [
    ("uivenus15", "[-1,-1]"), ("uivenus15", " [-1, -1]\n"), ("gelato", "refusal"),
    ("gelato", "Refusal: the element is not visible."), ("infigui", "<think>none</think>\n[]"),
])
def test_answers_meaning_not_on_the_screen_are_not_found(name: str, answer: str) -> None:
    with pytest.raises(TargetNotFound, match="not found"):
        FAMILIES[name].to_original(answer, (1920, 1080))


@pytest.mark.parametrize("name", RECENT)
@pytest.mark.parametrize("answer", ["", "I cannot see it.", "(12)", "[1, 2, 3]"])
def test_an_answer_without_a_point_is_a_model_reply_error(name: str, answer: str) -> None:
    with pytest.raises(ModelReplyError, match=r"no .* in the answer"):
        FAMILIES[name].parse(answer)


# Each family's resize from its reference, and the answer's unit along an axis of the sent image.
REFERENCE = {  # factor, min_pixels, max_pixels; None: the image goes as captured
    "qwen3vl": (32, 65536, 16777216), "opencua": (28, 3136, 12845056),
    "gelato": (32, 4096, 10_000_000), "holo2": (32, 65536, 16777216), "uivenus15": None,
    "uivenus": (28, 2_000_000, 4_800_000), "glm45v": None, "maiui": (32, 1024, 6553600),
    "infigui": (28, 3136, 12845056), "holo15": (28, 3136, 1003520), "internvl": None,
    "gemini": None,
}
LIMIT = {"qwen3vl": 1000, "gelato": 1000, "holo2": 1000, "uivenus15": 1000, "glm45v": 1000,
         "maiui": 1000, "internvl": 1000, "gemini": 1000}
SIZES = [(1280, 800), (1920, 1080), (2880, 1800), (1531, 977)]


def reference_sent(name: str, size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    # InfiGUI-G1: eval/data.py resize_image to 5600·28² pixels first
    if name == "infigui" and width * height > 5600 * 28 * 28:
        scale = (5600 * 28 * 28 / (width * height)) ** 0.5
        width, height = round(width * scale), round(height * scale)
    spec = REFERENCE[name]
    if spec is None:
        return size
    h, w = reference_smart_resize(height, width, *spec)
    return w, h


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", [name for name in RECENT if name != "phiground"])
def test_answers_convert_to_screenshot_pixels(name: str, size: tuple[int, int]) -> None:
    family = FAMILIES[name]
    sent = reference_sent(name, size)
    assert family.sent_size(size) == sent
    limit = LIMIT.get(name)
    answer = (431, 287)  # in the family's space
    expected = ((answer[0] / limit * size[0], answer[1] / limit * size[1]) if limit else
                (answer[0] * size[0] / sent[0], answer[1] * size[1] / sent[1]))
    raw = {
        "opencua": "pyautogui.click(x=431, y=287)", "gelato": "(431, 287)",
        "uivenus": "[421,277,441,297]", "holo15": '{"x": 431, "y": 287}',
        "holo2": '{"x": 431, "y": 287}', "glm45v": "<|begin_of_box|>[[421,277,441,297]]"
        "<|end_of_box|>", "maiui": '<answer>{"coordinate": [431, 287]}</answer>',
        "infigui": '[{"point_2d": [431, 287]}]', "gemini": '[{"point": [287, 431]}]',
        "internvl": "<box>[[421, 277, 441, 297]]</box>",
    }.get(name, "[431, 287]")
    assert family.to_original(raw, size) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("size, content", [  # the README's process_image, by hand
    ((1280, 800), (1008, 630)), ((1920, 1080), (1008, 567)), ((2880, 1800), (1008, 630)),
    ((1531, 977), (1008, 643)), ((800, 1280), (420, 672)),
])
def test_phiground_maps_back_from_its_padded_canvas(
        size: tuple[int, int], content: tuple[int, int]) -> None:
    family = FAMILIES["phiground"]
    assert family.sent_size(size) == (1008, 672)
    scale = content[0] / size[0]  # reshape_ratio: from the width, for both axes
    point = family.to_original("<bbox>200, 277, 220, 297</bbox>", size)
    assert point == pytest.approx((210 / 1000 * 1008 / scale, 287 / 1000 * 672 / scale))


def test_phiground_sends_the_instruction_then_its_canvas() -> None:
    with FakeChatServer(lambda request: "<point>100, 100</point>") as server:
        ModelGrounder(client_for(server), "m", FAMILIES["phiground"]).ground(
            screenshot(1920, 1080, color="black"), D)
    request = server.requests[0]
    assert _user_parts(request) == [
        f"The description of the element: \n{D}\n\nLocate the above described element in the "
        "image. The output should be bounding box using relative coordinates multiplying 1000.",
        "<image>"]
    image = request.last_image()
    assert not isinstance(image, bytes) and image.size == (1008, 672)
    assert image.convert("RGB").getpixel((1000, 560)) == (0, 0, 0)  # the screenshot, scaled
    assert image.convert("RGB").getpixel((1000, 570)) == (255, 255, 255)  # the white pad


def test_published_points_reproduce() -> None:
    # Gelato's log: "(745, 315)" on 1920×1080 → predicted_click [1430.4, 340.2]
    assert FAMILIES["gelato"].to_original("(745, 315)", (1920, 1080)) == pytest.approx(
        (1430.4, 340.2))
    # MAI-UI's SSV2 output: [186,63] on 960×540; its evaluator divides by 1000 → [178.56, 34.02]
    # (its agent code by 999; the published outputs win, tests/grounding/published/README.md)
    raw = '<answer>\n{"coordinate":[186,63]}\n</answer>'
    assert FAMILIES["maiui"].to_original(raw, (960, 540)) == pytest.approx((178.56, 34.02))


@pytest.mark.parametrize("name", ["qwen3vl", "holo2", "maiui", "glm45v", "uivenus15"])
def test_points_outside_the_range_are_rejected(name: str) -> None:
    raw = {"holo2": '{"x": 1001, "y": 5}', "maiui": "<answer>[1001, 5]</answer>",
           "glm45v": "<|begin_of_box|>[1001, 5]<|end_of_box|>"}.get(name, "[1001, 5]")
    with pytest.raises(ModelReplyError, match="outside"):
        FAMILIES[name].to_original(raw, (1920, 1080))


# ------------------------------------------------------------------ prompts over real HTTP

D = "the blue 'Search flights' button."


def _request(name: str, answer: str, size: tuple[int, int] = (1920, 1080)) -> ChatRequest:
    with FakeChatServer(lambda request: answer) as server:
        ModelGrounder(client_for(server), "m", FAMILIES[name]).ground(screenshot(*size), D)
    return server.requests[0]


def _user_parts(request: ChatRequest) -> list[str]:
    user = next(m for m in request.messages if m["role"] == "user")["content"]
    return ["<image>" if part["type"] == "image_url" else part["text"] for part in user]


def _system(request: ChatRequest) -> list[str]:
    return [m["content"] for m in request.messages if m["role"] == "system"]


def test_gelato_sends_text_image_instruction_in_its_evaluation_order() -> None:
    request = _request("gelato", "(500, 500)")
    assert _user_parts(request) == [
        "You are an expert UI element locator. Given a GUI image and a user's element "
        "description, provide the coordinates of the specified element as a single (x,y) point. "
        "For elements with area, return the center point.\n\nOutput the coordinate pair exactly:"
        "\n(x,y)\n\n", "<image>", "\n" + D]
    assert request.last_image_size() == (1920, 1088)  # factor 32, as the published log shows


def test_maiui_sends_its_system_prompt_then_instruction_before_the_image() -> None:
    request = _request("maiui", "<answer>[500, 500]</answer>")
    assert _user_parts(request) == [D + "\n", "<image>"]
    assert _system(request)[0].startswith("You are a GUI grounding agent. \n## Task\n")
    assert _system(request)[0].endswith("</answer>\n## Input instruction\n")


def test_infigui_states_the_resized_size() -> None:
    request = _request("infigui", '[{"point_2d": [5, 5]}]', (2880, 1800))
    sent = reference_sent("infigui", (2880, 1800))
    assert request.last_image_size() == sent != (2880, 1800)
    assert _user_parts(request) == ["<image>", f"The screen's resolution is {sent[0]}x{sent[1]}.\n"
                                    f'Locate the UI element(s) for "{D}", output the coordinates '
                                    'using JSON format: [{"point_2d": [x, y]}, ...]']
    assert _system(request)[0].startswith("You FIRST think about the reasoning process")


def test_holo2_turns_thinking_off_and_uivenus15_drops_the_final_period() -> None:
    request = _request("holo2", '{"x": 5, "y": 5}')
    assert request.body["chat_template_kwargs"] == {"thinking": False}
    assert _user_parts(request)[1].endswith("     Your target is:\n" + D)
    request = _request("uivenus15", "[5, 5]")
    assert _user_parts(request)[1].startswith(
        "Output the center point of the position corresponding to the following instruction: "
        "\n" + D[:-1] + ". \n\nThe output should just be")
    assert "chat_template_kwargs" not in request.body


@pytest.mark.parametrize("name", ["opencua", "uivenus", "holo15", "qwen3vl", "glm45v",
                                  "internvl", "gemini"])
def test_prompts_carry_the_description(name: str) -> None:
    request = _request(name, {"opencua": "pyautogui.click(x=5, y=5)",
                              "holo15": '{"x": 5, "y": 5}'}.get(name, "[5, 5]"))
    text = "\n".join(_user_parts(request))
    assert D.rstrip(".") in text and _user_parts(request)[0] == "<image>"
    assert request.last_image_size() == reference_sent(name, (1920, 1080))
    if name == "opencua":
        assert _system(request) == ["You are a GUI agent. You are given a task and a screenshot "
                                    "of the screen. You need to perform a series of pyautogui "
                                    "actions to complete the task."]


def test_a_not_found_answer_is_a_clear_grounding_error() -> None:
    with FakeChatServer(lambda request: "[-1,-1]") as server:
        grounder = ModelGrounder(client_for(server), "m", FAMILIES["uivenus15"])
        with pytest.raises(GroundingError, match="not found: the uivenus15 grounder says") as info:
            grounder.ground(screenshot(1280, 800), "the Undo button")
    assert "not on the screen" in str(info.value)


# ------------------------------------------------------------------ the real image processor

# Families whose server runs Qwen2-VL's image processor: patch 16 × merge 2 (Qwen3-VL based) or
# 14 × 2 (Qwen2.5-VL based), with the min/max pixels each reference configures (sources in
# agent/grounding/families.py).
PROCESSOR = {"qwen3vl": (16, 65536, 16777216), "holo2": (16, 65536, 16777216),
             "gelato": (16, 4096, 10_000_000), "maiui": (16, 1024, 6553600),
             "opencua": (14, 3136, 12845056), "uivenus": (14, 2_000_000, 4_800_000),
             "holo15": (14, 3136, 1003520), "infigui": (14, 3136, 12845056)}
SCREENS = [(1024, 600), (1280, 800), (1366, 768), (1920, 1080), (2560, 1440), (2880, 1800),
           (3840, 2160), (5120, 1440), (7680, 4320), (1170, 2532), (1531, 977), (999, 1001)]


@pytest.mark.parametrize("name", sorted(PROCESSOR))
def test_the_sent_image_is_a_fixed_point_of_the_real_processor(name: str) -> None:
    from PIL import Image
    from transformers.models.qwen2_vl import image_processing_pil_qwen2_vl as pil

    patch, min_pixels, max_pixels = PROCESSOR[name]
    for screen in SCREENS:
        sent = FAMILIES[name].sent_size(screen)
        height, width = pil.smart_resize(sent[1], sent[0], patch * 2, min_pixels, max_pixels)
        assert (width, height) == sent, (name, screen)
    processor = pil.Qwen2VLImageProcessorPil(
        patch_size=patch, merge_size=2,
        size={"shortest_edge": min_pixels, "longest_edge": max_pixels})
    sent = FAMILIES[name].sent_size((1280, 800))
    grid = processor(images=[Image.new("RGB", sent)], return_tensors="np")["image_grid_thw"]
    assert (int(grid[0][2]) * patch, int(grid[0][1]) * patch) == sent


def test_a_phiground_point_on_the_padding_is_rejected() -> None:
    # 1920×1080 fills 1008×567 of the canvas: y 900‰ of 672 = 604.8 lies on the white pad
    with pytest.raises(ModelReplyError, match="padding"):
        FAMILIES["phiground"].to_original("<point>500, 900</point>", (1920, 1080))
    _x, y = FAMILIES["phiground"].to_original("<point>500, 900</point>", (1920, 1080),
                                               strict=False)
    assert y > 1080
