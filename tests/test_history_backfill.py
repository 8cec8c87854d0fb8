"""Backfill: the pages' own history documents (real captures) into the history, marked so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from loopback import LoopbackServer

from statuswatch.adapters import (
    FormatChanged,
    ParseError,
    feed,
    gcp,
    incidentio,
    statuspage,
    statuspage_history,
)
from statuswatch.history.backfill import apply_history, backfill, history_source, pending
from statuswatch.history.db import HistoryDB
from statuswatch.history.query import past_incidents
from statuswatch.history.record import record_snapshot
from statuswatch.model import Page, Phase, ProviderReport, ProviderSpec, Snapshot, Status
from statuswatch.settings import HttpSettings

REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
if not REALWORLD.is_dir():
    pytest.skip(f"real-world payloads not found at {REALWORLD}", allow_module_level=True)
GITHUB_LIST = REALWORLD / "statuspage" / "github-incidents-list-2026-09-19.json"
GITHUB_DETAIL = (
    REALWORLD / "statuspage" / "github-incidents-zjchv3zvfg50-detail-major-resolved-2023-09-19.json"
)
GITHUB_ATOM = REALWORLD / "statuspage" / "github-history-atom-full-25-entries-2026-08-22.atom"
GCP = REALWORLD / "gcp" / "gcp-incidents-2022-07.json"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
GITHUB = ProviderSpec(
    id="github", name="GitHub", kind="statuspage", url="https://www.githubstatus.com"
)
QUICK = HttpSettings(retries=0, connect_timeout=2.0, read_timeout=5.0, deadline=10.0)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[HistoryDB]:
    with HistoryDB.open(tmp_path / "history.sqlite3") as opened:
        yield opened


def test_history_urls_per_platform() -> None:
    assert statuspage_history.history_url("https://www.githubstatus.com/") == (
        "https://www.githubstatus.com/api/v2/incidents.json"
    )
    assert statuspage_history.history_url("https://x.test/api/v2/summary.json") == (
        "https://x.test/api/v2/incidents.json"
    )
    assert incidentio.history_url("https://status.openai.com/") == (
        "https://status.openai.com/api/v2/incidents.json"
    )
    assert gcp.history_url("https://status.cloud.google.com") == (
        "https://status.cloud.google.com/incidents.json"
    )
    atom = "https://www.githubstatus.com/history.atom"
    assert feed.history_url(atom) == atom
    source = history_source(GITHUB)
    assert source is not None and source.url.endswith("/api/v2/incidents.json")
    statusio = ProviderSpec(
        id="docker", name="Docker", kind="statusio", url="https://api.status.io/1.0/status/x",
        feed="https://www.dockerstatus.com/pages/x/rss",
    )  # fmt: skip
    source = history_source(statusio)
    assert source is not None and (source.url, source.what) == (statusio.feed, "feed")
    azure = ProviderSpec(id="azure", name="Azure", kind="azure", url="https://azure.test/feed/")
    assert history_source(azure) is None


def test_statuspage_incidents_list_backfills_50_incidents_with_their_times(db: HistoryDB) -> None:
    doc = json.loads(GITHUB_LIST.read_bytes())
    page = statuspage_history.parse_history(GITHUB_LIST.read_bytes(), {})
    result = apply_history(db, GITHUB, page, NOW)
    assert (result.incidents, result.new) == (50, 50)
    found = {i.id: i for i in past_incidents(db)}
    assert set(found) == {row["id"] for row in doc["incidents"]}
    for row in doc["incidents"]:
        incident = found[row["id"]]
        assert incident.source == "backfill"
        # The page's start: the earlier of started_at and created_at (a back-dated notice is
        # posted already resolved, with a started_at of the moment it was posted).
        assert incident.started_at == min(t(row["started_at"]), t(row["created_at"]))
        assert incident.resolved_at == t(row["resolved_at"])
        assert incident.update_count == len(row["incident_updates"])
        assert incident.impact == row["impact"]
    major = found["nlxnbqnkdzdl"]  # 2026-09-16 07:20:59.972 to 17:48:49.246
    assert major.duration_s == int(
        (t("2026-09-16T17:48:49.246Z") - t("2026-09-16T07:20:59.972Z")).total_seconds()
    )
    # A back-dated notice (created and resolved 08-21 14:00, "started" 08-24): no time open.
    assert found["wms44hv62t3p"].duration_s == 0
    since = db.conn.execute("SELECT record_since FROM providers WHERE id = 'github'").fetchone()[0]
    assert since == round(t("2026-07-21T10:31:44.118Z").timestamp() * 1000)


def test_backfill_is_idempotent_and_keeps_observed_rows_observed(db: HistoryDB) -> None:
    body = GITHUB_LIST.read_bytes()
    first = statuspage.parse(body, {}).incidents[0]
    live = Page(status=Status.DEGRADED, incidents=(first,))
    record_snapshot(db, Snapshot(NOW, (ProviderReport(GITHUB, live, NOW),)))
    page = statuspage_history.parse_history(body, {})
    apply_history(db, GITHUB, page, NOW + timedelta(hours=1))
    dump = list(db.conn.iterdump())
    again = apply_history(db, GITHUB, page, NOW + timedelta(hours=1))
    assert again.new == 0
    assert list(db.conn.iterdump()) == dump
    found = {i.id: i for i in past_incidents(db)}
    assert found[first.id].source == "observed"
    assert sum(i.source == "backfill" for i in found.values()) == 49


def test_single_incident_detail_document(db: HistoryDB) -> None:
    page = statuspage_history.parse_history(GITHUB_DETAIL.read_bytes(), {})
    apply_history(db, GITHUB, page, NOW)
    [incident] = past_incidents(db)
    assert (incident.id, incident.impact, incident.update_count) == ("zjchv3zvfg50", "major", 20)
    assert incident.started_at == t("2023-09-19T20:57:46.609Z")
    assert incident.resolved_at == t("2023-09-20T04:28:09.047Z")
    assert incident.duration_s == 27022


def test_google_cloud_incidents_json_whole(db: HistoryDB) -> None:
    body = GCP.read_bytes()
    doc = json.loads(body)
    assert len(gcp.parse(body, {}).incidents) < len(doc)  # the poll keeps a week
    page = gcp.parse_history(body, {})
    spec = ProviderSpec(
        id="gcp", name="Google Cloud", kind="gcp", url="https://status.cloud.google.com"
    )
    assert apply_history(db, spec, page, NOW).incidents == 157
    found = {i.id: i for i in past_incidents(db)}
    assert len(found) == 157
    for row in doc:
        incident = found[row["id"]]
        assert incident.started_at == t(row["begin"])
        assert incident.resolved_at == t(row["end"])
        assert incident.duration_s == int((t(row["end"]) - t(row["begin"])).total_seconds())
        assert incident.update_count == len(row["updates"])


def test_full_history_atom_feed(db: HistoryDB) -> None:
    page = feed.parse_history(GITHUB_ATOM.read_bytes(), {})
    spec = ProviderSpec(
        id="gh-feed", name="GitHub (feed)", kind="feed", url="https://x.test/history.atom"
    )
    apply_history(db, spec, page, NOW)
    found = past_incidents(db)
    assert len(found) == 25
    assert all(i.phase == "resolved" and i.resolved_at is not None for i in found)
    # The feed's entries link to the API ids: those in both agree on the incident.
    listed = {row["id"]: row for row in json.loads(GITHUB_LIST.read_bytes())["incidents"]}
    both = [i for i in found if i.id in listed]
    assert len(both) == 25
    for incident in both:
        row = listed[incident.id]
        assert incident.title == row["name"]
        # The feed shows minutes: its start is the first update's minute.
        first = min(t(u["display_at"]) for u in row["incident_updates"])
        assert incident.start == first.replace(second=0, microsecond=0)


def test_history_parsers_refuse_what_is_not_history() -> None:
    with pytest.raises(FormatChanged):
        statuspage_history.parse_history(b"<html><body>login</body></html>", {})
    with pytest.raises(ParseError):
        statuspage_history.parse_history(b'{"hello": 1}', {})
    with pytest.raises(ParseError):
        gcp.parse_history(b'{"incidents": []}', {})
    with pytest.raises(ParseError):
        feed.parse_history(b"", {})


def test_backfill_fetches_from_a_real_server_and_remembers_failures(
    db: HistoryDB, loopback: LoopbackServer
) -> None:
    loopback.route("/gh/api/v2/incidents.json", body=GITHUB_LIST.read_bytes())
    loopback.fault("/down/api/v2/incidents.json", "503")
    specs = [
        ProviderSpec(id="github", name="GitHub", kind="statuspage", url=loopback.url("/gh")),
        ProviderSpec(id="gone", name="Gone", kind="statuspage", url=loopback.url("/gone")),
        ProviderSpec(id="down", name="Down", kind="statuspage", url=loopback.url("/down")),
    ]
    results = backfill(db, specs, QUICK, now=lambda: NOW)
    assert [(r.provider, r.incidents, r.transient) for r in results] == [
        ("github", 50, False),
        ("gone", 0, False),
        ("down", 0, True),
    ]
    assert results[1].error is not None and "404" in results[1].error
    assert len(past_incidents(db, providers=["github"])) == 50
    # Done, or failed for good: not tried again by itself; a 503 is, a day later.
    assert pending(db, specs, NOW + timedelta(hours=1)) == []
    assert [s.id for s in pending(db, specs, NOW + timedelta(days=2))] == ["down"]


def test_a_backfilled_open_incident_the_page_no_longer_shows_is_resolved_by_the_next_poll(
    db: HistoryDB,
) -> None:
    body = json.loads(GITHUB_LIST.read_bytes())
    row = dict(body["incidents"][0])
    row.update(status="investigating", resolved_at=None)
    row["incident_updates"] = row["incident_updates"][-1:]
    doc = {"page": body["page"], "incidents": [row]}
    apply_history(db, GITHUB, statuspage_history.parse_history(json.dumps(doc).encode(), {}), NOW)
    [open_one] = past_incidents(db)
    assert open_one.resolved_at is None and open_one.phase == Phase.INVESTIGATING.value
    quiet = Page(status=Status.OPERATIONAL, updated_at=NOW + timedelta(minutes=3))
    record_snapshot(db, Snapshot(NOW, (ProviderReport(GITHUB, quiet, NOW + timedelta(minutes=5)),)))
    [closed] = past_incidents(db)
    assert closed.resolved_at == NOW + timedelta(minutes=3)
