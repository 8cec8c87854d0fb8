"""Recognises which platform a status document comes from, by its shape alone.

Used two ways: an adapter handed another platform's document says so (FormatChanged: the
provider moved) instead of misreading it, and `statuswatch add` tells which adapter reads a page.
"""

from __future__ import annotations

import re
from typing import NoReturn, cast

from statuswatch.adapters import FormatChanged
from statuswatch.records import record

# incident.io ids are ULIDs; Atlassian ids are 12 lowercase base-36 characters.
_ULID = re.compile(r"[0-9A-Z]{26}")


@record
class Found:
    """What a document is: a shape `key`, the `kind` that reads it (None: no adapter does)."""

    key: str
    kind: str | None
    phrase: str  # completes "the page answered ...", e.g. "in incident.io's format"


STATUSPAGE = Found("statuspage", "statuspage", "in Atlassian Statuspage's format")
INCIDENTIO = Found("incidentio", "incidentio", "in incident.io's format")
INCIDENTIO_NATIVE = Found("incidentio-native", None, "with incident.io's native page data")
INCIDENTIO_WIDGET = Found("incidentio-widget", None, "with incident.io's widget API")
INSTATUS = Found("instatus", "instatus", "in Instatus's format")
INSTATUS_COMPONENTS = Found("instatus-components", "instatus", "in Instatus's format")
STATUSIO = Found("statusio", "statusio", "in status.io's format")
BETTERSTACK = Found("betterstack", "betterstack", "in Better Stack's format")
SLACK = Found("slack", "slack", "in Slack's status API format")
SLACK_HISTORY = Found("slack-history", None, "with Slack's incident history")
AWS = Found("aws", "aws", "in the AWS Health Dashboard's format")
AWS_LEGACY = Found("aws-legacy", None, "with the retired AWS data.json")
GCP = Found("gcp", "gcp", "in Google Cloud's incidents.json format")
AWS_RSS = Found("aws-rss", "aws", "with the AWS Health Dashboard's RSS feed")
AZURE_RSS = Found("azure-rss", "azure", "with the Azure status feed")
STATUSPAGE_FEED = Found("statuspage-feed", "feed", "with a Statuspage history feed")
INCIDENTIO_FEED = Found("incidentio-feed", "feed", "with an incident.io feed")
FEED = Found("feed", "feed", "with an RSS/Atom feed")
CACHET = Found("cachet", "cachet", "in Cachet's API format")
UPTIMEKUMA = Found("uptimekuma", "uptimekuma", "in Uptime Kuma's status page format")
UPTIMEKUMA_HEARTBEAT = Found(
    "uptimekuma-heartbeat", "uptimekuma", "with Uptime Kuma's status page heartbeats"
)
UPPTIME = Found("upptime", "upptime", "with an Upptime summary.json")
GATUS = Found("gatus", "gatus", "in Gatus's endpoint status format")
STATUSPAL = Found("statuspal", "statuspal", "in Statuspal's format")
XBOX = Found("xbox", "xbox", "in the Xbox network status format")
PLAYSTATION = Found("playstation", "playstation", "in PlayStation Network's status format")
HTML = Found("html", None, "with an HTML page")
XML = Found("xml", None, "with an XML document that is not a feed")


def identify_markup(head: str) -> Found:
    """What a body starting with "<" is: a feed (whose, if it says), an HTML page or other XML."""
    low = head[:4096].lower()
    # Feeds start with their root element after an optional declaration and comments.
    root = re.search(r"<(rss|feed|rdf:rdf|html|!doctype html)\b", low)
    name = root.group(1) if root else ""
    if name in ("rss", "feed", "rdf:rdf"):
        if "aws service health dashboard" in low or "status.aws.amazon.com" in low:
            return AWS_RSS
        if re.search(r"<title>\s*azure status\s*</title>", low):
            return AZURE_RSS
        if "<generator>incident.io</generator>" in low:
            return INCIDENTIO_FEED
        if re.search(r"incident history\s*</title>|,2005:/history<|<description>statuspage<", low):
            return STATUSPAGE_FEED
        return FEED
    if name in ("html", "!doctype html") or "<body" in low or "<head" in low:
        return HTML
    if re.search(r"<servicestatus\b", low):
        return XBOX  # xnotify's XML form (.NET XmlSerializer): <ServiceStatus><Status><Overall>
    return XML if low.startswith("<?xml") else HTML


def identify_document(doc: object) -> Found | None:
    """What a decoded JSON document is, or None when its shape names no platform."""
    if isinstance(doc, list):
        return _identify_array(cast(list[object], doc))
    if not isinstance(doc, dict):
        return None
    doc = cast(dict[str, object], doc)
    result = _obj(doc.get("result"))
    if "status_overall" in doc or (result is not None and "status_overall" in result):
        return STATUSIO
    data = _obj(doc.get("data"))
    if data is not None and data.get("type") == "status_page":
        return BETTERSTACK
    found = _identify_self_hosted(doc)
    if found is not None:
        return found
    if "active_incidents" in doc:
        return SLACK
    summary = _obj(doc.get("summary"))
    if "page_title" in doc and "ongoing_incidents" in doc:
        return INCIDENTIO_WIDGET
    if "ongoing_incidents" in doc or (summary is not None and "ongoing_incidents" in summary):
        return INCIDENTIO_NATIVE
    if isinstance(doc.get("archive"), list) and isinstance(doc.get("current"), list):
        return AWS_LEGACY
    page = _obj(doc.get("page"))
    if page is not None and isinstance(page.get("status"), str):
        return INSTATUS
    if "activeIncidents" in doc or "activeMaintenances" in doc:
        return INSTATUS
    components = [row for row in _list(doc.get("components")) if isinstance(row, dict)]
    statuses = [cast(dict[str, object], row).get("status") for row in components]
    # Statuspage writes component statuses in snake_case; Instatus shouts them.
    if statuses and all(isinstance(s, str) and s.isupper() for s in statuses) and page is None:
        return INSTATUS_COMPONENTS
    status = _obj(doc.get("status"))
    atlassian = (
        (page is not None and any(key in page for key in ("id", "time_zone", "updated_at")))
        or (status is not None and "indicator" in status)
        or isinstance(doc.get("incidents"), list)
        or (isinstance(doc.get("incident"), dict) and page is not None)  # incidents/<id>.json
        or isinstance(doc.get("scheduled_maintenances"), list)
        or bool(components)
    )
    if atlassian:
        return INCIDENTIO if _looks_incidentio(doc, page) else STATUSPAGE
    return None


def _identify_array(doc: list[object]) -> Found | None:
    """AWS current events, Google Cloud incidents and Slack history are JSON arrays."""
    first = next((cast(dict[str, object], row) for row in doc if isinstance(row, dict)), None)
    if first is None:
        return None
    if "arn" in first or ("event_log" in first and "service" in first):
        return AWS
    if "external_desc" in first or "affected_products" in first or "most_recent_update" in first:
        return GCP
    if "notes" in first and "date_created" in first:
        return SLACK_HISTORY
    if "key" in first and isinstance(first.get("results"), list):
        return GATUS  # /api/v1/endpoints/statuses: {name, group, key, results[]}
    if "slug" in first and "status" in first and ("uptime" in first or "dailyMinutesDown" in first):
        return UPPTIME
    return None


def _identify_self_hosted(doc: dict[str, object]) -> Found | None:
    """Cachet, Uptime Kuma, Statuspal, the consoles' pages: shapes no hosted platform shares."""
    meta = _obj(doc.get("meta"))
    if isinstance(doc.get("data"), list) and meta is not None and "pagination" in meta:
        return CACHET  # Laravel's paginated envelope around /api/v1/components or /incidents
    if "publicGroupList" in doc or ("maintenanceList" in doc and "config" in doc):
        return UPTIMEKUMA
    if "heartbeatList" in doc:
        return UPTIMEKUMA_HEARTBEAT
    services = [
        cast(dict[str, object], r) for r in _list(doc.get("services")) if isinstance(r, dict)
    ]
    if isinstance(doc.get("services"), list) and (
        "status_page" in doc or any("current_incident_type" in row for row in services)
    ):
        return STATUSPAL  # /status carries status_page; /summary only the services
    status = _obj(doc.get("Status"))
    if "CoreServices" in doc or (status is not None and ("Overall" in status or "State" in status)):
        return XBOX
    if "regionName" in doc and ("countries" in doc or "status" in doc):
        return PLAYSTATION
    return None


def _looks_incidentio(doc: dict[str, object], page: dict[str, object] | None) -> bool:
    """incident.io's Statuspage-compatible documents: no page time zone (Atlassian always
    sends one), else ULID-like ids (26 capitals and digits; Atlassian's are 12 lowercase)."""
    if page is not None:
        return "time_zone" not in page
    ids: list[object] = []
    for key in ("components", "incidents"):
        rows = [row for row in _list(doc.get(key))[:5] if isinstance(row, dict)]
        ids += [cast(dict[str, object], row).get("id") for row in rows]
    known = [value for value in ids if isinstance(value, str)]
    return bool(known) and all(_ULID.fullmatch(value) for value in known)


def refuse_markup(head: str, platform: str) -> NoReturn:
    """Raise FormatChanged for a markup body where `platform`'s JSON was expected."""
    found = identify_markup(head)
    raise FormatChanged(moved(found, f"{platform} JSON"))


def refuse(doc: object, platform: str, own: frozenset[str]) -> None:
    """Raise FormatChanged if `doc` is another platform's document (its key not in `own`)."""
    found = identify_document(doc)
    if found is not None and found.key not in own:
        raise FormatChanged(moved(found, platform))


def moved(found: Found, expected: str) -> str:
    """The one-line explanation of a format change (the engine adds what to do about it)."""
    return f"the page answered {found.phrase} where {expected} was expected"


def _obj(value: object) -> dict[str, object] | None:
    return cast(dict[str, object], value) if isinstance(value, dict) else None


def _list(value: object) -> list[object]:
    return cast(list[object], value) if isinstance(value, list) else []
