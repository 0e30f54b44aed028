"""Fake grounding servers for every model family of CONTRACTS §5, for `FakeChatServer`.

Each fake plays the model *and* its server, from the model's own documentation, independently of
the runtime's code (no import from `agent.grounding`):

1. it reads the description out of the family's prompt (prompts/<family>*.j2) — a request that
   is not that family's prompt is an error (HTTP 500), so a mis-wired template fails the run;
2. it decodes the size of the image it received; a pixel-space family's server would
   smart_resize that image with the family's documented defaults (factor 28, min/max pixels per
   CONTRACTS §5). The runtime resizes first, to a size smart_resize keeps as it is, so the
   server's resize must be a no-op: the fake asserts it (the exactness guarantee: the answer's
   pixel space is the one the runtime converts from). A normalised family receives the capture
   unresized (its server may resize as it likes: a fraction of the image is the same fraction);
3. it finds the target on the screen with `locate(description)` (its centre, screen coordinates)
   and, for families that answer a box, `box(description)` (the widget's true box);
4. it subtracts the captured monitor's origin (the image is one monitor's capture), scales to
   the image the model saw, and answers in the family's documented format, rounded as the model
   writes numbers (integers; SeeClick two decimals; Aguvis four).

    fake = family_fake("qwen25vl", app.locate, monitor, box=app_box)
    with FakeChatServer(fake) as grounder: ...
    fake.errors   # what went wrong inside the fake (also answered as HTTP 500)
    fake.answers  # one `Answer` per request
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from agent.testing.fake_server import ChatRequest, uground_description

__all__ = [
    "FAMILY_NAMES",
    "SPECS",
    "Answer",
    "Capture",
    "FamilyFake",
    "FamilySpec",
    "family_fake",
    "reference_smart_resize",
    "sent_size",
]

Point = tuple[float, float]
Box = tuple[float, float, float, float]
"""left, top, right, bottom in screen coordinates; right and bottom exclusive (x + width)."""
Space = Literal["pixels", "norm1000", "norm999", "norm1"]


@dataclass(frozen=True)
class Capture:
    """The captured monitor on the virtual screen (what the sent image shows)."""

    left: int
    top: int
    width: int
    height: int


# --------------------------------------------------------------------------- smart_resize


def reference_smart_resize(
    height: int, width: int, factor: int, min_pixels: int, max_pixels: int
) -> tuple[int, int]:
    """(height, width) as Qwen2-VL's image processor resizes an image (qwen_vl_utils'
    `smart_resize`, transcribed from QwenLM/Qwen2.5-VL; kept apart from the runtime's copy)."""
    if max(height, width) / min(height, width) > 200:
        raise ValueError(f"absolute aspect ratio must be smaller than 200, got {width}x{height}")
    h_bar = max(factor, round(height / factor) * factor)
    w_bar = max(factor, round(width / factor) * factor)
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


# --------------------------------------------------------------------------- descriptions


def _between(text: str, pattern: str, what: str) -> str:
    match = re.search(pattern, text, re.S)
    if match is None:
        raise ValueError(f"not a {what} prompt: {pattern!r} not found in {text[-300:]!r}")
    return match.group(1).strip()


def _describe_uground(request: ChatRequest) -> str:
    text = request.last_user_text()
    description = uground_description(text)
    if description is None or "Your task is to help the user identify" not in text:
        raise ValueError(f"not a UGround prompt: {text[-300:]!r}")
    return description


def _describe_gta1(request: ChatRequest) -> str:
    # The user text is the description alone; the system prompt states the image's size.
    system = _system_text(request, "GTA1")
    width, height = request.last_image_size()
    stated = f"The image resolution is height {height} and width {width}."
    if "You are an expert UI element locator." not in system or stated not in system:
        raise ValueError(f"GTA1 system prompt does not state {stated!r}: {system!r}")
    return request.last_user_text().strip()


def _describe_aguvis(request: ChatRequest) -> str:
    system = _system_text(request, "Aguvis")
    if "You need to perform a series of pyautogui actions" not in system:
        raise ValueError(f"not Aguvis' grounding system prompt: {system!r}")
    return _between(request.last_user_text(),
                    r"^Please generate the next move according to the ui screenshot, "
                    r"instruction and previous actions\.\n\nInstruction: (.*?)\n\n"
                    r"Previous actions:\nNone\n?$", "Aguvis")


def _system_text(request: ChatRequest, what: str) -> str:
    systems = [m for m in request.messages if m.get("role") == "system"]
    if len(systems) != 1 or not isinstance(systems[0].get("content"), str):
        raise ValueError(f"{what} needs one system message, got {request.messages!r:.300}")
    return str(systems[0]["content"])


def _user_only(describe: Callable[[str], str]) -> Callable[[ChatRequest], str]:
    def wrapped(request: ChatRequest) -> str:
        if any(m.get("role") == "system" for m in request.messages):
            raise ValueError("this family's prompt has no system message")
        return describe(request.last_user_text())

    return wrapped


_DESCRIBE: dict[str, Callable[[ChatRequest], str]] = {
    "uground": _describe_uground,
    "gta1": _describe_gta1,
    "qwen25vl": _user_only(lambda t: _between(
        t, r"^Locate (.*), output its bbox coordinates using JSON format\.$", "Qwen2.5-VL")),
    "qwen2vl": _user_only(lambda t: _between(
        t, r"^<\|object_ref_start\|>(.*)<\|object_ref_end\|>$", "Qwen2-VL")),
    "qwenvl": _user_only(lambda t: _between(t, r"^<ref>(.*)</ref>$", "Qwen-VL")),
    "osatlas": _user_only(lambda t: _between(
        t, r"^In this UI screenshot, what is the position of the element corresponding to the "
           r"command \"(.*)\" \(with bbox\)\?$", "OS-Atlas")),
    "uitars": _user_only(lambda t: _between(
        t, r"^You are a GUI agent\..*click\(start_box='<\|box_start\|>\(x1,y1\)<\|box_end\|>'\)"
           r"\n\n## User Instruction\n(.*)$", "UI-TARS")),
    "seeclick": _user_only(lambda t: _between(
        t, r"^In this UI screenshot, what is the position of the element corresponding to the "
           r"command \"(.*)\" \(with point\)\?$", "SeeClick")),
    "aguvis": _describe_aguvis,
}
_DESCRIBE["uitars15"] = _DESCRIBE["uitars"]


# --------------------------------------------------------------------------- answers


def _i(value: float) -> int:
    return math.floor(value + 0.5)


def _pair(p: Point) -> str:
    return f"({_i(p[0])},{_i(p[1])})"


def _corners(b: Box) -> str:
    return f"({_i(b[0])},{_i(b[1])}),({_i(b[2])},{_i(b[3])})"


def _answer_qwen25vl(description: str, _p: Point, b: Box) -> str:
    # The cookbook's answer: a ```json fence around a list of {"bbox_2d", "label"}.
    box = [_i(v) for v in b]
    return "```json\n[\n\t" + json.dumps({"bbox_2d": box, "label": description}) + "\n]\n```"


@dataclass(frozen=True)
class FamilySpec:
    """What the model family's documentation says about its answers."""

    name: str
    space: Space
    answer: Callable[[str, Point, Box], str]  # (description, point, box) in `space` → text
    raw: re.Pattern[str]  # the shape of an answer (for checking records)
    resize: tuple[int, int, int] | None = None  # pixel families: factor, min, max pixels
    pre_max: int | None = None  # a client scale to at most this many pixels first (InfiGUI-G1)
    canvas: tuple[int, int] | None = None  # Phi-Ground: the image scaled into a white canvas
    box: bool = False  # answers a box around the target (the true widget box is used)


_NUM = r"\d+"
_F2 = r"[01]\.\d{2}"
_F4 = r"[01]\.\d{4}"
_BOX_TOKENS = rf"<\|box_start\|>\({_NUM},{_NUM}\),\({_NUM},{_NUM}\)<\|box_end\|>"

SPECS: dict[str, FamilySpec] = {spec.name: spec for spec in [
    # UGround-V1: "(x, y)" in [0, 1000) of the image, integers.
    FamilySpec("uground", "norm1000",
               lambda _d, p, _b: f"({min(999, _i(p[0]))}, {min(999, _i(p[1]))})",
               re.compile(rf"\({_NUM}, {_NUM}\)")),
    # GTA1: "(x,y)", pixels of the smart-resized image (size stated in the system prompt).
    FamilySpec("gta1", "pixels", lambda _d, p, _b: _pair(p), re.compile(rf"\({_NUM},{_NUM}\)"),
               resize=(28, 3136, 4096 * 2160)),
    # Qwen2.5-VL: ```json [{"bbox_2d": [x1, y1, x2, y2], "label": …}]```, resized-image pixels.
    FamilySpec("qwen25vl", "pixels", _answer_qwen25vl,
               re.compile(r'```json\n\[\n\t\{"bbox_2d": \[\d+, \d+, \d+, \d+\], "label": .*\}'
                          r"\n\]\n```", re.S),
               resize=(28, 3136, 12845056), box=True),
    # Qwen2-VL: the reference echoed, then box tokens, 0–1000.
    FamilySpec("qwen2vl", "norm1000",
               lambda d, _p, b: f"<|object_ref_start|>{d}<|object_ref_end|>"
                                f"<|box_start|>{_corners(b)}<|box_end|>",
               re.compile(rf"<\|object_ref_start\|>.*<\|object_ref_end\|>{_BOX_TOKENS}"),
               box=True),
    # Qwen-VL: <ref>…</ref><box>(x1,y1),(x2,y2)</box>, 0–1000.
    FamilySpec("qwenvl", "norm1000", lambda d, _p, b: f"<ref>{d}</ref><box>{_corners(b)}</box>",
               re.compile(rf"<ref>.*</ref><box>\({_NUM},{_NUM}\),\({_NUM},{_NUM}\)</box>"),
               box=True),
    # OS-Atlas-Base-7B (README): <|object_ref_start|>…<|object_ref_end|><|box_start|>…, 0–1000.
    FamilySpec("osatlas", "norm1000",
               lambda d, _p, b: f"<|object_ref_start|>{d}<|object_ref_end|>"
                                f"<|box_start|>{_corners(b)}<|box_end|>",
               re.compile(rf"<\|object_ref_start\|>.*<\|object_ref_end\|>{_BOX_TOKENS}"),
               box=True),
    # UI-TARS: Action: click(start_box='<|box_start|>(x,y)<|box_end|>'), 0–1000.
    FamilySpec("uitars", "norm1000",
               lambda _d, p, _b: f"Action: click(start_box='<|box_start|>{_pair(p)}<|box_end|>')",
               re.compile(rf"Action: click\(start_box='<\|box_start\|>\({_NUM},{_NUM}\)"
                          rf"<\|box_end\|>'\)")),
    # UI-TARS-1.5: the same, in pixels of the image resized with 100·28² … 16384·28².
    FamilySpec("uitars15", "pixels",
               lambda _d, p, _b: f"Action: click(start_box='<|box_start|>{_pair(p)}<|box_end|>')",
               re.compile(rf"Action: click\(start_box='<\|box_start\|>\({_NUM},{_NUM}\)"
                          rf"<\|box_end\|>'\)"),
               resize=(28, 100 * 28 * 28, 16384 * 28 * 28)),
    # SeeClick: "(0.17,0.06)", fractions with two decimals.
    FamilySpec("seeclick", "norm1", lambda _d, p, _b: f"({p[0]:.2f},{p[1]:.2f})",
               re.compile(rf"\({_F2},{_F2}\)")),
    # Aguvis: pyautogui.click(x=0.1101, y=0.0734), fractions with four decimals.
    FamilySpec("aguvis", "norm1", lambda _d, p, _b: f"pyautogui.click(x={p[0]:.4f}, y={p[1]:.4f})",
               re.compile(rf"pyautogui\.click\(x={_F4}, y={_F4}\)")),
]}




def sent_size(family: str, captured: tuple[int, int]) -> tuple[int, int]:
    """(width, height) of the image a family's server should receive for a capture of `captured`:
    smart-resized (documented defaults) for pixel-space families, else the capture itself."""
    spec = SPECS[family]
    if spec.canvas is not None:
        return spec.canvas
    if spec.resize is None:
        return captured
    width, height = captured
    if spec.pre_max is not None and width * height > spec.pre_max:  # InfiGUI-G1 eval/data.py
        scale = math.sqrt(spec.pre_max / (width * height))
        width, height = round(width * scale), round(height * scale)
    height, width = reference_smart_resize(height, width, *spec.resize)
    return width, height


# --------------------------------------------------------------------------- the fake


@dataclass(frozen=True)
class Answer:
    description: str
    received: tuple[int, int]  # the image's size as received
    model_size: tuple[int, int]  # the size the model saw (after the server's resize)
    raw: str


@dataclass
class FamilyFake:
    """A `FakeChatServer` reply function answering like `family`'s model behind its server."""

    family: str
    locate: Callable[[str], Point]  # description → target centre, screen coordinates
    capture: Capture  # the monitor the runtime captures
    box: Callable[[str], Box] | None = None  # description → target box, screen coordinates
    answers: list[Answer] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.spec = SPECS[self.family]
        self.describe = _DESCRIBE[self.family]

    def __call__(self, request: ChatRequest) -> str:
        try:
            answer = self._answer(request)
        except Exception as exc:
            with self._lock:
                self.errors.append(f"{type(exc).__name__}: {exc}")
            raise
        with self._lock:
            self.answers.append(answer)
        return answer.raw

    def _answer(self, request: ChatRequest) -> Answer:
        if len(request.image_urls()) != 1:
            raise ValueError(f"expected one image, got {len(request.image_urls())}")
        description = self.describe(request)
        received = request.last_image_size()
        model_size = self._server_resize(received)
        # Screen → the captured monitor's pixels → the pixels of the image the model saw.
        cap = self.capture
        sx, sy = model_size[0] / cap.width, model_size[1] / cap.height
        if self.spec.canvas is not None:  # Phi-Ground README process_image: int() of the fit
            wide = cap.width / cap.height > model_size[0] / model_size[1]
            content = model_size[0] if wide else int(model_size[1] * cap.width / cap.height)
            sx = sy = content / cap.width

        def to_model(x: float, y: float) -> Point:
            return (x - cap.left) * sx, (y - cap.top) * sy

        point = to_model(*self.locate(description))
        if self.box is not None:
            left, top, right, bottom = self.box(description)
        else:  # no box known: a 2-pixel one around the centre
            cx, cy = self.locate(description)
            left, top, right, bottom = cx - 1, cy - 1, cx + 1, cy + 1
        box = (*to_model(left, top), *to_model(right, bottom))
        if not (0 <= point[0] <= model_size[0] and 0 <= point[1] <= model_size[1]):
            raise ValueError(f"{description!r} at {point} is not on the captured monitor {cap}")
        unit = {"pixels": None, "norm1000": 1000, "norm999": 999, "norm1": 1}[self.spec.space]
        scale = (1.0, 1.0) if unit is None else (unit / model_size[0], unit / model_size[1])
        point = (point[0] * scale[0], point[1] * scale[1])
        box = (box[0] * scale[0], box[1] * scale[1], box[2] * scale[0], box[3] * scale[1])
        raw = self.spec.answer(description, point, box)
        return Answer(description, received, model_size, raw)

    def _server_resize(self, received: tuple[int, int]) -> tuple[int, int]:
        """The size the model sees: the server's smart_resize of what it received."""
        captured = (self.capture.width, self.capture.height)
        if self.spec.canvas is not None:
            if received != self.spec.canvas:
                raise AssertionError(f"{self.family}: received {received}, not its canvas")
            return received
        if self.spec.resize is None:
            # Normalised answers: the runtime sends the capture as it is.
            if received != captured:
                raise AssertionError(f"{self.family}: received {received}, but a normalised "
                                     f"family is sent the {captured} capture unresized")
            return received
        height, width = reference_smart_resize(received[1], received[0], *self.spec.resize)
        if (width, height) != received:
            raise AssertionError(
                f"{self.family}: the server would resize the received {received} image to "
                f"{(width, height)}: the runtime did not send a smart_resize fixed point")
        expected = sent_size(self.family, captured)
        if received != expected:
            raise AssertionError(f"{self.family}: received {received}, expected the capture "
                                 f"{captured} smart-resized to {expected}")
        return received


def family_fake(
    family: str,
    locate: Callable[[str], Point],
    capture: Capture,
    box: Callable[[str], Box] | None = None,
) -> FamilyFake:
    """A reply function answering like `family` (one of `FAMILY_NAMES`)."""
    if family not in SPECS:
        raise KeyError(f"no fake for the family {family!r}; known: {', '.join(SPECS)}")
    return FamilyFake(family, locate, capture, box)


# The 2025–26 families (issue 11) live in their own module (import this one, not that one);
# importing it registers them in SPECS.
from tests import family_fakes_recent  # noqa: E402, F401

FAMILY_NAMES = tuple(SPECS)
