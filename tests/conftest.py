"""Shared fixtures: every test gets private paths and no network beyond 127.0.0.1."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import reliability
from loopback import LoopbackServer

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def anyio_backend() -> str:
    """The async tests (marked `anyio`) run on asyncio, the loop statuswatch and Textual use."""
    return "asyncio"


@pytest.fixture(autouse=True)
def private_paths(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point config, state and cache at `tmp_path` and drop proxy settings.

    The config is found where a user's is, not named by STATUSWATCH_CONFIG (a named file must
    exist): the platform's config directory, $XDG_CONFIG_HOME/statuswatch, is a link to
    `tmp_path`, so a test writes `tmp_path / "config.toml"` and every command reads it.
    """
    config_home = tmp_path_factory.mktemp("config-home")  # beside tmp_path, not in it
    (config_home / "statuswatch").symlink_to(tmp_path, target_is_directory=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.delenv("STATUSWATCH_CONFIG", raising=False)
    monkeypatch.setenv("STATUSWATCH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("STATUSWATCH_CACHE_DIR", str(tmp_path / "cache"))
    # A proxy from the developer's shell would route loopback requests elsewhere.
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return tmp_path


def _is_loopback(host: object) -> bool:
    """True for None (a local bind), loopback names and loopback addresses."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse name lookups and connections to anything but loopback; fail the test if tried.

    The refusal raises OSError inside the code under test (which may well turn it into a
    report), so each attempt is also recorded and fails the test at teardown.
    """
    attempts: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def refuse(what: str) -> OSError:
        attempts.append(what)
        return OSError(f"network access refused in tests: {what}")

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            raise refuse(f"getaddrinfo({host!r})")
        return real_getaddrinfo(host, *args, **kwargs)

    def allowed(sock: socket.socket, address: Any) -> bool:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return True  # Unix sockets and socket pairs are local by nature
        return isinstance(address, tuple) and _is_loopback(address[0])

    def connect(self: socket.socket, address: Any) -> None:
        if not allowed(self, address):
            raise refuse(f"connect({address!r})")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not allowed(self, address):
            raise refuse(f"connect_ex({address!r})")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield attempts
    if attempts:
        pytest.fail(f"the test tried to reach the network: {'; '.join(attempts)}")


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A started LoopbackServer, stopped after the test."""
    with LoopbackServer() as server:
        yield server


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the reliability figures the suites recorded (tests/reliability.py), if any."""
    recorded = reliability.figures()
    line = reliability.summary_line(recorded)
    if line is None:
        return
    terminalreporter.write_line(line)
    target = os.environ.get(reliability.REPORT_ENV)
    if target:
        reliability.write_report(recorded, target)
