"""A Statuspage-shaped document decoded, or a precise reason why a body is not one.

Shared by the Statuspage and incident.io adapters: HTML or XML where JSON was expected, another
platform's document (the provider moved), or JSON without a key a Statuspage document has.
"""

from __future__ import annotations

import json
from typing import cast

from statuswatch.adapters import FormatChanged, ParseError
from statuswatch.adapters.common import json_type as _json_type
from statuswatch.adapters.common import obj as _dict
from statuswatch.adapters.common import objs as _dicts
from statuswatch.adapters.sniff import identify_document
from statuswatch.text import one_line

__all__ = ["KNOWN_KEYS", "foreign_document", "load_document"]

_BOM = b"\xef\xbb\xbf"
KNOWN_KEYS = ("page", "status", "components", "incidents", "scheduled_maintenances", "incident")
_OWN = frozenset({"statuspage", "incidentio"})


def load_document(body: bytes, platform: str) -> dict[str, object]:
    """Decode `body` as a Statuspage-shaped JSON object, or say precisely why it is not one."""
    head = body.removeprefix(_BOM).lstrip()
    if not head:
        raise ParseError(f"empty body where {platform} JSON was expected")
    if head.startswith(b"<"):
        kind = _markup_kind(head[:1024].lower())
        raise FormatChanged(
            f"the server answered with {kind} where {platform} JSON was expected: "
            "the page changed format"
        )
    try:
        doc: object = json.loads(body)
    except UnicodeDecodeError as exc:
        raise ParseError(f"{platform} document is not UTF-8 text ({exc.reason})") from exc
    except RecursionError as exc:
        raise ParseError(f"{platform} document is nested too deeply to read") from exc
    except ValueError as exc:  # JSONDecodeError, or an integer past the digit limit
        raise ParseError(f"invalid JSON in {platform} document: {one_line(str(exc), 200)}") from exc
    if not isinstance(doc, dict):
        found = identify_document(doc)  # AWS and Google Cloud publish JSON arrays
        if found is not None:
            raise FormatChanged(
                f"the server answered {found.phrase} where {platform} JSON was expected: "
                "the page changed format"
            )
        raise ParseError(f"{platform} document is a JSON {_json_type(doc)}, not an object")
    doc = cast(dict[str, object], doc)
    foreign = foreign_document(doc)
    if foreign is not None:
        raise FormatChanged(
            f"the server answered with {foreign} where {platform} JSON was expected: "
            "the page changed format"
        )
    if not any(_usable(key, doc.get(key)) for key in KNOWN_KEYS):
        raise ParseError(_no_usable_key(doc, platform))
    return doc


def foreign_document(doc: dict[str, object]) -> str | None:
    """Name the kind of document `doc` is when it is plainly another platform's, else None."""
    result = _dict(doc.get("result"))
    if "status_overall" in doc or (result is not None and "status_overall" in result):
        return "a status.io document"
    data = _dict(doc.get("data"))
    if data is not None and data.get("type") == "status_page":
        return "a Better Stack document"
    if "active_incidents" in doc:
        return "a Slack status document"
    page = _dict(doc.get("page"))
    if (page is not None and isinstance(page.get("status"), str)) or "activeIncidents" in doc:
        return "an Instatus document"
    # Statuspage writes component statuses in snake_case; Instatus shouts them.
    statuses = [row.get("status") for row in _dicts(doc.get("components"))]
    if statuses and all(isinstance(s, str) and s.isupper() for s in statuses):
        return "an Instatus document"
    summary = _dict(doc.get("summary"))
    if "ongoing_incidents" in doc or (summary is not None and "ongoing_incidents" in summary):
        return "incident.io's native page data (not its Statuspage-compatible API)"
    found = identify_document(doc)  # the self-hosted platforms and the consoles' pages
    if found is not None and found.key not in _OWN:
        return found.phrase.removeprefix("in ").removeprefix("with ")
    return None


def _usable(key: str, value: object) -> bool:
    """True if a top-level key holds the type a Statuspage document gives it."""
    return (
        isinstance(value, dict)
        if key in ("page", "status", "incident")
        else isinstance(value, list)
    )


def _no_usable_key(doc: dict[str, object], platform: str) -> str:
    """Why a JSON object is not a Statuspage-shaped document, in one line."""
    wrong = [key for key in KNOWN_KEYS if key in doc]
    if wrong:
        kinds = ", ".join(f"{key} is a JSON {_json_type(doc[key])}" for key in wrong)
        return f"{platform} document has no usable key ({kinds})"
    found = ", ".join(one_line(key, 40) for key in list(doc)[:8]) or "none"
    return f"{platform} document has none of the keys {', '.join(KNOWN_KEYS)} (found: {found})"


def _markup_kind(head: bytes) -> str:
    """Whether a body starting with "<" is an HTML page or an XML document (a feed, say)."""
    if b"<html" in head or b"<!doctype html" in head:
        return "HTML"
    if head.startswith((b"<?xml", b"<rss", b"<feed")):
        return "XML"
    return "HTML"
