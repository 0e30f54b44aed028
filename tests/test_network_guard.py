"""tests/conftest.py's guard: a test that connects beyond this machine fails; loopback works."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import NetworkBlocked
from tests.paths import ROOT

# Addresses that are never this machine: TEST-NET-1 / a private range, and a public server.
OUTSIDE = [("10.255.255.1", 80), ("93.184.216.34", 443), ("192.0.2.1", 80),
           ("2001:db8::1", 443), ("::ffff:93.184.216.34", 443), ("example.com", 80)]


@pytest.fixture(params=["127.0.0.1", "127.1.2.3"])
def listener(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    """A TCP server on a loopback address that accepts connections."""
    server = socket.create_server((request.param, 0))
    accepted: list[socket.socket] = []

    def serve() -> None:
        try:
            while True:
                accepted.append(server.accept()[0])
        except OSError:
            pass  # closed

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[:2]
    server.close()
    for conn in accepted:
        conn.close()


@pytest.mark.parametrize("address", OUTSIDE, ids=lambda a: f"{a[0]}:{a[1]}")
def test_connecting_outside_is_blocked_with_a_clear_message(
    address: tuple[str, int], blocked_connections: list[str]
) -> None:
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    message = rf"tests may not connect to {address[0]}:{address[1]}: only loopback addresses"
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)  # were the guard missing, fail fast rather than wait for a timeout
        with pytest.raises(NetworkBlocked, match=message):
            sock.connect(address)
        with pytest.raises(NetworkBlocked, match=message):
            sock.connect_ex(address)
    with pytest.raises(NetworkBlocked, match=message):
        socket.create_connection(address, timeout=0.5)
    assert blocked_connections == [f"{address[0]}:{address[1]}"] * 3
    blocked_connections.clear()  # made on purpose: this test is not to fail for them


def test_an_http_client_outside_gets_an_os_error(blocked_connections: list[str]) -> None:
    with pytest.raises(OSError, match=r"tests may not connect to 93\.184\.216\.34:80"):
        urllib.request.urlopen("http://93.184.216.34/", timeout=0.5)
    assert blocked_connections
    blocked_connections.clear()


def test_loopback_connections_work(listener: tuple[str, int]) -> None:
    host, port = listener
    with socket.create_connection((host, port), timeout=5):
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect((host, port))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        assert sock.connect_ex((host, port)) == 0
    if host == "127.0.0.1":
        with socket.create_connection(("localhost", port), timeout=5):
            pass


def test_ipv6_loopback_is_allowed() -> None:
    try:
        server = socket.create_server(("::1", 0), family=socket.AF_INET6)
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    with server, socket.create_connection(("::1", server.getsockname()[1]), timeout=5):
        pass


def test_unix_sockets_are_allowed(tmp_path: Path) -> None:
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)


def test_a_test_that_swallows_the_error_still_fails(tmp_path: Path) -> None:
    test = tmp_path / "test_sneaky.py"
    test.write_text(
        "import socket\n\n"
        "def test_sneaky():\n"
        "    try:\n"
        "        socket.create_connection(('10.255.255.1', 80), timeout=0.5)\n"
        "    except OSError:\n"
        "        pass  # offline is fine, says the code under test\n",
        encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "-q", "--rootdir", str(tmp_path), str(test)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("the test itself tried to connect beyond this machine (10.255.255.1:80); tests "
            "never use the network") in result.stdout
