"""End to end: `statuswatch --json` over one provider of every kind, served from 127.0.0.1.

The server's Date header is the real clock, so the history documents (feeds, Google Cloud,
Better Stack) are read against today: the feed here is written relative to now.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from loopback import LoopbackServer
from schema_check import assert_valid

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def never_seen_feed(now: datetime) -> bytes:
    """An RSS feed from a platform the project has never seen: its own markers, its own zone."""
    zone = "+0100"

    def when(delta: timedelta) -> str:
        return format_datetime((now - delta).astimezone(datetime.strptime(zone, "%z").tzinfo))

    items = [
        ("Mail delivery delayed", "/n/41", when(timedelta(minutes=20)), "Queues are long."),
        ("Mail delivery delayed", "/n/41", when(timedelta(minutes=50)), "Investigating."),
        ("[RESOLVED] Webmail login errors", "/n/40", when(timedelta(days=2)), "Fixed."),
        ("Webmail login errors", "/n/40", when(timedelta(days=2, hours=1)), "Errors."),
        ("Old notice", "/n/12", when(timedelta(days=30)), "Long ago."),
    ]
    body = "".join(
        f"<item><title>{title}</title><link>https://mail.example{link}</link>"
        f"<guid>https://mail.example{link}#{i}</guid><pubDate>{date}</pubDate>"
        f"<description>{text}</description></item>"
        for i, (title, link, date, text) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Mail Example notices</title><link>https://mail.example/</link>"
        f"<lastBuildDate>{when(timedelta(minutes=20))}</lastBuildDate>{body}</channel></rss>"
    ).encode()


def serve_every_kind(srv: LoopbackServer, now: datetime) -> dict[str, tuple[str, str]]:
    """Route one page of every kind; return id -> (kind, url) for the config."""
    events = read("aws/currentevents-active.json").decode("utf-8")
    srv.route("/sp/api/v2/summary.json", read("statuspage/summary-chicago.json"))
    srv.route("/io/api/v2/summary.json", read("incidentio/summary-active.json"))
    # AWS as its servers send it: UTF-16 with a byte order mark.
    srv.route("/aws/public/currentevents", b"\xfe\xff" + events.encode("utf-16-be"))
    srv.route("/gcp/incidents.json", read("gcp/incidents-mixed.json"))
    srv.route("/azure/feed/", read("azure/feed-with-items.xml"), content_type="application/xml")
    srv.route("/slack/api/v2.0.0/current", read("slack/current-outage.json"))
    srv.route("/mail/notices.rss", never_seen_feed(now), content_type="application/rss+xml")
    srv.route("/rw/summary.json", read("instatus/summary-issues.json"))
    srv.route("/rw/v2/components.json", read("instatus/components-issues.json"))
    srv.route("/1.0/status/5b36dc6502d06804c08349f7", read("statusio/status-incident.json"))
    srv.route("/bs/index.json", read("betterstack/index-downtime.json"))
    return {
        "sp": ("statuspage", srv.url("/sp")),
        "io": ("incidentio", srv.url("/io")),
        "aws": ("aws", srv.url("/aws")),
        "gcp": ("gcp", srv.url("/gcp")),
        "azure": ("azure", srv.url("/azure/feed/")),
        "slack": ("slack", srv.url("/slack")),
        "mail": ("feed", srv.url("/mail/notices.rss")),
        "railway": ("instatus", srv.url("/rw")),
        "ci": ("statusio", srv.url("/1.0/status/5b36dc6502d06804c08349f7")),
        "models": ("betterstack", srv.url("/bs")),
    }


def run_json(config: Path, providers: dict[str, tuple[str, str]]) -> dict[str, Any]:
    lines = [f"watch = {json.dumps(list(providers))}"]
    for pid, (kind, url) in providers.items():
        lines += [f"[providers.{pid}]", f'kind = "{kind}"', f'url = "{url}"']
    config.write_text("\n".join(lines) + "\n[http]\nretries = 0\ndeadline = 5.0\n")
    env = dict(os.environ, STATUSWATCH_CONFIG=str(config))
    done = subprocess.run(
        [sys.executable, "-m", "statuswatch", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    assert_valid(document)
    return document


def test_every_kind_comes_out_of_the_json_document(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    providers = serve_every_kind(loopback, now)
    document = run_json(tmp_path / "config.toml", providers)
    by_id = {p["id"]: p for p in document["providers"]}
    assert list(by_id) == list(providers)
    assert {p["id"]: p["error"] for p in document["providers"]} == dict.fromkeys(providers)
    assert {pid: entry["status"] for pid, entry in by_id.items()} == {
        "sp": "degraded",
        "io": "partial_outage",
        "aws": "partial_outage",
        "gcp": "partial_outage",
        "azure": "partial_outage",
        "slack": "partial_outage",
        "mail": "degraded",
        "railway": "partial_outage",
        "ci": "partial_outage",
        "models": "partial_outage",
    }

    aws = by_id["aws"]
    dynamo, s3 = aws["incidents"]
    assert (dynamo["title"], dynamo["phase"], dynamo["impact"], dynamo["started_at"]) == (
        "Increased Error Rates",
        "investigating",
        "critical",
        "2025-10-19T07:00:00Z",
    )
    assert [u["at"] for u in dynamo["updates"]] == ["2025-10-19T07:38:00Z", "2025-10-19T07:00:00Z"]
    assert (s3["phase"], s3["resolved_at"]) == ("resolved", "2025-10-18T08:00:00Z")
    assert [(c["name"], c["status"]) for c in aws["components"]] == [
        ("Amazon DynamoDB (us-east-1)", "major_outage"),
        ("Amazon Elastic Compute Cloud (us-east-1)", "partial_outage"),
        ("AWS Lambda (us-east-1)", "degraded"),
    ]

    gcp = by_id["gcp"]
    assert [(i["id"], i["phase"], i["impact"]) for i in gcp["incidents"]] == [
        ("openOutage0000000001", "investigating", "critical"),
        ("openUnknownImpact002", "investigating", "major"),
    ]  # the resolved ones ended long before today
    assert gcp["incidents"][0]["started_at"] == "2025-06-12T17:51:00Z"

    azure = by_id["azure"]
    assert [(i["title"], i["phase"]) for i in azure["incidents"]] == [
        ("Azure Front Door - Multiple regions", "investigating")
    ]

    slack = by_id["slack"]
    assert [(i["id"], i["impact"], i["phase"]) for i in slack["incidents"]] == [
        ("2712", "major", "investigating"),
        ("9001", "none", "investigating"),
    ]
    assert slack["incidents"][0]["started_at"] == "2025-02-26T15:55:03Z"  # -08:00 in the page
    assert [(m["id"], m["phase"]) for m in slack["maintenances"]] == [("9002", "scheduled")]

    mail = by_id["mail"]
    delayed, webmail = mail["incidents"]
    assert (delayed["title"], delayed["phase"], delayed["impact"]) == (
        "Mail delivery delayed",
        "unknown",
        "minor",
    )
    assert [u["at"] for u in delayed["updates"]] == [
        rfc3339(now - timedelta(minutes=20)),
        rfc3339(now - timedelta(minutes=50)),
    ]
    assert (webmail["title"], webmail["phase"], webmail["resolved_at"]) == (
        "Webmail login errors",
        "resolved",
        rfc3339(now - timedelta(days=2)),
    )
    assert [u["phase"] for u in webmail["updates"]] == ["resolved", "investigating"]

    railway = by_id["railway"]
    assert [c["name"] for c in railway["components"]] == ["Deploys", "Dashboard", "Edge Network"]
    assert [(i["title"], i["phase"]) for i in railway["incidents"]] == [
        ("Deploys are slow", "identified")
    ]

    ci = by_id["ci"]
    assert [(i["phase"], i["impact"]) for i in ci["incidents"]] == [("identified", "critical")]
    assert [(m["title"], m["scheduled_for"]) for m in ci["maintenances"]] == [
        ("Runner fleet upgrade", "2025-11-22T06:00:00Z")
    ]

    models = by_id["models"]
    assert [(i["title"], i["phase"]) for i in models["incidents"]] == [
        ("Llama 70B is down", "investigating")
    ]
    assert models["maintenances"] == []  # its window ended long before today
    assert [c["group"] for c in models["components"]] == [
        "Website",
        "Inference",
        "Inference",
        None,
    ]
