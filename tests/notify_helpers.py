"""Helpers for the notifier's tests: Statuspage pages to serve, a config, a webhook receiver.

The receiver listens on 127.0.0.1, records POSTs and fails on demand::

    with Receiver() as rx:
        rx.script("/hook", [500, 500])        # the next two POSTs get 500, then 200 again
        rx.script("/hook", [(429, "2")])      # one 429 with Retry-After: 2
        url = rx.url("/hook")
        ...
        rx.bodies("/hook")                    # JSON documents received with a 2xx answer
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from statuswatch.servethread import LocalHTTPServer, ServerThread


@dataclass
class Received:
    """One POST: when, its path, headers (lower-case names), body and the status answered."""

    at: float
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


class _QuietServer(LocalHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client killed mid-request (the crash test) is expected, not news


class Receiver(ServerThread):
    """A threaded HTTP server that records every POST and answers from a script."""

    def __init__(self, latency: float = 0.0) -> None:
        super().__init__("receiver", poll_interval=0.05)
        self.latency = latency
        self.down = False  # every POST gets 503 while True
        self._lock = threading.Lock()
        self._scripts: dict[str, list[tuple[int, str | None]]] = {}
        self.received: list[Received] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in one write: two small ones meet Nagle's algorithm and
            # the client's delayed ACK, 40 ms per request.
            wbufsize = 64 * 1024

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:  # the client died mid-request: nothing was accepted
                    with owner._lock:
                        owner.received.append(Received(time.time(), self.path, {}, body, 499))
                    self.close_connection = True
                    return
                if owner.latency:
                    time.sleep(owner.latency)
                status, retry_after = owner._next(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with owner._lock:
                    owner.received.append(Received(time.time(), self.path, headers, body, status))
                self.send_response(status)
                if retry_after is not None:
                    self.send_header("Retry-After", retry_after)
                answer = b"ok" if status < 300 else b"no"
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self._handler = Handler

    def make_server(self) -> LocalHTTPServer:
        """A server on a free port of 127.0.0.1, answering POSTs from the script."""
        return _QuietServer(("127.0.0.1", 0), self._handler)

    def _next(self, path: str) -> tuple[int, str | None]:
        with self._lock:
            if self.down:
                return 503, None
            script = self._scripts.get(path)
            if script:
                return script.pop(0)
        return 200, None

    def script(self, path: str, answers: list[int | tuple[int, str]]) -> None:
        """Answer the next POSTs to `path` with these statuses (then 200 again)."""
        with self._lock:
            self._scripts[path] = [
                (a, None) if isinstance(a, int) else (a[0], a[1]) for a in answers
            ]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def accepted(self, path: str | None = None) -> list[Received]:
        """POSTs answered with 2xx, oldest first."""
        with self._lock:
            return [r for r in self.received if 200 <= r.status < 300 and path in (None, r.path)]

    def bodies(self, path: str | None = None) -> list[Any]:
        return [r.json() for r in self.accepted(path)]


# --- Statuspage summary documents -----------------------------------------------------------

T0 = "2026-11-27T10:00:00.000Z"


def update(at: str, status: str, body: str) -> dict[str, Any]:
    """One incident_update row."""
    return {"id": f"u-{at}", "status": status, "body": body, "created_at": at, "display_at": at}


def incident(
    ident: str,
    name: str,
    status: str,
    updates: Sequence[dict[str, Any]],
    impact: str = "major",
    components: Iterable[str] = (),
) -> dict[str, Any]:
    """One incident row; `updates` newest first, as Statuspage sends them."""
    return {
        "id": ident,
        "name": name,
        "status": status,
        "impact": impact,
        "created_at": T0,
        "started_at": T0,
        "updated_at": updates[0]["created_at"] if updates else T0,
        "shortlink": f"https://stspg.example/{ident}",
        "incident_updates": list(updates),
        "components": [{"id": c, "name": c} for c in components],
    }


def maintenance(
    ident: str, name: str, status: str, scheduled_for: str, scheduled_until: str
) -> dict[str, Any]:
    """One scheduled_maintenance row."""
    return {
        "id": ident,
        "name": name,
        "status": status,
        "impact": "maintenance",
        "created_at": T0,
        "updated_at": T0,
        "scheduled_for": scheduled_for,
        "scheduled_until": scheduled_until,
        "incident_updates": [],
    }


def summary(
    indicator: str = "none",
    components: Iterable[tuple[str, str]] = (("API", "operational"),),
    incidents: Iterable[dict[str, Any]] = (),
    maintenances: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    """A Statuspage summary.json document."""
    return {
        "page": {"id": "p", "name": "Example", "url": "https://status.example.test",
                 "updated_at": T0},
        "status": {"indicator": indicator, "description": "as given"},
        "components": [
            {"id": f"c-{name}", "name": name, "status": status, "position": i, "group": False}
            for i, (name, status) in enumerate(components)
        ],
        "incidents": list(incidents),
        "scheduled_maintenances": list(maintenances),
    }  # fmt: skip


# The incident life the must-show scenario serves: open, update, update, resolve (then gone).
def incident_stages(ident: str = "inc-1", name: str = "API errors") -> list[dict[str, Any]]:
    """Five summaries: quiet, opened, updated, updated again, resolved and dropped."""
    u1 = update("2026-11-27T10:01:00.000Z", "investigating", "We are investigating.")
    u2 = update("2026-11-27T10:11:00.000Z", "identified", "The cause is known.")
    u3 = update("2026-11-27T10:21:00.000Z", "monitoring", "A fix is out.")
    degraded = [("API", "partial_outage")]
    return [
        summary(),
        summary("major", degraded, [incident(ident, name, "investigating", [u1])]),
        summary("major", degraded, [incident(ident, name, "identified", [u2, u1])]),
        summary("minor", degraded, [incident(ident, name, "monitoring", [u3, u2, u1])]),
        summary(),  # summary.json lists unresolved incidents only: resolved means gone
    ]


# --- config and the command -----------------------------------------------------------------

HTTP = """
[http]
connect_timeout = 2.0
read_timeout = 2.0
deadline = 3.0
retries = 0
"""


def write_config(
    path: Path, providers: dict[str, str], channels: str = "", notify: str = ""
) -> Path:
    """A config watching `providers` (id -> base URL on the loopback server)."""
    lines = [f"watch = {json.dumps(list(providers))}"]
    for pid, url in providers.items():
        lines += [f'[providers."{pid}"]', f'name = "{pid.upper()}"', 'kind = "statuspage"',
                  f'url = "{url}"']  # fmt: skip
    text = "\n".join(lines) + "\n" + HTTP
    text += "\n[notify]\nbackoff = 0.05\nretries = 1\n" + notify + "\n" + channels
    path.write_text(text, encoding="utf-8")
    return path


def notify_env(tmp_path: Path, config: Path, **extra: str) -> dict[str, str]:
    """The environment of a `statuswatch` subprocess whose files all live in tmp_path."""
    env = dict(os.environ)
    env.update(
        STATUSWATCH_CONFIG=str(config),
        STATUSWATCH_STATE_DIR=str(tmp_path / "state"),
        STATUSWATCH_CACHE_DIR=str(tmp_path / "cache"),
        **extra,
    )
    return env


def statuswatch(
    env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `python -m statuswatch ARGS` and return what it did."""
    return subprocess.run(
        [sys.executable, "-m", "statuswatch", *args],
        capture_output=True, text=True, env=env, timeout=timeout, check=False,
    )  # fmt: skip
