"""Approval for `agent mcp`: the person is asked through the MCP client (elicitation) when it can
ask, else on the terminal the server runs in, else a risky action is refused (CONTRACTS §10)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from agent.errors import ActionError
from agent.records import Approval
from agent.safety.approval import (
    ApproveMode,
    Proposal,
    RiskPolicy,
    TerminalApprover,
    describe_proposal,
    should_ask,
)

__all__ = ["ApprovalForm", "Ask", "ClientApprover", "approval_from", "terminal_approver"]


class ApprovalForm(BaseModel):
    """What the client's form asks: a decision, and what goes with it."""

    decision: Literal["approve", "reject", "edit", "abort"] = Field(
        description="approve: do it; reject: don't (say why in feedback); edit: change the "
                    "target or text, then you are asked again; abort: end the session's work")
    feedback: str = Field("", description="why you reject it (the client's model reads this)")
    target: str = Field("", description="edit: the element to act on instead, in words")
    text: str = Field("", description="edit: the text to type instead")


Ask = Callable[[str], "tuple[str, ApprovalForm | None]"]
"""Shows a message with the form in the client: `accept` (with the form), `decline`, `cancel`, or
`unsupported` when this client cannot be asked."""


def approval_from(answer: str, form: ApprovalForm | None) -> Approval:
    """The client's answer as a decision. Declining or dismissing the form rejects the action."""
    if answer != "accept" or form is None:
        return Approval(decision="rejected", feedback=f"the approval was {answer}d in the client"
                        if answer in ("decline", "cancel") else "no answer from the client")
    if form.decision == "approve":
        return Approval(decision="approved")
    if form.decision == "abort":
        return Approval(decision="aborted", feedback=form.feedback or None)
    if form.decision == "edit":
        edited = {name: value for name, value in (("target", form.target), ("text", form.text))
                  if value}
        if edited:
            return Approval(decision="edited", edited=edited)
    return Approval(decision="rejected", feedback=form.feedback or None)


def terminal_approver(mode: ApproveMode, policy: RiskPolicy) -> TerminalApprover | None:
    """Questions on the terminal the server runs in, when it has one (stdio is the protocol's)."""
    try:
        tty = open("/dev/tty", "r+", encoding="utf-8")  # noqa: SIM115 (kept for the session)
    except OSError:
        return None
    return TerminalApprover(mode, policy, stdin=tty, say=lambda text: print(text, file=tty,
                                                                             flush=True))


@dataclass
class ClientApprover:
    """`--approve` for MCP: the policy decides what is asked; `ask` (set per tool call) asks the
    client; without it, the terminal; without one, a risky action is refused."""

    mode: ApproveMode
    policy: RiskPolicy
    ask: Ask | None = None
    terminal: TerminalApprover | None = None

    def review(self, proposal: Proposal) -> Approval | None:
        asking, reason = should_ask(self.mode, self.policy, proposal)
        if not asking:
            return None
        if self.ask is not None:
            answer, form = self.ask(describe_proposal(proposal, reason))
            if answer != "unsupported":
                return _checked(approval_from(answer, form), proposal)
        if self.terminal is not None:
            return self.terminal.review(proposal)
        why = f" ({reason})" if reason else ""
        raise ActionError(f"{proposal.action.summary()} needs approval{why}, and neither this MCP "
                          "connection (elicitation during a call) nor a terminal can ask: start "
                          "`agent mcp` with --approve never to allow it, or use a client that "
                          "answers elicitation")


def _checked(approval: Approval, proposal: Proposal) -> Approval:
    """An edit of an argument the action does not have is a rejection that says so."""
    if approval.decision != "edited" or approval.edited is None:
        return approval
    fields = type(proposal.action).model_fields
    unknown = [name for name in approval.edited if name not in fields]
    if unknown:
        return Approval(decision="rejected",
                        feedback=f"{proposal.action.name} has no {', '.join(unknown)} to edit")
    return approval
