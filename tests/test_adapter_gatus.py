"""The Gatus adapter: an endpoint whose latest result failed is down.

The only capture is the synthetic body of Gatus's own handler test (one endpoint, failing).
tests/fixtures/gatus/derived-statuses-mixed.json is derived from it (same keys and formats,
real-looking times, one endpoint up, one down after being up, one without results).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, gatus
from statuswatch.model import Component, Status

DERIVED = Path(__file__).parent / "fixtures" / "gatus" / "derived-statuses-mixed.json"


def test_latest_result_decides() -> None:
    page = gatus.parse(DERIVED.read_bytes(), {})
    assert page.components == (
        Component("core_front-end", "front-end", Status.OPERATIONAL, "success", "core"),
        Component("core_api", "api", Status.MAJOR_OUTAGE, "failure", "core"),
        Component("_dns", "dns", Status.UNKNOWN, "", None),  # no result yet: not down
    )
    assert page.status is Status.PARTIAL_OUTAGE
    # Nanoseconds are cut to microseconds.
    assert page.updated_at == datetime(2026, 10, 1, 10, 5, 0, 123456, tzinfo=UTC)


def test_the_document_of_an_instance() -> None:
    assert gatus.source_url("https://status.example/") == (
        "https://status.example/api/v1/endpoints/statuses"
    )
    own = "https://status.example/api/v1/endpoints/statuses?page=1"
    assert gatus.source_url(own) == own


def test_other_shapes_are_format_changes() -> None:
    with pytest.raises(FormatChanged, match="Gatus"):
        gatus.parse(b'[{"name": "x", "status": "up"}]', {})
    with pytest.raises(FormatChanged, match="Gatus"):
        gatus.parse(b'{"endpoints": []}', {})
