"""The JSON document and the plain-text table, from hand-built snapshots."""

import json
from datetime import UTC, datetime, timedelta, timezone

import jsonschema
import pytest
from schema_check import assert_valid

from statuswatch.document.schema import load_schema
from statuswatch.document.write import dumps, snapshot_document
from statuswatch.model import (
    Component,
    ErrorType,
    FetchError,
    Impact,
    Incident,
    Maintenance,
    Page,
    Phase,
    ProviderReport,
    ProviderSpec,
    Snapshot,
    Status,
    Update,
)
from statuswatch.table import cell_width, fit, status_table
from statuswatch.timefmt import age, rfc3339

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
CHICAGO = timezone(timedelta(hours=-6))


def _spec(pid: str, name: str) -> ProviderSpec:
    return ProviderSpec(pid, name, "statuspage", f"https://{pid}.example")


def _snapshot() -> Snapshot:
    incident = Incident(
        id="inc1",
        title="Elevated errors",
        impact=Impact.MAJOR,
        phase=Phase.IDENTIFIED,
        started_at=datetime(2026, 11, 27, 3, 0, tzinfo=CHICAGO),
        updated_at=NOW - timedelta(minutes=5),
        url="https://cf.example/incidents/inc1",
        components=("CDN",),
        updates=(
            Update(NOW - timedelta(hours=1), Phase.INVESTIGATING, "Looking", "investigating"),
            Update(NOW - timedelta(minutes=5), Phase.IDENTIFIED, "Found it\nmore", "identified"),
        ),
        raw_status="identified",
        raw_impact="major",
    )
    cf = Page(
        status=Status.PARTIAL_OUTAGE,
        description="Partial System Outage",
        raw_status="major",
        updated_at=NOW,
        components=(Component("c1", "CDN", Status.PARTIAL_OUTAGE, "partial_outage", "Core"),),
        incidents=(incident,),
        maintenances=(
            Maintenance("m1", "IAD work", Phase.SCHEDULED, NOW + timedelta(days=1), None),
        ),
    )
    ok = Page(status=Status.OPERATIONAL, description="All Systems Operational", raw_status="none")
    return Snapshot(
        generated_at=NOW,
        reports=(
            ProviderReport(_spec("gh", "GitHub"), ok, NOW),
            ProviderReport(_spec("cf", "Cloudflare"), cf, NOW),
            ProviderReport(
                _spec("oa", "OpenAI"),
                ok,
                NOW - timedelta(hours=2),
                stale=True,
                error=FetchError(
                    ErrorType.TIMEOUT, "no answer within 15 s from https://oa.example"
                ),
            ),
        ),
    )


def test_document_validates_and_keeps_watch_order() -> None:
    document = json.loads(dumps(snapshot_document(_snapshot())))
    assert_valid(document)
    assert document["schema"] == "statuswatch/v1"
    assert document["generated_at"] == "2026-11-27T10:00:00Z"
    assert [p["id"] for p in document["providers"]] == ["gh", "cf", "oa"]


def test_times_are_utc_z_and_updates_newest_first() -> None:
    cf = snapshot_document(_snapshot())["providers"][1]
    incident = cf["incidents"][0]
    assert incident["started_at"] == "2026-11-27T09:00:00Z"  # 03:00 at -06:00
    assert [u["phase"] for u in incident["updates"]] == ["identified", "investigating"]
    assert incident["updates"][0]["at"] == "2026-11-27T09:55:00Z"
    assert cf["maintenances"][0]["phase"] == "scheduled"
    assert cf["maintenances"][0]["scheduled_for"] == "2026-11-28T10:00:00Z"
    assert cf["components"][0] == {
        "id": "c1",
        "name": "CDN",
        "group": "Core",
        "status": "partial_outage",
        "raw_status": "partial_outage",
    }


def test_failed_provider_is_unknown_with_error_and_stale_data() -> None:
    oa = snapshot_document(_snapshot())["providers"][2]
    assert oa["status"] == "unknown"
    assert oa["stale"] is True
    assert oa["error"] == {
        "type": "timeout",
        "message": "no answer within 15 s from https://oa.example",
    }
    assert oa["fetched_at"] == "2026-11-27T08:00:00Z"


def test_schema_rejects_a_local_time() -> None:
    document = snapshot_document(_snapshot())
    document["generated_at"] = "2026-11-27T10:00:00+01:00"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, load_schema())


def test_table_worst_first_with_incidents_under_their_provider() -> None:
    table = status_table(_snapshot())
    lines = table.splitlines()
    assert lines[0] == (
        "statuswatch · 2026-11-27 10:00 UTC · 3 providers: 1 with problems, 1 unknown"
    )
    # Worst first: the outage, then what could not be read, then the operational.
    assert lines[1].startswith("partial outage") and "Cloudflare" in lines[1]
    assert lines[2] == (
        "    ! [major] Elevated errors (identified, since 2026-11-27 09:00 UTC (1h 0m ago))"
    )
    assert lines[3] == "      5m ago: Found it"
    assert lines[6].startswith("unknown") and "OpenAI" in lines[6]
    assert "(showing data from 2h 0m ago)" in lines[6]
    assert "GitHub" in lines[-1] and lines[-1].startswith("operational")
    assert "\x1b" not in table


def test_table_only_problems_and_colour() -> None:
    table = status_table(_snapshot(), only_problems=True, colour=True)
    assert "GitHub" not in table
    assert "\x1b[1;31m" not in table  # no major outage here
    assert "\x1b[35munknown" in table


def test_all_operational_says_so() -> None:
    snapshot = Snapshot(NOW, (_snapshot().reports[0],))
    assert "All providers operational." in status_table(snapshot, only_problems=True)


def test_time_helpers() -> None:
    assert rfc3339(None) is None
    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5, 678_900, tzinfo=UTC)) == (
        "2026-01-02T03:04:05.678Z"
    )
    assert age(NOW - timedelta(seconds=30), NOW) == "30s ago"
    assert age(NOW - timedelta(days=2, hours=3), NOW) == "2d 3h ago"
    assert age(NOW + timedelta(minutes=5), NOW) == "in 5m"


def test_dumps_is_one_line_for_scripts_and_indented_for_people() -> None:
    document = snapshot_document(_snapshot())
    compact, pretty = dumps(document), dumps(document, pretty=True)
    assert compact.count("\n") == 1 and compact.endswith("}\n")
    assert pretty.startswith('{\n  "schema": "statuswatch/v1",')
    assert json.loads(compact) == json.loads(pretty) == document


def test_snapshot_bytes_are_the_document_as_dumps_writes_it() -> None:
    from dataclasses import replace

    from statuswatch.document.write import snapshot_bytes

    snapshot = _snapshot()
    assert snapshot_bytes(snapshot) == dumps(snapshot_document(snapshot)).encode("utf-8")
    # Text beyond ASCII stays as it is (ensure_ascii=False), quotes and controls escaped.
    first = snapshot.reports[0]
    named = replace(first, spec=replace(first.spec, name='Zürich "Ops" \\ ☁'))
    odd = replace(snapshot, reports=(named, *snapshot.reports[1:]))
    assert snapshot_bytes(odd) == dumps(snapshot_document(odd)).encode("utf-8")
    empty = replace(snapshot, reports=())
    assert snapshot_bytes(empty) == dumps(snapshot_document(empty)).encode("utf-8")


def test_table_aligns_wide_characters_by_their_columns() -> None:
    # The live view aligns CJK and emoji names (Rich measures cells); the plain table too.
    names = ("GitHub", "阿里云 Alibaba", "🔥 Firebase", "Zoë")
    ok = Page(status=Status.OPERATIONAL, description="All Systems Operational", raw_status="none")
    reports = tuple(ProviderReport(_spec(f"p{i}", n), ok, NOW) for i, n in enumerate(names))
    lines = status_table(Snapshot(NOW, reports)).splitlines()[1:]
    # Every description starts in the same terminal column.
    columns = {cell_width(line.split("All Systems")[0]) for line in lines}
    assert len(columns) == 1, lines
    assert fit("阿里云阿里云", 7) == "阿里云…"
    assert fit("Zoë", 5) == "Zoë  "
    assert cell_width("🔥 Firebase") == 11


def test_a_name_too_long_ends_in_an_ellipsis() -> None:
    ok = Page(status=Status.OPERATIONAL, description="fine", raw_status="none")
    long = "Amazon Web Services in every region you can name"
    table = status_table(Snapshot(NOW, (ProviderReport(_spec("aws", long), ok, NOW),)))
    assert "Amazon Web Services in every re…  fine" in table


def test_maintenances_whose_start_has_passed_are_not_upcoming() -> None:
    past = Maintenance("m0", "Old work", Phase.SCHEDULED, NOW - timedelta(days=3),
                       NOW - timedelta(days=3) + timedelta(hours=2))  # fmt: skip
    due = Maintenance("m1", "Late work", Phase.SCHEDULED, NOW - timedelta(minutes=5))
    soon = Maintenance("m2", "New work", Phase.SCHEDULED, NOW + timedelta(hours=3))
    page = Page(status=Status.OPERATIONAL, raw_status="none", maintenances=(past, due, soon))
    table = status_table(Snapshot(NOW, (ProviderReport(_spec("x", "X"), page, NOW),)))
    assert "    ~ 1 upcoming maintenance" in table.splitlines()
    assert [m.is_upcoming(NOW) for m in (past, due, soon)] == [False, False, True]
    assert (past.is_over(NOW), due.is_over(NOW)) == (True, False)


def test_phases_are_words_in_the_table() -> None:
    running = Maintenance("m1", "Work", Phase.IN_PROGRESS, NOW - timedelta(minutes=5))
    page = Page(status=Status.MAINTENANCE, raw_status="maintenance", maintenances=(running,))
    table = status_table(Snapshot(NOW, (ProviderReport(_spec("x", "X"), page, NOW),)))
    assert "    ~ maintenance in progress: Work, " in table
