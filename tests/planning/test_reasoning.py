"""Reasoning and thinking planners (issue 12, item 1), against the fake server over real HTTP:
OpenAI's 400s for `temperature` / `max_tokens` are adapted to once, thinking is recorded and
never parsed."""

from __future__ import annotations

import json
from pathlib import Path

import openai
import pytest

from actions import Click, builtin_registry, default_registry
from agent.errors import ModelServerError
from agent.llm import ParameterRefused, chat
from agent.planning.planner import OpenAIPlanner
from agent.records import StepRecord
from agent.run.loop import Loop
from agent.rundir.report import write_report
from agent.testing import DryRunExecutor, MemoryRecorder, StaticScreen
from agent.testing.chat import OPENAI_REFUSALS
from agent.testing.fake_server import FakeChatServer, FakeReply, scripted
from tests.rundir.runs import FINISHED, click_step, make_run
from tests.unit_helpers import client_for, reply_json, screenshot

CLICK_OK = reply_json({"name": "click", "target": "the OK button"})
DRAFT = '{"action": {"name": "click", "target": "the Cancel button"}}'
DONE = reply_json({"name": "done", "answer": "ok"})


def planner_for(server: FakeChatServer, **options: object) -> OpenAIPlanner:
    return OpenAIPlanner(client_for(server), "planner-model", builtin_registry(),
                         structured="off", **options)  # type: ignore[arg-type]


def test_openai_refusal_bodies_are_openais_own() -> None:
    # Copied from OpenAI's answers as users quoted them (see agent/testing/chat.py).
    assert OPENAI_REFUSALS["max_tokens"]["message"] == (
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
        "'max_completion_tokens' instead.")
    assert OPENAI_REFUSALS["temperature"]["code"] == "unsupported_value"


def test_a_reasoning_model_refusing_temperature_and_max_tokens_is_adapted_to_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with FakeChatServer(scripted([CLICK_OK, CLICK_OK]),
                        rejects=("temperature", "max_tokens")) as server:
        planner = planner_for(server, max_tokens=500)
        first = planner.plan("t", [], screenshot(), [])
        second = planner.plan("t", [], screenshot(), [])
    assert isinstance(first.reply.action, Click) and isinstance(second.reply.action, Click)
    bodies = [request.body for request in server.requests]
    assert len(bodies) == 4  # two refusals, then each step's one request
    assert bodies[0]["temperature"] == 0 and bodies[0]["max_tokens"] == 500
    assert "temperature" not in bodies[1] and bodies[1]["max_tokens"] == 500
    for body in bodies[2:]:
        assert "temperature" not in body and "max_tokens" not in body
        assert body["max_completion_tokens"] == 500
    notes = capsys.readouterr().err.splitlines()
    assert len(notes) == 2, notes  # said once each, not again on the second step
    assert "temperature" in notes[0] and "max_completion_tokens" in notes[1]


def test_the_temperature_refusal_carries_openais_exact_body() -> None:
    server = FakeChatServer(scripted([CLICK_OK]), rejects=("temperature",))
    with server, pytest.raises(openai.BadRequestError) as caught:  # what a client sees
        client_for(server).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], temperature=0)
    assert caught.value.body == {
        "message": "Unsupported value: 'temperature' does not support 0 with this model. Only "
                   "the default (1) value is supported.",
        "type": "invalid_request_error", "param": "temperature", "code": "unsupported_value"}


def test_a_refusal_that_cannot_be_adapted_to_is_a_server_error() -> None:
    with FakeChatServer(scripted([CLICK_OK]), rejects=("reasoning_effort",)) as server:
        planner = planner_for(server, reasoning_effort="high")
        with pytest.raises(ModelServerError, match="refused 'reasoning_effort'"):
            planner.plan("t", [], screenshot(), [])
    assert len(server.requests) == 1


def test_reasoning_effort_is_sent() -> None:
    with FakeChatServer(scripted([CLICK_OK])) as server:
        planner_for(server, reasoning_effort="low").plan("t", [], screenshot(), [])
    assert server.requests[0].body["reasoning_effort"] == "low"
    with FakeChatServer(scripted([CLICK_OK])) as server:
        planner_for(server).plan("t", [], screenshot(), [])
    assert "reasoning_effort" not in server.requests[0].body


@pytest.mark.parametrize("text", [
    f"<think>Maybe {DRAFT} first? No: OK.</think>\n{CLICK_OK}",
    f"Maybe {DRAFT} first? No: OK.</think>\n\n{CLICK_OK}",  # the template opened the block
])
def test_a_json_draft_inside_thinking_is_not_read_as_the_reply(text: str) -> None:
    with FakeChatServer(scripted([text])) as server:
        result = planner_for(server).plan("t", [], screenshot(), [])
    assert isinstance(result.reply.action, Click)
    assert result.reply.action.target == "the OK button"
    assert result.reasoning == f"Maybe {DRAFT} first? No: OK."


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_a_separate_reasoning_field_is_kept(field: str) -> None:
    answer = FakeReply(content=CLICK_OK, reasoning="The OK button ends it.", reasoning_field=field)
    with FakeChatServer(scripted([answer])) as server:
        result = planner_for(server).plan("t", [], screenshot(), [])
    assert result.reasoning == "The OK button ends it."
    assert isinstance(result.reply.action, Click)


def test_a_reply_that_only_thinks_is_sent_back_without_its_thinking() -> None:
    cut_off = f"<think>I will answer {DRAFT}"
    with FakeChatServer(scripted([cut_off, CLICK_OK])) as server:
        result = planner_for(server).plan("t", [], screenshot(), [])
    assert len(result.reasked) == 1 and "no JSON object" in result.reasked[0]
    assert result.reasoning is None  # the accepted reply thought nothing
    assistant = server.requests[1].messages[len(server.requests[0].messages)]  # after the ask
    assert assistant["role"] == "assistant" and DRAFT not in json.dumps(assistant)


def test_the_step_record_keeps_the_reasoning() -> None:
    answers = [FakeReply(content=f"<think>done already</think>{DONE}"), FakeReply(content=DONE)]
    with FakeChatServer(scripted(answers)) as server:
        planner = OpenAIPlanner(client_for(server), "m", default_registry, structured="off")
        recorder = MemoryRecorder()
        loop = Loop(screen=StaticScreen(), planner=planner, grounder=None,
                    executor=DryRunExecutor(), recorder=recorder, registry=default_registry)
        outcome = loop.run("t", ["agent"], {})
    assert outcome.exit_code == 0
    (step,) = recorder.steps
    assert step.reasoning == "done already"
    assert json.loads(step.model_dump_json())["reasoning"] == "done already"


def test_the_report_shows_the_reasoning_as_text(tmp_path: Path) -> None:
    thinking = "<b>Search</b> first, then book."
    steps = [click_step(1, reasoning=thinking), click_step(2)]
    html = write_report(make_run(tmp_path, steps, finish=FINISHED)).read_text(encoding="utf-8")
    assert html.count("<summary>Reasoning") == 1  # step 2 thought nothing: no section
    assert "&lt;b&gt;Search&lt;/b&gt; first, then book." in html and "<b>" not in html
    # an older record, without the field, still reads
    old = json.loads(click_step(3).model_dump_json())
    del old["reasoning"]
    assert StepRecord.model_validate(old).reasoning is None


@pytest.mark.parametrize(("message", "options", "refused"), [
    # vLLM-style wording, no `param`: named in the message
    ("response_format json_schema could not be compiled", {"response_format": {}},
     "response_format"),
    ("Unsupported parameter: 'seed'", {"seed": 5, "temperature": 0}, "seed"),
    # about something else: the request stays an ordinary server error
    ("'max_tokens' is too large: 9000. This model's maximum context length is 8192 tokens.",
     {"max_tokens": 9000}, None),
])
def test_which_400s_refuse_a_parameter(message: str, options: dict[str, object],
                                       refused: str | None) -> None:
    answer = FakeReply.http_error(400, message)
    server = FakeChatServer(lambda request: answer)
    with server, pytest.raises(ModelServerError) as caught:
        chat(client_for(server), "m", [{"role": "user", "content": "hi"}], role="planner",
             **options)
    if refused is None:
        assert not isinstance(caught.value, ParameterRefused)
        assert "failed (400)" in str(caught.value)
    else:
        assert isinstance(caught.value, ParameterRefused)
        assert caught.value.parameter == refused
