"""Two weeks of GitHub's status page, version by version: the history ends with its incidents.

The series (tests/history_series.py) is rebuilt from the real incidents.json capture: 223
versions of summary.json from 2026-08-17 to 2026-08-31, 11 incidents on the page in that time.
Each version is polled as it would have been, with our clock far from the page's (as a replay
is): the recorded incidents carry the page's own start and resolution times all the same.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import history_series
import pytest

from statuswatch.adapters import statuspage
from statuswatch.history.db import HistoryDB
from statuswatch.history.query import past_incidents
from statuswatch.history.record import record_snapshot
from statuswatch.model import ProviderReport, ProviderSpec, Snapshot

if not history_series.GITHUB_LIST.is_file():
    pytest.skip("real-world payloads not found", allow_module_level=True)

GITHUB = ProviderSpec(id="github", name="GitHub", kind="statuspage", url="https://x.test")


def t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_series_is_223_versions_with_11_incidents() -> None:
    doc = history_series.load_list()
    assert len(history_series.series(doc)) == 223
    assert len(history_series.unresolved_ids(doc)) == 11


def test_replayed_series_records_exactly_the_pages_incidents(tmp_path: Path) -> None:
    doc = history_series.load_list()
    expected = history_series.unresolved_ids(doc)
    clock = datetime(2026, 12, 6, tzinfo=UTC)  # our clock: months after the page's
    with HistoryDB.open(tmp_path / "history.sqlite3") as db:
        for index, (_when, body) in enumerate(history_series.series(doc)):
            page = statuspage.parse(body, {})
            fetched = clock + timedelta(seconds=5 * index)
            record_snapshot(db, Snapshot(fetched, (ProviderReport(GITHUB, page, fetched),)))
        found = {i.id: i for i in past_incidents(db)}
    assert set(found) == set(expected)
    for ident, row in expected.items():
        incident = found[ident]
        assert incident.source == "observed"
        assert incident.phase == "resolved"
        assert incident.started_at == t(row["started_at"]), ident
        # Gone from the summary: resolved at the page's updated_at of the version without it.
        assert incident.resolved_at == t(row["resolved_at"]), ident
        assert incident.update_count == len(row["incident_updates"]) - 1  # all but "resolved"


def test_notify_runs_over_the_series_leave_exactly_its_incidents(
    tmp_path: Path, loopback: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """The must-show: each version served in turn, one `statuswatch notify` run per version."""
    import json

    from loopback import LoopbackServer

    from statuswatch.cli import main

    assert isinstance(loopback, LoopbackServer)
    doc = history_series.load_list()
    expected = history_series.unresolved_ids(doc)
    config = tmp_path / "config.toml"
    config.write_text(
        'watch = ["github"]\n[providers.github]\nname = "GitHub"\nkind = "statuspage"\n'
        f'url = "{loopback.url("/gh")}"\nprobes = []\n[http]\nretries = 0\n',
        encoding="utf-8",
    )
    versions = history_series.series(doc)
    for _when, body in versions:
        loopback.route("/gh/api/v2/summary.json", body)
        assert main(["notify"]) == 0
    # The first run tried the page's own history once (this server has none): a 404, not again.
    assert loopback.requests("/gh/api/v2/incidents.json") == 1
    assert loopback.requests("/gh/api/v2/summary.json") == len(versions) == 223
    capsys.readouterr()
    assert main(["history", "--json"]) == 0
    found = {i["id"]: i for i in json.loads(capsys.readouterr().out)["incidents"]}
    assert set(found) == set(expected)  # exactly those 11, by id
    for ident, row in expected.items():
        incident = found[ident]
        assert incident["phase"] == "resolved" and incident["resolved_at"] is not None
        started = t(row["started_at"])
        assert incident["started_at"] == started.strftime("%Y-%m-%dT%H:%M:%S.") + (
            f"{started.microsecond // 1000:03d}Z"
        )
        assert t(incident["resolved_at"]) == t(row["resolved_at"])
        assert incident["source"] == "observed"
