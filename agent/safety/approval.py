"""The `Approver` seam: approve, reject (with feedback), edit or abort an action before it runs."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, TextIO

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from actions import Action, Done, Hotkey, Type
from actions.keys import chord, parse_chord
from agent.records import Approval, GroundingRecord
from agent.safety.secrets import placeholders

__all__ = [
    "ApproveMode",
    "Approver",
    "AutoApprover",
    "Proposal",
    "RiskPolicy",
    "TerminalApprover",
    "describe_proposal",
    "make_approver",
    "parse_answer",
    "should_ask",
]

ApproveMode = Literal["never", "risky", "always"]


@dataclass(frozen=True)
class Proposal:
    """What is about to happen, as the person approving it sees it."""

    index: int
    thought: str
    instruction: str
    action: Action
    grounding: Sequence[GroundingRecord]
    preview: Callable[[], Path | None] = field(default=lambda: None)  # crosshair image, on demand
    text_under: Callable[[], str] = field(default=lambda: "")  # screen text at the point (OCR)
    after_edit: bool = False  # the person edited it: they are asked again, risky or not


class Approver(Protocol):
    def review(self, proposal: Proposal) -> Approval | None:
        """None when no one was asked; else the decision. `edited` means: re-ground, ask again."""
        ...


class AutoApprover:
    """`--approve never`: nothing is asked."""

    def review(self, proposal: Proposal) -> Approval | None:
        return None


class RiskPolicy(BaseModel):
    """What `--approve risky` asks about. Data: override any list in the config file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    risky_words: tuple[str, ...] = (
        "buy", "pay", "order", "send", "delete", "remove", "submit", "confirm", "install",
        "transfer", "sign", "purchase", "checkout")
    secret_words: tuple[str, ...] = (
        "password", "passcode", "passphrase", "pin", "card", "cvv", "cvc", "secret", "token",
        "iban", "ssn")
    risky_hotkeys: tuple[str, ...] = ("alt+f4", "ctrl+w", "ctrl+q", "ctrl+f4", "ctrl+shift+w",
                                      "ctrl+shift+q", "command+q", "command+w")
    ask_before_done: bool = True

    @field_validator("risky_hotkeys")
    @classmethod
    def _chords(cls, hotkeys: tuple[str, ...]) -> tuple[str, ...]:
        for hotkey in hotkeys:
            parse_chord(hotkey)  # ValueError names the key that is not one
        return hotkeys

    def reason(self, action: Action, text_under: str = "") -> str | None:
        """Why `action` is risky (None if it is not); `text_under` is screen text at the point."""
        if isinstance(action, Done):
            return "the agent says the task is done" if self.ask_before_done else None
        if isinstance(action, Hotkey):
            pressed = chord(action.keys)
            if not any(parse_chord(hotkey) == pressed for hotkey in self.risky_hotkeys):
                return None
            return f"{'+'.join(action.keys)} is one of the risky hotkeys (by default: close, quit)"
        described = " ".join(t for t in action.targets().values() if isinstance(t, str))
        if isinstance(action, Type):
            names = placeholders(action.text)
            if names:
                return f"typing the secret {{{{{names[0]}}}}}"
            if _mentions(self.secret_words, described):
                return "typing into a secret field"
            word = _mentions(self.secret_words, text_under)
            if word:
                return f"typing where the screen says {word!r} (a secret field?)"
            if action.enter:
                return "typing ends with Enter (it may submit)"
        word = _mentions(self.risky_words, described)
        if word:
            return f"the target's description says {word!r}"
        word = _mentions(self.risky_words, text_under)
        return f"the screen there says {word!r}" if word else None


def _mentions(words: Sequence[str], text: str) -> str | None:
    for word in words:
        if re.search(rf"\b{re.escape(word)}", text, re.IGNORECASE):
            return word
    return None


class TerminalApprover:
    """Asks on the terminal, or reads one answer per line from a pipe (CONTRACTS §7).

    y approve · n <feedback> reject · e target=<…> / e text=<…> / e <…> edit · q abort.
    """

    def __init__(
        self,
        mode: ApproveMode,
        policy: RiskPolicy | None = None,
        stdin: TextIO | None = None,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.mode = mode
        self.policy = policy or RiskPolicy()
        self.stdin = stdin if stdin is not None else sys.stdin  # None when Python has no stdin
        self.say = say or (lambda text: print(text, file=sys.stderr, flush=True))

    def review(self, proposal: Proposal) -> Approval | None:
        ask, reason = should_ask(self.mode, self.policy, proposal)
        if not ask:
            return None
        self.say(describe_proposal(proposal, reason))
        preview = proposal.preview() if proposal.grounding else None
        if preview is not None:
            self.say(f"  preview: {preview}")
        while True:
            self.say(f"approve? [y]es / [n]o <feedback> /{_edits(proposal.action)} [q]uit")
            line = self.stdin.readline() if self.stdin and not self.stdin.closed else ""
            if not line:  # no one is there to answer: the same as `q`
                return Approval(decision="aborted",
                                feedback="end of input while an approval was pending")
            try:
                approval = parse_answer(line, proposal.action)
            except ValueError as exc:
                self.say(f"  {exc}")
                continue
            if approval is not None:
                return approval
            self.say(f"  not understood: {line.strip()!r}")


def should_ask(
    mode: ApproveMode, policy: RiskPolicy, proposal: Proposal
) -> tuple[bool, str | None]:
    """Whether `mode` asks a person about `proposal`, and what makes it risky (if anything)."""
    if mode == "never":
        return False, None
    reason = policy.reason(proposal.action)
    if reason is None and mode == "risky" and proposal.grounding:
        # A button drawn "Delete" may be described as "the red button": read the screen too.
        reason = policy.reason(proposal.action, proposal.text_under())
    return mode == "always" or reason is not None or proposal.after_edit, reason


def parse_answer(line: str, action: Action) -> Approval | None:
    """One answer line → a decision (None: not understood, ask again; ValueError: an edit of
    an argument the action does not have)."""
    answer, _, rest = line.strip().partition(" ")
    rest = rest.strip()
    word = answer.lower()
    if word in ("y", "yes"):
        return Approval(decision="approved")
    if word in ("n", "no"):
        return Approval(decision="rejected", feedback=rest or None)
    if word in ("q", "quit"):
        return Approval(decision="aborted", feedback=rest or None)
    if word in ("e", "edit") and rest:
        name, has_value, value = rest.partition("=")
        if has_value and name.strip().isidentifier():
            if name.strip() in type(action).model_fields:
                edited = {name.strip(): value.strip()}
                _check_edit(action, edited)
                return Approval(decision="edited", edited=edited)
            known = ", ".join(type(action).model_fields) or "none"
            raise ValueError(f"{action.name} has no argument {name.strip()!r} (its arguments: "
                             f"{known})")
        if action.target_fields:  # a bare `e <description>` edits the (first) target
            return Approval(decision="edited", edited={action.target_fields[0]: rest})
    return None


def _edits(action: Action) -> str:
    """The prompt's edit choice, naming what this action has: a target, a text."""
    fields = [name for name in (*action.target_fields[:1], "text")
              if name in type(action).model_fields]
    shown = " or ".join(f"{name}=<…>" for name in fields)
    return f" [e]dit {shown} /" if shown else ""


def _check_edit(action: Action, edited: dict[str, str]) -> None:
    """ValueError, said at the prompt, when the edit makes the action invalid (`enter=banana`)."""
    try:
        type(action).model_validate({**action.model_dump(), **edited})
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        name, value = next(iter(edited.items()))
        raise ValueError(f"{name}={value!r} does not fit {action.name}: {problem}") from None


def describe_proposal(proposal: Proposal, reason: str | None) -> str:
    """The proposal as a person is asked about it: what, why it is risky, where."""
    lines = [f"step {proposal.index}: {proposal.instruction or proposal.action.summary()}"]
    if reason:
        lines.append(f"  risky: {reason}")
    if proposal.thought:
        lines.append(f"  thought: {proposal.thought}")
    lines.append(f"  action:  {proposal.action.summary()}")
    lines += [f"  {g.argument} → screen point {tuple(g.screen_point)}" for g in proposal.grounding]
    return "\n".join(lines)


def make_approver(mode: ApproveMode, policy: RiskPolicy | None = None) -> Approver:
    return AutoApprover() if mode == "never" else TerminalApprover(mode, policy)
