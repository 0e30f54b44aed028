"""Shared fixtures. GUI tests run on their own Xvfb; in CI a missing Xvfb fails, never skips.

Tests never reach the network: a connection to anything but this machine (loopback addresses,
`localhost`, Unix sockets) raises `NetworkBlocked` and fails the test that made it, even when
the code under test catches the error.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from tests.gui import need
from tests.xvfb import VirtualDisplay, virtual_display, xvfb_available

# ------------------------------------------------------------------ no network in tests


class NetworkBlocked(ConnectionRefusedError):
    """A test tried to connect beyond this machine. An OSError, so that the code under test
    fails the way it would offline; the test fails anyway (see `pytest_runtest_*` below)."""


_blocked: list[str] = []  # attempts during the current test phase; appends are thread-safe
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_create_connection = socket.create_connection


def _is_local(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.rstrip(".").lower() in ("localhost", ""):  # "" is INADDR_ANY: this machine
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])  # fe80::1%eth0: no scope
    except ValueError:
        return False  # a host name: resolving it alone would ask a DNS server
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified  # 0.0.0.0 connects to this machine


def _check(family: int, address: Any) -> None:
    if family not in (socket.AF_INET, socket.AF_INET6):
        return  # AF_UNIX (the X server, Xvfb's display socket), netlink: never the network
    if not isinstance(address, tuple) or len(address) < 2:
        return  # not an address: the real connect says so
    host, port = address[0], address[1]
    if not _is_local(host):
        what = f"{host}:{port}"
        _blocked.append(what)
        raise NetworkBlocked(f"tests may not connect to {what}: only loopback addresses "
                             "(127.0.0.0/8, ::1, localhost) and Unix sockets are allowed; "
                             "serve a fake on 127.0.0.1 instead")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check(self.family, address)
    _connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check(self.family, address)
    return _connect_ex(self, address)


def _guarded_create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
    _check(socket.AF_INET, address)  # before the name is resolved: no DNS query either
    return _create_connection(address, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
socket.create_connection = _guarded_create_connection  # type: ignore[assignment]


def _fail_on_blocked(phase: str) -> Generator[None, Any, Any]:
    """A `wrapper=True` hook body: fail the phase that tried to connect, even if the code
    under test swallowed the NetworkBlocked."""
    _blocked.clear()
    result = yield
    if _blocked:
        attempts = ", ".join(dict.fromkeys(_blocked))
        _blocked.clear()
        pytest.fail(f"the test {phase} tried to connect beyond this machine ({attempts}); "
                    "tests never use the network", pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _fail_on_blocked("setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _fail_on_blocked("itself"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _fail_on_blocked("teardown"))


@pytest.fixture
def blocked_connections() -> Iterator[list[str]]:
    """The blocked attempts so far, for a test that makes one on purpose and then clears them
    (tests/test_network_guard.py)."""
    yield _blocked


# ------------------------------------------------------------------ displays and tools


def _need_xvfb() -> None:
    # CI sets AGENT_REQUIRE_GUI=1 (see .ci/run): there a GUI test that cannot run fails loudly.
    need(xvfb_available(),
         "Xvfb is not installed (apt install xvfb); GUI tests never use the real display")


@pytest.fixture
def tesseract() -> None:
    """Tests that read the screen with tesseract: skipped without it, failed in CI."""
    need(shutil.which("tesseract") is not None,
         "tesseract is not installed (apt install tesseract-ocr)")


@pytest.fixture(scope="session")
def xvfb() -> Iterator[VirtualDisplay]:
    """One 1280x800 virtual display shared by the session's GUI tests."""
    _need_xvfb()
    with virtual_display(1280, 800) as display:
        yield display


@pytest.fixture
def make_display() -> Iterator[object]:
    """Factory for extra displays of other sizes: `make_display(1920, 1080)`."""
    _need_xvfb()
    stack: list[object] = []

    def make(width: int, height: int) -> VirtualDisplay:
        cm = virtual_display(width, height)
        display = cm.__enter__()
        stack.append(cm)
        return display

    yield make
    for cm in reversed(stack):
        cm.__exit__(None, None, None)  # type: ignore[attr-defined]


# ------------------------------------------------------------------ in CI nothing is skipped


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[
        None, Any, None]:
    """With AGENT_REQUIRE_GUI=1 (CI) a skipped test fails: whatever it needs (Xvfb, tesseract,
    an extra such as `mcp`) must be there, or the run says what is missing."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("AGENT_REQUIRE_GUI") == "1" and not hasattr(
            report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    """A whole module skipped at import (`pytest.importorskip`) fails in CI too."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("AGENT_REQUIRE_GUI") == "1":
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {report.longrepr}"
