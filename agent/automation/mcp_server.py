"""`agent mcp`: planground's grounding, actions and safety as tools of an MCP server.

A client's model says *what* to act on ("the Save button"); each action tool is one step of the
step pipeline that `agent run` uses (through a `Desktop` open for the server's lifetime): ground,
approve (through the client's elicitation, else the terminal, else refused), secrets, perform,
settle, record. One run directory per server session; `run_task` runs a whole task with the
configured planner and writes its own. Tool names and arguments: CONTRACTS §10.
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Callable
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import mcp_types as types
from mcp.server.mcpserver import Context, Image, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel

from actions import Action, ActionRegistry, ActionSpec, builtin_registry
from agent.automation.desktop import Desktop, StepResult
from agent.automation.mcp_approval import ApprovalForm, ClientApprover, terminal_approver
from agent.errors import AgentError, Stopped
from agent.rundir.annotate import crosshair
from agent.rundir.report import write_report_safely
from agent.safety.secrets import Secrets
from agent.screen import Screenshot, encode_png
from agent.settings import Settings

__all__ = ["ACTION_TOOLS", "McpSession", "build_server"]

ACTION_TOOLS = ("click", "double_click", "right_click", "move", "drag", "scroll", "type",
                "press", "hotkey", "wait_for", "assert_visible")
"""The built-in actions served as tools (CONTRACTS §10); actions users register join them."""
NOT_TOOLS = ("done", "fail", "ask_user", "wait")  # a client's model ends and waits by itself
CLOSE_GRACE = 10.0  # seconds a stopped call may take to reach its next key and let go


class McpSession:
    """The server's one `Desktop`, used by one tool call at a time."""

    def __init__(self, settings: Settings, secrets: Secrets, registry: ActionRegistry | None,
                 *, ask_on_terminal: bool = True, **desktop_parts: Any) -> None:
        """`desktop_parts` replace the Desktop's real ones (tests); `ask_on_terminal=False`
        never asks on the server's terminal (a client that cannot ask is refused)."""
        self.settings = settings
        terminal = terminal_approver(settings.approve, settings.risk) if ask_on_terminal else None
        self.approver = ClientApprover(settings.approve, settings.risk, terminal=terminal)
        self.desktop = Desktop(settings=settings, approve=self.approver, registry=registry,
                               secrets=secrets, **desktop_parts)
        self._one_at_a_time = threading.Lock()

    def close(self) -> None:
        """End the session. A call still acting when its client went away (the server stops
        serving at once; the call's thread does not) is stopped between two keys and waited
        for, so no key or button stays held and its step is recorded."""
        cut_short: Stopped | None = None
        idle = self._one_at_a_time.acquire(timeout=0)
        if not idle:
            cut_short = Stopped("the MCP client disconnected")
            self.desktop.control.stop(str(cut_short), interrupt=False)
            idle = self._one_at_a_time.acquire(timeout=CLOSE_GRACE)
        try:
            self.desktop.close(cut_short)  # the session's run.json: stopped, or done
        finally:
            if idle:
                self._one_at_a_time.release()

    def call(self, work: Callable[[], list[Any]], ctx: Context | None) -> list[Any]:
        """Run `work` (in a worker thread) with approvals asked through `ctx`'s client."""
        with self._one_at_a_time:
            self.approver.ask = _asker(ctx) if ctx is not None else None
            try:
                return work()
            except AgentError as exc:
                raise ToolError(self.desktop.secrets.redact(str(exc))) from None
            except ValueError as exc:  # arguments the action does not take
                raise ToolError(self.desktop.secrets.redact(str(exc).splitlines()[0])) from None
            finally:
                self.approver.ask = None

    def act(self, name: str, arguments: dict[str, Any]) -> list[Any]:
        action = self.desktop.registry.parse({"name": name, **_plain(arguments)})
        try:
            return self._result(self.desktop.do(action))
        finally:  # the session's report.html shows every step so far, whatever happened
            if self.desktop.run_dir is not None:
                write_report_safely(self.desktop.run_dir)

    def ground(self, description: str) -> list[Any]:
        shot = self.desktop.screen.capture()
        found = self.desktop.grounder.ground(shot, description)
        answer = {"point": list(found.point), "screen_point": list(shot.to_screen(*found.point)),
                  "raw": found.raw}
        return [json.dumps(answer), _png(crosshair(shot.image, found.point))]

    def screenshot(self, monitor: int | None) -> list[Any]:
        shot = self.desktop.screen.capture()
        if monitor is not None and monitor != shot.monitor.index:  # a look at another monitor
            from agent.backends.mss_screen import MssScreen

            other = MssScreen(monitor)  # UsageError naming the monitors there are
            try:
                shot = other.capture()
            finally:
                other.close()
        return [json.dumps(_geometry(shot)), _png(shot.image)]

    def run_task(self, task: str, max_steps: int | None) -> list[Any]:
        from agent.automation.agent import Agent

        settings = self.settings if max_steps is None else self.settings.model_copy(
            update={"max_steps": max_steps})
        with self.desktop.handing_over():  # the run takes the display, its hotkeys and lock
            result = Agent(settings, secrets=self.desktop.secrets, approver=self.approver).run(task)
        return [json.dumps({"status": result.status, "answer": result.answer,
                            "reason": result.reason, "report": str(result.report),
                            "run_dir": str(result.run_dir)})]

    def _result(self, result: StepResult) -> list[Any]:
        shot = self.desktop.screen.capture()  # the client's model sees what the action did
        record = result.record
        what = {"step": record.index, "status": record.status, "action": record.action,
                "point": list(result.point) if result.point else None,
                "screen_point": list(result.screen_point) if result.screen_point else None,
                "outcome": record.outcome, "run_dir": str(self.desktop.run_dir)}
        return [json.dumps(what, ensure_ascii=False), _png(shot.image)]


def build_server(session: McpSession) -> MCPServer:
    """The MCP server: the session's tools, each a thin call into the step pipeline."""
    server = MCPServer("planground", instructions=(
        "Act on this computer's screen: name targets in words (\"the Save button\") or give "
        "{\"x\", \"y\"} in screenshot pixels; planground grounds them, asks for approval when "
        "an action is risky, and acts. Secrets are typed as {{NAME}} placeholders."))

    async def screenshot(ctx: Context, monitor: int | None = None) -> list[Any]:
        """The screen now (the monitor driven, or `monitor`): the image, its size and the
        monitor's geometry."""
        return await _in_thread(session, lambda: session.screenshot(monitor), ctx)

    async def ground(description: str, ctx: Context) -> list[Any]:
        """Where an element described in words is: {point, screen_point, raw} and the screen
        with a crosshair on it (nothing is done)."""
        return await _in_thread(session, lambda: session.ground(description), ctx)

    async def run_task(task: str, ctx: Context, max_steps: int | None = None) -> list[Any]:
        """Carry out a whole task with the configured planner, as `agent run` does: its status,
        answer or reason, and report path."""
        return await _in_thread(session, lambda: session.run_task(task, max_steps), ctx)

    server.add_tool(screenshot, structured_output=False)
    server.add_tool(ground, structured_output=False)
    server.add_tool(run_task, structured_output=False)
    for spec in session.desktop.registry:
        if spec.name in ACTION_TOOLS or (spec.name not in NOT_TOOLS and
                                         spec.name not in builtin_registry()):
            server.add_tool(_action_tool(session, spec), name=spec.name,
                            description=spec.description(), structured_output=False)
    return server


def _action_tool(session: McpSession, spec: ActionSpec) -> Callable[..., Any]:
    """A tool whose arguments are the action's own (names, types, defaults from its model)."""
    model: type[Action] = spec.model
    fields = model.model_fields

    async def tool(ctx: Context, **arguments: Any) -> list[Any]:
        return await _in_thread(session, lambda: session.act(spec.name, arguments), ctx)

    parameters = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                    annotation=field.annotation,
                                    default=inspect.Parameter.empty if field.is_required()
                                    else field.default)
                  for name, field in fields.items()]
    context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)
    tool.__signature__ = inspect.Signature([*parameters, context])  # type: ignore[attr-defined]
    tool.__annotations__ = {**{name: field.annotation for name, field in fields.items()},
                            "ctx": Context, "return": list[Any]}
    tool.__name__ = spec.name
    return tool


async def _in_thread(session: McpSession, work: Callable[[], list[Any]],
                     ctx: Context) -> list[Any]:
    """Blocking work (the screen, the grounder, input) off the event loop; approvals it needs
    come back to the loop to ask the client. A client that goes away does not wait for the
    work: the server stops serving, and `McpSession.close` stops the work between two keys."""
    result: list[Any] = await anyio.to_thread.run_sync(lambda: session.call(work, ctx),
                                                       abandon_on_cancel=True)
    return result


def _asker(ctx: Context) -> Callable[[str], Any]:
    """Ask the client's person from a worker thread; ('unsupported', None) when it cannot."""
    def ask(message: str) -> Any:
        if not _can_elicit(ctx):
            return "unsupported", None
        try:
            result = anyio.from_thread.run(ctx.elicit, message, ApprovalForm)
        except Exception:  # no back-channel (a stateless connection): as if it could not ask
            return "unsupported", None
        return result.action, getattr(result, "data", None)

    return ask


def _can_elicit(ctx: Context) -> bool:
    try:
        wanted = types.ClientCapabilities(elicitation=types.ElicitationCapability())
        return bool(ctx.session.check_client_capability(wanted))
    except Exception:  # a session that cannot say: do not ask through it
        return False


def _plain(arguments: dict[str, Any]) -> dict[str, Any]:
    """Validated tool arguments as the action's JSON (a point model → {"x", "y"})."""
    return {name: value.model_dump() if isinstance(value, BaseModel) else value
            for name, value in arguments.items() if value is not None}


def _geometry(shot: Screenshot) -> dict[str, Any]:
    monitor = shot.monitor
    return {"size": list(shot.size), "monitor": monitor.index,
            "monitor_rect": [monitor.rect.left, monitor.rect.top, monitor.rect.width,
                             monitor.rect.height]}


def _png(image: Any) -> Image:
    return Image(data=encode_png(image), format="png")
