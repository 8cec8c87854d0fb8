"""The demo's scripted probes: failing at their real times (FACTS.md), answered by the server."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx
import pytest
from schema_check import assert_valid

from statuswatch.cli import main
from statuswatch.demo import scenarios
from statuswatch.demo.clock import ScenarioClock
from statuswatch.demo.script import utc_at
from statuswatch.demo.server import DemoServer


def _ask(scenario_id: str, provider: str, probe: str, at: datetime, method: str = "HEAD") -> int:
    """The status a probe answers at scenario time `at` (0: the connection dropped)."""
    scenario = scenarios.load(scenario_id)
    with (
        DemoServer(scenario, ScenarioClock(at, 0.0)) as server,
        httpx.Client(trust_env=False) as client,
    ):
        try:
            return client.request(method, server.probe_url(provider, probe)).status_code
        except httpx.TransportError:
            return 0


@pytest.mark.parametrize(
    ("scenario", "provider", "probe", "at", "status"),
    [
        ("cloudflare-2025-11-18", "cloudflare", "edge", "2025-11-18 11:19", 401),
        ("cloudflare-2025-11-18", "cloudflare", "edge", "2025-11-18 11:20", 503),
        ("cloudflare-2025-11-18", "cloudflare", "api", "2025-11-18 14:29", 503),
        ("cloudflare-2025-11-18", "cloudflare", "api", "2025-11-18 14:30", 401),
        ("cloudflare-2025-11-18", "openai", "api", "2025-11-18 12:00", 401),
        ("aws-us-east-1-2025-10-20", "aws", "dynamodb-us-east-1", "2025-10-20 06:47", 401),
        ("aws-us-east-1-2025-10-20", "aws", "dynamodb-us-east-1", "2025-10-20 06:48", 0),
        ("aws-us-east-1-2025-10-20", "aws", "s3-us-east-1", "2025-10-20 07:00", 401),
        ("aws-us-east-1-2025-10-20", "aws", "dynamodb-us-east-1", "2025-10-20 09:25", 401),
        ("gcp-cloudflare-2025-06-12", "google-cloud", "googleapis", "2025-06-12 17:49", 401),
        ("gcp-cloudflare-2025-06-12", "google-cloud", "googleapis", "2025-06-12 17:50", 503),
        ("gcp-cloudflare-2025-06-12", "cloudflare", "api", "2025-06-12 17:51", 401),
        ("gcp-cloudflare-2025-06-12", "cloudflare", "api", "2025-06-12 17:52", 503),
        ("gcp-cloudflare-2025-06-12", "cloudflare", "edge", "2025-06-12 18:30", 401),
    ],
)
def test_probes_fail_at_their_real_times(
    scenario: str, provider: str, probe: str, at: str, status: int
) -> None:
    assert _ask(scenario, provider, probe, utc_at(at)) == status


def test_get_has_a_body_head_has_none_unknown_probes_are_404() -> None:
    scenario = scenarios.load("cloudflare-2025-11-18")
    with (
        DemoServer(scenario, ScenarioClock(scenario.start, 0.0)) as server,
        httpx.Client(trust_env=False) as client,
    ):
        got = client.get(server.probe_url("openai", "api"))
        head = client.head(server.probe_url("openai", "api"))
        missing = client.head(server.probe_url("openai", "nope"))
    assert got.status_code == head.status_code == 401
    assert got.content and head.content == b""
    assert missing.status_code == 404


def test_every_demo_provider_has_probes() -> None:
    for name in scenarios.names():
        for provider in scenarios.load(name).providers:
            assert provider.probes, f"{name}: {provider.id} has no probes"


# --- the demo on the command line: the lead, shown -------------------------------------------


def _demo(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code = main(["demo", *argv, "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    document: dict[str, Any] = json.loads(out)
    assert_valid(document)
    return document


def _provider(document: dict[str, Any], provider_id: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(p for p in document["providers"] if p["id"] == provider_id)
    return entry


def test_cloudflare_warned_long_before_its_page_posted(capsys: pytest.CaptureFixture[str]) -> None:
    before = _provider(_demo(capsys, "cloudflare-2025-11-18", "--at", "11:40"), "cloudflare")
    assert before["status"] == "operational"
    assert [i for i in before["incidents"] if i["phase"] != "resolved"] == []
    assert before["early_warning"] == {
        "since": "2025-11-18T11:21:00Z",
        "text": "probes: 2 of 2 failing since 11:20 UTC; the page says operational",
    }
    after = _provider(_demo(capsys, "cloudflare-2025-11-18", "--at", "12:30"), "cloudflare")
    (incident,) = after["incidents"]
    assert incident["detected_lead_s"] >= 20 * 60
    assert incident["detected_lead_s"] == 27 * 60  # 11:21 to the first post at 11:48
    assert after["status"] == "major_outage"


def test_the_other_scenarios_show_their_leads(capsys: pytest.CaptureFixture[str]) -> None:
    aws = _provider(_demo(capsys, "aws-us-east-1-2025-10-20", "--at", "08:00"), "aws")
    assert aws["early_warning"]["since"] == "2025-10-20T06:49:00Z"
    assert aws["incidents"][0]["detected_lead_s"] == 22 * 60  # the post at 07:11
    cascade = _demo(capsys, "gcp-cloudflare-2025-06-12", "--at", "18:35")
    assert _provider(cascade, "google-cloud")["early_warning"]["since"] == "2025-06-12T17:51:00Z"
    assert _provider(cascade, "cloudflare")["early_warning"]["since"] == "2025-06-12T17:53:00Z"
    assert {p["id"] for p in cascade["providers"] if p["early_warning"]} == {
        "google-cloud",
        "cloudflare",
    }


def test_no_probes_in_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    document = _demo(capsys, "cloudflare-2025-11-18", "--at", "12:30", "--no-probes")
    cloudflare = _provider(document, "cloudflare")
    assert cloudflare["early_warning"] is None and cloudflare["probes"]["state"] == "off"
    assert cloudflare["incidents"][0]["detected_lead_s"] is None
