"""`agent mcp` whose client goes away mid-action: the action stops between two keys, nothing is
left held on the X server (XTest keeps a dead client's keys down), and the step is recorded.

The client is a plain JSON-RPC writer on the server's stdin: closing that pipe is exactly what a
client that crashes or quits does to a stdio server.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_mcp import flight, server_args
from tests.gui import clean_env, read_steps, run_dirs
from tests.paths import ROOT
from tests.xvfb import VirtualDisplay

pytest.importorskip("mcp")  # the `mcp` extra; CI installs it, so there it never skips
pytestmark = pytest.mark.gui

TEXT = "Disconnect Me Now " * 200  # capitals: shift goes down and up all along


def send(server: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
    assert server.stdin is not None
    server.stdin.write((json.dumps({"jsonrpc": "2.0", **message}) + "\n").encode())
    server.stdin.flush()


def held_input(display: VirtualDisplay) -> tuple[list[int], int]:
    """The keycodes down and the pointer's button bits, as the X server sees them now."""
    from Xlib import display as xdisplay

    connection = xdisplay.Display(display.env["DISPLAY"])
    try:
        keymap = connection.query_keymap()
        keys = [8 * i + bit for i, byte in enumerate(keymap) for bit in range(8) if byte >> bit & 1]
        buttons = connection.screen().root.query_pointer().mask & 0x1F00  # Button1..5Mask
        return keys, buttons
    finally:
        connection.close()


def test_a_client_gone_mid_type_leaves_nothing_held_and_the_step_recorded(
        xvfb: VirtualDisplay, tmp_path: Path) -> None:
    with flight(xvfb, tmp_path) as (app, grounder):
        server = subprocess.Popen(
            [sys.executable, *server_args(grounder, tmp_path, "--approve", "never")],
            env=clean_env(xvfb.env), cwd=ROOT, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            send(server, {"id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "leaving", "version": "1"}}})
            assert server.stdout is not None and b'"id":1' in server.stdout.readline()
            send(server, {"method": "notifications/initialized"})
            send(server, {"id": 2, "method": "tools/call", "params": {
                "name": "type", "arguments": {"text": TEXT, "target": "the From text field"}}})
            app.wait_for(lambda s: len(s["fields"]["From"]) > 40, 60, "the typing to start")
            assert server.stdin is not None
            server.stdin.close()  # the client is gone
            code = server.wait(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
        time.sleep(0.5)  # Tk takes in the key events already sent
        typed = app.state()["fields"]["From"]
        keys, buttons = held_input(xvfb)
    assert code == 0
    assert (keys, buttons) == ([], 0)
    assert TEXT.startswith(typed) and len(typed) < len(TEXT)  # it stopped, between two keys
    (run_dir,) = run_dirs(tmp_path / "runs")
    (step,) = read_steps(run_dir)
    assert step["action"]["name"] == "type" and step["status"] == "stopped"
    assert "the MCP client disconnected" in step["error"]
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert run["status"] == "stopped" and run["ended_at"]
