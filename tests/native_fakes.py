"""Fake servers for native computer-use planners (`--planner-format`), for `FakeChatServer`.

Each plays the model from its own documentation, independently of the runtime (no import from
`agent.planning.native`): it checks the model's prompt and history layout, decodes the size of
the screenshot it received (for pixel answers: a smart_resize fixed point of the capture, as the
model's processor would leave it), finds the widget on the screen from the app's true geometry
and answers the step in the model's own format, scaled into the model's space:

1. click the To field, 2. type "Zürich", 3. click Search flights, 4. finish.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.testing.fake_server import ChatRequest
from tests.family_fakes import Capture, sent_size

__all__ = ["DESTINATION", "NATIVE_FAKES", "SEARCH", "TO_FIELD", "NativeFake"]

Point = tuple[float, float]
DESTINATION = "Zürich"
TO_FIELD = "the To text field"
SEARCH = "the Search flights button"
STEPS = ("click-to", "type", "click-search", "done")


def _uitars(step: str, point: Point | None) -> str:
    """bytedance/UI-TARS codes/ui_tars/prompt.py COMPUTER_USE_DOUBAO's action syntax."""
    if step == "type":
        return f"Thought: Enter the destination.\nAction: type(content='{DESTINATION}')"
    if step == "done":
        return "Thought: The search ran.\nAction: finished(content='searched')"
    assert point is not None
    return (f"Thought: Click the field or button next.\n"
            f"Action: click(point='<point>{round(point[0])} {round(point[1])}</point>')")


def _qwen(step: str, point: Point | None) -> str:
    """The cookbooks' `computer_use` tool call (Qwen2.5-VL / Qwen3-VL computer_use.ipynb)."""
    if step == "type":
        arguments: dict[str, object] = {"action": "type", "text": DESTINATION}
    elif step == "done":
        arguments = {"action": "terminate", "status": "success"}
    else:
        assert point is not None
        arguments = {"action": "left_click", "coordinate": [round(point[0]), round(point[1])]}
    call = json.dumps({"name": "computer_use", "arguments": arguments}, ensure_ascii=False)
    return f"<tool_call>\n{call}\n</tool_call>"


def _opencua(step: str, point: Point | None) -> str:
    """OpenCUA's L2 answer (agentnetbench agent/opencua.py L2_RESPONSE_TEMPLATE)."""
    if step == "type":
        action, code = "Type the destination.", f"pyautogui.write(message='{DESTINATION}')"
    elif step == "done":
        action, code = "The task is done.", "computer.terminate(status='success')"
    else:
        assert point is not None
        action = "Click the field or button."
        code = f"pyautogui.click(x={round(point[0])}, y={round(point[1])})"
    return (f"## Thought:\nI look at the form.\n\n## Action:\n{action}\n\n"
            f"## Code:\n```python\n{code}\n```\n")


def _aguvis(step: str, point: Point | None) -> str:
    """Aguvis' self-plan answer: recipient `all` with its monologue, `os` with the code
    (src/aguvis/constants.py assistant_template), special tokens skipped as cli.py decodes."""
    if step == "type":
        code = f"pyautogui.write(message='{DESTINATION}')"
    elif step == "done":
        code = "computer.terminate(status='success')"
    else:
        assert point is not None
        code = f"pyautogui.click(x={point[0]:.4f}, y={point[1]:.4f})"
    return f"all\nThought: I look at the form.\nAction: Do the next step.\nassistant os\n{code}"


QWEN_PROMPT = "You are provided with function signatures within <tools></tools> XML tags"


@dataclass(frozen=True)
class NativeSpec:
    prompt: str  # a line of the model's own prompt, which the request must hold
    # the grounder family (tests/family_fakes.py) whose server resizes alike (pixel answers);
    # None: the capture is sent as it is and answers are 0–`unit`
    family: str | None
    answer: Callable[[str, Point | None], str]
    unit: float = 1000
    states_size: bool = False  # the prompt states the size of the image it is sent with


NATIVE_FAKES = {
    "uitars": NativeSpec("You are a GUI agent. You are given a task and your action history",
                         "uitars15", _uitars),
    "qwen25vl": NativeSpec(QWEN_PROMPT, "qwen25vl", _qwen, states_size=True),
    "qwen3vl": NativeSpec("The screen's resolution is 1000x1000.", None, _qwen),
    "opencua": NativeSpec("Finally, output the action as PyAutoGUI code or the following",
                          "opencua", _opencua),
    "aguvis": NativeSpec("Please generate the next move according to the ui screenshot",
                         None, _aguvis, unit=1),
}
HISTORY_AS_TEXT = {"aguvis"}  # past steps as text in the user turn, not assistant turns


def _action_of(answer: str) -> str:
    return answer.split("## Action:\n", 1)[1].split("\n\n", 1)[0]


@dataclass
class NativeFake:
    """A reply function answering as the native model `fmt` would on the demo form."""

    fmt: str
    locate: Callable[[str], Point]  # description → widget centre, screen coordinates
    capture: Capture
    answers: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)  # where each click was meant, screen
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, request: ChatRequest) -> str:
        try:
            raw = self._answer(request)
        except Exception as exc:
            with self._lock:
                self.errors.append(f"{type(exc).__name__}: {exc}")
            raise
        with self._lock:
            self.answers.append(raw)
        return raw

    def _answer(self, request: ChatRequest) -> str:
        spec = NATIVE_FAKES[self.fmt]
        if spec.prompt not in request.text():
            raise ValueError(f"not the {self.fmt} prompt: {request.text()[:300]!r}")
        past = [m.get("content") for m in request.messages if m.get("role") == "assistant"]
        if self.fmt in HISTORY_AS_TEXT:
            done = request.text().count("\nStep ")
            if past or len(request.image_urls()) != 1:  # cli.py: the current screenshot only
                raise ValueError("Aguvis is sent one screenshot and no assistant turns")
        elif self.fmt == "opencua":  # `# Step N:\n## Action:\n…` turns
            done = len(past)
            if past != [f"# Step {n}:\n## Action:\n{_action_of(a)}\n"
                        for n, a in enumerate(self.answers[:done], start=1)]:
                raise ValueError(f"the history is not OpenCUA's action turns: {past!r}")
        else:
            done = len(past)
            if past != self.answers[:done]:  # its own answers, in order, as assistant turns
                raise ValueError(f"the history is not the model's answers: {past!r}")
        step = STEPS[min(done, len(STEPS) - 1)]
        captured = (self.capture.width, self.capture.height)
        received = request.last_image_size()
        expected = sent_size(spec.family, captured) if spec.family else captured
        if received != expected:
            raise AssertionError(f"received {received}, expected {expected}")
        if spec.states_size and f"resolution is {received[0]}x{received[1]}." not in \
                request.text():
            raise ValueError(f"the prompt does not state the image size {received}")
        point = None
        if step.startswith("click"):
            x, y = self.locate(TO_FIELD if step == "click-to" else SEARCH)
            self.points.append((x, y))
            cap = self.capture
            space = received if spec.family else (spec.unit, spec.unit)
            point = ((x - cap.left) * space[0] / cap.width,
                     (y - cap.top) * space[1] / cap.height)
        return spec.answer(step, point)
