"""The server: one poll loop and an HTTP/1.1 front on the same asyncio event loop.

Each poll's snapshot is serialised once (the `--json` document, plus a gzip copy and an
ETag); events between consecutive snapshots are derived by the notifier's pure `derive` and
published to the SSE hub; /metrics reads the current snapshot at scrape time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import ssl
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric

from statuswatch import __version__
from statuswatch.collector import collector_paused
from statuswatch.document import SCHEMA
from statuswatch.model import ProviderSpec, Snapshot
from statuswatch.notify.derive import DeriveOptions
from statuswatch.notify.state import State
from statuswatch.probes.engine import OFF, poll_with_probes
from statuswatch.probes.settings import ProbeSettings
from statuswatch.probes.store import Counts
from statuswatch.records import record
from statuswatch.serve.freeing import free_gradually
from statuswatch.serve.history_routes import HISTORY_ROUTES, HistoryRoutes
from statuswatch.serve.httpd import MAX_HEAD, BadRequest, HttpConnection, Request
from statuswatch.serve.hub import DEFAULT_CAPACITY, EventHub, comment, frame
from statuswatch.serve.metrics import FetchStats, PollTimer, SnapshotCollector, encode, registry
from statuswatch.serve.prepared import PlainBodies, Prepared, prepare
from statuswatch.settings import HttpSettings
from statuswatch.stacks import Stack
from statuswatch.threaded import run_in_thread
from statuswatch.timefmt import rfc3339

__all__ = ["ServeSettings", "StatusServer"]

ROUTES = ("/", "/healthz", "/metrics", "/v1/events", "/v1/status", *HISTORY_ROUTES)
# A client that sends nothing for this long between requests is disconnected.
IDLE_TIMEOUT = 30.0
# A client that takes longer than this to accept what was written to it is disconnected: a
# viewer that stopped reading must not hold its buffers (and a connection slot) forever.
WRITE_TIMEOUT = 60.0
# Polls between two full collector passes (what freezing a poll's snapshot leaves uncollected).
RECLAIM_EVERY = 10
# The reconnection delay suggested to SSE clients (milliseconds).
RETRY_MS = 3000
_JSON = "application/json; charset=utf-8"
_INDEX = (
    b"statuswatch serve\n\n"
    b"GET /v1/status   the statuswatch/v1 document (the same as `statuswatch --json`)\n"
    b"GET /v1/events   Server-Sent Events: the notifier's events, Last-Event-ID resumes\n"
    b"GET /v1/history  past incidents (?since=30d&provider=ID&limit=N), as `history --json`\n"
    b"GET /v1/report   reliability figures (?since=90d&provider=ID), as `report --json`\n"
    b"GET /metrics     Prometheus metrics\n"
    b"GET /healthz     liveness (no token needed)\n"
)


@record
class ServeSettings:
    """How the server polls and serves."""

    interval: float | None = 60.0  # None: no poll loop (tests call `poll_once`)
    token: str | None = None  # required as `Authorization: Bearer` on all but /healthz
    heartbeat: float = 15.0  # seconds between SSE keep-alive comments
    capacity: int = DEFAULT_CAPACITY  # events kept for Last-Event-ID resumption
    max_connections: int = 2048
    first_poll_wait: float = 30.0  # /v1/status waits this long for the first poll to finish
    derive: DeriveOptions = field(default_factory=DeriveOptions)


def _error(
    status: int, message: str, extra: Iterable[tuple[str, str]] = ()
) -> tuple[int, list[tuple[str, str]], bytes]:
    body = (json.dumps({"error": message}) + "\n").encode()
    return status, [("Content-Type", _JSON), *extra], body


async def _drain(writer: asyncio.StreamWriter) -> None:
    """Wait until the client has taken what was written; TimeoutError after WRITE_TIMEOUT."""
    async with asyncio.timeout(WRITE_TIMEOUT):
        await writer.drain()


def _gzip_accepted(header: str) -> bool:
    for item in header.split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            q = params.replace(" ", "").lower()
            return q not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class StatusServer:
    """Polls `specs` and serves the results; `start` binds, `run` polls until cancelled."""

    def __init__(
        self,
        specs: Sequence[ProviderSpec],
        http: HttpSettings,
        cache_dir: Path,
        settings: ServeSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        now: Callable[[], datetime] | None = None,
        warn: Callable[[str], None] | None = None,
        first_event_id: int | None = None,
        record: Callable[[Snapshot], None] | None = None,
        history: HistoryRoutes | None = None,
        stacks: Sequence[Stack] = (),
        probes: ProbeSettings | None = None,
        counts: Counts | None = None,
    ) -> None:
        self._specs = tuple(specs)
        self._stacks = tuple(stacks)
        # Probes go alongside each poll (None: none), counted in `counts` like any run's.
        self._probes = probes or OFF
        self._counts = counts
        self._http = http
        self._cache_dir = cache_dir
        self.settings = settings
        self._transport = transport
        self._now = now
        self._warn = warn or (lambda message: None)
        # The history (issue 14): each poll recorded by the one hook; its two routes.
        self._record = record
        self.history = history or HistoryRoutes(None, {s.id: s.name for s in specs}, [])
        self.hub = EventHub(settings.capacity, first_event_id)
        self.snapshot: Snapshot | None = None
        self.polls = 0
        self.stats = FetchStats()
        self._prepared: Prepared | None = None
        self._plain = PlainBodies()
        self._state = State()
        self._ready = asyncio.Event()
        self._poll_lock = asyncio.Lock()
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.connections = 0
        self.sse_clients = 0
        self._requests: Counter[tuple[str, int]] = Counter()
        self._events: Counter[str] = Counter()
        self.registry = registry(SnapshotCollector(self._read, self._server_families))

    @property
    def specs(self) -> tuple[ProviderSpec, ...]:
        """The providers this server polls."""
        return self._specs

    @property
    def prepared(self) -> Prepared | None:
        """What `/v1/status` serves now: the last snapshot's document, its ETag and events."""
        return self._prepared

    # --- polling ---------------------------------------------------------------------------

    async def poll_once(self) -> Snapshot:
        """Poll every provider once, then publish the snapshot and the events it brought."""
        async with self._poll_lock:
            # No collector pass over a new snapshot (at 5,000 pages one held the GIL 50-400 ms):
            # it is frozen, freed by refcount once replaced; every 10th poll reclaims the cycles.
            self.polls += 1
            with collector_paused(freeze=True, reclaim=self.polls % RECLAIM_EVERY == 0):
                return await self._poll()

    async def _poll(self) -> Snapshot:
        """Poll, prepare what the snapshot is served as, and install both."""
        timer = PollTimer()
        # On a loop of its own in a thread: a burst of answers parsed here would stall requests.
        snapshot = await run_in_thread(
            lambda: poll_with_probes(
                self._specs,
                self._http,
                self._cache_dir,
                self._probes,
                self._counts,
                transport=self._transport,
                on_report=timer.on_report,
                now=self._now,
                stacks=self._stacks,
                record=self._record,
            ),
            name="statuswatch-serve-poll",
        )
        seconds = timer.elapsed()
        # Serialising and deriving take milliseconds per provider: off the loop they only
        # share the GIL with requests, instead of stalling every connection at once.
        first = self._prepared is None
        prepared = await asyncio.to_thread(
            prepare, snapshot, self._state, self.settings.derive, first, self._plain.wanted
        )
        # What the new snapshot replaces goes a slice at a time: at once, freeing it held the
        # loop ~60 ms a poll at 5,000 pages (statuswatch.serve.freeing).
        await free_gradually(self._install(snapshot, prepared, timer.durations, seconds))
        return snapshot

    def _install(
        self, snapshot: Snapshot, prepared: Prepared, durations: dict[str, float], seconds: float
    ) -> list[object]:
        """Serve `snapshot` from now on; return what it replaced (nothing else holds it)."""
        replaced: list[object] = [self.snapshot, self._prepared]  # the state is the prepared's
        self.snapshot = snapshot
        self._prepared = prepared
        self._plain.serve(prepared)
        self._state = prepared.state
        self.stats.record(snapshot, durations, seconds)
        for kind, data in prepared.events:
            self.hub.publish(kind, data)
            self._events[kind] += 1
        self.hub.set_snapshot(
            {
                "schema": SCHEMA,
                "generated_at": rfc3339(snapshot.generated_at),
                "etag": prepared.etag,
                "providers": len(snapshot.reports),
                "events": len(prepared.events),
                "last_event_id": str(self.hub.last_id),
            }
        )
        self.hub.notify()
        self._ready.set()
        return replaced

    async def run(self) -> None:
        """Poll every `settings.interval` seconds (start to start) until cancelled."""
        interval = self.settings.interval
        if interval is None:
            raise ValueError("no interval: this server polls only when told (poll_once)")
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            try:
                await self.poll_once()
            except Exception as exc:  # the next poll may well work: report and go on
                self._warn(f"poll failed: {type(exc).__name__}: {exc}")
            await asyncio.sleep(max(0.0, interval - (loop.time() - started)))

    # --- serving ---------------------------------------------------------------------------

    async def start(
        self, host: str, port: int, *, tls: ssl.SSLContext | None = None
    ) -> tuple[str, int]:
        """Listen on host:port (port 0 picks a free one); return the address bound."""
        # A large backlog: 200 viewers reconnecting at once must not wait for SYN retries.
        self._server = await asyncio.start_server(
            self._accept, host, port, limit=MAX_HEAD, backlog=1024, ssl=tls
        )
        address = self._server.sockets[0].getsockname()
        return str(address[0]), int(address[1])

    async def close(self) -> None:
        """Stop listening and end every connection (SSE streams included)."""
        if self._server is not None:
            self._server.close()
        for task in list(self._handlers):
            task.cancel()
        if self._handlers:
            await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        self.connections += 1
        http = HttpConnection(reader, writer)
        try:
            if self.connections > self.settings.max_connections:
                status, headers, body = _error(503, "too many connections")
                http.respond(status, headers, body, close=True)
                await _drain(writer)
                return
            await self._serve_connection(http, writer)
        except (ConnectionError, TimeoutError):
            pass  # the client went away or stopped reading
        except asyncio.CancelledError:
            # `close` ends connections this way; asyncio (3.11) logs a traceback for a
            # connection task that ends cancelled, so this one ends normally instead.
            pass
        finally:
            self.connections -= 1
            if task is not None:
                self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve_connection(self, http: HttpConnection, writer: asyncio.StreamWriter) -> None:
        """Answer requests in order (pipelined ones too) until the connection is over."""
        while True:
            try:
                # The whole head within IDLE_TIMEOUT: a client dripping it byte by byte (or
                # sending nothing) does not hold a connection slot for longer.
                async with asyncio.timeout(IDLE_TIMEOUT):
                    request = await http.next_request()
            except BadRequest as exc:
                status, headers, body = _error(exc.status, str(exc))
                http.respond(status, headers, body, close=True)
                await _drain(writer)
                return
            except TimeoutError:
                return
            if request is None:
                return
            if request.path == "/v1/events" and self._streamable(request):
                self._requests[("/v1/events", 200)] += 1
                await self._stream(request, http, writer)
                return
            status, headers, body = await self._respond(request)
            path = request.path if request.path in ROUTES else "other"
            self._requests[(path, status)] += 1
            http.respond(status, headers, body)
            await _drain(writer)

    def _authorized(self, request: Request) -> bool:
        token = self.settings.token
        if token is None or request.path == "/healthz":
            return True
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            credentials.strip().encode("utf-8"), token.encode("utf-8")
        )

    def _streamable(self, request: Request) -> bool:
        return request.method in ("GET", "HEAD") and self._authorized(request)

    async def _respond(self, request: Request) -> tuple[int, list[tuple[str, str]], bytes]:
        if request.method not in ("GET", "HEAD"):
            return _error(405, f"method {request.method} not allowed", [("Allow", "GET, HEAD")])
        if not self._authorized(request):
            return _error(401, "a valid bearer token is required", [("WWW-Authenticate", "Bearer")])
        path = request.path
        if path == "/v1/status":
            return await self._status(request)
        if path == "/metrics":
            body, content_type = encode(self.registry, request.headers.get("accept", ""))
            return 200, [("Content-Type", content_type), ("Cache-Control", "no-store")], body
        if path == "/healthz":
            return self._health()
        if path in HISTORY_ROUTES:
            gzip_ok = _gzip_accepted(request.headers.get("accept-encoding", ""))
            return await self.history.respond(path, request.query, gzip_ok)
        if path == "/":
            return 200, [("Content-Type", "text/plain; charset=utf-8")], _INDEX
        return _error(404, f"no such endpoint (try: {', '.join(ROUTES[1:])})")

    async def _status(self, request: Request) -> tuple[int, list[tuple[str, str]], bytes]:
        if self._prepared is None:
            # Started a moment ago: answer with the first poll rather than with an error.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.first_poll_wait):
                    await self._ready.wait()
        prepared = self._prepared
        if prepared is None:
            return _error(503, "no poll has finished yet", [("Retry-After", "5")])
        headers = [
            ("Content-Type", _JSON),
            ("Cache-Control", "no-cache"),
            ("ETag", prepared.etag),
            ("Vary", "Accept-Encoding"),
        ]
        tags = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
        if prepared.etag in tags or "*" in tags:
            return 304, headers, b""
        if _gzip_accepted(request.headers.get("accept-encoding", "")):
            return 200, [*headers, ("Content-Encoding", "gzip")], prepared.gzipped
        if request.method == "HEAD":  # its length only: nothing inflated, nothing kept for it
            return 200, [*headers, ("Content-Length", str(prepared.size))], b""
        return 200, headers, await self._plain.body(prepared)

    def _health(self) -> tuple[int, list[tuple[str, str]], bytes]:
        snapshot = self.snapshot
        state = "starting"
        age: float | None = None
        if snapshot is not None:
            age = (datetime.now(UTC) - snapshot.generated_at).total_seconds()
            interval = self.settings.interval
            # A poll is late once three intervals (and the longest request) have passed.
            late = interval is not None and age > 3 * interval + self._http.deadline
            state = "stale" if late else "ok"
        body = {
            "status": state,
            "version": __version__,
            "generated_at": rfc3339(snapshot.generated_at) if snapshot else None,
            "age_seconds": round(age, 3) if age is not None else None,
            "providers": len(self._specs),
            "sse_clients": self.sse_clients,
        }
        data = (json.dumps(body) + "\n").encode()
        return (200 if state == "ok" else 503), [("Content-Type", _JSON)], data

    async def _stream(
        self, request: Request, http: HttpConnection, writer: asyncio.StreamWriter
    ) -> None:
        """Send events until the client leaves: replay after Last-Event-ID, then live."""
        headers = [
            ("Content-Type", "text/event-stream; charset=utf-8"),
            ("Cache-Control", "no-store"),
            ("X-Accel-Buffering", "no"),  # reverse proxies must not buffer the stream
        ]
        http.start_stream(200, headers)
        if request.method == "HEAD":
            await _drain(writer)
            return
        hub = self.hub
        self.sse_clients += 1
        try:
            chunks = [f"retry: {RETRY_MS}\n\n".encode()]
            given = request.headers.get("last-event-id")
            cursor = hub.last_id
            if given is not None:
                last = hub.parse_id(given)
                frames = hub.since(last) if last is not None else None
                if frames is None:
                    chunks.append(self._reset(given))
                else:
                    chunks.extend(f.data for f in frames)
                    cursor = frames[-1].id if frames else cursor
            generation = hub.snapshot_generation
            if hub.snapshot_frame is not None:
                chunks.append(hub.snapshot_frame)
            http.send(b"".join(chunks))
            await _drain(writer)
            while True:
                waiter = hub.waiter()  # taken before reading, so no notify slips between
                chunks = []
                frames = hub.since(cursor)
                if frames is None:  # this client fell behind the ring
                    chunks.append(self._reset(str(cursor)))
                    cursor = hub.last_id
                elif frames:
                    chunks.extend(f.data for f in frames)
                    cursor = frames[-1].id
                if hub.snapshot_generation != generation and hub.snapshot_frame is not None:
                    generation = hub.snapshot_generation
                    chunks.append(hub.snapshot_frame)
                if chunks:
                    http.send(b"".join(chunks))
                    await _drain(writer)
                    continue
                try:
                    async with asyncio.timeout(self.settings.heartbeat):
                        await waiter.wait()
                except TimeoutError:
                    http.send(comment("keep-alive"))
                    await _drain(writer)
        except asyncio.CancelledError:
            http.end_stream()  # the server is closing: end the stream cleanly
            raise
        finally:
            self.sse_clients -= 1

    def _reset(self, given: str) -> bytes:
        """Tell a client its Last-Event-ID cannot be resumed: events were missed."""
        data = {
            "schema": SCHEMA,
            "reason": "events after this Last-Event-ID are no longer kept; "
            "read /v1/status for the current state",
            "last_event_id": given[:40],
        }
        return frame("reset", data, self.hub.last_id)

    # --- metrics of the server itself ------------------------------------------------------

    def _read(self) -> tuple[Snapshot | None, FetchStats]:
        return self.snapshot, self.stats

    def _server_families(self) -> list[Metric]:
        clients = GaugeMetricFamily(
            "statuswatch_sse_clients", "Clients following /v1/events.", value=self.sse_clients
        )
        events = CounterMetricFamily(
            "statuswatch_events", "Events published on /v1/events, by kind.", labels=["kind"]
        )
        for kind, count in sorted(self._events.items()):
            events.add_metric([kind], count)
        requests = CounterMetricFamily(
            "statuswatch_http_requests",
            "HTTP requests answered, by path and status code.",
            labels=["path", "code"],
        )
        for (path, code), count in sorted(self._requests.items()):
            requests.add_metric([path, str(code)], count)
        return [clients, events, requests]
