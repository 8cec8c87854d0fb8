"""A client of `statuswatch serve`: its document (as bytes, or as a Snapshot) and its events.

The document is the server's `--json` output; `--server URL --json` passes its bytes through
untouched. Rebuilding the model from it re-checks every field's type, and every string goes
through `strip_controls` (one-line fields lose their newlines too): the server is trusted to
have sanitised the pages, but what reaches a terminal must be inert whatever sent it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx

from statuswatch.http import USER_AGENT, TrustStore
from statuswatch.model import (
    Component,
    ErrorType,
    FetchError,
    Impact,
    Incident,
    Maintenance,
    Page,
    Phase,
    ProviderReport,
    ProviderSpec,
    Snapshot,
    Status,
    Update,
)
from statuswatch.output import SCHEMA
from statuswatch.text import one_line, safe_url, strip_controls

# A document of 1,000 providers is a few MiB; far more is a misbehaving server.
MAX_DOCUMENT = 64 * 1024 * 1024

__all__ = [
    "TOKEN_ENV",
    "EventFollower",
    "RemoteClient",
    "RemoteError",
    "ServerEvent",
    "SseParser",
    "parse_document",
    "remote_poller",
    "select_providers",
    "snapshot_from_document",
]

TOKEN_ENV = "STATUSWATCH_TOKEN"
_SHOWN = 200


class RemoteError(Exception):
    """The server could not be read; `fatal` when asking again will not help (auth, not ours)."""

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


@dataclass(frozen=True, slots=True)
class ServerEvent:
    """One Server-Sent Event: its `event` name, its `data` and its `id` (None when it had none)."""

    kind: str
    data: str
    id: str | None = None

    def json(self) -> Any:
        """The data parsed as JSON."""
        return json.loads(self.data)


class SseParser:
    """Turns the lines of a text/event-stream into events (comments and retry are dropped)."""

    def __init__(self) -> None:
        self._kind = ""
        self._data: list[str] = []
        self._id: str | None = None

    def feed(self, line: str) -> ServerEvent | None:
        """Take one line (without its end); return an event when a blank line completes one."""
        if not line:
            if not self._data:
                self._kind, self._id = "", None
                return None
            event = ServerEvent(self._kind or "message", "\n".join(self._data), self._id)
            self._kind, self._data, self._id = "", [], None
            return event
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._kind = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\x00" not in value:
            self._id = value
        return None


def _where(url: str) -> str:
    return one_line(url, _SHOWN)


class RemoteClient:
    """Reads a statuswatch server; the token comes from `token` or $STATUSWATCH_TOKEN."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        token = token if token is not None else os.environ.get(TOKEN_ENV) or None
        headers = {"User-Agent": USER_AGENT}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        trust = TrustStore()
        if self.url.lower().startswith("https:"):
            trust.load()
        # No proxy from the environment: a server on the team's network is reached directly.
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout),
            trust_env=False,
            verify=trust.context,
            transport=transport,
        )
        self._token = bool(token)

    def __enter__(self) -> RemoteClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def _refused(self, response: httpx.Response) -> RemoteError:
        where = _where(self.url)
        code = response.status_code
        if code == 401:
            if self._token:
                return RemoteError(f"{where} refused the token in ${TOKEN_ENV}", fatal=True)
            return RemoteError(f"{where} wants a token: set ${TOKEN_ENV}", fatal=True)
        if code == 503:
            return RemoteError(f"{where} has not finished its first poll yet (HTTP 503)")
        if code == 404:
            return RemoteError(
                f"{where} has no {response.request.url.path}: is it `statuswatch serve`?",
                fatal=True,
            )
        return RemoteError(f"{where} answered HTTP {code}", fatal=400 <= code < 500)

    def status_bytes(self) -> bytes:
        """The server's /v1/status document as sent (decompressed; at most MAX_DOCUMENT)."""
        try:
            with self._client.stream("GET", f"{self.url}/v1/status") as response:
                if response.status_code != 200:
                    response.read()
                    raise self._refused(response)
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_DOCUMENT:
                        raise RemoteError(
                            f"{_where(self.url)} sent a document over {MAX_DOCUMENT >> 20} MiB",
                            fatal=True,
                        )
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise RemoteError(f"cannot reach {_where(self.url)}: {_reason(exc)}") from None
        return b"".join(chunks)

    def document(self) -> dict[str, Any]:
        """The server's document, parsed and checked to be a statuswatch/v1 document."""
        return parse_document(self.status_bytes(), self.url)

    def snapshot(self) -> Snapshot:
        """The server's latest snapshot, rebuilt from its document."""
        return snapshot_from_document(self.document())

    def events(
        self, last_event_id: str | None = None, *, read_timeout: float | None = 60.0
    ) -> Iterator[ServerEvent]:
        """Follow /v1/events until the server closes the stream (or a read times out).

        The server sends a comment at least every 15 s, so `read_timeout` only fires when
        the connection is dead.
        """
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        timeout = httpx.Timeout(self._client.timeout.connect, read=read_timeout)
        parser = SseParser()
        try:
            with self._client.stream(
                "GET", f"{self.url}/v1/events", headers=headers, timeout=timeout
            ) as response:
                if response.status_code != 200:
                    raise self._refused(response)
                for line in response.iter_lines():
                    event = parser.feed(line)
                    if event is not None:
                        yield event
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise RemoteError(f"cannot reach {_where(self.url)}: {_reason(exc)}") from None
        except httpx.HTTPError as exc:
            raise RemoteError(f"lost {_where(self.url)}: {_reason(exc)}") from None


def _reason(exc: httpx.HTTPError) -> str:
    return one_line(str(exc), _SHOWN) or type(exc).__name__


def clean_strings(value: Any) -> tuple[Any, bool]:
    """`value` with control sequences stripped from every string in it, and whether any was."""
    if isinstance(value, str):
        cleaned = strip_controls(value)
        return cleaned, cleaned != value
    if isinstance(value, list):
        items = [clean_strings(v) for v in value]
        return [v for v, _ in items], any(changed for _, changed in items)
    if isinstance(value, dict):
        pairs = {k: clean_strings(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(c for _, c in pairs.values())
    return value, False


def parse_document(body: bytes, source: str = "the server") -> dict[str, Any]:
    """The JSON document in `body`; RemoteError (fatal) unless it is a statuswatch/v1 one."""
    try:
        document = json.loads(body)
    except ValueError:
        raise RemoteError(f"{_where(source)} did not send JSON", fatal=True) from None
    if (
        not isinstance(document, dict)
        or document.get("schema") != SCHEMA
        or not isinstance(document.get("providers"), list)
    ):
        raise RemoteError(f"{_where(source)} did not send a {SCHEMA} document", fatal=True)
    return document


def select_providers(document: Mapping[str, Any], ids: Sequence[str]) -> dict[str, Any]:
    """The document with only the providers `ids` (in the server's order); KeyError names a
    provider the server does not watch."""
    wanted = list(dict.fromkeys(ids))
    known = [p.get("id") for p in document["providers"] if isinstance(p, dict)]
    for provider_id in wanted:
        if provider_id not in known:
            raise KeyError(provider_id)
    kept = [p for p in document["providers"] if isinstance(p, dict) and p.get("id") in wanted]
    return {**document, "providers": kept}


# --- the document back into the model -------------------------------------------------------


class _Bad(Exception):
    """A field of the document is not what the schema says."""


def _get(table: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = table.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _Bad(f"{where}.{key}")
    return value


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    """A multi-line text: no escape sequences or control characters."""
    return strip_controls(_get(table, key, str, where))


def _line(table: Mapping[str, Any], key: str, where: str) -> str:
    """A one-line text (titles, names): as `_text`, and no line breaks."""
    return _text(table, key, where).replace("\n", " ")


def _optional_line(table: Mapping[str, Any], key: str, where: str) -> str | None:
    return None if table.get(key) is None else _line(table, key, where)


def _url(table: Mapping[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Bad(f"{where}.{key}")
    return safe_url(value)


def _time(table: Mapping[str, Any], key: str, where: str) -> datetime | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Bad(f"{where}.{key}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(f"{where}.{key}") from None
    if parsed.tzinfo is None:
        raise _Bad(f"{where}.{key}")
    return parsed


def _enum(table: Mapping[str, Any], key: str, kind: Any, where: str) -> Any:
    try:
        return kind(_get(table, key, str, where))
    except ValueError:
        raise _Bad(f"{where}.{key}") from None


def _tables(table: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    values: list[Mapping[str, Any]] = _get(table, key, list, where)
    if not all(isinstance(v, dict) for v in values):
        raise _Bad(f"{where}.{key}")
    return values


def _names(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _get(table, key, list, where)
    if not all(isinstance(v, str) for v in values):
        raise _Bad(f"{where}.{key}")
    return tuple(strip_controls(v).replace("\n", " ") for v in values)


def _updates(table: Mapping[str, Any], where: str) -> tuple[Update, ...]:
    updates = []
    for n, raw in enumerate(_tables(table, "updates", where)):
        at = f"{where}.updates[{n}]"
        when = _time(raw, "at", at)
        if when is None:
            raise _Bad(f"{at}.at")
        updates.append(
            Update(
                at=when,
                phase=_enum(raw, "phase", Phase, at),
                text=_text(raw, "text", at),
                raw_status=_line(raw, "raw_status", at),
            )
        )
    return tuple(updates)


def _component(raw: Mapping[str, Any], where: str) -> Component:
    return Component(
        id=_line(raw, "id", where),
        name=_line(raw, "name", where),
        status=_enum(raw, "status", Status, where),
        raw_status=_line(raw, "raw_status", where),
        group=_optional_line(raw, "group", where),
    )


def _incident(raw: Mapping[str, Any], where: str) -> Incident:
    return Incident(
        id=_line(raw, "id", where),
        title=_line(raw, "title", where),
        impact=_enum(raw, "impact", Impact, where),
        phase=_enum(raw, "phase", Phase, where),
        started_at=_time(raw, "started_at", where),
        updated_at=_time(raw, "updated_at", where),
        resolved_at=_time(raw, "resolved_at", where),
        url=_url(raw, "url", where),
        components=_names(raw, "components", where),
        updates=_updates(raw, where),
        raw_status=_line(raw, "raw_status", where),
        raw_impact=_line(raw, "raw_impact", where),
    )


def _maintenance(raw: Mapping[str, Any], where: str) -> Maintenance:
    return Maintenance(
        id=_line(raw, "id", where),
        title=_line(raw, "title", where),
        phase=_enum(raw, "phase", Phase, where),
        scheduled_for=_time(raw, "scheduled_for", where),
        scheduled_until=_time(raw, "scheduled_until", where),
        url=_url(raw, "url", where),
        components=_names(raw, "components", where),
        updates=_updates(raw, where),
        raw_status=_line(raw, "raw_status", where),
    )


def _report(raw: Mapping[str, Any], where: str) -> ProviderReport:
    spec = ProviderSpec(
        id=_line(raw, "id", where),
        name=_line(raw, "name", where),
        kind=_line(raw, "kind", where),
        url=_url(raw, "page_url", where) or "",
    )
    error: FetchError | None = None
    if raw.get("error") is not None:
        table = _get(raw, "error", dict, where)
        error = FetchError(
            type=_enum(table, "type", ErrorType, f"{where}.error"),
            message=_line(table, "message", f"{where}.error"),
        )
    stale = _get(raw, "stale", bool, where)
    components = tuple(
        _component(c, f"{where}.components[{n}]")
        for n, c in enumerate(_tables(raw, "components", where))
    )
    incidents = tuple(
        _incident(i, f"{where}.incidents[{n}]")
        for n, i in enumerate(_tables(raw, "incidents", where))
    )
    maintenances = tuple(
        _maintenance(m, f"{where}.maintenances[{n}]")
        for n, m in enumerate(_tables(raw, "maintenances", where))
    )
    updated_at = _time(raw, "source_updated_at", where)
    page: Page | None = None
    if error is None:
        page = Page(
            status=_enum(raw, "status", Status, where),
            description=_line(raw, "description", where),
            raw_status=_line(raw, "raw_status", where),
            updated_at=updated_at,
            components=components,
            incidents=incidents,
            maintenances=maintenances,
        )
    elif stale or components or incidents or maintenances or updated_at is not None:
        # The last good page, shown stale: the document keeps its content, not its status.
        _enum(raw, "status", Status, where)
        page = Page(
            status=Status.UNKNOWN,
            updated_at=updated_at,
            components=components,
            incidents=incidents,
            maintenances=maintenances,
        )
    return ProviderReport(
        spec=spec,
        page=page,
        fetched_at=_time(raw, "fetched_at", where),
        stale=stale,
        error=error,
    )


def snapshot_from_document(document: Mapping[str, Any]) -> Snapshot:
    """Rebuild the Snapshot a statuswatch/v1 document was made from.

    `snapshot_document` of the result equals `document` for what the server sends. RemoteError
    (fatal) names the first field that does not fit the schema.
    """
    try:
        generated_at = _time(document, "generated_at", "document")
        if generated_at is None:
            raise _Bad("document.generated_at")
        reports = tuple(
            _report(raw, f"providers[{n}]")
            for n, raw in enumerate(_tables(document, "providers", "document"))
        )
    except _Bad as exc:
        raise RemoteError(f"the server's document has a bad field: {exc}", fatal=True) from None
    return Snapshot(generated_at=generated_at, reports=reports)


# --- following a server (for the TUI) ----------------------------------------------------------


def remote_poller(
    url: str, ids: Sequence[str], first: Snapshot | None = None
) -> Callable[[Callable[[ProviderReport], None]], Awaitable[Snapshot]]:
    """A TUI poller that reads the server's latest snapshot (only the providers `ids`).

    `first`, already read, is the answer to the first call. Each call runs in a thread of its
    own (the TUI's), so the blocking client is fine there.
    """
    wanted = set(ids)
    pending = [first] if first is not None else []

    async def poll(on_report: Callable[[ProviderReport], None]) -> Snapshot:
        if pending:
            snapshot = pending.pop()
        else:
            with RemoteClient(url) as client:
                snapshot = client.snapshot()
        reports = tuple(r for r in snapshot.reports if r.spec.id in wanted)
        for report in reports:
            on_report(report)
        return Snapshot(generated_at=snapshot.generated_at, reports=reports)

    return poll


class EventFollower:
    """Follows a server's /v1/events in a daemon thread; `on_change` after each of its polls.

    It calls `on_change` for each `snapshot` notice with a new `generated_at` (and after a
    `reset`), and reconnects after `retry` seconds with the last event id when the stream
    breaks. `on_change` runs in the follower's thread.
    """

    def __init__(
        self,
        url: str,
        on_change: Callable[[], None],
        *,
        seen: str | None = None,
        retry: float = 3.0,
        read_timeout: float = 60.0,
    ) -> None:
        self.url = url
        self._on_change = on_change
        self._seen = seen  # generated_at of the snapshot the viewer already has
        self._retry = retry
        self._read_timeout = read_timeout
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="statuswatch-events", daemon=True)
        self.last_event_id: str | None = None
        self.connections = 0  # streams that delivered something
        self.problem: str | None = None  # why the last connection ended, if it failed

    def start(self) -> EventFollower:
        """Start following."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the current read (the thread is a daemon: exiting never waits for it)."""
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with RemoteClient(self.url) as client:
                    opened = False
                    events = client.events(self.last_event_id, read_timeout=self._read_timeout)
                    for event in events:
                        if self._stop.is_set():
                            return
                        if not opened:
                            opened = True
                            self.connections += 1
                        self._take(event)
                self.problem = "the server closed the stream"
            except RemoteError as exc:
                self.problem = str(exc)
            except Exception as exc:  # a bad notice must not end the following
                self.problem = f"{type(exc).__name__}: {exc}"
            self._stop.wait(self._retry)

    def _take(self, event: ServerEvent) -> None:
        if event.id is not None:
            self.last_event_id = event.id
        if event.kind == "reset":
            self._on_change()
        elif event.kind == "snapshot":
            generated_at = event.json().get("generated_at")
            if generated_at != self._seen:
                self._seen = generated_at
                self._on_change()
