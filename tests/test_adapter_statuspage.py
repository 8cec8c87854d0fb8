"""The Statuspage adapter on hand-written documents: bytes in, model out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch import adapters
from statuswatch.adapters import FormatChanged, ParseError, statuspage
from statuswatch.adapters.timeparse import parse_time
from statuswatch.model import (
    Component,
    Impact,
    Incident,
    Maintenance,
    Page,
    Phase,
    Status,
    Update,
)

FIXTURES = Path(__file__).parent / "fixtures" / "statuspage"


def fixture(name: str) -> Page:
    """Parse one of our hand-written Statuspage fixtures."""
    return statuspage.parse((FIXTURES / name).read_bytes(), {})


def parse_doc(doc: object) -> Page:
    """Parse an inline document."""
    return statuspage.parse(json.dumps(doc).encode(), {})


def at(text: str) -> datetime:
    """A UTC instant written as "YYYY-MM-DD HH:MM:SS[.fff]" (expected values are in UTC)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- source_url ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.githubstatus.com", "https://www.githubstatus.com/api/v2/summary.json"),
        ("https://www.githubstatus.com/", "https://www.githubstatus.com/api/v2/summary.json"),
        ("http://127.0.0.1:8123/cf", "http://127.0.0.1:8123/cf/api/v2/summary.json"),
        ("http://127.0.0.1:8123/cf/api/v2/", "http://127.0.0.1:8123/cf/api/v2/summary.json"),
        (
            "https://www.githubstatus.com/api/v2/incidents.json",
            "https://www.githubstatus.com/api/v2/incidents.json",
        ),
        ("http://127.0.0.1:9/x/status.JSON", "http://127.0.0.1:9/x/status.JSON"),
    ],
)
def test_source_url(url: str, expected: str) -> None:
    assert statuspage.source_url(url) == expected


def test_registry_loads_this_module() -> None:
    assert adapters.load("statuspage") is statuspage


# --- timestamps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-07T21:44:41.466Z", at("2026-10-07 21:44:41.466")),
        ("2026-09-29T18:29:41Z", at("2026-09-29 18:29:41")),
        ("2019-02-20T12:00:19.418-06:00", at("2019-02-20 18:00:19.418")),
        ("2019-03-01T02:00:00+01:00", at("2019-03-01 01:00:00")),
        ("2024-05-01T10:00:00+0000", at("2024-05-01 10:00:00")),
        ("2024-05-01t10:00:00.5z", at("2024-05-01 10:00:00.5")),
        ("2024-05-01T10:00:00.123456789Z", at("2024-05-01 10:00:00.123456")),  # ns: cut to µs
        ("  2024-05-01T10:00:00Z\n", at("2024-05-01 10:00:00")),
    ],
)
def test_timestamps_become_aware_utc(text: str, expected: datetime) -> None:
    parsed = parse_time(text)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "yesterday",
        "2024-05-01",  # a date has no zone
        "2024-05-01T10:00:00",  # naive: refused, not guessed
        "2024-13-45T99:00:00Z",
        "0001-01-01T00:00:00+01:00",  # before year 1 once in UTC
        "2024-05-01T10:00:00.000000000000000000000000000000000000000000000000000Z",  # > 64 chars
        1700000000,
        ["2024-05-01T10:00:00Z"],
    ],
)
def test_bad_timestamps_are_none(value: object) -> None:
    assert parse_time(value) is None


def walk_datetimes(page: Page) -> Iterator[datetime]:
    """Every datetime in a page."""
    yield from (d for d in [page.updated_at] if d is not None)
    events: list[Incident | Maintenance] = [*page.incidents, *page.maintenances]
    for event in events:
        for name in ("started_at", "updated_at", "resolved_at", "scheduled_for", "scheduled_until"):
            value = getattr(event, name, None)
            if value is not None:
                yield value
        yield from (update.at for update in event.updates)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_every_timestamp_in_every_fixture_is_utc(name: str) -> None:
    stamps = list(walk_datetimes(fixture(name)))
    assert stamps, f"{name} should carry timestamps"
    assert all(stamp.tzinfo is UTC for stamp in stamps)


def test_page_offsets_become_utc() -> None:
    page = fixture("summary-chicago.json")
    assert page.updated_at == at("2019-02-20 18:00:19.418")
    first, second = page.incidents
    assert first.started_at == at("2019-02-20 15:58:30")
    assert first.updated_at == at("2019-02-20 17:30:00.5")
    assert first.resolved_at is None
    assert second.started_at == at("2019-02-20 17:45:00")  # no started_at: created_at
    upgrade, window = page.maintenances
    assert (upgrade.scheduled_for, upgrade.scheduled_until) == (
        at("2019-02-20 17:00:00"),
        at("2019-02-20 19:00:00"),
    )
    assert (window.scheduled_for, window.scheduled_until) == (at("2019-03-01 01:00:00"), None)


# --- components and page status -----------------------------------------------------------


def test_groups_are_not_components_and_name_their_children() -> None:
    page = fixture("summary-chicago.json")
    assert page.components == (
        Component("cmp-api", "API", Status.OPERATIONAL, "operational", None),
        # Frankfurt names no group_id: the group row's own `components` list places it.
        Component("cmp-fra", "Frankfurt", Status.DEGRADED, "degraded_performance", "Edge Network"),
        Component("cmp-ams", "Amsterdam", Status.OPERATIONAL, "operational", "Edge Network"),
        Component("cmp-db", "Database", Status.MAINTENANCE, "under_maintenance", None),
        Component("cmp-new", "Brand New", Status.UNKNOWN, "melting", None),
        # Its group row is not in the document: shown ungrouped, not dropped.
        Component("cmp-orphan", "Orphan", Status.PARTIAL_OUTAGE, "partial_outage", None),
    )


def test_page_status_description_and_raw_indicator() -> None:
    page = fixture("summary-chicago.json")
    assert (page.status, page.raw_status, page.description) == (
        Status.DEGRADED,
        "minor",
        "Minor Service Outage",
    )


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [
        ("none", Status.OPERATIONAL),
        ("minor", Status.DEGRADED),
        ("major", Status.PARTIAL_OUTAGE),
        ("critical", Status.MAJOR_OUTAGE),
        ("maintenance", Status.MAINTENANCE),
        ("Critical", Status.MAJOR_OUTAGE),
        ("apocalyptic", Status.UNKNOWN),
    ],
)
def test_indicator_maps_to_status(indicator: str, expected: Status) -> None:
    page = parse_doc({"status": {"indicator": indicator, "description": "d"}, "components": []})
    assert (page.status, page.raw_status) == (expected, indicator)


def maintenance_row(status: str) -> dict[str, object]:
    """A scheduled_maintenances row in `status`."""
    return {
        "id": f"m-{status}",
        "name": "Work",
        "status": status,
        "impact": "maintenance",
        "scheduled_for": "2024-01-01T00:00:00Z",
        "scheduled_until": "2024-01-01T02:00:00Z",
    }


@pytest.mark.parametrize(
    ("maintenance_status", "component_status", "expected"),
    [
        ("in_progress", "operational", Status.MAINTENANCE),
        ("verifying", "operational", Status.MAINTENANCE),
        ("scheduled", "under_maintenance", Status.MAINTENANCE),
        ("scheduled", "operational", Status.OPERATIONAL),
        ("completed", "operational", Status.OPERATIONAL),
    ],
)
def test_indicator_none_during_maintenance(
    maintenance_status: str, component_status: str, expected: Status
) -> None:
    page = parse_doc(
        {
            "status": {"indicator": "none", "description": "All Systems Operational"},
            "components": [{"id": "c", "name": "C", "status": component_status}],
            "scheduled_maintenances": [maintenance_row(maintenance_status)],
        }
    )
    assert (page.status, page.raw_status) == (expected, "none")


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (
            ["operational", "partial_outage", "melting", "degraded_performance"],
            Status.PARTIAL_OUTAGE,
        ),
        (["operational", "under_maintenance"], Status.MAINTENANCE),
        (["operational", "full_outage"], Status.MAJOR_OUTAGE),
        (["melting", "boiling"], Status.UNKNOWN),
        ([], Status.OPERATIONAL),
    ],
)
def test_without_indicator_the_worst_component_decides(
    statuses: list[str], expected: Status
) -> None:
    rows = [{"id": f"c{i}", "name": f"C{i}", "status": s} for i, s in enumerate(statuses)]
    page = parse_doc({"page": {"id": "p", "name": "P"}, "components": rows})
    assert (page.status, page.raw_status, page.description) == (expected, "", "")


# --- incidents ----------------------------------------------------------------------------


def test_incident_is_read_whole() -> None:
    incident = fixture("summary-chicago.json").incidents[0]
    assert incident == Incident(
        id="inc-chi-1",
        title="Elevated API errors",
        impact=Impact.MAJOR,
        phase=Phase.MONITORING,
        started_at=at("2019-02-20 15:58:30"),
        updated_at=at("2019-02-20 17:30:00.5"),
        resolved_at=None,
        url="http://stspg.io/abc123xyz",
        # No `components` key (older pages): the updates' affected components, oldest first,
        # without the legacy "No components were affected" placeholder.
        components=("API", "Edge Network - Frankfurt"),
        updates=(
            Update(
                at("2019-02-20 17:30:00"),
                Phase.MONITORING,
                "Monitoring <b>closely</b>.",
                "monitoring",
            ),
            Update(
                at("2019-02-20 16:30:00"),
                Phase.IDENTIFIED,
                "We found the cause.\n\nA fix is rolling out & errors are dropping.",
                "identified",
            ),
            Update(
                at("2019-02-20 16:00:00.123"),
                Phase.INVESTIGATING,
                "We are investigating errors on the API.",
                "investigating",
            ),
            # Created last but displayed as the first: display_at decides the order.
            Update(
                at("2019-02-20 15:59:00"), Phase.INVESTIGATING, "Back-dated note.", "investigating"
            ),
        ),
        raw_status="monitoring",
        raw_impact="major",
        # The ids beside the names: scoping tells components of one name apart by them.
        component_ids=("cmp-api", "cmp-fra"),
    )


def test_incident_without_shortlink_links_to_the_page() -> None:
    incident = fixture("summary-chicago.json").incidents[1]
    assert incident.url == "https://status.example.test/incidents/inc-chi-2"
    assert incident.components == ("API",)
    assert incident.updates == ()


def test_incident_id_is_quoted_in_the_built_url() -> None:
    page = parse_doc(
        {"page": {"url": "https://s.test/"}, "incidents": [{"id": "../a b?c", "name": "X"}]}
    )
    assert page.incidents[0].url == "https://s.test/incidents/..%2Fa%20b%3Fc"


def test_no_url_without_a_page_url_or_shortlink() -> None:
    page = parse_doc({"incidents": [{"id": "abc", "name": "X", "status": "investigating"}]})
    assert page.incidents[0].url is None


def test_history_keeps_closed_incidents_with_their_phase() -> None:
    page = fixture("incidents-history.json")
    assert [(i.id, i.phase, i.impact, i.raw_status, i.raw_impact) for i in page.incidents] == [
        ("open-major", Phase.IDENTIFIED, Impact.MAJOR, "identified", "major"),
        ("old-critical", Phase.RESOLVED, Impact.CRITICAL, "resolved", "critical"),
        ("old-postmortem", Phase.POSTMORTEM, Impact.NONE, "postmortem", "none"),
        # Unknown values never raise: unknown phase, lowest impact, the raw values kept.
        ("strange", Phase.UNKNOWN, Impact.NONE, "escalated", "catastrophic"),
        # Maintenance impact without a schedule: an incident, not planned work.
        ("maint-impact-no-schedule", Phase.RESOLVED, Impact.MAINTENANCE, "resolved", "maintenance"),
    ]
    assert page.incidents[0].title == "Checkout failing"  # the later duplicate row is dropped
    assert page.incidents[1].resolved_at == at("2024-04-01 02:59:59.999")
    assert [u.phase for u in page.incidents[2].updates] == [Phase.POSTMORTEM, Phase.RESOLVED]
    # No indicator: the open major incident sets the page's status.
    assert (page.status, page.raw_status, page.description) == (Status.PARTIAL_OUTAGE, "", "")
    assert page.incidents[0].url == "https://status.history.test/incidents/open-major"


# --- maintenances -------------------------------------------------------------------------


def test_maintenances_are_kept_apart_from_incidents() -> None:
    page = fixture("summary-chicago.json")
    assert [i.id for i in page.incidents] == ["inc-chi-1", "inc-chi-2"]
    upgrade, window = page.maintenances
    assert (upgrade.id, upgrade.title, upgrade.phase, upgrade.raw_status) == (
        "mnt-chi-1",
        "Database upgrade",
        Phase.IN_PROGRESS,
        "in_progress",
    )
    assert upgrade.url == "https://stspg.io/mnt1"
    assert upgrade.components == ("Database",)
    assert upgrade.updates == (
        Update(
            at("2019-02-20 17:00:00"), Phase.IN_PROGRESS, "Maintenance has started.", "in_progress"
        ),
        Update(
            at("2019-02-18 15:00:00"), Phase.SCHEDULED, "We will upgrade the database.", "scheduled"
        ),
    )
    assert (window.id, window.phase, window.components, window.updates) == (
        "mnt-chi-2",
        Phase.SCHEDULED,
        (),
        (),
    )
    assert window.url == "https://status.example.test/incidents/mnt-chi-2"


def test_scheduled_maintenance_listed_among_incidents_moves_to_maintenances() -> None:
    page = fixture("incidents-history.json")
    assert "mnt-in-incidents" not in [i.id for i in page.incidents]
    (maintenance,) = page.maintenances
    assert (maintenance.id, maintenance.title, maintenance.phase) == (
        "mnt-in-incidents",
        "Planned DNS work",
        Phase.COMPLETED,
    )
    assert (maintenance.scheduled_for, maintenance.scheduled_until) == (
        at("2024-04-21 01:00:00"),
        at("2024-04-21 03:00:00"),
    )
    assert [u.phase for u in maintenance.updates] == [Phase.COMPLETED, Phase.SCHEDULED]


# --- hostile text -------------------------------------------------------------------------


def test_hostile_text_is_made_inert() -> None:
    page = fixture("hostile.json")
    assert page.description == "All fine gnirts"  # OSC title and bidi override gone
    assert page.raw_status == "major"  # BEL dropped from the enum value too
    assert page.status is Status.PARTIAL_OUTAGE
    assert [c.name for c in page.components] == [
        "RED API",
        "Click me",
        # Markup is text: kept literally, for front ends to print as text, never to interpret.
        "[bold red]Loud[/] [link=https://evil.test]x[/link] [@click=app.quit]q[/]",
    ]
    evil = page.incidents[0]
    assert evil.title == "[bold]Outage[/bold] evil red"  # \u202e, 8-bit CSI, NUL, NEL gone
    assert evil.updates[0].text == "Read this link now.\nCleared?alert(1) [i]ok[/i]"


def test_unsafe_urls_are_dropped() -> None:
    page = fixture("hostile.json")
    # javascript: shortlink, and the page URL is javascript: too, so no URL can be built.
    assert [i.url for i in page.incidents] == [None, None]


def test_no_control_character_survives_anywhere() -> None:
    page = fixture("hostile.json")
    texts = [page.description, page.raw_status]
    texts += [c.name for c in page.components]
    for incident in page.incidents:
        texts += [incident.title, incident.raw_status, *(u.text for u in incident.updates)]
    bad = {chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]}
    bad |= {"\u202e", "\u202c"}
    assert [t for t in texts if bad & set(t)] == []


# --- wrong types --------------------------------------------------------------------------


def test_wrong_types_are_skipped_not_fatal() -> None:
    page = fixture("wrong-types.json")
    assert page.components == (
        Component("12", "Numeric id", Status.UNKNOWN, "", None),  # "group": "true" is not true
        Component("c2", "Second", Status.OPERATIONAL, "operational", None),
    )
    assert (page.description, page.raw_status, page.updated_at) == ("", "", None)
    assert page.maintenances == ()
    odd, fine = page.incidents  # "oops" and the row without id or name are skipped
    assert odd == Incident(
        id="i1",
        title="",
        impact=Impact.NONE,
        phase=Phase.UNKNOWN,
        started_at=None,
        updated_at=None,
        resolved_at=None,
        url=None,
        components=(),
        updates=(),
    )
    # Only the update with a usable time remains; its numeric status and body are dropped.
    assert fine.updates == (Update(at("2024-05-01 10:05:00"), Phase.UNKNOWN, "", ""),)
    assert fine.components == ()
    # No usable indicator: worst of the components (unknown ignored) and the open minor incident.
    assert page.status is Status.DEGRADED


def mutations(value: object, path: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    """Paths to every value nested in a decoded JSON document."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from mutations(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from mutations(child, (*path, index))


def replaced(doc: object, path: tuple[object, ...], new: object) -> object:
    """A deep copy of `doc` with the value at `path` replaced by `new`."""
    copy = json.loads(json.dumps(doc))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


def test_any_value_of_any_wrong_type_still_gives_a_page() -> None:
    doc = json.loads((FIXTURES / "summary-chicago.json").read_bytes())
    paths = list(mutations(doc))
    assert len(paths) > 150
    wrong: tuple[object, ...] = (None, 7, -1.5, True, "[]", "\u001b[2J", [], {}, [None], {"id": {}})
    failures = []
    for path in paths:
        for new in wrong:
            try:
                page = parse_doc(replaced(doc, path, new))
            except Exception as exc:  # collected and reported below
                failures.append(f"{path} = {new!r}: {type(exc).__name__}: {exc}")
            else:
                assert isinstance(page, Page)
    assert failures == []


# --- refused documents --------------------------------------------------------------------


def test_html_answer_is_a_format_change() -> None:
    with pytest.raises(FormatChanged) as caught:
        statuspage.parse((FIXTURES / "moved-to-html.html").read_bytes(), {})
    assert str(caught.value) == (
        "the server answered with HTML where Statuspage JSON was expected: the page changed format"
    )


def test_feed_answer_is_a_format_change() -> None:
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"/>'
    with pytest.raises(FormatChanged, match="answered with XML where Statuspage JSON"):
        statuspage.parse(body, {})


@pytest.mark.parametrize("body", [b"", b"  \r\n\t", b"\xef\xbb\xbf", b"\xef\xbb\xbf  \n"])
def test_empty_body_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        statuspage.parse(body, {})
    assert type(caught.value) is ParseError
    assert str(caught.value) == "empty body where Statuspage JSON was expected"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"page": {"id": "x"', "invalid JSON in Statuspage document: Expecting ',' delimiter"),
        (b"{'page': 1}", "invalid JSON in Statuspage document: Expecting property name"),
        (b'{"page": "\xff\xfe"}', "Statuspage document is not UTF-8 text"),
        (b"[1, 2]", "Statuspage document is a JSON array, not an object"),
        (b"null", "Statuspage document is a JSON null, not an object"),
        (b'"summary"', "Statuspage document is a JSON string, not an object"),
        (b"[" * 200_000 + b"]" * 200_000, "Statuspage document is nested too deeply to read"),
        (b'{"page": ' + b"9" * 5000 + b"}", "invalid JSON in Statuspage document: Exceeds"),
        (
            b'{"hello": 1, "world": 2}',
            "Statuspage document has none of the keys page, status, components, incidents, "
            "scheduled_maintenances, incident (found: hello, world)",
        ),
        (
            b'{"components": "[]", "status": null}',
            "Statuspage document has no usable key (status is a JSON null, "
            "components is a JSON string)",
        ),
    ],
)
def test_unusable_documents_are_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        statuspage.parse(body, {})
    assert type(caught.value) is ParseError
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("doc", "kind"),
    [
        ({"page": {"name": "Perplexity", "url": "https://x.test", "status": "UP"}}, "an Instatus"),
        ({"components": [{"id": "c", "name": "API", "status": "OPERATIONAL"}]}, "an Instatus"),
        ({"result": {"status_overall": {"status_code": 100}}}, "a status.io"),
        ({"data": {"id": "1", "type": "status_page", "attributes": {}}}, "a Better Stack"),
        ({"status": "ok", "active_incidents": []}, "a Slack status"),
        (
            {"summary": {"ongoing_incidents": [], "components": []}},
            "incident.io's native page data",
        ),
    ],
)
def test_another_platforms_document_is_a_format_change(doc: object, kind: str) -> None:
    with pytest.raises(FormatChanged) as caught:
        parse_doc(doc)
    assert str(caught.value).startswith(f"the server answered with {kind}")
    assert str(caught.value).endswith("where Statuspage JSON was expected: the page changed format")


def test_an_unexpected_failure_inside_becomes_a_parse_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(doc: dict[str, object]) -> Page:
        raise TypeError("boom \u001b[31m")

    monkeypatch.setattr(statuspage, "build_page", broken)
    with pytest.raises(ParseError) as caught:
        parse_doc({"components": []})
    assert str(caught.value) == "unreadable Statuspage document (TypeError: boom)"
    assert isinstance(caught.value.__cause__, TypeError)


def test_headers_do_not_decide() -> None:
    body = json.dumps({"status": {"indicator": "none"}}).encode()
    page = statuspage.parse(body, {"content-type": "text/html; charset=utf-8"})
    assert page.status is Status.OPERATIONAL
