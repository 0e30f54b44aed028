"""The tests' virtual displays come from the package (`agent demo` uses the same code)."""

from agent.backends.xvfb import (
    VirtualDisplay,
    split_monitors,
    using_display,
    virtual_display,
    xvfb_available,
)

__all__ = ["VirtualDisplay", "split_monitors", "using_display", "virtual_display", "xvfb_available"]
