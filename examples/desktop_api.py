"""Drive a GUI from Python with `Desktop`: the agent's own actions, targets named in words.

    python -m agent.demo.flight_app /tmp/form-state.json &          # the test form, on your display
    AGENT_GROUNDER_BASE_URL=http://localhost:8000/v1 python examples/desktop_api.py Paris

The grounder, its endpoint and the monitor come from AGENT_* variables or ./agent.toml, as for
`agent run` (here UGround served by vLLM: see serve_uground.md); with no endpoint the offline OCR
grounder is used. Nothing is asked before acting (README, Safety); pyautogui's fail-safe corner
and the kill hotkey (ctrl+alt+esc) stop it.
"""

from __future__ import annotations

import sys

from agent.automation.desktop import Desktop
from agent.errors import AgentError


def book(desktop: Desktop, city: str) -> str:
    desktop.type("Boston", into="the From text field")
    desktop.type(city, into="the To text field")
    desktop.type("Ada Lovelace", into="the Passenger text field")
    desktop.click("the Search flights button")
    desktop.wait_for("the Book now button", timeout=10)
    desktop.click("the Book now button")
    x, y = desktop.wait_for("Booked", timeout=10)  # OCR: waits until the text is on the screen
    return f"booked a flight to {city}; the confirmation is at ({x:.0f}, {y:.0f})"


def main(argv: list[str] | None = None) -> int:
    city = (sys.argv[1:] if argv is None else argv) or ["Tokyo"]
    try:
        with Desktop() as desktop:
            print(book(desktop, city[0]))
    except AgentError as exc:  # one line, and the exit codes of `agent` (README, Exit codes)
        print(f"desktop_api: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
