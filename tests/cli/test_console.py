"""What `agent run` prints: a closed output pipe never ends the run; re-asks show."""

from __future__ import annotations

import io

from agent.cli.console import StepPrinter
from agent.records import Approval, StepRecord, TokenUsage, Usage


class ClosedPipe(io.StringIO):
    """stdout after `| head` has read its lines and gone."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def step(index: int) -> StepRecord:
    return StepRecord(index=index, instruction=f"step {index}", action={"name": "wait",
                                                                         "seconds": 0})


def test_a_closed_pipe_silences_the_printer_without_an_error() -> None:
    printer = StepPrinter(out=ClosedPipe())
    printer.step(step(1), Usage())  # would raise BrokenPipeError
    printer.step(step(2), Usage())
    assert printer.out is None


def test_steps_are_printed_with_their_rejection_reason() -> None:
    out = io.StringIO()
    record = step(3).model_copy(update={"status": "rejected"})
    record.approval = None
    StepPrinter(out=out).step(record, Usage())
    assert "[rejected: no reason given]" in out.getvalue()


def test_a_step_says_when_the_planner_was_re_asked() -> None:
    out = io.StringIO()
    record = step(4).model_copy(update={"reasked": ["the reply has no JSON object\nmore", "x"]})
    StepPrinter(out=out).step(record, Usage())
    assert "(the planner's reply was invalid 2x and sent back: the reply has no JSON object)" in (
        out.getvalue())


def test_a_long_text_is_shortened_on_the_step_line() -> None:
    out = io.StringIO()
    record = StepRecord(index=1, instruction="type", action={"name": "type", "text": "x" * 3000})
    StepPrinter(out=out).step(record, Usage())
    assert f"text={'x' * 80!r}… (3000 characters)" in out.getvalue()
    assert "x" * 81 not in out.getvalue()


def test_an_edit_at_the_approval_prompt_shows_on_the_step_line() -> None:
    out = io.StringIO()
    record = step(5).model_copy(update={"approval": Approval(
        decision="approved", edited={"target": "the Save button"})})
    StepPrinter(out=out).step(record, Usage())
    assert "(edited at the approval prompt: target='the Save button')" in out.getvalue()


def test_the_step_line_shows_cached_tokens_when_the_server_reported_them() -> None:
    out = io.StringIO()
    StepPrinter(out=out).step(step(1), Usage(planner=TokenUsage(prompt_tokens=900,
                                                                completion_tokens=100)))
    assert "[1000 tokens]" in out.getvalue() and "cached" not in out.getvalue()
    StepPrinter(out=out).step(step(2), Usage(planner=TokenUsage(
        prompt_tokens=1900, completion_tokens=100, cached_tokens=700)))
    assert "[2000 tokens, 700 cached]" in out.getvalue()
