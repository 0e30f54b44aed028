"""planground: a runtime for planner–grounder GUI agents (the SeeAct-V loop).

A planner model says what to do next in words; a grounding model says where on the screen;
the executor does it with the real mouse and keyboard; every step is recorded.
"""

from agent.approval import Approver, AutoApprover, Proposal, RiskPolicy, TerminalApprover
from agent.desktop import Desktop
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
from agent.families import FAMILIES, register_family
from agent.grounder import Family, Grounder, Grounding, ModelGrounder
from agent.loop import Limits, Loop, RunOutcome
from agent.planner import OpenAIPlanner, PastStep, Planner, PlanResult
from agent.recorder import Recorder, RunDirectory
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
from agent.screen import Monitor, MssScreen, Rect, Screen, Screenshot
from agent.settings import Settings, load_settings
from agent.settle import Settler
from agent.tasks import Agent, TaskResult

__version__ = "0.1.0"

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
    "__version__",
    "load_settings",
    "register_family",
]
