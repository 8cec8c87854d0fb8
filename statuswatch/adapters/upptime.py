"""Upptime -> Page, from the ``history/summary.json`` its GitHub workflow commits.

The file is an array with one object per monitored site: ``{name, url, slug, status ("up",
"degraded" or "down"), uptime ("99.37%"), time (ms), dailyMinutesDown, ...}``. Each site is a
component; the page is down when every site is, partly down when some are. The file carries no
timestamp and no incident (Upptime files those as GitHub issues, which are not read).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from statuswatch.adapters.common import drifted, load_json, monitors_status, objs, raw, text
from statuswatch.adapters.sniff import refuse
from statuswatch.model import Component, Page, Status
from statuswatch.text import one_line

PLATFORM = "Upptime"
# `parse` reads the body alone (never the headers): the engine keeps its page for a 304.
BODY_ONLY = True
SUMMARY = "history/summary.json"
_OWN = frozenset({"upptime"})

_STATUS: dict[str, Status] = {
    "up": Status.OPERATIONAL,
    "degraded": Status.DEGRADED,
    "down": Status.MAJOR_OUTAGE,
}


def source_url(url: str) -> str:
    """Return the summary.json to fetch for an Upptime provider.

    Args:
        url: any URL serving the file (returned unchanged when it ends in ``.json``); a GitHub
            repository (``https://github.com/<owner>/<repo>``), read from
            raw.githubusercontent.com; or a base URL, to which ``history/summary.json`` is added.

    Returns:
        e.g. ``https://raw.githubusercontent.com/upptime/upptime/HEAD/history/summary.json``.
    """
    stripped = url.strip().rstrip("/")
    if stripped.lower().endswith(".json"):
        return url.strip()
    parts = urlsplit(stripped)
    segments = [s for s in parts.path.split("/") if s]
    if parts.hostname in ("github.com", "www.github.com") and len(segments) >= 2:
        owner, repo = segments[:2]
        return f"https://raw.githubusercontent.com/{owner}/{repo}/HEAD/{SUMMARY}"
    return f"{stripped}/{SUMMARY}"


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read an Upptime summary.json into a Page.

    Args:
        body: the response body (a JSON array).
        headers: the response headers (unused).

    Returns:
        One component per site, in file order, and the page's status from theirs.

    Raises:
        FormatChanged: the body is HTML, XML, another platform's document or JSON of
            another shape.
        ParseError: the body is empty or not JSON.
    """
    doc = load_json(body, PLATFORM)
    refuse(doc, PLATFORM, _OWN)
    rows = list(objs(doc)) if isinstance(doc, list) else []
    sites = [row for row in rows if "status" in row and ("slug" in row or "url" in row)]
    if not isinstance(doc, list) or (doc and not sites):
        drifted(doc, PLATFORM, _OWN, "an array of sites with a slug and a status")
    components = tuple(_site(index, row) for index, row in enumerate(rows))
    return Page(
        status=monitors_status(c.status for c in components),
        components=components,
    )


def _site(index: int, row: dict[str, object]) -> Component:
    state = raw(row.get("status"))
    name = text(row.get("name")) or text(row.get("slug")) or f"site {index + 1}"
    return Component(
        id=one_line(text(row.get("slug")), 200) or name,
        name=name,
        status=_STATUS.get(state.lower(), Status.UNKNOWN),
        raw_status=state,
    )
