"""planground: a runtime for planner–grounder GUI agents (the SeeAct-V loop).

A planner model says what to do next in words; a grounding model says where on the screen;
the executor does it with the real mouse and keyboard; every step is recorded.

The names below are imported on first use (PEP 562), so `agent --help` and `import agent` load
none of the runtime: `from agent import Agent` still works as always.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.automation.agent import Agent, TaskResult
    from agent.automation.desktop import Desktop
    from agent.automation.step_result import VerifyWarning
    from agent.backends.mss_screen import MssScreen
    from agent.errors import (
        ActionError,
        AgentError,
        DisplayError,
        GroundingError,
        InvalidReplyError,
        ModelAccessError,
        ModelReplyError,
        ModelServerError,
        Stopped,
        TaskFailed,
        UsageError,
    )
    from agent.grounding.families import FAMILIES, register_family
    from agent.grounding.grounder import Family, Grounder, Grounding, ModelGrounder
    from agent.planning.planner import OpenAIPlanner, PastStep, Planner, PlanResult
    from agent.records import (
        Approval,
        GroundingRecord,
        PlannerReply,
        RunRecord,
        StepRecord,
        Timings,
        TokenUsage,
        Usage,
    )
    from agent.run.loop import Limits, Loop, RunOutcome
    from agent.run.settle import Settler
    from agent.rundir.recorder import Recorder, RunDirectory
    from agent.safety.approval import Approver, AutoApprover, Proposal, RiskPolicy, TerminalApprover
    from agent.screen import Monitor, Rect, Screen, Screenshot
    from agent.settings import Settings, load_settings

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {  # public name -> the module that defines it
    "ActionError": "agent.errors",
    "Agent": "agent.automation.agent",
    "AgentError": "agent.errors",
    "Approval": "agent.records",
    "Approver": "agent.safety.approval",
    "AutoApprover": "agent.safety.approval",
    "Desktop": "agent.automation.desktop",
    "DisplayError": "agent.errors",
    "FAMILIES": "agent.grounding.families",
    "Family": "agent.grounding.grounder",
    "Grounder": "agent.grounding.grounder",
    "Grounding": "agent.grounding.grounder",
    "GroundingError": "agent.errors",
    "GroundingRecord": "agent.records",
    "InvalidReplyError": "agent.errors",
    "Limits": "agent.run.loop",
    "load_settings": "agent.settings",
    "Loop": "agent.run.loop",
    "ModelAccessError": "agent.errors",
    "ModelGrounder": "agent.grounding.grounder",
    "ModelReplyError": "agent.errors",
    "ModelServerError": "agent.errors",
    "Monitor": "agent.screen",
    "MssScreen": "agent.backends.mss_screen",
    "OpenAIPlanner": "agent.planning.planner",
    "PastStep": "agent.planning.planner",
    "Planner": "agent.planning.planner",
    "PlannerReply": "agent.records",
    "PlanResult": "agent.planning.planner",
    "Proposal": "agent.safety.approval",
    "Recorder": "agent.rundir.recorder",
    "Rect": "agent.screen",
    "register_family": "agent.grounding.families",
    "RiskPolicy": "agent.safety.approval",
    "RunDirectory": "agent.rundir.recorder",
    "RunOutcome": "agent.run.loop",
    "RunRecord": "agent.records",
    "Screen": "agent.screen",
    "Screenshot": "agent.screen",
    "Settings": "agent.settings",
    "Settler": "agent.run.settle",
    "StepRecord": "agent.records",
    "Stopped": "agent.errors",
    "TaskFailed": "agent.errors",
    "TaskResult": "agent.automation.agent",
    "TerminalApprover": "agent.safety.approval",
    "Timings": "agent.records",
    "TokenUsage": "agent.records",
    "Usage": "agent.records",
    "UsageError": "agent.errors",
    "VerifyWarning": "agent.automation.step_result",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'agent' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "FAMILIES",
    "ActionError",
    "Agent",
    "AgentError",
    "Approval",
    "Approver",
    "AutoApprover",
    "Desktop",
    "DisplayError",
    "Family",
    "Grounder",
    "Grounding",
    "GroundingError",
    "GroundingRecord",
    "InvalidReplyError",
    "Limits",
    "Loop",
    "ModelAccessError",
    "ModelGrounder",
    "ModelReplyError",
    "ModelServerError",
    "Monitor",
    "MssScreen",
    "OpenAIPlanner",
    "PastStep",
    "PlanResult",
    "Planner",
    "PlannerReply",
    "Proposal",
    "Recorder",
    "Rect",
    "RiskPolicy",
    "RunDirectory",
    "RunOutcome",
    "RunRecord",
    "Screen",
    "Screenshot",
    "Settings",
    "Settler",
    "StepRecord",
    "Stopped",
    "TaskFailed",
    "TaskResult",
    "TerminalApprover",
    "Timings",
    "TokenUsage",
    "Usage",
    "UsageError",
    "VerifyWarning",
    "__version__",
    "load_settings",
    "register_family",
]
