"""A scripted provider at one moment, written in its platform's real format.

Each writer returns what the real page would serve at that moment: Atlassian Statuspage's
`summary.json`, incident.io's Statuspage-compatible `summary.json`, the AWS Health Dashboard's
`currentevents` array, or Google Cloud's `incidents.json` (shapes in ../shared/SCHEMAS.md).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

from statuswatch.demo.cloud_docs import aws_currentevents, gcp_incidents
from statuswatch.demo.common import Document, short_id, sp_time, ulid
from statuswatch.demo.script import Provider
from statuswatch.demo.statuspage_docs import incidentio_summary, statuspage_summary

__all__ = ["DOCUMENT_PATHS", "Document", "incident_page", "render"]

# kind -> the path of the document under the provider's base URL on the demo server.
DOCUMENT_PATHS: dict[str, str] = {
    "statuspage": "/api/v2/summary.json",
    "incidentio": "/api/v2/summary.json",
    "aws": "/public/currentevents",
    "gcp": "/incidents.json",
}


def render(provider: Provider, moment: datetime, base_url: str, since: datetime) -> Document:
    """Return `provider`'s document at `moment`; `base_url` is its page on the demo server.

    `since` is the scenario's start: the page's `updated_at` before anything happened.
    """
    writer = _WRITERS[provider.kind]
    return writer(provider, moment, base_url, since)


def incident_page(provider: Provider, incident_id: str, moment: datetime) -> bytes | None:
    """A small HTML page for one incident or maintenance (what `o` opens), or None."""
    for state in provider.events_at(moment):
        known = {
            state.event.id,
            short_id(provider.id, state.event.id),
            ulid(state.started_at, provider.id, state.event.id),
        }
        if incident_id in known:
            items = "".join(
                f"<li><strong>{html.escape(post.phase.value)}</strong> "
                f"<small>{html.escape(sp_time(post.at) or '')}</small><br>"
                f"{html.escape(post.text)}</li>"
                for post in state.posts
            )
            return _html(f"{provider.name}: {state.event.title}", f"<ul>{items}</ul>")
    for window in provider.planned:
        if incident_id in (window.id, short_id(provider.id, window.id)):
            return _html(f"{provider.name}: {window.title}", f"<p>{html.escape(window.text)}</p>")
    return None


def _html(title: str, body: str) -> bytes:
    text = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        "<p><em>statuswatch demo: a replay, not the provider's live page.</em></p>"
        f"{body}</body></html>"
    )
    return text.encode("utf-8")


_Writer = Callable[[Provider, datetime, str, datetime], Document]
_WRITERS: dict[str, _Writer] = {
    "statuspage": statuspage_summary,
    "incidentio": incidentio_summary,
    "aws": aws_currentevents,
    "gcp": gcp_incidents,
}
