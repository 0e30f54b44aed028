"""`agent mcp`: its parser and its handler (the server itself is agent/automation/mcp_server.py)."""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import sys
from typing import Any

from agent.cli.flags import Commands, Parser, add_secret_flag, add_settings, add_verbosity
from agent.errors import UsageError

__all__ = ["add_mcp_parser", "mcp_command", "parse_address"]


def add_mcp_parser(commands: Commands) -> Parser:
    """`agent mcp [--http HOST:PORT [--token TOKEN]]` and every run setting."""
    return commands.add_parser(
        "mcp", allow_abbrev=False, help="serve grounding, actions and safety to MCP clients",
        description="Serve planground as an MCP server (stdio by default): tools that act on "
                    "this screen by description, with approval, secrets, hotkeys and a record.",
        arguments=_arguments)


def _arguments(parser: Parser) -> None:
    parser.add_argument("--http", metavar="HOST:PORT",
                        help="serve streamable HTTP at HOST:PORT instead of stdio (loopback "
                             "unless --token is given)")
    parser.add_argument("--token", metavar="TOKEN",
                        help="the bearer token HTTP clients must send (required off loopback)")
    add_secret_flag(parser)
    add_settings(parser)
    add_verbosity(parser)
    parser.set_defaults(handler=mcp_command)


def parse_address(text: str, token: str | None) -> tuple[str, int]:
    """`HOST:PORT` → (host, port); off loopback only with a token."""
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--http wants HOST:PORT, e.g. 127.0.0.1:8765, not {text!r}")
    if not _loopback(host) and not token:
        raise UsageError(f"--http {text} is reachable from other machines: give --token TOKEN "
                         "(clients send it as a bearer token), or serve on 127.0.0.1")
    return host, int(port)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def mcp_command(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    try:
        import mcp  # noqa: F401  (the optional extra)
    except ImportError:
        raise UsageError("agent mcp needs the MCP SDK: pip install 'planground[mcp]'") from None
    from agent.automation.mcp_server import McpSession, build_server
    from agent.cli.common import secrets_from, settings_from

    address = parse_address(args.http, args.token) if args.http else None
    session = McpSession(settings_from(args), secrets_from(args), None)
    try:
        server = build_server(session)
        if address is None:
            server.run("stdio")
        else:
            _serve_http(server, *address, token=args.token)
    finally:
        session.close()
    return 0


def _serve_http(server: Any, host: str, port: int, token: str | None) -> None:
    """Streamable HTTP at http://HOST:PORT/mcp; with a token, requests without it get 401."""
    import uvicorn

    app = server.streamable_http_app()
    if token:
        app = _BearerOnly(app, token)
    print(f"agent: MCP server at http://{host}:{port}/mcp", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


class _BearerOnly:
    """An ASGI wrapper: HTTP requests must carry `Authorization: Bearer <token>`."""

    def __init__(self, app: Any, token: str) -> None:
        self.app, self.expected = app, f"Bearer {token}".encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers", [])).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"content-type", b"text/plain"),
                                        (b"www-authenticate", b"Bearer")]})
                await send({"type": "http.response.body", "body": b"missing or wrong token\n"})
                return
        await self.app(scope, receive, send)
