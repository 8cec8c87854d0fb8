"""ServerThread: an http.server on 127.0.0.1 started, used and stopped by its owner."""

from __future__ import annotations

import socket
import urllib.request
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from statuswatch.servethread import LocalHTTPServer, ServerThread

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class _Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = b"hello"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Hellos(ServerThread):
    def __init__(self) -> None:
        super().__init__("hellos", poll_interval=0.05)
        self.made = 0

    def make_server(self) -> LocalHTTPServer:
        self.made += 1
        return LocalHTTPServer(("127.0.0.1", 0), _Hello)


def test_it_serves_while_started_and_frees_its_port_when_stopped() -> None:
    server = _Hellos()
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.port
    with server:
        port = server.port
        assert server.start() is server and server.made == 1  # started once, not twice
        with NO_PROXY.open(f"http://127.0.0.1:{port}/", timeout=10) as answer:
            assert answer.read() == b"hello"
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.port
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.settimeout(5)
        sock.connect(("127.0.0.1", port))
    server.stop()  # a second stop is harmless


def test_it_starts_again_on_a_new_port_after_a_stop() -> None:
    server = _Hellos()
    with server:
        pass
    with server:
        assert server.made == 2
        with NO_PROXY.open(f"http://127.0.0.1:{server.port}/", timeout=10) as answer:
            assert answer.read() == b"hello"


def test_the_base_class_cannot_serve_without_a_server_to_make() -> None:
    with pytest.raises(TypeError, match="make_server"):
        ServerThread("nothing", 0.05)  # type: ignore[abstract]
