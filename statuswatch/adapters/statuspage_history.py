"""Statuspage's (and incident.io's) own incident history: `/api/v2/incidents.json`.

The backfill reader of the `statuspage` and `incidentio` kinds (see the adapter contract in
statuswatch/adapters/__init__.py): the same shapes as summary.json, so the Statuspage reader
does the work; one incident's `/api/v2/incidents/<id>.json` (`{page, incident}`) is read too.
"""

from __future__ import annotations

from collections.abc import Mapping

from statuswatch.adapters import ParseError
from statuswatch.adapters.common import obj
from statuswatch.adapters.statuspage import PLATFORM, build_page
from statuswatch.adapters.statuspage_doc import load_document
from statuswatch.model import Page
from statuswatch.text import one_line

__all__ = ["history_url", "parse_history", "read_history"]


def history_url(url: str) -> str:
    """The page's own history, ``<base>/api/v2/incidents.json`` (its last 50 incidents).

    Args:
        url: the page's base URL, its ``/api/v2`` URL, or a URL naming one of its ``.json``
            documents (whose name is replaced).

    Returns:
        e.g. ``https://www.githubstatus.com/api/v2/incidents.json``.
    """
    base = url.strip().rstrip("/")
    if base.lower().endswith(".json"):
        base = base.rsplit("/", 1)[0]
    if base.lower().endswith("/api/v2"):
        return f"{base}/incidents.json"
    return f"{base}/api/v2/incidents.json"


def parse_history(body: bytes, headers: Mapping[str, str]) -> Page:
    """Every incident and maintenance of a Statuspage history document, resolved ones too.

    Raises:
        FormatChanged: the body is HTML, XML or another platform's document.
        ParseError: the body is not a Statuspage history document.
    """
    return read_history(body, PLATFORM)


def read_history(body: bytes, platform: str) -> Page:
    """`parse_history` naming `platform` in its errors (incident.io's pages share it)."""
    try:
        doc = load_document(body, platform)
        single = obj(doc.get("incident"))
        if single is not None and "incidents" not in doc:
            doc = {**doc, "incidents": [single]}  # /api/v2/incidents/<id>.json
        return build_page(doc)
    except ParseError:
        raise
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves here
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {platform} history document ({detail})") from exc
