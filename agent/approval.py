"""The `Approver` seam: approve, reject (with feedback) or abort an action before it runs."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TextIO

from actions import Action, Done, Hotkey, Type
from agent.errors import Stopped
from agent.records import Approval, GroundingRecord

__all__ = [
    "Approver", "AutoApprover", "Proposal", "RiskPolicy", "TerminalApprover", "make_approver",
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


class Approver(Protocol):
    def review(self, proposal: Proposal) -> Approval | None:
        """None when no one was asked; otherwise the decision (raise Stopped to abort)."""
        ...


class AutoApprover:
    """`--approve never`: nothing is asked."""

    def review(self, proposal: Proposal) -> Approval | None:
        return None


_RISKY_WORDS = re.compile(
    r"\b(buy|pay|order|send|delete|remove|submit|confirm|install|transfer|sign|purchase|checkout)"
    r"\w*", re.IGNORECASE)
_SECRET_FIELDS = re.compile(r"\b(password|passcode|pin|card|cvv|cvc|secret|token)\b", re.IGNORECASE)
_CLOSING_HOTKEYS = {("alt", "f4"), ("ctrl", "w"), ("ctrl", "q"), ("command", "q"), ("command", "w")}


@dataclass(frozen=True)
class RiskPolicy:
    """Which actions count as risky under `--approve risky`."""

    risky_words: re.Pattern[str] = _RISKY_WORDS
    secret_fields: re.Pattern[str] = _SECRET_FIELDS

    def is_risky(self, action: Action) -> bool:
        if isinstance(action, Done):
            return True
        if isinstance(action, Hotkey):
            return tuple(action.keys) in _CLOSING_HOTKEYS
        targets = " ".join(t for t in action.targets().values() if isinstance(t, str))
        if isinstance(action, Type) and (action.enter or self.secret_fields.search(targets)):
            return True
        return bool(self.risky_words.search(targets))


class TerminalApprover:
    """Asks on the terminal (or reads one answer per line from a pipe): y, n <feedback>, q."""

    def __init__(
        self,
        mode: ApproveMode,
        policy: RiskPolicy | None = None,
        stdin: TextIO | None = None,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.mode = mode
        self.policy = policy or RiskPolicy()
        self.stdin = stdin or sys.stdin
        self.say = say or (lambda text: print(text, file=sys.stderr, flush=True))

    def review(self, proposal: Proposal) -> Approval | None:
        if self.mode == "risky" and not self.policy.is_risky(proposal.action):
            return None
        self.say(_describe(proposal))
        while True:
            self.say("approve? [y]es / [n]o <feedback> / [q]uit: ")
            line = self.stdin.readline()
            if not line:
                raise Stopped("no answer to a pending approval (end of input)")
            answer, _, rest = line.strip().partition(" ")
            if answer.lower() in ("y", "yes"):
                return Approval(decision="approved")
            if answer.lower() in ("n", "no"):
                return Approval(decision="rejected", feedback=rest.strip() or None)
            if answer.lower() in ("q", "quit"):
                raise Stopped("aborted at the approval prompt")


def _describe(proposal: Proposal) -> str:
    lines = [f"step {proposal.index}: {proposal.instruction or proposal.action.summary()}"]
    if proposal.thought:
        lines.append(f"  thought: {proposal.thought}")
    lines.append(f"  action:  {proposal.action.summary()}")
    lines += [f"  {g.argument} at screen {g.screen_point}" for g in proposal.grounding]
    return "\n".join(lines)


def make_approver(mode: ApproveMode) -> Approver:
    return AutoApprover() if mode == "never" else TerminalApprover(mode)
