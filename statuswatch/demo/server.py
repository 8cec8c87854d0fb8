"""The demo's loopback HTTP server: each scenario provider served in its platform's format.

It runs in a thread of the `statuswatch demo` process, on 127.0.0.1 and a free port, and
computes every answer from the scenario clock at the moment of the request: the engine polls it
exactly as it polls a real page (ETags and 304s included).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import socket
import threading
from collections import Counter
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from statuswatch.demo.clock import ScenarioClock
from statuswatch.demo.formats import DOCUMENT_PATHS, incident_page, render
from statuswatch.demo.script import Provider, Scenario
from statuswatch.servethread import LocalHTTPServer, ServerThread

__all__ = ["DemoServer"]


class DemoServer(ServerThread):
    """Serves a scenario's providers on http://127.0.0.1:PORT/<provider id>/..."""

    def __init__(self, scenario: Scenario, clock: ScenarioClock) -> None:
        super().__init__("statuswatch-demo", poll_interval=0.1)
        self.scenario = scenario
        self.clock = clock
        self.providers: dict[str, Provider] = {p.id: p for p in scenario.providers}
        self.requests: Counter[str] = Counter()  # path -> requests answered (tests read it)
        self._lock = threading.Lock()

    def make_server(self) -> LocalHTTPServer:
        """A server for 127.0.0.1 on a free port, answering from this scenario."""
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.owner = self
        return httpd

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT (the server must be started)."""
        return f"http://127.0.0.1:{self.port}"

    def page_url(self, provider_id: str) -> str:
        """The base URL of a provider's page on this server."""
        return f"{self.base_url}/{provider_id}"

    def document_url(self, provider_id: str) -> str:
        """The URL of the document the provider's adapter reads."""
        kind = self.providers[provider_id].kind
        return self.page_url(provider_id) + DOCUMENT_PATHS[kind]

    def probe_url(self, provider_id: str, probe_id: str) -> str:
        """The URL of one scripted probe of a provider."""
        return f"{self.page_url(provider_id)}/probe/{probe_id}"

    def answer(self, path: str) -> tuple[int, bytes, str]:
        """(status, body, content type) for GET `path`, at the clock's current time.

        A failing probe that drops its connection answers status 0: no answer at all.
        """
        moment = self.clock.now()
        with self._lock:
            self.requests[path] += 1
        pieces = path.strip("/").split("/", 1)
        if pieces == [""]:
            return 200, self._index(), "text/html; charset=utf-8"
        provider = self.providers.get(pieces[0])
        if provider is None:
            return 404, b"not found\n", "text/plain"
        rest = "/" + pieces[1] if len(pieces) > 1 else "/"
        if rest == DOCUMENT_PATHS[provider.kind]:
            document = render(provider, moment, self.page_url(provider.id), self.scenario.start)
            return 200, document.body, document.content_type
        if rest.startswith("/probe/"):
            return _probe_answer(provider, rest.removeprefix("/probe/"), moment)
        if rest.startswith("/incidents/"):
            page = incident_page(provider, rest.removeprefix("/incidents/"), moment)
            if page is not None:
                return 200, page, "text/html; charset=utf-8"
        return 404, b"not found\n", "text/plain"

    def _index(self) -> bytes:
        links = "".join(
            f"<li><a href='/{p.id}{DOCUMENT_PATHS[p.kind]}'>{html.escape(p.name)}</a> "
            f"({html.escape(p.kind)})</li>"
            for p in self.scenario.providers
        )
        text = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{html.escape(self.scenario.title)}</title></head><body>"
            f"<h1>{html.escape(self.scenario.title)}</h1>"
            f"<p>{html.escape(self.scenario.summary)}</p><ul>{links}</ul></body></html>"
        )
        return text.encode("utf-8")


def _probe_answer(provider: Provider, probe_id: str, moment: datetime) -> tuple[int, bytes, str]:
    """A scripted probe's answer: 401 as an API without credentials, or its failure."""
    probe = next((p for p in provider.probes if p.id == probe_id), None)
    if probe is None:
        return 404, b"not found\n", "text/plain"
    if not probe.failing_at(moment):
        return 401, b'{"error": "authentication required"}', "application/json"
    if probe.failure == "drop":
        return 0, b"", ""
    return 503, b"upstream connect error\n", "text/plain"


class _Server(LocalHTTPServer):
    request_queue_size = 128
    owner: DemoServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30  # an idle keep-alive connection frees its thread after this

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the TUI owns the terminal

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header tells the scenario's time, as the real page did then.
        return format_datetime(self.server.owner.clock.now(), usegmt=True)

    def do_HEAD(self) -> None:
        # Probes ask with HEAD: the answer GET would get, without its body.
        self.do_GET()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        status, body, content_type = self.server.owner.answer(path)
        if status == 0:  # a probe failing as a dropped connection
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        if status == 200 and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "public, max-age=0, must-revalidate")
        if status == 200:
            self.send_header("ETag", etag)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
