"""A `statuswatch/v1` document back into the model: checked, cleaned, never trusted.

Rebuilding the model re-checks every field's type, and every string goes through
`strip_controls` (one-line fields lose their newlines too): whoever wrote the document (a
server of ours, across a network) is trusted to have sanitised the pages, but what reaches a
terminal must be inert whatever sent it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from statuswatch.document import SCHEMA
from statuswatch.document.probe_read import (
    BadField,
    early_warning_from,
    probes_from,
    vantage_from,
)
from statuswatch.model import (
    Component,
    Correlation,
    CorrelationMember,
    ErrorType,
    FetchError,
    Impact,
    Incident,
    Maintenance,
    Page,
    Phase,
    ProviderReport,
    ProviderSpec,
    Risk,
    ScopeNote,
    Snapshot,
    StackPart,
    StackReport,
    Status,
    Update,
)
from statuswatch.text import one_line, safe_url, strip_controls
from statuswatch.timefmt import parse_aware

__all__ = [
    "DocumentError",
    "clean_strings",
    "parse_document",
    "select_providers",
    "snapshot_from_document",
]

_SHOWN = 200  # characters of a source's name in a message


class DocumentError(Exception):
    """The bytes are not a `statuswatch/v1` document, or a field of it is not what it should be."""


def _where(source: str) -> str:
    return one_line(source, _SHOWN)


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
    """The JSON document in `body`; DocumentError unless it is a statuswatch/v1 one."""
    try:
        document = json.loads(body)
    except ValueError:
        raise DocumentError(f"{_where(source)} did not send JSON") from None
    if (
        not isinstance(document, dict)
        or document.get("schema") != SCHEMA
        or not isinstance(document.get("providers"), list)
    ):
        raise DocumentError(f"{_where(source)} did not send a {SCHEMA} document")
    return document


def select_providers(document: Mapping[str, Any], ids: Sequence[str]) -> dict[str, Any]:
    """The document with only the providers `ids` (in the server's order); KeyError names a
    provider the server does not watch."""
    known = [p.get("id") for p in document["providers"] if isinstance(p, dict)]
    names = [str(k) for k in known if isinstance(k, str)]
    wanted: list[str] = []
    for provider_id in ids:
        # `-p CLOUDFLARE`, as without a server (tomlcheck.match_id; the document layer stays
        # below the config's): the id itself, else the only one equal to it but for case.
        folded = [name for name in names if name.casefold() == provider_id.casefold()]
        found = provider_id if provider_id in names else (folded[0] if len(folded) == 1 else None)
        if found is None:
            raise KeyError(provider_id)
        wanted.append(found)
    kept = [p for p in document["providers"] if isinstance(p, dict) and p.get("id") in wanted]
    cut = {**document, "providers": kept}
    # Chosen providers come without stacks (as when polling); links that touch one stay.
    if "stacks" in document:
        cut["stacks"] = []
    if isinstance(document.get("correlations"), list):
        cut["correlations"] = [
            c
            for c in document["correlations"]
            if isinstance(c, dict)
            and any(
                isinstance(m, dict) and m.get("provider") in wanted for m in c.get("members", [])
            )
        ]
    return cut


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
        return parse_aware(value)
    except ValueError:
        raise _Bad(f"{where}.{key}") from None


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
        detected_lead_s=(
            None if raw.get("detected_lead_s") is None else _get(raw, "detected_lead_s", int, where)
        ),
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
        probes=probes_from(raw, where),
        early_warning=early_warning_from(raw, where),
        scope=_scope_note(raw, where),
    )


def snapshot_from_document(document: Mapping[str, Any]) -> Snapshot:
    """Rebuild the Snapshot a statuswatch/v1 document was made from.

    `snapshot_document` of the result equals `document` for what a server sends. DocumentError
    names the first field that does not fit the schema.
    """
    try:
        generated_at = _time(document, "generated_at", "document")
        if generated_at is None:
            raise _Bad("document.generated_at")
        providers = _tables(document, "providers", "document")
        reports = tuple(_report(raw, f"providers[{n}]") for n, raw in enumerate(providers))
        reports, stacks, correlations = _assessment(document, providers, reports)
        vantage = vantage_from(document)
    except (_Bad, BadField) as exc:
        raise DocumentError(f"the server's document has a bad field: {exc}") from None
    return Snapshot(
        generated_at=generated_at,
        reports=reports,
        vantage=vantage,
        stacks=stacks,
        correlations=correlations,
    )


# --- scoping, stacks, the blast radius and shared causes (issue 13) ---------------------------
# Each field is optional: a server from before them sends none.


def _patterns(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...] | None:
    return None if table.get(key) is None else _names(table, key, where)


def _count(table: Mapping[str, Any], key: str, where: str) -> int:
    value: int = _get(table, key, int, where)
    if value < 0:
        raise _Bad(f"{where}.{key}")
    return value


def _scope_note(raw: Mapping[str, Any], where: str) -> ScopeNote | None:
    patterns = _patterns(raw, "scope", where)
    if patterns is None:
        return None
    outside = raw.get("out_of_scope") or {"components": 0, "incidents": 0}
    if not isinstance(outside, dict):
        raise _Bad(f"{where}.out_of_scope")
    listed = raw.get("incidents")
    incidents: list[Any] = listed if isinstance(listed, list) else []
    unnamed = frozenset(
        strip_controls(i["id"])
        for i in incidents
        if isinstance(i, dict) and "in_scope" in i and i["in_scope"] is None and "id" in i
    )
    return ScopeNote(
        patterns=patterns,
        out_of_scope_components=_count(outside, "components", f"{where}.out_of_scope"),
        out_of_scope_incidents=_count(outside, "incidents", f"{where}.out_of_scope"),
        unnamed=unnamed,
    )


def _risks(raw: Mapping[str, Any], where: str, names: Mapping[str, str]) -> tuple[Risk, ...]:
    if raw.get("at_risk_from") is None:
        return ()
    risks = []
    for n, item in enumerate(_tables(raw, "at_risk_from", where)):
        at = f"{where}.at_risk_from[{n}]"
        provider = _line(item, "provider", at)
        risks.append(
            Risk(
                provider=provider,
                name=names.get(provider, provider),
                scope=_patterns(item, "scope", at),
                status=_enum(item, "status", Status, at),
            )
        )
    return tuple(risks)


def _stacks(document: Mapping[str, Any]) -> tuple[StackReport, ...]:
    if document.get("stacks") is None:
        return ()
    stacks = []
    for n, raw in enumerate(_tables(document, "stacks", "document")):
        where = f"stacks[{n}]"
        parts = tuple(
            StackPart(
                provider=_line(part, "provider", f"{where}.parts[{k}]"),
                scope=_patterns(part, "scope", f"{where}.parts[{k}]"),
                status=_enum(part, "status", Status, f"{where}.parts[{k}]"),
            )
            for k, part in enumerate(_tables(raw, "parts", where))
        )
        stacks.append(
            StackReport(
                id=_line(raw, "id", where),
                name=_line(raw, "name", where),
                status=_enum(raw, "status", Status, where),
                parts=parts,
                reasons=_names(raw, "reasons", where),
            )
        )
    return tuple(stacks)


def _correlations(document: Mapping[str, Any]) -> tuple[Correlation, ...]:
    if document.get("correlations") is None:
        return ()
    found = []
    for n, raw in enumerate(_tables(document, "correlations", "document")):
        where = f"correlations[{n}]"
        members = tuple(
            CorrelationMember(
                provider=_line(m, "provider", f"{where}.members[{k}]"),
                incident=_line(m, "incident", f"{where}.members[{k}]"),
                started_at=_time(m, "started_at", f"{where}.members[{k}]"),
            )
            for k, m in enumerate(_tables(raw, "members", where))
        )
        found.append(
            Correlation(
                id=_line(raw, "id", where),
                cause=_line(raw, "cause", where),
                members=members,
                text=_line(raw, "text", where),
            )
        )
    return tuple(found)


def _assessment(
    document: Mapping[str, Any],
    providers: Sequence[Mapping[str, Any]],
    reports: tuple[ProviderReport, ...],
) -> tuple[tuple[ProviderReport, ...], tuple[StackReport, ...], tuple[Correlation, ...]]:
    """The risks of each report (named after the providers listed), the stacks and the links."""
    names = {r.spec.id: r.spec.name for r in reports}
    with_risks = tuple(
        dataclasses.replace(report, at_risk_from=_risks(raw, f"providers[{n}]", names))
        if raw.get("at_risk_from")
        else report
        for n, (raw, report) in enumerate(zip(providers, reports, strict=True))
    )
    return with_risks, _stacks(document), _correlations(document)
