"""A real page's history as a series of summary.json versions, for replays through `notify`.

GitHub's /api/v2/incidents.json of 2026-09-19 (../shared/realworld) holds 50 incidents with
every update's post time. From it, `series` rebuilds what GitHub's /api/v2/summary.json said
at each moment of a window: the unresolved incidents (each with the updates posted so far),
the components their updates affected, the page's indicator and its `updated_at` (the time of
its latest change). A version is taken at every change in the window and every `step` between
them, as a scraper committing the page every so often would have.

Usage::

    versions = series(load_list(), START, END)       # [(time, summary bytes), ...]
    expected = unresolved_ids(load_list(), START, END)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
GITHUB_LIST = REALWORLD / "statuspage" / "github-incidents-list-2026-09-19.json"
# Two weeks of GitHub, 2026-08-17 00:00 to 2026-08-31 00:00 UTC: 11 incidents on the summary.
START = datetime(2026, 8, 17, tzinfo=UTC)
END = datetime(2026, 8, 31, tzinfo=UTC)
# A version every STEP besides those at each change: 223 versions in all, as in a scraped series.
STEP = timedelta(hours=2, minutes=40)
_INDICATOR = {"none": 0, "minor": 1, "major": 2, "critical": 3}
_INDICATOR_NAMES = ("none", "minor", "major", "critical")
_DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major Service Outage",
}


def load_list(path: Path = GITHUB_LIST) -> dict[str, Any]:
    """The captured incidents.json, decoded."""
    loaded: dict[str, Any] = json.loads(path.read_bytes())
    return loaded


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _posted(update: dict[str, Any]) -> datetime:
    """When an update appeared on the page: its creation (display_at may be back-dated)."""
    return _time(update["created_at"])


def _opened(incident: dict[str, Any]) -> datetime:
    return min([_time(incident["created_at"]), *(_posted(u) for u in incident["incident_updates"])])


def _unresolved_at(incident: dict[str, Any], when: datetime) -> bool:
    """True if the incident was on the summary (posted, not yet resolved) at `when`."""
    resolved = incident.get("resolved_at")
    if resolved is not None and _time(resolved) <= _opened(incident):
        return False  # posted already resolved (a back-filled notice): never on the summary
    return _opened(incident) <= when and (resolved is None or when < _time(resolved))


def _changes(doc: dict[str, Any], start: datetime, end: datetime) -> list[datetime]:
    times: set[datetime] = set()
    for incident in doc["incidents"]:
        for update in incident["incident_updates"]:
            times.add(_posted(update))
        if incident.get("resolved_at"):
            times.add(_time(incident["resolved_at"]))
    return sorted(t for t in times if start <= t < end)


def version(doc: dict[str, Any], when: datetime) -> bytes:
    """summary.json as the page served it at `when`."""
    page = dict(doc["page"])
    incidents: list[dict[str, Any]] = []
    components: dict[str, dict[str, Any]] = {}
    last_change = datetime(2000, 1, 1, tzinfo=UTC)
    worst = 0
    for incident in doc["incidents"]:
        for update in incident["incident_updates"]:
            if _posted(update) <= when:
                last_change = max(last_change, _posted(update))
        resolved = incident.get("resolved_at")
        if resolved and _time(resolved) <= when:
            last_change = max(last_change, _time(resolved))
        if not _unresolved_at(incident, when):
            continue
        updates = [u for u in incident["incident_updates"] if _posted(u) <= when]
        updates.sort(key=_posted, reverse=True)
        shown = dict(incident)
        shown["incident_updates"] = updates
        shown["status"] = updates[0]["status"] if updates else "investigating"
        shown["updated_at"] = updates[0]["created_at"] if updates else incident["created_at"]
        shown["resolved_at"] = None
        shown["monitoring_at"] = next(
            (u["created_at"] for u in reversed(updates) if u["status"] == "monitoring"), None
        )
        incidents.append(shown)
        worst = max(worst, _INDICATOR.get(incident["impact"], 0))
        for update in reversed(updates):  # oldest first: the latest state wins
            for affected in update.get("affected_components") or []:
                if affected.get("code"):
                    components[affected["code"]] = {
                        "id": affected["code"],
                        "name": affected["name"],
                        "status": affected.get("new_status") or "operational",
                    }
    page["updated_at"] = last_change.isoformat().replace("+00:00", "Z")
    incidents.sort(key=lambda i: i["created_at"], reverse=True)
    indicator = _INDICATOR_NAMES[worst]
    document = {
        "page": page,
        "components": list(components.values()),
        "incidents": incidents,
        "scheduled_maintenances": [],
        "status": {"indicator": indicator, "description": _DESCRIPTIONS[indicator]},
    }
    return json.dumps(document).encode("utf-8")


def series(
    doc: dict[str, Any],
    start: datetime = START,
    end: datetime = END,
    step: timedelta = STEP,
) -> list[tuple[datetime, bytes]]:
    """Every version of summary.json in [start, end): at each change and every `step`."""
    times = set(_changes(doc, start, end))
    tick = start
    while tick < end:
        times.add(tick)
        tick += step
    return [(when, version(doc, when)) for when in sorted(times)]


def unresolved_ids(
    doc: dict[str, Any], start: datetime = START, end: datetime = END
) -> dict[str, dict[str, Any]]:
    """The incidents that were on the summary at some moment of [start, end), by id."""
    found: dict[str, dict[str, Any]] = {}
    for incident in doc["incidents"]:
        opened = _opened(incident)
        resolved = incident.get("resolved_at")
        closes = _time(resolved) if resolved else None
        if closes is not None and closes <= opened:
            continue
        if opened < end and (closes is None or closes > start):
            found[incident["id"]] = incident
    return found
