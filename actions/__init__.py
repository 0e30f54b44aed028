"""planground's typed, pluggable action space.

Add an action from your own code, without editing the package::

    from typing import ClassVar
    from actions import Action, ActionContext, default_registry

    class OpenUrl(Action):
        \"\"\"Open a web address in the default browser.\"\"\"
        name: ClassVar[str] = "open_url"
        url: str

    def open_url(action: OpenUrl, ctx: ActionContext) -> str:
        webbrowser.open(action.url)
        return f"opened {action.url}"

    default_registry.register(OpenUrl, open_url)

The planner's prompt is rendered from the registry, so `open_url` shows up in it by itself.
"""

from actions.base import (
    Action,
    ActionContext,
    ActionRegistry,
    ActionSpec,
    Perform,
    Point,
    ScreenPoint,
    Target,
)
from actions.builtin import (
    AskUser,
    Click,
    Done,
    DoubleClick,
    Drag,
    Fail,
    Hotkey,
    Move,
    Press,
    RightClick,
    Scroll,
    Type,
    Wait,
    builtin_registry,
)
from actions.executor import (
    Button,
    Direction,
    DryRunExecutor,
    Executor,
    InputEvent,
    StopRequested,
)
from actions.keys import normalize_key

default_registry: ActionRegistry = builtin_registry()
"""The registry `agent run` uses: the built-ins plus whatever user code registers."""

__all__ = [
    "Action",
    "ActionContext",
    "ActionRegistry",
    "ActionSpec",
    "AskUser",
    "Button",
    "Click",
    "Direction",
    "Done",
    "DoubleClick",
    "Drag",
    "DryRunExecutor",
    "Executor",
    "Fail",
    "Hotkey",
    "InputEvent",
    "Move",
    "Perform",
    "Point",
    "Press",
    "RightClick",
    "ScreenPoint",
    "Scroll",
    "StopRequested",
    "Target",
    "Type",
    "Wait",
    "builtin_registry",
    "default_registry",
    "normalize_key",
]
