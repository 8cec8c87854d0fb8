"""The PlayStation Network adapter.

No captured body is public: the fixtures in tests/fixtures/playstation/ are made from the shape
documented in ../shared/SCHEMAS.md, section 6a (several independent clients read it), and say
so. Any other shape must be a format change, never operational and never an outage.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, playstation
from statuswatch.model import Component, Impact, Phase, Status

FIXTURES = Path(__file__).parent / "fixtures" / "playstation"
ISSUES = (FIXTURES / "documented-shape-SCEA-issues.json").read_bytes()
ALL_WELL = (FIXTURES / "documented-shape-SCEE-all-well.json").read_bytes()
DATE = {"date": "Tue, 20 Oct 2026 08:00:00 GMT"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_current_entries_only() -> None:
    page = playstation.parse(ISSUES, DATE)
    assert (page.status, page.raw_status) == (Status.PARTIAL_OUTAGE, "SCEA")
    assert page.components == (
        Component("account", "Account Management", Status.OPERATIONAL, ""),
        Component("gaming", "Gaming and Social", Status.MAJOR_OUTAGE, "Outage"),
        Component("store", "PlayStation Store", Status.DEGRADED, "Degraded"),
        Component("video", "PS Video", Status.OPERATIONAL, ""),  # its maintenance is to come
    )
    # "old-1" has no end and started seven weeks ago; "over-1" ended yesterday; "ok-1" is OK.
    outage, degraded = page.incidents
    assert (outage.id, outage.title, outage.impact, outage.phase) == (
        "out-1",
        "Outage: Gaming and Social",
        Impact.MAJOR,
        Phase.INVESTIGATING,
    )
    assert outage.updates[0].text == "Outage reported for Gaming and Social in US, CA."
    assert (degraded.id, degraded.impact, degraded.started_at) == (
        "deg-1",
        Impact.MINOR,
        at("2026-10-20 06:00"),
    )
    (maintenance,) = page.maintenances
    assert (maintenance.id, maintenance.phase, maintenance.scheduled_for) == (
        "mnt-1",
        Phase.SCHEDULED,
        at("2026-10-23 01:00"),
    )


def test_after_the_end_all_is_well_again() -> None:
    page = playstation.parse(ISSUES, {"date": "Thu, 22 Oct 2026 08:00:00 GMT"})
    # out-1 ended on the 21st; deg-1 has no end but started two days ago: still counted.
    assert [i.id for i in page.incidents] == ["deg-1"]
    later = playstation.parse(ISSUES, {"date": "Fri, 23 Oct 2026 02:00:00 GMT"})
    assert [m.phase for m in later.maintenances] == [Phase.IN_PROGRESS]
    assert later.status is Status.DEGRADED


def test_empty_arrays_are_all_well() -> None:
    page = playstation.parse(ALL_WELL, DATE)
    assert (page.status, page.incidents, page.maintenances) == (Status.OPERATIONAL, (), ())
    # A service listed in every country and language is one component (its id decides).
    assert [c.name for c in page.components] == ["Account Management", "Gaming and Social"]


def test_a_region_wide_outage_is_critical() -> None:
    doc = json.loads(ALL_WELL)
    doc["status"] = [{"statusType": "Outage", "statusId": "r1", "startDate": "2026-10-20T07:00Z"}]
    page = playstation.parse(json.dumps(doc).encode(), DATE)
    assert (page.status, page.incidents[0].impact) == (Status.MAJOR_OUTAGE, Impact.CRITICAL)


def test_an_unknown_status_type_is_unknown_never_operational() -> None:
    doc = json.loads(ALL_WELL)
    doc["countries"][0]["services"][0]["status"] = [
        {"statusType": "Investigating", "statusId": "u1", "startDate": "2026-10-20T07:00Z"}
    ]
    page = playstation.parse(json.dumps(doc).encode(), DATE)
    assert page.status is Status.UNKNOWN
    assert page.components[0].status is Status.UNKNOWN


@pytest.mark.parametrize(
    "body",
    [
        b'{"regionName": "SCEA"}',
        b'{"region": "SCEA", "services": []}',
        b'{"status": "ok"}',
        b"[]",
    ],
)
def test_any_other_shape_is_a_format_change(body: bytes) -> None:
    with pytest.raises(FormatChanged, match="PlayStation"):
        playstation.parse(body, DATE)


def test_the_document_to_fetch() -> None:
    assert playstation.source_url("https://status.playstation.com") == (
        "https://status.playstation.com/data/statuses/region/SCEA.json"
    )
