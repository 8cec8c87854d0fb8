"""The probes' fields of a `statuswatch/v1` document back into the model: checked, cleaned.

Each field is optional (a document from before probes has none). A field that is not what the
schema says raises BadField with its path; `read` turns that into its DocumentError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from statuswatch.model import (
    EarlyWarning,
    ProbeResult,
    ProbeState,
    ProbeSummary,
    Vantage,
    VantageState,
)
from statuswatch.text import safe_url, strip_controls
from statuswatch.timefmt import parse_aware

__all__ = ["BadField", "early_warning_from", "probes_from", "vantage_from"]


class BadField(Exception):
    """A probe field of the document is not what the schema says; the message is its path."""


def probes_from(raw: Mapping[str, Any], where: str) -> ProbeSummary | None:
    """A provider entry's `probes`, or None when it has none."""
    if raw.get("probes") is None:
        return None
    table = _typed(raw, "probes", dict, where)
    at = f"{where}.probes"
    results = []
    for n, result in enumerate(_typed(table, "results", list, at)):
        here = f"{at}.results[{n}]"
        if not isinstance(result, dict):
            raise BadField(here)
        url = safe_url(_typed(result, "url", str, here))
        if url is None:
            raise BadField(f"{here}.url")
        results.append(
            ProbeResult(
                url=url,
                ok=_typed(result, "ok", bool, here),
                status=_optional(result, "status", int, here),
                error=_line(_optional(result, "error", str, here)),
                latency_ms=_number(result, "latency_ms", here),
                region=_line(_optional(result, "region", str, here)),
            )
        )
    try:
        state = ProbeState(_typed(table, "state", str, at))
    except ValueError:
        raise BadField(f"{at}.state") from None
    return ProbeSummary(
        state=state,
        passed=_typed(table, "passed", int, at),
        total=_typed(table, "total", int, at),
        since=_time(table, "since", at),
        results=tuple(results),
    )


def early_warning_from(raw: Mapping[str, Any], where: str) -> EarlyWarning | None:
    """A provider entry's `early_warning`, or None."""
    if raw.get("early_warning") is None:
        return None
    table = _typed(raw, "early_warning", dict, where)
    at = f"{where}.early_warning"
    since = _time(table, "since", at)
    if since is None:
        raise BadField(f"{at}.since")
    return EarlyWarning(since=since, text=_line(_typed(table, "text", str, at)) or "")


def vantage_from(document: Mapping[str, Any]) -> Vantage | None:
    """The document's `vantage`, or None."""
    if document.get("vantage") is None:
        return None
    table = _typed(document, "vantage", dict, "document")
    try:
        state = VantageState(_typed(table, "state", str, "document.vantage"))
    except ValueError:
        raise BadField("document.vantage.state") from None
    return Vantage(state=state, text=_line(_typed(table, "text", str, "document.vantage")) or "")


def _typed(table: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = table.get(key)
    # bool is an int in Python: a count must not accept true.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadField(f"{where}.{key}")
    return value


def _optional(table: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    return None if table.get(key) is None else _typed(table, key, kind, where)


def _number(table: Mapping[str, Any], key: str, where: str) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadField(f"{where}.{key}")
    return float(value)


def _line(value: str | None) -> str | None:
    """One line of plain text: whatever sent the document, nothing reaches a terminal raw."""
    return None if value is None else strip_controls(value).replace("\n", " ")


def _time(table: Mapping[str, Any], key: str, where: str) -> Any:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadField(f"{where}.{key}")
    try:
        return parse_aware(value)
    except ValueError:
        raise BadField(f"{where}.{key}") from None
