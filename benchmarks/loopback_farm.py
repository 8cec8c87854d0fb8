"""A farm of fake Atlassian Statuspage providers on loopback, answering after a set latency.

Run as its own process (so it never shares a GIL with the command being measured):

    python benchmarks/loopback_farm.py --providers 1000 --latency 0.2 --origins 50

It listens on `--origins` distinct origins: the first on 127.0.0.1, the next on 127.0.0.2,
127.0.0.3, ... (Linux routes all of 127.0.0.0/8 to the loopback interface), each on a port
chosen by the kernel. Once it accepts connections it prints one JSON line
``{"origins": [["127.0.0.1", port], ...], "ports": [...], "providers": N, "latency": S}``
on stdout, and serves until SIGTERM/SIGINT, until stdin closes (``--exit-on-stdin-eof``, for a
parent that may die) or until ``--max-seconds`` have passed, whichever comes first.

Routes (every origin serves every provider):

* ``GET /p<NNN>/api/v2/summary.json``: a realistic summary.json (~10 KB) for provider NNN,
  sent after ``--latency`` seconds, with an ETag; 304 after the same latency when
  If-None-Match matches;
* ``GET /_stats`` (``?reset=1`` to zero the counters after reading): request counters and the
  peak number of requests in flight, answered at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import signal
import sys
from dataclasses import asdict, dataclass
from email.utils import formatdate
from typing import Any

COMPONENTS_PER_PROVIDER = 20  # rows in `components`, the group row included
GROUP_CHILDREN = 6
UPDATES_PER_INCIDENT = 3
SUMMARY_PATH = "/api/v2/summary.json"
# Past this a request head is refused: nothing legitimate sends 64 KiB of headers.
MAX_HEAD = 64 * 1024


def provider_ids(count: int) -> list[str]:
    """Return the ids `p001`... of `count` providers, zero-padded to at least three digits."""
    width = max(3, len(str(count)))
    return [f"p{n:0{width}d}" for n in range(1, count + 1)]


def incident_title(provider_id: str) -> str:
    """Return the title of the one unresolved incident of `provider_id` (checked by the bench)."""
    return f"Elevated API error rates for {provider_id.upper()} customers"


def maintenance_title(provider_id: str) -> str:
    """Return the title of the one scheduled maintenance of `provider_id`."""
    return f"Database upgrade in the {provider_id.upper()} primary region"


def _ts(day: int, hour: int, minute: int, second: int = 0, ms: int = 0) -> str:
    """Return a Statuspage-style UTC timestamp in October 2026."""
    return f"2026-10-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}.{ms:03d}Z"


def _component(page_id: str, cid: str, name: str, position: int, **extra: Any) -> dict[str, Any]:
    """Return one component row shaped like Atlassian's."""
    row: dict[str, Any] = {
        "id": cid,
        "name": name,
        "status": "operational",
        "created_at": _ts(1, 9, position % 60, 12, 345),
        "updated_at": _ts(7, 12, 43, 2, 833),
        "position": position,
        "description": None,
        "showcase": True,
        "start_date": "2026-10-01",
        "group_id": None,
        "page_id": page_id,
        "group": False,
        "only_show_if_degraded": False,
    }
    row.update(extra)
    return row


def summary_document(provider_id: str) -> dict[str, Any]:
    """Return the summary.json of one fake provider: 20 components, 1 incident, 1 maintenance."""
    label = provider_id.upper()
    page_id = f"{provider_id}page"
    group_id = f"{provider_id}grp"
    children = [f"{provider_id}r{n:02d}" for n in range(1, GROUP_CHILDREN + 1)]
    components = [
        _component(
            page_id,
            group_id,
            f"{label} Regions",
            1,
            group=True,
            showcase=False,
            components=children,
        )
    ]
    regions = ["Ashburn", "Frankfurt", "Singapore", "Sao Paulo", "Sydney", "Tokyo"]
    for n, cid in enumerate(children):
        components.append(
            _component(page_id, cid, f"{label} {regions[n]}", n + 2, group_id=group_id)
        )
    services = [
        "API",
        "Dashboard",
        "Authentication",
        "Webhooks",
        "Billing",
        "Search",
        "Storage",
        "CDN",
        "DNS",
        "Email",
        "Notifications",
        "Analytics",
        "Support Portal",
    ]
    for n, service in enumerate(services):
        components.append(
            _component(
                page_id, f"{provider_id}c{n:02d}", f"{label} {service}", n + 2 + len(children)
            )
        )
    # The incident degrades the API: one component not operational, as on a real bad day.
    api = components[1 + GROUP_CHILDREN]
    api["status"] = "degraded_performance"
    api["updated_at"] = _ts(7, 21, 44, 41, 416)
    incident_id = f"{provider_id}inc0001"
    phases = [("identified", 21, 44), ("identified", 18, 10), ("investigating", 17, 28)]
    updates = []
    for n, (status, hour, minute) in enumerate(phases[:UPDATES_PER_INCIDENT]):
        when = _ts(7, hour, minute, 41, 466)
        updates.append(
            {
                "id": f"{incident_id}u{n}",
                "status": status,
                "body": (
                    f"Update {UPDATES_PER_INCIDENT - n} on {label}: some API requests fail with "
                    "5xx errors in several regions.<br />We are working on a fix and will post "
                    "again within the hour.\n\nThe dashboard is not affected."
                ),
                "incident_id": incident_id,
                "created_at": when,
                "updated_at": when,
                "display_at": when,
                "affected_components": [
                    {
                        "code": api["id"],
                        "name": api["name"],
                        "old_status": "partial_outage" if n else "degraded_performance",
                        "new_status": "degraded_performance",
                    }
                ],
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
        )
    incident = {
        "id": incident_id,
        "name": incident_title(provider_id),
        "status": "identified",
        "created_at": _ts(7, 17, 28, 41, 466),
        "updated_at": _ts(7, 21, 44, 41, 466),
        "monitoring_at": None,
        "resolved_at": None,
        "impact": "minor",
        "shortlink": f"https://stspg.io/{provider_id}inc1",
        "started_at": _ts(7, 17, 20),
        "page_id": page_id,
        "incident_updates": updates,
        "components": [dict(api)],
        "reminder_intervals": None,
    }
    maintenance_id = f"{provider_id}mnt0001"
    maintenance_update = {
        "id": f"{maintenance_id}u0",
        "status": "scheduled",
        "body": f"We will upgrade the {label} primary database; writes may be slow for 10 minutes.",
        "incident_id": maintenance_id,
        "created_at": _ts(5, 10, 0),
        "updated_at": _ts(5, 10, 0),
        "display_at": _ts(5, 10, 0),
        "affected_components": [
            {
                "code": children[0],
                "name": f"{label} Regions - {label} Ashburn",
                "old_status": "operational",
                "new_status": "operational",
            }
        ],
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    }
    maintenance = {
        "id": maintenance_id,
        "name": maintenance_title(provider_id),
        "status": "scheduled",
        "created_at": _ts(5, 10, 0),
        "updated_at": _ts(5, 10, 0),
        "monitoring_at": None,
        "resolved_at": None,
        "impact": "maintenance",
        "shortlink": f"https://stspg.io/{provider_id}mnt1",
        "started_at": _ts(5, 10, 0),
        "page_id": page_id,
        "incident_updates": [maintenance_update],
        "components": [dict(components[1])],
        "scheduled_for": _ts(30, 2, 0),
        "scheduled_until": _ts(30, 4, 0),
    }
    return {
        "page": {
            "id": page_id,
            "name": f"Provider {label}",
            "url": f"https://status.{provider_id}.example",
            "time_zone": "Etc/UTC",
            "updated_at": _ts(7, 21, 44, 41, 470),
        },
        "components": components,
        "incidents": [incident],
        "scheduled_maintenances": [maintenance],
        "status": {"indicator": "minor", "description": "Minor Service Outage"},
    }


def summary_body(provider_id: str) -> bytes:
    """Return the summary.json bytes of `provider_id`, compact as Statuspage sends them."""
    document = summary_document(provider_id)
    return json.dumps(document, separators=(",", ":")).encode()


def etag_of(body: bytes) -> str:
    """Return the quoted strong ETag of `body`."""
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def _etag_matches(header: str, etag: str) -> bool:
    """True when an If-None-Match value names `etag` (weak comparison, as RFC 9110 asks)."""
    for candidate in header.split(","):
        value = candidate.strip()
        if value == "*" or value.removeprefix("W/") == etag:
            return True
    return False


@dataclass
class Stats:
    """What the farm has served since the last reset."""

    requests: int = 0
    ok: int = 0
    not_modified: int = 0
    not_found: int = 0
    connections: int = 0
    inflight: int = 0
    peak_inflight: int = 0


_REASONS = {
    200: "OK",
    304: "Not Modified",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    431: "Request Header Fields Too Large",
}


class Farm:
    """The HTTP/1.1 server: keep-alive, one request at a time per connection (no pipelining)."""

    def __init__(self, providers: int, latency: float) -> None:
        self.latency = latency
        self.stats = Stats()
        # Bodies are built once: serving must cost the farm as little CPU as possible.
        self.pages: dict[str, tuple[bytes, str]] = {}
        for pid in provider_ids(providers):
            body = summary_body(pid)
            self.pages[f"/{pid}{SUMMARY_PATH}"] = (body, etag_of(body))

    def _stats_body(self, query: str) -> bytes:
        """Return the counters as JSON, zeroing them when the query asks for it."""
        body = json.dumps(asdict(self.stats)).encode()
        if "reset=1" in query:
            inflight = self.stats.inflight
            self.stats = Stats(inflight=inflight)
        return body

    async def _answer(
        self, method: str, target: str, headers: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Return status, extra headers and body for one request (the latency is spent here)."""
        path, _, query = target.partition("?")
        if path == "/_stats":
            return 200, [("Content-Type", "application/json")], self._stats_body(query)
        self.stats.requests += 1
        page = self.pages.get(path)
        if page is None:
            self.stats.not_found += 1
            return 404, [("Content-Type", "text/plain")], b"no such provider\n"
        if method not in ("GET", "HEAD"):
            return 405, [("Allow", "GET, HEAD")], b""
        body, etag = page
        self.stats.inflight += 1
        self.stats.peak_inflight = max(self.stats.peak_inflight, self.stats.inflight)
        try:
            await asyncio.sleep(self.latency)
        finally:
            self.stats.inflight -= 1
        cache = [("ETag", etag), ("Cache-Control", "max-age=0, private, must-revalidate")]
        if _etag_matches(headers.get("if-none-match", ""), etag):
            self.stats.not_modified += 1
            return 304, cache, b""
        self.stats.ok += 1
        return 200, [("Content-Type", "application/json; charset=utf-8"), *cache], body

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one connection until the client closes it or asks to."""
        self.stats.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.LimitOverrunError:
                    writer.write(_response(431, [], b"", keep_alive=False))
                    break
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                request_line, *lines = head.decode("latin-1").split("\r\n")
                parts = request_line.split(" ")
                if len(parts) != 3:
                    writer.write(_response(400, [], b"", keep_alive=False))
                    break
                method, target, version = parts
                headers: dict[str, str] = {}
                for line in lines:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    await reader.readexactly(length)
                connection = headers.get("connection", "").lower()
                keep_alive = (version == "HTTP/1.1" and connection != "close") or (
                    version == "HTTP/1.0" and connection == "keep-alive"
                )
                status, extra, body = await self._answer(method, target, headers)
                if method == "HEAD":
                    extra = [*extra, ("Content-Length", str(len(body)))]
                    body = b""
                writer.write(_response(status, extra, body, keep_alive=keep_alive))
                await writer.drain()
                if not keep_alive:
                    break
        except ConnectionError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


def _response(
    status: int, headers: list[tuple[str, str]], body: bytes, *, keep_alive: bool
) -> bytes:
    """Return the bytes of one HTTP/1.1 response."""
    lines = [
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}",
        "Server: loopback-farm",
        f"Date: {formatdate(usegmt=True)}",
    ]
    lines += [f"{name}: {value}" for name, value in headers]
    if not any(name == "Content-Length" for name, _ in headers) and status != 304:
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def origin_host(index: int) -> str:
    """Return the loopback address of origin number `index`: 127.0.0.1, 127.0.0.2, ..."""
    number = index + 1  # 127.0.0.0 is the network's own address
    return f"127.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


async def serve(
    providers: int, latency: float, origins: int, max_seconds: float, exit_on_stdin_eof: bool
) -> None:
    """Listen on `origins` loopback origins, announce them on stdout, serve until told to stop."""
    farm = Farm(providers, latency)
    servers = [
        await asyncio.start_server(
            farm.handle, origin_host(n), 0, backlog=1024, limit=MAX_HEAD, reuse_address=True
        )
        for n in range(origins)
    ]
    chosen = [s.sockets[0].getsockname()[:2] for s in servers]
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if exit_on_stdin_eof:
        # The parent holds our stdin open; when it dies, the pipe closes and so do we.
        await loop.connect_read_pipe(lambda: _EofProtocol(stop), sys.stdin)
    loop.call_later(max_seconds, stop.set)
    announce = {
        "origins": [[host, port] for host, port in chosen],
        "ports": [port for _, port in chosen],
        "providers": providers,
        "latency": latency,
    }
    sys.stdout.write(json.dumps(announce) + "\n")
    sys.stdout.flush()
    await stop.wait()
    for server in servers:
        server.close()


class _EofProtocol(asyncio.Protocol):
    """Sets `stop` when the read end of a pipe reaches end of file."""

    def __init__(self, stop: asyncio.Event) -> None:
        self.stop = stop

    def eof_received(self) -> bool | None:
        self.stop.set()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.stop.set()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the farm until it is told to stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--providers", type=int, default=200, help="providers to serve (200)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds before each answer")
    parser.add_argument(
        "--origins",
        "--ports",
        dest="origins",
        type=int,
        default=1,
        help="distinct host:port origins to spread over (1: 127.0.0.1 only)",
    )
    parser.add_argument(
        "--max-seconds", type=float, default=3600.0, help="stop by itself after this long (3600)"
    )
    parser.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="stop when stdin closes (for a parent process)",
    )
    args = parser.parse_args(argv)
    if args.providers < 1 or args.origins < 1 or args.latency < 0:
        parser.error("--providers and --origins must be >= 1 and --latency >= 0")
    asyncio.run(
        serve(args.providers, args.latency, args.origins, args.max_seconds, args.exit_on_stdin_eof)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
