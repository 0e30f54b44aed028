"""How much of each planner request repeats the previous request as a prefix (prompt caching).

    python bench/prefix_cache.py [--history 2] [--size 1280x800] [--json]

OpenAI's prompt caching and vLLM's / SGLang's prefix caching reuse only an identical prefix of
a request. This drives the real `OpenAIPlanner` over real HTTP against a
`agent.testing.fake_server.FakeChatServer` (no display: each step's screenshot is a
deterministic desktop-like picture that changes a little every step, as a real screen does) on
two tasks: the flight task (6 steps, the second one re-asked once: 7 requests) and a 30-step
form task. For every request it reports the share of its bytes, text and base64 images alike
(the `messages` as JSON), that repeat the previous request's messages from the start; and, as a
token-level view, the share of its estimated prompt tokens in the leading message parts it
shares with the previous request (`agent.testing.chat.cached_tokens`, what the fake's prefix
cache reports; 85 tokens per image, OpenAI's low-detail price, so images weigh little there).

Two layouts run on the same steps: `before` is git HEAD's layout before issue 12 (the task and
every past step in one user message rebuilt each step, the screenshots after it), reproduced
below; `after` is the planner's own. Goal: at least 60% on the 30-step task with history = 2.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import jinja2  # noqa: E402
import openai  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from step_overhead import FORM_PLAN, busy_desktop_image  # noqa: E402

from actions import builtin_registry  # noqa: E402
from agent.llm import Message, image_part  # noqa: E402
from agent.planning import planner as planning  # noqa: E402
from agent.planning.planner import OpenAIPlanner, PastStep  # noqa: E402
from agent.records import StepRecord  # noqa: E402
from agent.screen import Monitor, Rect, Screenshot  # noqa: E402
from agent.testing.chat import ChatRequest, cached_tokens, estimate_tokens  # noqa: E402
from agent.testing.fake_server import FakeChatServer  # noqa: E402
from prompts import render  # noqa: E402

GOAL = 0.60
INVALID = "I would type Zürich into the To field."  # re-asked, as in tests/e2e/test_e2e_run.py

# prompts/planner_user.j2 as it was at git HEAD before issue 12 (the `before` layout).
HEAD_USER_TEMPLATE = """# Task
{{ task }}

# Previous steps
{% for step in history %}
Step {{ step.index }}:{% if step.observation %} observed: {{ step.observation }}{% endif %}

  thought: {{ step.thought }}
  instruction: {{ step.instruction }}
  action: {{ step.action_json }}
  outcome: {{ step.outcome }}
{% else %}
None yet: this is the first step.
{% endfor %}
{% for note in notes %}

Note: {{ note }}
{% endfor %}

The current screenshot follows ({{ width }}x{{ height }} pixels){% if shown_history %}, \
after the screenshots of steps {{ shown_history | join(", ") }}{% endif %}. \
Reply with one JSON object.
"""


class HeadLayoutPlanner(OpenAIPlanner):
    """git HEAD's message layout: one user message with everything, screenshots after it."""

    def _messages(self, task: str, history: Sequence[PastStep], png: bytes,
                  size: tuple[int, int], notes: Sequence[str]) -> list[Message]:
        shown = [s for s in history if s.png is not None][-self.history_images:]
        if self.history_images <= 0:
            shown = []
        environment = jinja2.Environment(undefined=jinja2.StrictUndefined, trim_blocks=True,
                                         lstrip_blocks=True, keep_trailing_newline=False)
        text = environment.from_string(HEAD_USER_TEMPLATE).render(
            task=task, history=[planning._summary(s.record) for s in history],
            notes=list(notes), width=size[0], height=size[1],
            shown_history=[s.record.index for s in shown])
        content: list[Message] = [{"type": "text", "text": text}]
        for step in shown:
            assert step.png is not None
            content += [{"type": "text", "text": f"Screenshot before step {step.record.index}:"},
                        image_part(step.png)]
        content += [{"type": "text", "text": "Current screenshot:"}, image_part(png)]
        system = render("planner_system.j2", actions=list(self.registry),
                        secrets=self.secret_names)
        return [{"role": "system", "content": system}, {"role": "user", "content": content}]


def reply(observation: str, thought: str, instruction: str, action: dict[str, Any]) -> str:
    return json.dumps({"observation": observation, "thought": thought,
                       "instruction": instruction, "action": action}, ensure_ascii=False)


def flight_task() -> tuple[str, list[list[str]]]:
    """(task, the replies of each step): the second step's first reply is invalid."""
    steps = [[reply(*step)] for step in FORM_PLAN]
    steps[1].insert(0, INVALID)
    return "book a flight to Tokyo", steps


def long_task(count: int = 30) -> tuple[str, list[list[str]]]:
    """A 30-step data-entry task: fields filled in one by one, saved, then done."""
    steps = []
    for i in range(1, count):
        field = f"the Item {(i + 1) // 2} text field"
        if i % 2:
            steps.append([reply(f"Row {i // 2 + 1} of the order form is empty.",
                                "Each row needs its own entry.", f"Click {field}.",
                                {"name": "click", "target": field})])
        else:
            steps.append([reply(f"{field} has the focus.", "Fill it in.",
                                f"Type part number {1000 + i} into {field}.",
                                {"name": "type", "text": f"PN-{1000 + i}", "target": field})])
    steps.append([reply("Every row is filled in.", "The order is complete.", "Finish.",
                        {"name": "done", "answer": "15 rows entered"})])
    return "enter the 15 parts of the order into the form", steps


@functools.cache
def desktop(size: tuple[int, int]) -> Image.Image:
    """One picture per run: its photo is random noise, and both layouts must see the same."""
    image: Image.Image = busy_desktop_image(size)
    return image


def screens(size: tuple[int, int], count: int) -> list[Screenshot]:
    """A busy desktop whose form gains a line of text every step, as a screen changes."""
    base = desktop(size)
    shots = []
    for i in range(count):
        image = base.copy()
        draw = ImageDraw.Draw(image)
        draw.rectangle((40, 60, 40 + size[0] // 3, 60 + 18 * (i + 2)), fill=(255, 255, 250))
        for line in range(i + 1):
            draw.text((48, 64 + 18 * line), f"Item {line + 1}: PN-{1000 + line}", fill=(0, 0, 0))
        shots.append(Screenshot(image, Monitor(1, Rect(0, 0, *size), primary=True),
                                Rect(0, 0, *size)))
    return shots


def common_prefix(a: bytes, b: bytes) -> int:
    """Length of the common prefix, in blocks first: requests are megabytes."""
    n, block = 0, 4096
    limit = min(len(a), len(b))
    while n + block <= limit and a[n:n + block] == b[n:n + block]:
        n += block
    while n < limit and a[n] == b[n]:
        n += 1
    return n


def run(layout: type[OpenAIPlanner], task: tuple[str, list[list[str]]], history: int,
        size: tuple[int, int]) -> tuple[list[bytes], list[float]]:
    """Every planner request of the task, as the `messages` JSON the server received; and per
    request after the first, the share of its prompt tokens a prefix cache would serve (the
    fake's estimate: a token per 4 characters of text, 85 per image)."""
    text, steps = task
    answers = iter([answer for step in steps for answer in step])
    shots = screens(size, len(steps))
    with FakeChatServer(lambda request: next(answers)) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="EMPTY", max_retries=0)
        planner = layout(client, "fake-planner", builtin_registry(), history_images=history,
                         structured="off")
        past: list[PastStep] = []
        for index, shot in enumerate(shots, start=1):
            result = planner.plan(text, past, shot, [])
            answer = result.reply
            record = StepRecord(index=index, observation=answer.observation,
                                thought=answer.thought, instruction=answer.instruction,
                                action=answer.action.model_dump(mode="json"))
            past.append(PastStep(record, shot.png()))
        requests = server.requests
    tokens = [cached_tokens(previous, current) / prompt_tokens(current)
              for previous, current in itertools.pairwise(requests)]
    return [json.dumps(r.messages, ensure_ascii=False).encode() for r in requests], tokens


def prompt_tokens(request: ChatRequest) -> int:
    return sum(map(estimate_tokens, request.texts())) + 85 * len(request.image_urls())


def shares(requests: list[bytes]) -> list[float]:
    """Per request after the first: the share of its bytes the previous request began with."""
    return [common_prefix(previous, current) / len(current)
            for previous, current in itertools.pairwise(requests)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--history", type=int, default=2)
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    width, _, height = args.size.partition("x")
    size = (int(width), int(height))
    results: dict[str, dict[str, Any]] = {}
    for name, task in (("flight", flight_task()), ("30-step", long_task())):
        for label, layout in (("before", HeadLayoutPlanner), ("after", OpenAIPlanner)):
            requests, tokens = run(layout, task, args.history, size)
            values = shares(requests)
            results[f"{name} {label}"] = {
                "requests": len(requests), "mean": statistics.fmean(values),
                "median": statistics.median(values), "per_request": values,
                "mb_sent": sum(map(len, requests)) / 1e6,
                "tokens_mean": statistics.fmean(tokens), "tokens_per_request": tokens}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"repeated prefix per request (history = {args.history}, {args.size})")
    for key, row in results.items():
        per = " ".join(f"{100 * v:.0f}" for v in row["per_request"])
        print(f"{key:15} {row['requests']:2} requests, {row['mb_sent']:6.1f} MB: mean "
              f"{100 * row['mean']:4.1f}%  median {100 * row['median']:4.1f}%  [{per}]  "
              f"(prompt tokens: mean {100 * row['tokens_mean']:4.1f}%)")
    goal = results["30-step after"]["mean"] >= GOAL
    print(f"goal (30-step, mean >= {100 * GOAL:.0f}%): {'met' if goal else 'NOT met'}")
    return 0 if goal else 1


if __name__ == "__main__":
    raise SystemExit(main())
