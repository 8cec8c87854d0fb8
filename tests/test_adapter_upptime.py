"""The Upptime adapter: each site of history/summary.json is a component.

Real captures cover "all up" and "two down"; the degraded state and an unknown status are read
from tests/fixtures/upptime/derived-summary-degraded-and-down.json, derived from the real
Cliffe Group capture (same keys and formats, states changed, a hostile third site added).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, ParseError, upptime
from statuswatch.model import Component, Status

DERIVED = Path(__file__).parent / "fixtures" / "upptime" / "derived-summary-degraded-and-down.json"


def test_degraded_down_and_unknown_sites() -> None:
    page = upptime.parse(DERIVED.read_bytes(), {})
    assert page.components == (
        Component("cliffe-group-datalab", "Cliffe Group Datalab", Status.DEGRADED, "degraded"),
        Component(
            "cliffe-group-datalab-api", "Cliffe Group Datalab (API)", Status.MAJOR_OUTAGE, "down"
        ),
        # An OSC 8 hyperlink in the name is stripped; a status we do not know is unknown.
        Component("status-site", "Status site", Status.UNKNOWN, "rebooting"),
    )
    assert page.status is Status.PARTIAL_OUTAGE  # one site down, not every one
    assert (page.incidents, page.updated_at) == ((), None)


def test_every_site_down_is_a_major_outage_and_none_is_operational() -> None:
    down = b'[{"name": "A", "slug": "a", "status": "down"}, {"slug": "b", "status": "down"}]'
    assert upptime.parse(down, {}).status is Status.MAJOR_OUTAGE
    assert upptime.parse(b"[]", {}).status is Status.OPERATIONAL


@pytest.mark.parametrize(
    ("url", "fetched"),
    [
        (
            "https://raw.githubusercontent.com/upptime/upptime/master/history/summary.json",
            "https://raw.githubusercontent.com/upptime/upptime/master/history/summary.json",
        ),
        (
            "https://github.com/upptime/upptime",
            "https://raw.githubusercontent.com/upptime/upptime/HEAD/history/summary.json",
        ),
        ("http://127.0.0.1:8080/copy/", "http://127.0.0.1:8080/copy/history/summary.json"),
    ],
)
def test_the_summary_to_fetch(url: str, fetched: str) -> None:
    assert upptime.source_url(url) == fetched


def test_other_shapes_are_format_changes() -> None:
    with pytest.raises(FormatChanged, match="Upptime"):
        upptime.parse(b'[{"name": "x", "state": "up"}]', {})
    with pytest.raises(FormatChanged, match="Upptime"):
        upptime.parse(b'{"sites": []}', {})
    with pytest.raises(FormatChanged, match="HTML"):
        upptime.parse(b"<html><head><title>Status</title></head></html>", {})
    with pytest.raises(ParseError):
        upptime.parse(b"", {})
