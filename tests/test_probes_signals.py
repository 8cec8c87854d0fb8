"""What the front ends make of probes, as pure functions: the notifier's early-warning events,
`check`'s state, the document's fields (read back and checked), the table's lines."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from schema_check import assert_valid

from statuswatch.document.read import snapshot_from_document
from statuswatch.document.write import snapshot_document
from statuswatch.model import (
    EarlyWarning,
    Impact,
    Incident,
    Page,
    Phase,
    ProbeResult,
    ProbeState,
    ProbeSummary,
    ProviderReport,
    ProviderSpec,
    Snapshot,
    Status,
    Vantage,
    VantageState,
)
from statuswatch.nagios import CheckState, summary
from statuswatch.notify.derive import DeriveOptions, derive
from statuswatch.notify.events import payload
from statuswatch.notify.settings import EventKind
from statuswatch.notify.state import State, from_json, to_json
from statuswatch.table import status_table

T0 = datetime(2025, 11, 18, 11, 20, tzinfo=UTC)
SPEC = ProviderSpec("cf", "Cloudflare", "statuspage", "https://www.cloudflarestatus.com")
WARNING = EarlyWarning(T0, "probes: 2 of 2 failing since 11:19 UTC; the page says operational")
FAILING = ProbeSummary(
    ProbeState.FAILING,
    0,
    2,
    T0 - timedelta(minutes=1),
    (
        ProbeResult("https://a.example/", ok=False, status=503, error="HTTP 503", latency_ms=12.5),
        ProbeResult("https://b.example/", ok=False, error="no answer within 5 s", region="eu"),
    ),
)
PASSING = ProbeSummary(ProbeState.OK, 2, 2, T0)


def _report(
    probes: ProbeSummary | None, warning: EarlyWarning | None, status: Status = Status.OPERATIONAL
) -> ProviderReport:
    return ProviderReport(SPEC, Page(status), T0, probes=probes, early_warning=warning)


def _kinds(*reports: ProviderReport, first_run: bool = False) -> list[list[str]]:
    state, told = State(), []
    for n, report in enumerate(reports):
        options = DeriveOptions(first_run=first_run and n == 0)
        events, state = derive(state, Snapshot(T0 + timedelta(minutes=n), (report,)), options)
        told.append([e.kind.value for e in events])
        # Through the saved form every time, as between two cron runs.
        state = from_json(json.loads(json.dumps(to_json(state, T0))))
    return told


def test_opened_once_then_cleared() -> None:
    told = _kinds(
        _report(PASSING, None),
        _report(FAILING, WARNING),
        _report(FAILING, WARNING),
        _report(PASSING, None),
    )
    assert told == [[], ["early_warning_opened"], [], ["early_warning_cleared"]]


def test_a_run_with_probes_off_neither_opens_nor_clears() -> None:
    off = ProbeSummary(ProbeState.OFF)
    told = _kinds(_report(FAILING, WARNING), _report(off, None), _report(None, None))
    assert told == [["early_warning_opened"], [], []]


def test_a_first_run_records_without_telling() -> None:
    assert _kinds(_report(FAILING, WARNING), _report(FAILING, WARNING), first_run=True) == [[], []]


def test_a_warning_open_while_the_page_is_unreadable_is_still_told() -> None:
    report = replace(_report(FAILING, WARNING), page=None)
    assert _kinds(_report(PASSING, None), report) == [[], ["early_warning_opened"]]


def test_the_event_payload_and_text() -> None:
    events, _ = derive(State(), Snapshot(T0, (_report(FAILING, WARNING),)), DeriveOptions())
    (event,) = events
    assert event.kind is EventKind.EARLY_WARNING_OPENED
    body = payload(event)
    assert body["early_warning"] == {"since": "2025-11-18T11:20:00Z", "text": WARNING.text}
    assert body["text"] == (
        "Cloudflare: early warning (not on its status page yet): probes: 2 of 2 failing since "
        "11:19 UTC; the page says operational"
    )


def test_check_warns_of_an_early_warning_and_only_warns() -> None:
    state, text = summary(Snapshot(T0, (_report(FAILING, WARNING),)))
    assert state is CheckState.WARNING
    assert "Cloudflare early warning (its probes fail, its page says operational)" in text
    offline = Vantage(
        VantageState.OFFLINE, "probes fail everywhere: your network or DNS looks down"
    )
    state, text = summary(Snapshot(T0, (_report(FAILING, None),), vantage=offline))
    assert state is CheckState.OK
    assert "your network or DNS looks down" in text


def _snapshot() -> Snapshot:
    incident = Incident(
        "inc", "Network issues", Impact.CRITICAL, Phase.INVESTIGATING, T0, detected_lead_s=1620
    )
    warned = ProviderReport(
        SPEC,
        Page(Status.MAJOR_OUTAGE, incidents=(incident,)),
        T0,
        probes=FAILING,
        early_warning=WARNING,
    )
    quiet = ProviderReport(
        replace(SPEC, id="gh", name="GitHub"), Page(Status.OPERATIONAL), T0, probes=PASSING
    )
    return Snapshot(T0, (warned, quiet), vantage=Vantage(VantageState.OK, ""))


def test_the_document_carries_exactly_the_fields_and_reads_back() -> None:
    document = snapshot_document(_snapshot())
    assert_valid(document)
    assert document["vantage"] == {"state": "ok", "text": ""}
    cf = document["providers"][0]
    assert cf["probes"] == {
        "state": "failing",
        "passed": 0,
        "total": 2,
        "since": "2025-11-18T11:19:00Z",
        "results": [
            {
                "url": "https://a.example/",
                "region": None,
                "ok": False,
                "status": 503,
                "error": "HTTP 503",
                "latency_ms": 12.5,
            },
            {
                "url": "https://b.example/",
                "region": "eu",
                "ok": False,
                "status": None,
                "error": "no answer within 5 s",
                "latency_ms": None,
            },
        ],
    }
    assert cf["early_warning"] == {"since": "2025-11-18T11:20:00Z", "text": WARNING.text}
    assert cf["incidents"][0]["detected_lead_s"] == 1620
    assert document["providers"][1]["early_warning"] is None
    assert snapshot_document(snapshot_from_document(document)) == document


def test_a_document_from_before_probes_still_reads() -> None:
    document = snapshot_document(_snapshot())
    del document["vantage"]
    for provider in document["providers"]:
        del provider["probes"], provider["early_warning"]
        for incident in provider["incidents"]:
            del incident["detected_lead_s"]
    assert_valid(document)
    snapshot = snapshot_from_document(document)
    assert snapshot.vantage is None
    assert all(r.probes is None and r.early_warning is None for r in snapshot.reports)
    # Written again, the fields are there, saying "off" and "none".
    again = snapshot_document(snapshot)
    assert again["providers"][0]["probes"]["state"] == "off"
    assert again["vantage"] == {"state": "ok", "text": ""}


def test_the_table_marks_the_warning_and_the_lead() -> None:
    table = status_table(_snapshot())
    lines = table.splitlines()
    assert lines[0].endswith("1 with problems, 0 unknown, 1 early warning")
    assert f"    ⚠ early warning: {WARNING.text}" in lines
    assert "      posted 27 min after statuswatch's early warning (probes)" in lines
    only = status_table(
        Snapshot(T0, (_report(FAILING, WARNING), _report(PASSING, None))), only_problems=True
    )
    assert only.count("Cloudflare") == 1 and "⚠ early warning" in only
