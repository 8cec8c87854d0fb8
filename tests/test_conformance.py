"""Every real Statuspage and incident.io payload in ../shared/realworld, against values read off it.

Each file in those directories must have an entry below: a new capture without expectations fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import Adapter, FormatChanged, ParseError, incidentio, statuspage
from statuswatch.model import Impact, Page, Phase, Status

REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
if not REALWORLD.is_dir():
    pytest.skip(f"real-world payloads not found at {REALWORLD}", allow_module_level=True)

ADAPTERS: dict[str, Adapter] = {"statuspage": statuspage, "incidentio": incidentio}
FILES = sorted(
    path.relative_to(REALWORLD).as_posix()
    for directory in ADAPTERS
    for path in (REALWORLD / directory).glob("*")
    if path.is_file()
)


def at(text: str) -> datetime:
    """A UTC instant written as "YYYY-MM-DD HH:MM:SS[.fff]"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Inc:
    """What one incident must read as."""

    id: str
    title: str
    phase: Phase
    impact: Impact
    started_at: datetime | None
    url: str
    components: tuple[str, ...]
    phases: tuple[Phase, ...]  # of its updates, newest first
    newest_at: datetime | None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class Mnt:
    """What one maintenance must read as."""

    id: str
    title: str
    phase: Phase
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    components: tuple[str, ...]
    updates: int


@dataclass(frozen=True)
class Expect:
    """What a whole document must read as."""

    status: Status
    raw_status: str
    description: str
    updated_at: datetime
    components: tuple[tuple[str, Status], ...]  # every component, in page order
    incidents: tuple[Inc, ...] = ()
    maintenances: tuple[Mnt, ...] = ()


@dataclass(frozen=True)
class Elsewhere:
    """A file that another adapter reads; the JSON adapter must refuse it, not misread it."""

    reason: str


OP, DEG = Status.OPERATIONAL, Status.DEGRADED
CLAUDE = (
    "claude.ai",
    "Claude Console (platform.claude.com)",
    "Claude API (api.anthropic.com)",
    "Claude Code",
    "Claude Cowork",
    "Claude for Government",
)
OPENAI_OPERATIONAL = {"Ads API", "Decisions", "dots"}
OPENAI = (
    "Realtime",
    "Compliance API",
    "Ads API",
    "Search",
    "Agent",
    "Connectors/Apps",
    "File uploads",
    "CLI",
    "Conversations",
    "GPTs",
    "Image Generation",
    "ChatGPT Work",
    "Batch",
    "Images",
    "Chat Completions",
    "Fine-tuning",
    "Embeddings",
    "Responses",
    "Audio",
    "Moderations",
    "Files",
    "Login",
    "Agents",
    "Decisions",
    "dots",
)
INV, IDE, MON, RES = Phase.INVESTIGATING, Phase.IDENTIFIED, Phase.MONITORING, Phase.RESOLVED
CF = "https://www.cloudflarestatus.com/incidents/"


def cf_maintenance(ident: str, title: str, start: str, end: str, component: str) -> Mnt:
    """One of Cloudflare's upcoming data-centre maintenances (each has one `scheduled` update)."""
    return Mnt(ident, title, Phase.SCHEDULED, at(start), at(end), (component,), 1)


EXPECTED: dict[str, Expect | Elsewhere] = {
    "statuspage/anthropic-summary-operational-raw-2026-09-03.json": Expect(
        status=OP,
        raw_status="none",
        description="All Systems Operational",
        updated_at=at("2026-09-03 17:51:06.926"),
        components=tuple((name, OP) for name in CLAUDE),
    ),
    "statuspage/anthropic-summary-active-incident-2026-10-07.json": Expect(
        status=DEG,
        raw_status="minor",
        description="Partially Degraded Service",
        updated_at=at("2026-10-07 23:44:53.565"),
        components=tuple((name, DEG if "Console" in name else OP) for name in CLAUDE),
        incidents=(
            Inc(
                id="978mjkgw6mh7",
                title="Elevated errors on platform.claude.com",
                phase=MON,
                impact=Impact.MAJOR,
                started_at=at("2026-10-07 13:25:04.155"),
                url="https://stspg.io/sjkw7njwf0mt",
                components=("Claude Console (platform.claude.com)",),
                phases=(MON, IDE, INV, INV),
                newest_at=at("2026-10-07 21:44:41.466"),
            ),
        ),
    ),
    "statuspage/cloudflare-summary-trimmed-active-incidents-maintenances-2026-09.json": Expect(
        status=DEG,
        raw_status="minor",
        description="Minor Service Outage",
        updated_at=at("2026-08-27 00:00:00"),
        # Its group row was trimmed from the capture: no group name to give it.
        components=(("Replicate", OP),),
        incidents=(
            Inc(
                id="k7l4hzmthl3k",
                title="Cloudflare Tunnel Availability Issues",
                phase=IDE,
                impact=Impact.MINOR,
                started_at=at("2026-09-11 21:55:52"),
                url=CF + "k7l4hzmthl3k",
                components=("Tunnel",),
                phases=(IDE, IDE, INV),
                newest_at=at("2026-09-12 03:49:34.038"),
            ),
            Inc(
                id="9g65dxfbcjln",
                title="Incorrect geo location for some Cloudflare WARP users",
                phase=IDE,
                impact=Impact.MINOR,
                started_at=at("2026-08-27 18:46:19"),
                url=CF + "9g65dxfbcjln",
                components=("WARP",),
                phases=(IDE, IDE, IDE, IDE, IDE, IDE, IDE, INV),
                newest_at=at("2026-09-01 08:29:56.950"),
            ),
        ),
        maintenances=(
            cf_maintenance(
                "xtmjwqxfxf1g",
                "IAD (Ashburn) on 2026-09-14",
                "2026-09-14 06:00",
                "2026-09-14 10:00",
                "Ashburn, VA, United States - (IAD)",
            ),
            cf_maintenance(
                "qz56cwckjprs",
                "EWR (Newark) on 2026-09-14",
                "2026-09-14 06:00",
                "2026-09-14 13:00",
                "Newark, NJ, United States - (EWR)",
            ),
            cf_maintenance(
                "k9nr5ts3kh1p",
                "PHX (Phoenix) on 2026-09-14",
                "2026-09-14 06:30",
                "2026-09-14 14:30",
                "Phoenix, AZ, United States - (PHX)",
            ),
            cf_maintenance(
                "5pls6mqy441l",
                "ATL (Atlanta) on 2026-09-14",
                "2026-09-14 07:00",
                "2026-09-14 22:00",
                "Atlanta, GA, United States - (ATL)",
            ),
            cf_maintenance(
                "gp22y7sb0psy",
                "EWR (Newark) on 2026-09-15",
                "2026-09-15 05:00",
                "2026-09-15 10:00",
                "Newark, NJ, United States - (EWR)",
            ),
            cf_maintenance(
                "cf1hshjhclrq",
                "ORD (Chicago) on 2026-09-15",
                "2026-09-15 06:00",
                "2026-09-15 12:00",
                "Chicago, IL, United States - (ORD)",
            ),
            cf_maintenance(
                "hykw18x3c0q5",
                "GRU (São Paulo) on 2026-09-15",
                "2026-09-15 06:00",
                "2026-09-15 14:00",
                "São Paulo, Brazil - (GRU)",
            ),
            cf_maintenance(
                "s81c1v7dlrv0",
                "PDX (Portland) on 2026-09-15",
                "2026-09-15 09:00",
                "2026-09-15 14:00",
                "Portland, OR, United States - (PDX)",
            ),
            cf_maintenance(
                "n6kzr74tmjv4",
                "MAA (Chennai) on 2026-09-15",
                "2026-09-15 20:00",
                "2026-09-16 00:00",
                "Chennai, India - (MAA)",
            ),
            cf_maintenance(
                "db304bkt6jth",
                "FCO (Rome) on 2026-09-17",
                "2026-09-17 00:00",
                "2026-09-17 04:00",
                "Rome, Italy - (FCO)",
            ),
            cf_maintenance(
                "d2fnybw2k1k2",
                "GRU (São Paulo) on 2026-09-18",
                "2026-09-18 06:00",
                "2026-09-18 14:00",
                "São Paulo, Brazil - (GRU)",
            ),
        ),
    ),
    "statuspage/github-components-excerpt-2024-09-17.json": Expect(
        status=OP,  # components.json has no indicator: the worst component decides
        raw_status="",
        description="",
        updated_at=at("2024-09-17 08:08:17.044"),
        components=(("Git Operations", OP), ("Webhooks", OP)),
    ),
    "statuspage/github-incidents-excerpt-2024-09-17.json": Expect(
        status=OP,  # incidents.json: no indicator, no components, only closed incidents
        raw_status="",
        description="",
        updated_at=at("2024-09-17 08:08:17.044"),
        components=(),
        incidents=(
            Inc(
                id="69sb0f8lydp4",
                title="Incident with Pages and Actions",
                phase=RES,
                impact=Impact.MAJOR,
                started_at=at("2024-09-16 21:31:02.713"),
                url="https://stspg.io/mc6sr407p78b",
                components=("Actions", "Pages"),
                phases=(RES, INV, INV, INV, INV, INV),
                newest_at=at("2024-09-16 22:08:39.333"),
                resolved_at=at("2024-09-16 22:08:39.333"),
            ),
            Inc(
                id="r3x7x31k7nn1",
                title="Disruption with Git SSH",
                phase=RES,
                impact=Impact.MINOR,
                started_at=at("2024-09-16 13:29:47.155"),
                url="https://stspg.io/36jl4xpkpcvz",
                components=(),  # `components: []` and every affected_components null
                phases=(RES, INV, INV, INV, INV, INV),
                newest_at=at("2024-09-16 14:28:03.812"),
                resolved_at=at("2024-09-16 14:28:03.812"),
            ),
        ),
    ),
    "statuspage/github-history-atom-excerpt-2025-10-21.atom": Elsewhere(
        "the /history.atom feed is read by the feed adapter (issue 3), not the JSON adapters"
    ),
    "incidentio/openai-v2-summary-active-incidents-2026-09-29.json": Expect(
        status=DEG,
        raw_status="minor",
        description="Partial System Degradation",
        updated_at=at("2026-09-29 18:29:41"),
        components=tuple((name, OP if name in OPENAI_OPERATIONAL else DEG) for name in OPENAI),
        incidents=(
            Inc(
                id="01M3Q4RK1SM4EMK445GGPG7C0N",
                title="Elevated errors across ChatGPT, Codex, and the API including the Agents API",
                phase=INV,
                impact=Impact.MINOR,
                started_at=at("2026-09-29 17:52:52"),
                url="https://status.openai.com/incidents/01M3Q4RK1SM4EMK445GGPG7C0N",
                components=(),
                phases=(INV, INV),
                newest_at=at("2026-09-29 18:24:17"),
            ),
            Inc(
                id="01M3Q4HMNP8SZ27DTZKW6F5BJ4",
                title="Support chat unavailable",
                phase=INV,
                impact=Impact.NONE,
                started_at=at("2026-09-29 17:49:05"),
                url="https://status.openai.com/incidents/01M3Q4HMNP8SZ27DTZKW6F5BJ4",
                components=(),
                phases=(INV, INV),
                newest_at=at("2026-09-29 17:55:17"),
            ),
        ),
    ),
}


def parsed(name: str) -> Page:
    """Parse a real-world file with the adapter of its directory."""
    adapter = ADAPTERS[name.split("/", 1)[0]]
    return adapter.parse((REALWORLD / name).read_bytes(), {})


def test_every_expectation_names_a_file() -> None:
    assert sorted(set(EXPECTED) - set(FILES)) == []


@pytest.mark.parametrize("name", FILES)
def test_real_payload(name: str) -> None:
    expected = EXPECTED.get(name)
    if expected is None:
        pytest.fail(f"{name}: no expectations in tests/test_conformance.py; read them off the file")
    if isinstance(expected, Elsewhere):
        # Until its own adapter exists, the feed is at least never taken for a JSON status page.
        with pytest.raises(FormatChanged):
            parsed(name)
        return
    page = parsed(name)
    assert (page.status, page.raw_status, page.description, page.updated_at) == (
        expected.status,
        expected.raw_status,
        expected.description,
        expected.updated_at,
    )
    assert [(c.name, c.status) for c in page.components] == list(expected.components)
    got_incidents = [
        Inc(
            id=i.id,
            title=i.title,
            phase=i.phase,
            impact=i.impact,
            started_at=i.started_at,
            url=i.url or "",
            components=i.components,
            phases=tuple(u.phase for u in i.updates),
            newest_at=i.updates[0].at if i.updates else None,
            resolved_at=i.resolved_at,
        )
        for i in page.incidents
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


def test_markdown_bodies_stay_markdown() -> None:
    page = parsed("incidentio/openai-v2-summary-active-incidents-2026-09-29.json")
    assert page.incidents[1].updates[0].text == (
        "Our Help Center is available, but support chat remains unavailable. If you need "
        "assistance, you can browse the Help Center or email "
        '[support@openai.com](mailto:support@openai.com "support@openai.com").'
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
