"""The history and report documents against their shipped JSON Schemas; CSV, JSONL, Markdown."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from statuswatch.document import HISTORY_SCHEMA, REPORT_SCHEMA
from statuswatch.document.history import history_document, report_document
from statuswatch.document.schema import load_schema
from statuswatch.history.backfill import apply_history
from statuswatch.history.db import HistoryDB
from statuswatch.history.export import (
    duration_text,
    history_table,
    incidents_csv,
    incidents_jsonl,
    report_csv,
    report_markdown,
    report_table,
)
from statuswatch.history.query import past_incidents, past_maintenances
from statuswatch.history.report import report
from statuswatch.model import (
    Impact,
    Incident,
    Maintenance,
    Page,
    Phase,
    ProviderSpec,
    Status,
    Update,
)

SPEC = ProviderSpec(id="ex", name="Example | Co", kind="statuspage", url="https://x.test")
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def valid(name: str, document: Any) -> None:
    validator = jsonschema.Draft202012Validator(load_schema(name))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[HistoryDB]:
    incidents = (
        Incident(
            id="i1",
            title='=HYPERLINK("http://evil")',  # a title a spreadsheet would run
            impact=Impact.CRITICAL,
            phase=Phase.RESOLVED,
            started_at=T0,
            resolved_at=T0 + timedelta(minutes=95),
            url="https://x.test/incidents/i1",
            components=("API", "Web"),
            updates=(
                Update(T0 + timedelta(minutes=95), Phase.RESOLVED, "All good, | done", "resolved"),
                Update(T0, Phase.INVESTIGATING, "Looking\ninto it", "investigating"),
            ),
        ),
        Incident(
            id="i2",
            title="Slow",
            impact=Impact.MINOR,
            phase=Phase.INVESTIGATING,
            started_at=T0 + timedelta(days=1),
        ),
    )
    maintenance = Maintenance(
        id="m1", title="Upgrade", phase=Phase.COMPLETED, scheduled_for=T0,
        scheduled_until=T0 + timedelta(hours=1),
    )  # fmt: skip
    with HistoryDB.open(tmp_path / "history.sqlite3") as opened:
        page = Page(Status.DEGRADED, incidents=incidents, maintenances=(maintenance,))
        apply_history(opened, SPEC, page, T0 + timedelta(days=2))
        yield opened


def test_history_document_validates(db: HistoryDB) -> None:
    now = T0 + timedelta(days=2)
    doc = history_document(
        past_incidents(db), past_maintenances(db), generated_at=now, since=None, until=None
    )
    valid(HISTORY_SCHEMA, doc)
    assert doc["schema"] == "statuswatch/history/v1"
    first, second = doc["incidents"]
    assert (first["id"], second["id"]) == ("i2", "i1")  # newest first
    assert second == {
        "provider": "ex",
        "provider_name": "Example | Co",
        "id": "i1",
        "title": '=HYPERLINK("http://evil")',
        "impact": "critical",
        "phase": "resolved",
        "started_at": "2026-11-01T00:00:00Z",
        "posted_at": "2026-11-01T00:00:00Z",
        "resolved_at": "2026-11-01T01:35:00Z",
        "duration_s": 5700,
        "components": ["API", "Web"],
        "updates": 2,
        "first_update": {
            "at": "2026-11-01T00:00:00Z",
            "phase": "investigating",
            "text": "Looking\ninto it",
        },
        "last_update": {
            "at": "2026-11-01T01:35:00Z",
            "phase": "resolved",
            "text": "All good, | done",
        },
        "url": "https://x.test/incidents/i1",
        "source": "backfill",
        "first_seen_at": None,
        "detected_lead_s": None,
        "page_lag_s": 0,
    }
    assert first["resolved_at"] is None and first["duration_s"] is None
    assert doc["maintenances"][0]["id"] == "m1"


def test_report_document_validates(db: HistoryDB) -> None:
    result = report(db, T0, T0 + timedelta(days=2))
    doc = report_document(result, generated_at=T0 + timedelta(days=2))
    valid(REPORT_SCHEMA, doc)
    [provider] = doc["providers"]
    assert provider["incidents"]["critical"] == 1 and provider["incidents"]["minor"] == 1
    assert provider["longest_incident"] == "i1"


def test_schemas_refuse_a_wrong_document() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"schema": "statuswatch/history/v1"}, load_schema(HISTORY_SCHEMA))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"schema": "statuswatch/v1"}, load_schema(REPORT_SCHEMA))


def test_jsonl_is_one_incident_entry_per_line(db: HistoryDB) -> None:
    lines = incidents_jsonl(past_incidents(db)).splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["i2", "i1"]


def test_csv_defuses_formulas_and_keeps_text_whole(db: HistoryDB) -> None:
    text = incidents_csv(past_incidents(db))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[1]["title"] == '\'=HYPERLINK("http://evil")'
    assert rows[1]["components"] == "API; Web"
    assert rows[1]["first_update"] == "Looking\ninto it"
    assert rows[1]["duration_s"] == "5700" and rows[0]["duration_s"] == ""
    table = list(csv.reader(io.StringIO(report_csv(report(db, T0, T0 + timedelta(days=2))))))
    assert table[0][:4] == ["kind", "id", "name", "incidents_critical"]
    assert table[1][:4] == ["provider", "ex", "Example | Co", "1"]


def test_markdown_and_tables(db: HistoryDB) -> None:
    result = report(db, T0, T0 + timedelta(days=2))
    markdown = report_markdown(result)
    assert "| Example \\| Co |" in markdown  # a pipe in a name does not break the table
    assert "partial outage at 30 %" in markdown
    assert "Example | Co" in report_table(result)
    shown = history_table(past_incidents(db))
    assert "[critical] =HYPERLINK" in shown and "lasted 1h 35m" in shown and "[backfill]" in shown
    assert "still open" in shown
    from statuswatch.history.model import PastIncident

    one = PastIncident(
        "ex", "EX", "i9", "Slow", "minor", "investigating", T0, T0, None, None, (), 1,
        None, None, True, T0, None,
    )  # fmt: skip
    assert "still open · 1 update\n" in history_table([one])  # it said "1 updates"
    assert "Looking into it" in shown  # one line per update note


def test_report_table_columns_line_up_whatever_the_names() -> None:
    # The name column was as wide as the longest name even when "provider" was wider, so the
    # header stood off its columns; CJK names were measured in characters, not cells, and a
    # long name was cut without "…".
    from statuswatch.history.model import ProviderFigures, Report
    from statuswatch.table import cell_width

    def figures(name: str) -> ProviderFigures:
        counts = {"critical": 0, "major": 0, "minor": 1, "none": 0, "maintenance": 0}
        minutes = {"major_outage": 1.0, "partial_outage": 0.0, "degraded": 0.0, "maintenance": 0.0}
        basis = {"minutes": "observed"}
        return ProviderFigures(name, name, counts, minutes, 99.5, 60, 60, "x", 0, 1.0, 1.0, basis)

    for names in (["CF"], ["Cloudflare", "雲端服務"], ["A" * 40, "B"]):
        lines = report_table(Report(T0, T0, [figures(n) for n in names])).splitlines()[1:]
        header, rows = lines[0], lines[1:]
        column = cell_width(header.split("uptime")[0]) + len("uptime")  # where "uptime" ends
        for row in rows:
            assert cell_width(row.split("%")[0]) + 1 == column, (header, row)
        if len(names[0]) > 28:
            assert rows[0].startswith("A" * 27 + "…")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "-"), (5, "5s"), (95, "1m 35s"), (5400, "1h 30m"), (200000, "2d 7h")],
)
def test_duration_text(seconds: int | None, text: str) -> None:
    assert duration_text(seconds) == text


def test_documents_read_back_into_the_same_data(db: HistoryDB) -> None:
    from statuswatch.document.history_read import (
        incidents_from_document,
        maintenances_from_document,
        report_from_document,
    )

    incidents, maintenances = past_incidents(db), past_maintenances(db)
    now = T0 + timedelta(days=2)
    doc = history_document(incidents, maintenances, generated_at=now, since=None, until=None)
    assert incidents_from_document(json.loads(json.dumps(doc))) == incidents
    assert maintenances_from_document(doc) == maintenances
    result = report(db, T0, now)
    assert report_from_document(report_document(result, generated_at=now)) == result


def test_a_read_document_is_cleaned_and_checked() -> None:
    from statuswatch.document.history_read import (
        incidents_from_document,
        parse_history_document,
    )
    from statuswatch.document.read import DocumentError

    with pytest.raises(DocumentError, match="did not send a statuswatch/history/v1 document"):
        parse_history_document(b'{"schema": "statuswatch/v1"}', HISTORY_SCHEMA, "http://x")
    with pytest.raises(DocumentError, match="did not send JSON"):
        parse_history_document(b"<html>", HISTORY_SCHEMA, "http://x")
    entry = {
        "provider": "ex", "provider_name": "Ex", "id": "i", "title": "bad\x1b[31m red\nline",
        "impact": "minor", "phase": "resolved", "started_at": "2026-11-01T00:00:00Z",
        "posted_at": None, "resolved_at": None, "duration_s": None, "components": ["a\x07"],
        "updates": 0, "first_update": None, "last_update": None, "url": "javascript:alert(1)",
        "source": "observed", "first_seen_at": None, "detected_lead_s": None, "page_lag_s": None,
    }  # fmt: skip
    [incident] = incidents_from_document({"incidents": [entry]})
    assert incident.title == "bad red line" and incident.components == ("a",)
    assert incident.url is None
    with pytest.raises(DocumentError, match=r"incidents\[0\]\.updates"):
        incidents_from_document({"incidents": [{**entry, "updates": "3"}]})
    with pytest.raises(DocumentError, match=r"incidents\[0\]\.started_at"):
        incidents_from_document({"incidents": [{**entry, "started_at": "yesterday"}]})


@pytest.mark.parametrize(
    ("name", "schema"),
    [("history", "statuswatch/history/v1"), ("report", "statuswatch/report/v1")],
)
def test_schema_command_prints_the_history_schemas(
    name: str, schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from statuswatch.cli import main

    assert main(["schema", name]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["properties"]["schema"] == {"const": schema}
    assert printed == load_schema(schema)
