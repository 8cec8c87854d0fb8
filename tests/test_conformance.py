"""Every real payload in ../shared/realworld, against values read off it, through its adapter.

Each file there must have an entry in EXPECTED (realworld_hosted.py, realworld_history.py,
realworld_platforms.py): a new capture without expectations fails. Files are
parsed without headers, so documents that are histories (feeds, Google Cloud, AWS RSS, Better
Stack reports) are read against their own newest timestamp.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from realworld_expect import INV, MON, OP, RES, Expect, Inc, Mnt, at
from realworld_history import HISTORY
from realworld_hosted import HOSTED
from realworld_platforms import platforms

from statuswatch.adapters import (
    Adapter,
    FormatChanged,
    ParseError,
    aws,
    azure,
    betterstack,
    cachet,
    feed,
    gatus,
    gcp,
    incidentio,
    instatus,
    slack,
    statusio,
    statuspage,
    statuspal,
    upptime,
    uptimekuma,
    xbox,
)
from statuswatch.model import Page

REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
if not REALWORLD.is_dir():
    pytest.skip(f"real-world payloads not found at {REALWORLD}", allow_module_level=True)

ADAPTERS: dict[str, Adapter] = {
    "statuspage": statuspage,
    "incidentio": incidentio,
    "aws": aws,
    "gcp": gcp,
    "azure": azure,
    "slack": slack,
    "instatus": instatus,
    "statusio": statusio,
    "betterstack": betterstack,
    "cachet": cachet,
    "gatus": gatus,
    "statuspal": statuspal,
    "upptime": upptime,
    "uptimekuma": uptimekuma,
    "xbox": xbox,
}
FEEDS = (".atom", ".rss")  # a Statuspage or incident.io history feed is the feed adapter's
FILES = sorted(
    path.relative_to(REALWORLD).as_posix()
    for path in REALWORLD.glob("*/*")
    if path.is_file() and not path.name.startswith(".")
)


def adapter_for(name: str) -> Adapter:
    """The adapter that reads a real-world file: its directory's, or the feed adapter."""
    directory = name.split("/", 1)[0]
    if directory in ("statuspage", "incidentio") and name.endswith(FEEDS):
        return feed
    return ADAPTERS[directory]


EXPECTED: dict[str, Expect] = {**HOSTED, **HISTORY, **platforms(REALWORLD)}


def parsed(name: str) -> Page:
    """Parse a real-world file with its adapter, without headers."""
    return adapter_for(name).parse((REALWORLD / name).read_bytes(), {})


def test_every_expectation_names_a_file() -> None:
    assert sorted(set(EXPECTED) - set(FILES)) == []


@pytest.mark.parametrize("name", FILES)
def test_real_payload(name: str) -> None:
    expected = EXPECTED.get(name)
    if expected is None:
        pytest.fail(f"{name}: no expectations in tests/test_conformance.py; read them off the file")
    page = parsed(name)
    assert (page.status, page.raw_status, page.description, page.updated_at) == (
        expected.status,
        expected.raw_status,
        expected.description,
        expected.updated_at,
    )
    assert [(c.name, c.status) for c in page.components] == list(expected.components)
    shown = [len(e.components) for e in expected.incidents]  # names spelled out per incident
    shown += [len(i.components) for i in page.incidents[len(shown) :]]
    got_incidents = [
        Inc(
            id=i.id,
            title=i.title,
            phase=i.phase,
            impact=i.impact,
            started_at=i.started_at,
            url=i.url or "",
            components=i.components[:count],
            phases=tuple(u.phase for u in i.updates),
            newest_at=i.updates[0].at if i.updates else None,
            resolved_at=i.resolved_at,
            more=len(i.components) - count,
        )
        for i, count in zip(page.incidents, shown, strict=True)
    ]
    assert got_incidents == list(expected.incidents)
    got_maintenances = [
        Mnt(
            id=m.id,
            title=m.title,
            phase=m.phase,
            scheduled_for=m.scheduled_for,
            scheduled_until=m.scheduled_until,
            components=m.components,
            updates=len(m.updates),
        )
        for m in page.maintenances
    ]
    assert got_maintenances == list(expected.maintenances)


def test_html_bodies_in_real_updates_become_plain_text() -> None:
    page = parsed("statuspage/github-incidents-excerpt-2024-09-17.json")
    ssh = page.incidents[1]
    assert ssh.updates[3].text == (
        "We are seeing up to 2% of Git SSH connections failing.\n\n"
        "We have taken suspected problematic hosts out of rotation and are monitoring for "
        "recovery and continuing to investigate."
    )
    # Runs of spaces between sentences are closed up.
    assert ssh.updates[1].text.startswith(
        "We are no longer seeing dropped Git SSH connections and believe we have mitigated the "
        "incident. We are continuing"
    )


def test_back_dated_update_sorts_by_display_time() -> None:
    page = parsed(
        "statuspage/cloudflare-summary-trimmed-active-incidents-maintenances-2026-09.json"
    )
    warp = page.incidents[1]
    # Created 18:56:11.313 but displayed at 18:56:11.000: display_at is what the page shows.
    assert [u.at for u in warp.updates[-2:]] == [
        at("2026-08-27 18:56:11"),
        at("2026-08-27 18:46:19.105"),
    ]


def test_markdown_bodies_stay_markdown_with_links_as_text() -> None:
    page = parsed("incidentio/openai-v2-summary-active-incidents-2026-09-29.json")
    # The link '[support@openai.com](mailto:support@openai.com "support@openai.com")' reads
    # as its text: the address is its own text, so it is said once.
    assert page.incidents[1].updates[0].text == (
        "Our Help Center is available, but support chat remains unavailable. If you need "
        "assistance, you can browse the Help Center or email support@openai.com."
    )
    assert page.incidents[0].updates[0].text.startswith("We’re investigating elevated errors")


# Other platforms' real documents: the Statuspage adapter must refuse them, never misread them.
FOREIGN: dict[str, type[ParseError]] = {
    "instatus/perplexity-summary.json": FormatChanged,
    "instatus/perplexity-components.json": FormatChanged,
    "statusio/nintex-status-wrapped-2026-04-20.json": FormatChanged,
    "betterstack/together-ai-index-trimmed-2026-09-04.json": FormatChanged,
    "slack/slack-current-ok-from-docs.json": FormatChanged,
    "slack/slack-current-active-2023-09-26-notes-redacted.json": FormatChanged,
    "statuspage/github-history-atom-excerpt-2025-10-21.atom": FormatChanged,
    "aws/aws-all-rss-empty-2023-02-16.rss": FormatChanged,
    "azure/azure-status-feed-empty-2026-08-06.xml": FormatChanged,
    "aws/aws-currentevents-2026-utf8-as-stored.json": FormatChanged,  # an array, but AWS's
    "gcp/gcp-incidents-2022-07.json": FormatChanged,  # an array, but Google Cloud's
}


@pytest.mark.parametrize("name", sorted(FOREIGN))
def test_other_platforms_documents_are_refused(name: str) -> None:
    path = REALWORLD / name
    if not path.is_file():
        pytest.skip(f"{name} is not in this copy of the real-world payloads")
    with pytest.raises(ParseError) as caught:
        statuspage.parse(path.read_bytes(), {})
    assert type(caught.value) is FOREIGN[name]


def test_the_instatus_pair_reads_as_one_page() -> None:
    summary = (REALWORLD / "instatus" / "perplexity-summary.json").read_bytes()
    components = (REALWORLD / "instatus" / "perplexity-components.json").read_bytes()
    page = instatus.parse_many([(summary, {}), (components, {})])
    assert (page.status, page.raw_status) == (OP, "UP")
    assert [(c.id, c.name, c.status, c.group) for c in page.components] == [
        ("clyi6jhgg31469ihojbwbsmeeg", "Website", OP, None),
        ("clyiakn7i60113hvojwho6za6j", "API", OP, None),
        ("cmr18ih7201l20rqmap66bx4l", "Computer", OP, None),
    ]


def test_the_uptime_kuma_pair_reads_as_one_page() -> None:
    page_doc = REALWORLD / "uptimekuma" / "unraid-dashboard-status-page-ok-2026-09-30.json"
    beats = REALWORLD / "uptimekuma" / "unraid-dashboard-heartbeat-ok-2026-09-30.json"
    page = uptimekuma.parse_many([(page_doc.read_bytes(), {}), (beats.read_bytes(), {})])
    # Monitor 1 of group "Dienste", up at its latest beat (20:15:16.689, zone-less UTC).
    assert page.status is OP
    assert [(c.id, c.name, c.status, c.raw_status, c.group) for c in page.components] == [
        ("1", "Unraid", OP, "up", "Dienste")
    ]
    assert page.updated_at == at("2026-09-30 20:15:16.689")
    assert (page.incidents, page.maintenances) == ((), ())  # incident null, maintenanceList []


def test_xbox_reads_the_same_as_xml_and_as_json() -> None:
    as_json = parsed("xbox/xbox-servicestatusv6-us-en-us-ok-2026-09-19.json")
    as_xml = parsed("xbox/xbox-servicestatusv6-us-en-us-ok-2026-09-19.xml")
    # Two fetches 14 minutes apart: only the time differs ("&amp;" in XML is "&" in JSON).
    assert replace(as_xml, updated_at=None) == replace(as_json, updated_at=None)
    sign_in = as_json.components[1]
    assert (sign_in.id, sign_in.name, sign_in.group) == ("23/35048", "Sign-in", "Account & profile")


def test_same_minute_updates_keep_the_feeds_order() -> None:
    # fmmsrcg5x638 lists "Resolved" then "Monitoring", both at Jul 27 04:09: the first listed
    # is the later, so the incident is resolved (it once read as still being monitored).
    body = REALWORLD / "statuspage" / "github-history-atom-full-25-entries-2026-08-22.atom"
    page = feed.parse(body.read_bytes(), {"date": "Mon, 27 Jul 2026 05:00:00 GMT"})
    graphql = next(i for i in page.incidents if i.id == "fmmsrcg5x638")
    assert [u.phase for u in graphql.updates] == [RES, MON, INV]
    assert graphql.phase is RES


def test_aws_current_events_read_the_same_in_utf16() -> None:
    text = (REALWORLD / "aws" / "aws-currentevents-2026-utf8-as-stored.json").read_text("utf-8")
    # The live endpoint sends UTF-16 with a byte order mark; the capture was stored as UTF-8.
    assert aws.parse(b"\xfe\xff" + text.encode("utf-16-be"), {}) == parsed(
        "aws/aws-currentevents-2026-utf8-as-stored.json"
    )


def test_gcp_keeps_only_the_open_and_the_last_week() -> None:
    later = gcp.parse(
        (REALWORLD / "gcp" / "gcp-incidents-2022-07.json").read_bytes(),
        {"date": "Fri, 08 Jul 2022 00:00:00 GMT"},
    )
    assert [i.id for i in later.incidents] == ["TaA75H7XA1DQyM2ReK2f", "mDY7jN545et9XUV541MZ"]


# Every real document given to every adapter that is not its own: refused, never misread, and
# the refusal names what the page answered with (the provider moved).
STATUSPAGE_SHAPED = ("statuspage", "incidentio")  # incident.io serves Statuspage's shapes too
CROSS = [
    (name, kind)
    for name in FILES
    for kind in sorted({*ADAPTERS, "feed"})
    if name.split("/", 1)[0] != kind
    and not (kind in STATUSPAGE_SHAPED and name.split("/", 1)[0] in STATUSPAGE_SHAPED)
    # Any feed is the feed adapter's to read (AWS's and Azure's too); Xbox's XML is no feed.
    and not (kind == "feed" and name.endswith((".atom", ".rss", ".xml")) and "xbox/" not in name)
]


@pytest.mark.parametrize(("name", "kind"), CROSS)
def test_a_document_of_another_platform_is_refused(name: str, kind: str) -> None:
    adapter = feed if kind == "feed" else ADAPTERS[kind]
    body = (REALWORLD / name).read_bytes()
    try:
        page = adapter.parse(body, {})
    except FormatChanged as exc:
        assert " answered " in str(exc)  # "the page answered ...", "the server answered ..."
        return
    except ParseError as exc:
        # Only where nothing in the body names a platform (an empty JSON array, say).
        pytest.fail(f"{kind} adapter gave a plain ParseError for {name}: {exc}")
    pytest.fail(f"{kind} adapter read {name} as its own: {page.status}")
