"""incident.io status pages (status.openai.com, ...) through their Statuspage-compatible API.

incident.io serves /api/v2/summary.json in Statuspage's shapes with fewer fields (no groups, no
shortlinks, no started_at, no scheduled_maintenances key, Markdown bodies, `full_outage`), so the
Statuspage reader does the work; this module gives it its own name in every error.
"""

from __future__ import annotations

from collections.abc import Mapping

from statuswatch.adapters import statuspage, statuspage_history
from statuswatch.model import Page

PLATFORM = "incident.io"
# `parse` reads the body alone (never the headers): the engine keeps its page for a 304.
BODY_ONLY = True


def source_url(url: str) -> str:
    """Return the Statuspage-compatible summary document of the incident.io page at `url`.

    Args:
        url: the page's base URL (``https://status.openai.com/``, trailing slash or not), its
            ``/api/v2`` URL, or a URL already naming a ``.json`` document (returned unchanged).

    Returns:
        The URL to fetch, e.g. ``https://status.openai.com/api/v2/summary.json``.
    """
    return statuspage.source_url(url)


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read an incident.io page's Statuspage-compatible document into a Page.

    Markdown bodies are kept as written (sanitised plain text); incidents link to
    ``<page url>/incidents/<id>`` since the document carries no shortlink.

    Args:
        body: the response body, as received.
        headers: the response headers (unused: the body alone decides).

    Returns:
        The page's status, components, incidents and maintenances, all text sanitised and all
        timestamps in UTC.

    Raises:
        FormatChanged: the body is HTML, XML or another platform's document (including
            incident.io's own native page data).
        ParseError: the body is empty, not JSON, or has nothing the summary document has.
    """
    return statuspage.read(body, PLATFORM)


# --- history (backfill) -----------------------------------------------------------------------


def history_url(url: str) -> str:
    """Return the page's incident history: its Statuspage-compatible ``/api/v2/incidents.json``.

    Args:
        url: the page's base URL, its ``/api/v2`` URL or a URL naming one of its documents.

    Returns:
        The URL of the history document.
    """
    return statuspage_history.history_url(url)


def parse_history(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read the incidents.json of an incident.io page: every incident it holds.

    Args:
        body: the response body, as received.
        headers: the response headers (unused).

    Returns:
        Every incident and maintenance the document holds, resolved ones included.

    Raises:
        FormatChanged: the body is HTML, XML or another platform's document.
        ParseError: the body is not a history document.
    """
    return statuspage_history.read_history(body, PLATFORM)
