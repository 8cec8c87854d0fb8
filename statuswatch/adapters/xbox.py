"""Xbox network status -> Page, from ``xnotify.xboxlive.com/servicestatusv6/<market>/<locale>``.

What support.xbox.com's status page reads. The server answers XML by default and JSON when asked
with ``Accept: application/json``; both carry the same names: ``Status.Overall`` (``State``,
``LastUpdated``), then ``CoreServices`` and ``Titles`` (older versions: ``Games``, ``Apps``),
lists of categories, each ``{Id, Name, Status: {Name, Id}, Scenarios: [{Id, Name, Status,
Devices, Incidents, Description}]}``. Every state seen while all is well is ``None``; an affected
category and scenario say ``Impacted`` and the scenario lists its incidents (``{Id, Begin,
Stage: {Message}, LevelOfImpact: {Name}}``). Categories and scenarios are the components.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from statuswatch.adapters import FormatChanged, ParseError
from statuswatch.adapters.common import (
    drifted,
    ident,
    load_json,
    markup_head,
    obj,
    objs,
    text,
    worst,
    worst_impact,
)
from statuswatch.adapters.sniff import XBOX, identify_markup, moved
from statuswatch.adapters.timeparse import parse_time
from statuswatch.model import Component, Impact, Incident, Page, Phase, Status, Update
from statuswatch.text import one_line, plain_text

PLATFORM = "the Xbox network status"
# `parse` reads the body alone (never the headers): the engine keeps its page for a 304.
BODY_ONLY = True
STATUS_PAGE = "https://support.xbox.com/xbox-live-status"
_OWN = frozenset({"xbox"})
# Lists of categories; the later names are those of the older servicestatusv5.
SECTIONS = ("CoreServices", "Titles", "Games", "Apps", "Website")
# In XML every list is an element wrapping its items: <Scenarios><Scenario>...
_LISTS = frozenset({"CoreServices", "Titles", "Games", "Apps", "Scenarios", "Devices", "Incidents"})
_DECLARATION = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_MAX_DEPTH = 16


def source_url(url: str) -> str:
    """Return the xnotify document for an Xbox provider.

    Args:
        url: the document (``https://xnotify.xboxlive.com/servicestatusv6/US/en-US``),
            returned unchanged.

    Returns:
        `url`.
    """
    return url.strip()


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read the Xbox network status (XML or JSON) into a Page.

    Args:
        body: the response body.
        headers: the response headers (unused: the body says which form it is).

    Returns:
        Categories and their scenarios as components, each affected scenario's incidents,
        the overall status and when Microsoft last updated it.

    Raises:
        FormatChanged: the body is HTML, a feed, another platform's document, or a document
            without the Status/CoreServices shape.
        ParseError: the body is empty, not JSON or not well-formed XML.
    """
    head = markup_head(body)
    doc = _from_xml(body, head) if head is not None else _from_json(body)
    try:
        return _page(doc)
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {PLATFORM} document ({detail})") from exc


def _from_json(body: bytes) -> dict[str, object]:
    """The JSON form; a document of another shape is a format change."""
    loaded = load_json(body, PLATFORM)
    doc = obj(loaded)
    if doc is None or not _shaped(doc):
        drifted(loaded, PLATFORM.removeprefix("the "), _OWN, "Status.Overall and CoreServices")
    return doc


def _shaped(doc: dict[str, object]) -> bool:
    status = obj(doc.get("Status"))
    overall = status is not None and ("Overall" in status or "State" in status)
    return overall or any(k in doc for k in SECTIONS)


def _from_xml(body: bytes, head: str) -> dict[str, object]:
    """The XML form as the JSON form's dictionaries; other markup is a format change."""
    if identify_markup(head) is not XBOX:
        raise FormatChanged(moved(identify_markup(head), PLATFORM))
    if _DECLARATION.search(body[:65536].decode("utf-8", "replace")):
        raise ParseError(f"{PLATFORM} XML declares a DOCTYPE or entities: refused")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ParseError(f"{PLATFORM} XML is not well-formed ({one_line(str(exc), 200)})") from exc
    converted = _element(root, 0)
    if not isinstance(converted, dict) or not _shaped(converted):
        raise FormatChanged(
            f"the page answered with XML of another shape where {PLATFORM} was expected "
            "(Status.Overall and CoreServices)"
        )
    return converted


def _element(node: ET.Element, depth: int) -> object:
    """An element as JSON-like data: text for a leaf, a list for a list, else a dictionary."""
    name = _local(node.tag)
    children = list(node)
    if depth > _MAX_DEPTH:
        raise ParseError(f"{PLATFORM} XML is nested too deeply to read")
    if name in _LISTS:
        return [_element(child, depth + 1) for child in children]
    if not children:
        return (node.text or "").strip()
    return {_local(child.tag): _element(child, depth + 1) for child in children}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass
class _Draft:
    """An incident seen on one or more scenarios."""

    key: str
    begin: str
    message: str
    impact: Impact
    level: str
    scenarios: list[str] = field(default_factory=list)


_STATE: dict[str, Status] = {"none": Status.OPERATIONAL, "impacted": Status.PARTIAL_OUTAGE}


def _state(value: object) -> tuple[Status, str]:
    """A `Status` object's (or a bare) state name as a status, and the name as sent."""
    row = obj(value)
    name = text(row.get("Name") if row is not None else value, 64)
    if row is not None and not name:
        name = text(row.get("State"), 64)
    return _STATE.get(name.lower(), Status.UNKNOWN), name


def _level(name: str) -> tuple[Impact, Status]:
    """An incident's level of impact as an impact and what it does to its scenario."""
    low = name.lower()
    if "major" in low or "outage" in low or "unavailable" in low:
        return Impact.MAJOR, Status.MAJOR_OUTAGE
    if "limited" in low or "minor" in low or "degraded" in low:
        return Impact.MINOR, Status.DEGRADED
    return Impact.MINOR, Status.PARTIAL_OUTAGE


def _incidents(value: object) -> Iterator[dict[str, object]]:
    """A scenario's incidents: a list, or a lone object where a converter made one."""
    single = obj(value)
    if single is not None:
        inner = single.get("Incident")
        yield from objs(inner) if isinstance(inner, list) else [obj(inner) or single]
        return
    yield from objs(value)


def _categories(value: object) -> list[dict[str, object]]:
    """A section's categories: a list, or (v4's Website) one category on its own."""
    single = obj(value)
    if single is None:
        return list(objs(value))
    inner = single.get("Category")
    if inner is not None:
        return list(objs(inner)) if isinstance(inner, list) else [obj(inner) or {}]
    return [single]


def _page(doc: dict[str, object]) -> Page:
    status_row = obj(doc.get("Status")) or {}
    # v6 nests the overall state in Status.Overall; v4 put it in Status itself.
    overall = obj(status_row.get("Overall")) or status_row
    overall_status, overall_raw = _state(overall.get("State"))
    components: list[Component] = []
    drafts: dict[str, _Draft] = {}
    core: list[Status] = []
    for section in SECTIONS:
        for category in _categories(doc.get(section)):
            cat_id = ident(category.get("Id"))
            cat_name = text(category.get("Name")) or f"category {cat_id}"
            scenarios = [
                _scenario(row, cat_id, cat_name, drafts) for row in objs(category.get("Scenarios"))
            ]
            declared, raw_name = _state(category.get("Status"))
            status = worst((s.status for s in scenarios), declared)
            if declared is Status.UNKNOWN and status is Status.OPERATIONAL:
                status = Status.UNKNOWN  # a state we cannot read is not "all well"
            components.append(Component(cat_id or cat_name, cat_name, status, raw_name))
            components.extend(scenarios)
            if section == "CoreServices":
                core.append(status)
    incidents = tuple(_incident(draft) for draft in drafts.values())
    return Page(
        status=_overall(overall_status, components, core),
        raw_status=overall_raw,
        updated_at=parse_time(overall.get("LastUpdated")),
        components=tuple(components),
        incidents=incidents,
    )


def _scenario(
    row: dict[str, object], cat_id: str, cat_name: str, drafts: dict[str, _Draft]
) -> Component:
    key = ident(row.get("Id"))
    name = text(row.get("Name")) or f"scenario {key}"
    status, raw_name = _state(row.get("Status"))
    for incident in _incidents(row.get("Incidents")):
        level = text((obj(incident.get("LevelOfImpact")) or {}).get("Name"), 64)
        impact, effect = _level(level)
        if status is Status.PARTIAL_OUTAGE:  # "Impacted": its incident says how badly
            status = effect
        begin = text(incident.get("Begin"), 64)
        incident_id = ident(incident.get("Id")) or f"{key}-{begin}"
        stage = obj(incident.get("Stage")) or {}
        draft = drafts.setdefault(
            incident_id,
            _Draft(incident_id, begin, plain_text(stage.get("Message") or ""), impact, level),
        )
        draft.impact = worst_impact([draft.impact, impact])
        draft.scenarios.append(name)
    return Component(f"{cat_id}/{key}" if key else name, name, status, raw_name, group=cat_name)


def _incident(draft: _Draft) -> Incident:
    begin = parse_time(draft.begin)
    updates = (Update(begin, Phase.INVESTIGATING, draft.message, draft.level),) if begin else ()
    title = draft.scenarios[0] if len(draft.scenarios) == 1 else ", ".join(draft.scenarios[:3])
    return Incident(
        id=draft.key,
        title=title,
        impact=draft.impact,
        phase=Phase.INVESTIGATING,  # the feed lists only what is happening now
        started_at=begin,
        updated_at=begin,
        url=STATUS_PAGE,
        components=tuple(dict.fromkeys(draft.scenarios)),
        updates=updates,
        raw_impact=draft.level,
    )


def _overall(declared: Status, components: list[Component], core: list[Status]) -> Status:
    """The network's status: the worst scenario, an outage of all of it only if every core
    category is affected; a state we cannot read is unknown, never operational."""
    found = worst((c.status for c in components), declared)
    if found is Status.MAJOR_OUTAGE and not all(s.is_problem for s in core):
        found = Status.PARTIAL_OUTAGE
    if declared is Status.UNKNOWN and found is Status.OPERATIONAL:
        return Status.UNKNOWN
    if declared is Status.PARTIAL_OUTAGE and found is Status.OPERATIONAL:
        return Status.PARTIAL_OUTAGE  # "Impacted" overall though no scenario says which
    return found
