"""Every error the runtime raises on purpose, and the exit code it maps to (CONTRACTS §2).

    AgentError                      base; `exit_code` says how the CLI ends
    ├── UsageError            (2)   bad flags, bad config file, nothing configured
    │   ├── DisplayError      (2)   no usable display, Wayland without X
    │   └── ModelAccessError  (2)   the server refused us: 401/403, unknown model (404)
    ├── ModelServerError      (3)   unreachable, timeouts, 5xx after retries
    │   └── InvalidReplyError (3)   a reply that stays invalid after the bounded re-asks
    ├── GroundingError        (1)   no target found / the answer cannot be turned into a point
    ├── ActionError           (1)   an action could not be performed
    ├── TaskFailed            (1)   the planner said `fail`, or a budget ran out
    └── Stopped             (130)   the user stopped the run

`ModelReplyError` is not an `AgentError`: it marks one malformed reply, which the caller answers
with a re-ask (planner) or turns into an `InvalidReplyError` / `GroundingError` when it gives up.
"""

from __future__ import annotations

__all__ = [
    "ActionError",
    "AgentError",
    "DisplayError",
    "GroundingError",
    "InvalidReplyError",
    "ModelAccessError",
    "ModelReplyError",
    "ModelServerError",
    "Stopped",
    "TaskFailed",
    "UsageError",
]


class AgentError(Exception):
    """Base of the runtime's errors; the CLI prints it as one line and exits with `exit_code`."""

    exit_code = 1


class UsageError(AgentError):
    exit_code = 2


class DisplayError(UsageError):
    pass


class ModelAccessError(UsageError):
    pass


class ModelServerError(AgentError):
    exit_code = 3


class InvalidReplyError(ModelServerError):
    """`tokens`: (prompt, completion) the invalid replies cost, so budgets still count them."""

    def __init__(self, message: str, tokens: tuple[int, int] = (0, 0)) -> None:
        super().__init__(message)
        self.tokens = tokens


class GroundingError(AgentError):
    """`tokens`: (prompt, completion) an unusable answer cost, so budgets still count them;
    `raw`: that answer as the model wrote it (None when no model answered)."""

    exit_code = 1

    def __init__(self, message: str, tokens: tuple[int, int] = (0, 0),
                 raw: str | None = None) -> None:
        super().__init__(message)
        self.tokens = tokens
        self.raw = raw


class ActionError(AgentError):
    exit_code = 1


class TaskFailed(AgentError):
    exit_code = 1


class Stopped(AgentError):
    exit_code = 130


class ModelReplyError(ValueError):
    """One model reply could not be understood; the message says why, for a re-ask."""
