"""The history's documents back into data: what `--server` clients of /v1/history and
/v1/report receive, checked field by field and cleaned of control sequences, never trusted."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from statuswatch.document import HISTORY_SCHEMA, REPORT_SCHEMA
from statuswatch.document.read import DocumentError
from statuswatch.history.model import Note, PastIncident, PastMaintenance, ProviderFigures, Report
from statuswatch.text import one_line, safe_url, strip_controls
from statuswatch.timefmt import parse_aware

__all__ = [
    "incidents_from_document",
    "maintenances_from_document",
    "parse_history_document",
    "report_from_document",
]


T = TypeVar("T")


class _Bad(Exception):
    """A field is not what the schema says; the message is its path."""


def parse_history_document(body: bytes, schema: str, source: str) -> dict[str, Any]:
    """The JSON document in `body`; DocumentError unless its `schema` is `schema`."""
    try:
        document = json.loads(body)
    except ValueError:
        raise DocumentError(f"{one_line(source, 200)} did not send JSON") from None
    if not isinstance(document, dict) or document.get("schema") != schema:
        raise DocumentError(f"{one_line(source, 200)} did not send a {schema} document")
    return document


def _get(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = table.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise _Bad(f"{where}.{key}")
    return value


def _maybe(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    return None if table.get(key) is None else _get(table, key, kind, where)


def _line(table: Mapping[str, Any], key: str, where: str) -> str:
    return strip_controls(_get(table, key, str, where)).replace("\n", " ")


def _time(table: Mapping[str, Any], key: str, where: str) -> datetime | None:
    value = _maybe(table, key, str, where)
    if value is None:
        return None
    try:
        return parse_aware(value)
    except ValueError:
        raise _Bad(f"{where}.{key}") from None


def _names(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    items = _get(table, key, list, where)
    if not all(isinstance(item, str) for item in items):
        raise _Bad(f"{where}.{key}")
    return tuple(strip_controls(item).replace("\n", " ") for item in items)


def _note(table: Mapping[str, Any], key: str, where: str) -> Note | None:
    raw = _maybe(table, key, dict, where)
    if raw is None:
        return None
    at = _time(raw, "at", f"{where}.{key}")
    if at is None:
        raise _Bad(f"{where}.{key}.at")
    return Note(at, _line(raw, "phase", where), strip_controls(_get(raw, "text", str, where)))


def _fail(exc: _Bad, schema: str) -> DocumentError:
    return DocumentError(f"the {schema} document has an unexpected {exc}")


def incidents_from_document(document: Mapping[str, Any]) -> list[PastIncident]:
    """The incidents of a `statuswatch/history/v1` document; DocumentError on a bad field."""
    return _rows(document, "incidents", _incident)


def maintenances_from_document(document: Mapping[str, Any]) -> list[PastMaintenance]:
    """The maintenances of a `statuswatch/history/v1` document; DocumentError on a bad field."""
    return _rows(document, "maintenances", _maintenance)


def _rows(
    document: Mapping[str, Any], key: str, read: Callable[[dict[str, Any], str], T]
) -> list[T]:
    """Each object of the document's list `key`, read by `read(object, its path)`."""
    try:
        out: list[T] = []
        for index, raw in enumerate(_get(document, key, list, "document")):
            where = f"{key}[{index}]"
            if not isinstance(raw, dict):
                raise _Bad(where)
            out.append(read(raw, where))
    except _Bad as exc:
        raise _fail(exc, HISTORY_SCHEMA) from None
    return out


def _incident(raw: dict[str, Any], where: str) -> PastIncident:
    source = _get(raw, "source", str, where)
    return PastIncident(
        provider=_line(raw, "provider", where),
        provider_name=_line(raw, "provider_name", where),
        id=_line(raw, "id", where),
        title=_line(raw, "title", where),
        impact=_line(raw, "impact", where),
        phase=_line(raw, "phase", where),
        started_at=_time(raw, "started_at", where),
        posted_at=_time(raw, "posted_at", where),
        resolved_at=_time(raw, "resolved_at", where),
        url=safe_url(raw.get("url")),
        components=_names(raw, "components", where),
        update_count=_get(raw, "updates", int, where),
        first_update=_note(raw, "first_update", where),
        last_update=_note(raw, "last_update", where),
        observed=source == "observed",
        first_seen_at=_time(raw, "first_seen_at", where),
        detected_lead_s=_maybe(raw, "detected_lead_s", int, where),
    )


def _maintenance(raw: dict[str, Any], where: str) -> PastMaintenance:
    return PastMaintenance(
        provider=_line(raw, "provider", where),
        provider_name=_line(raw, "provider_name", where),
        id=_line(raw, "id", where),
        title=_line(raw, "title", where),
        phase=_line(raw, "phase", where),
        scheduled_for=_time(raw, "scheduled_for", where),
        scheduled_until=_time(raw, "scheduled_until", where),
        started_at=_time(raw, "started_at", where),
        completed_at=_time(raw, "completed_at", where),
        url=safe_url(raw.get("url")),
        components=_names(raw, "components", where),
        observed=_get(raw, "source", str, where) == "observed",
    )


def _numbers(table: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    raw = _get(table, key, dict, where)
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise _Bad(f"{where}.{key}.{one_line(str(name), 40)}")
        out[strip_controls(str(name))] = value
    return out


_STATUSES = frozenset(
    {"operational", "maintenance", "degraded", "partial_outage", "major_outage", "unknown"}
)


def _daily(raw: Mapping[str, Any], where: str) -> tuple[tuple[str, str | None], ...]:
    out: list[tuple[str, str | None]] = []
    for index, day in enumerate(_get(raw, "daily", list, where)):
        at = f"{where}.daily[{index}]"
        if not isinstance(day, dict):
            raise _Bad(at)
        date, status = _get(day, "date", str, at), day.get("status")
        if status is not None and status not in _STATUSES:
            raise _Bad(f"{at}.status")
        out.append((strip_controls(date), status))
    return tuple(out)


def _figures(raw: object, where: str) -> ProviderFigures:
    if not isinstance(raw, dict):
        raise _Bad(where)
    basis = _get(raw, "basis", dict, where)
    if not all(isinstance(v, str) for v in basis.values()):
        raise _Bad(f"{where}.basis")
    longest = _maybe(raw, "longest_incident", str, where)
    parts = _names(raw, "parts", where) if raw.get("parts") is not None else None
    return ProviderFigures(
        id=_line(raw, "id", where),
        name=_line(raw, "name", where),
        incidents={k: int(v) for k, v in _numbers(raw, "incidents", where).items()},
        minutes={k: float(v) for k, v in _numbers(raw, "minutes", where).items()},
        uptime_pct=_maybe(raw, "uptime_pct", (int, float), where),
        mttr_s=_maybe(raw, "mttr_s", int, where),
        longest_s=_maybe(raw, "longest_s", int, where),
        longest_id=None if longest is None else strip_controls(longest),
        page_lag_s=_maybe(raw, "page_lag_s", int, where),
        observed_pct=float(_get(raw, "observed_pct", (int, float), where)),
        known_pct=float(_get(raw, "known_pct", (int, float), where)),
        basis={strip_controls(str(k)): strip_controls(v) for k, v in basis.items()},
        daily=_daily(raw, where) if raw.get("daily") is not None else None,
        parts=parts,
    )


def report_from_document(document: Mapping[str, Any]) -> Report:
    """The figures of a `statuswatch/report/v1` document; DocumentError on a bad field."""
    try:
        since = _time(document, "since", "document")
        until = _time(document, "until", "document")
        if since is None or until is None:
            raise _Bad("document.since")
        providers = [
            _figures(raw, f"providers[{n}]")
            for n, raw in enumerate(_get(document, "providers", list, "document"))
        ]
        stacks = [
            _figures(raw, f"stacks[{n}]")
            for n, raw in enumerate(_get(document, "stacks", list, "document"))
        ]
    except _Bad as exc:
        raise _fail(exc, REPORT_SCHEMA) from None
    return Report(since=since, until=until, providers=providers, stacks=stacks)
