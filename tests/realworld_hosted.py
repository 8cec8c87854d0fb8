"""Expectations for the real payloads of the hosted platforms (read off each file by hand)."""

from __future__ import annotations

from realworld_expect import (
    DEG,
    IDE,
    INV,
    MAJ,
    MON,
    OP,
    PART,
    RES,
    Expect,
    Inc,
    Mnt,
    at,
)

from statuswatch.model import Impact, Phase

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
CF = "https://www.cloudflarestatus.com/incidents/"
GH = "https://www.githubstatus.com/incidents/"
GCP_SITE = "https://status.cloud.google.com/incidents/"
AWS_DASHBOARD = "https://health.aws.amazon.com/health/status"
AWS_ARN = (
    "arn:aws:health:{0}::event/MULTIPLE_SERVICES/AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE/"
    "AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE_{1}"
)
TOGETHER = (
    "Website", "Playground", "OpenAI GPT OSS 120B", "OpenAI GPT OSS 20B",
    "Meta Llama 3.3 70B Instruct Turbo", "Google Gemma 4 31B IT", "Qwen3.5 9B", "MiniMax M3",
    "GLM 5.2", "Inkling", "Kimi K3", "Inkling Small", "DeepSeek V4 Flash 0731",
    "Muse Glimmer 30B", "Qwen3.8-2.4T-A95B", "DeepSeek V4 Pro 0813", "GLM 5.3 Flash", "GLM 5.3",
    "Multilingual E5 Large Instruct", "Whisper Large V3", "Orpheus TTS", "Kokoro-82M",
)  # fmt: skip
NINTEX = (
    "Nintex Licensing and Permitting",
    "Nintex Workflow for Office 365 - Workflow Designer",
    "Nintex Workflow for Office 365 - Workflow Execution",
    "Nintex Workflow for Office 365 - Notifications",
    "Nintex Workflow for Office 365 - Store",  # two spaces in the document, closed up
    "Nintex Forms for Office 365 - Form Filler",
    "Nintex Forms for Office 365 - Form Designer",
    "Nintex Forms for Office 365 - Mobile Gateway",
    "Nintex Forms for SharePoint - Live Forms",
    "Nintex Live Services",
    "Nintex DocGen for Salesforce",
    "Nintex DocGen for Salesforce – FedRAMP",
    "Nintex DocGen API",
    "Nintex Automation Cloud",
    "Nintex Analytics",
    "Nintex App Studio - Portal",
    "Nintex App Studio - Build Services",
    "Nintex Process Manager - Production",
    "Nintex Process Manager - Freetrial/Demo",
    "Nintex Process Manager - Freetrial site provisioning",
    "Nintex Process Manager - Reporting API",
    "Nintex RPA",
    "Nintex Customer Central",
    "Nintex Partner Central",
    "Nintex K2 Cloud",
    "Nintex K2 Trust",
    "Nintex DocGen Manager",
)


def gcp_inc(
    ident: str,
    title: str,
    impact: Impact,
    begin: str,
    end: str,
    products: tuple[str, ...],
    locations: int,
    updates: int,
    newest: str,
) -> Inc:
    """A closed Google Cloud incident: its products, how many locations, one AVAILABLE update."""
    return Inc(
        id=ident,
        title=title,
        phase=Phase.RESOLVED,
        impact=impact,
        started_at=at(begin),
        url=GCP_SITE + ident,
        components=products,
        more=locations,
        phases=(Phase.RESOLVED,) + (Phase.INVESTIGATING,) * (updates - 1),
        newest_at=at(newest),
        resolved_at=at(end),
    )


def cf_maintenance(ident: str, title: str, start: str, end: str, component: str) -> Mnt:
    """One of Cloudflare's upcoming data-centre maintenances (each has one `scheduled` update)."""
    return Mnt(ident, title, Phase.SCHEDULED, at(start), at(end), (component,), 1)


HOSTED: dict[str, Expect] = {
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
    "statuspage/github-history-atom-excerpt-2025-10-21.atom": Expect(
        status=OP,  # three resolved incidents, all within the week before the feed's date
        raw_status="",
        description="",
        updated_at=at("2025-10-21 20:25:22"),
        components=(),
        incidents=(
            Inc(
                id="v61nk2fpysnq",  # the API id, from the entry's link (not the tag: id)
                title="Disruption with some GitHub services",
                phase=RES,
                impact=Impact.MINOR,  # feeds do not rate incidents
                started_at=at("2025-10-21 16:00"),
                url=GH + "v61nk2fpysnq",
                components=(),
                phases=(RES, INV, INV, INV, INV, INV),  # "Update" keeps the phase so far
                newest_at=at("2025-10-21 17:39"),
                resolved_at=at("2025-10-21 17:39"),
            ),
            Inc(
                id="qqd6b1xb63tq",
                title="Incident with Actions",
                phase=RES,
                impact=Impact.MINOR,
                started_at=at("2025-10-21 09:12"),
                url=GH + "qqd6b1xb63tq",
                components=(),
                phases=(RES, INV, INV, INV, INV, INV),
                newest_at=at("2025-10-21 12:28"),
                resolved_at=at("2025-10-21 12:28"),
            ),
            Inc(
                id="9klytnsknx20",
                title="Disruption with Grok Code Fast 1 in Copilot",
                phase=RES,
                impact=Impact.MINOR,
                started_at=at("2025-10-20 14:46"),
                url=GH + "9klytnsknx20",
                components=(),
                phases=(RES, INV, INV, INV, INV),
                newest_at=at("2025-10-20 16:40"),
                resolved_at=at("2025-10-20 16:40"),
            ),
        ),
    ),
    "aws/aws-all-rss-2021-12-20-excerpt.rss": Expect(
        status=OP,
        raw_status="",
        description="",
        updated_at=at("2021-12-20 08:05:42"),  # "Mon, 20 Dec 2021 00:05:42 PST"
        components=(),
        incidents=(
            Inc(
                # Two items with the guid prefix #internetconnectivity-us-gov-west-1: one incident.
                id="internetconnectivity-us-gov-west-1_1639584617",
                title="Internet Connectivity",
                phase=RES,
                impact=Impact.MINOR,
                started_at=at("2021-12-15 16:10:17"),  # 08:10:17 PST
                url="http://status.aws.amazon.com/",
                components=("internetconnectivity-us-gov-west-1",),
                phases=(RES, RES),
                newest_at=at("2021-12-15 20:16:32"),  # 12:16:32 PST
                resolved_at=at("2021-12-15 20:16:32"),
            ),
        ),
    ),
    "aws/aws-all-rss-empty-2023-02-16.rss": Expect(
        status=OP,
        raw_status="",
        description="",
        updated_at=at("2023-02-16 08:05:51"),
        components=(),
    ),
    "aws/aws-currentevents-2026-utf8-as-stored.json": Expect(
        status=PART,  # two regions disrupted ("3"): part of AWS, not all of it
        raw_status="",
        description="",
        updated_at=at("2026-09-04 00:07:54"),  # the resolved event's end_time
        components=(
            ("AWS Sign-In (me-central-1)", MAJ),
            ("AWS Security Token Service (me-central-1)", MAJ),
            ("Amazon Bedrock (me-central-1)", MAJ),
            ("AWS Security Token Service (me-south-1)", MAJ),
            ("AWS Sign-In (me-south-1)", MAJ),
            ("Amazon Bedrock (me-south-1)", MAJ),
        ),
        incidents=(
            Inc(
                id=AWS_ARN.format("us-west-2", "926DB_F0036494EA4"),
                title="Increased API Error Rates",  # "[RESOLVED] " taken off
                phase=RES,
                impact=Impact.MINOR,  # its services' worst ("max") was "1"
                started_at=at("2026-09-03 21:49:58"),
                url=AWS_DASHBOARD,
                components=("AWS Security Token Service (us-west-2)", "AWS Sign-In (us-west-2)"),
                phases=(INV,),
                newest_at=at("2026-09-03 21:49:58"),
                resolved_at=at("2026-09-04 00:07:54"),
            ),
            Inc(
                id=AWS_ARN.format("me-south-1", "E6426_01AD72B4E1E"),
                title="Increased Error Rates",
                phase=INV,
                impact=Impact.CRITICAL,
                started_at=at("2026-03-02 05:56:27"),
                url=AWS_DASHBOARD,
                components=(
                    "AWS Security Token Service (me-south-1)",
                    "AWS Sign-In (me-south-1)",
                    "Amazon Bedrock (me-south-1)",
                ),
                phases=(INV,),
                newest_at=at("2026-03-02 05:56:27"),
            ),
            Inc(
                id=AWS_ARN.format("me-central-1", "5E6B8_EF2498889B5"),
                title="Increased Error Rates",
                phase=INV,
                impact=Impact.CRITICAL,
                started_at=at("2026-03-01 12:51:25"),
                url=AWS_DASHBOARD,
                components=(
                    "AWS Sign-In (me-central-1)",
                    "AWS Security Token Service (me-central-1)",
                    "Amazon Bedrock (me-central-1)",
                ),
                phases=(INV,),
                newest_at=at("2026-03-01 12:51:25"),
            ),
        ),
    ),
    "azure/azure-status-feed-empty-2026-08-06.xml": Expect(
        status=OP,  # no item: nothing broad is happening
        raw_status="",
        description="",
        updated_at=at("2026-08-06 01:09"),  # "Thu, 06 Aug 2026 01:09:00 Z"
        components=(),
    ),
    "betterstack/together-ai-index-trimmed-2026-09-04.json": Expect(
        status=OP,
        raw_status="operational",
        description="",
        updated_at=at("2026-09-04 10:17:22.958"),
        # Sections by position (Website 1, Chat 3, Embeddings 7, Voice 9), then resources by
        # theirs; the July maintenance ended two months before the page's date: not listed.
        components=tuple((name, OP) for name in TOGETHER),
    ),
    "gcp/gcp-incidents-2022-07.json": Expect(
        status=OP,  # 157 incidents, all closed
        raw_status="",
        description="",
        updated_at=at("2022-07-01 19:25:45"),
        components=(),
        # Those that ended in the 7 days before the newest `modified`, newest change first.
        incidents=(
            gcp_inc(
                "TaA75H7XA1DQyM2ReK2f",
                "[Google BigQuery] Lower throughput from the Read API",
                Impact.MINOR,
                "2022-07-01 13:37:44",
                "2022-07-01 19:25:45",
                ("Google BigQuery",),
                29,
                5,
                "2022-07-01 19:25:45",
            ),
            gcp_inc(
                "mDY7jN545et9XUV541MZ",
                "Intermittent Cloud Composer creation failures in select regions and elevated "
                "error rates during Cloud SQL instance creation.",
                Impact.MINOR,
                "2022-06-30 18:12",
                "2022-07-01 02:15:28",
                ("Google Cloud Composer", "Google Cloud SQL"),
                8,
                5,
                "2022-07-01 02:15:28",
            ),
            gcp_inc(
                "V3AJNVDysYF1EXttKC3N",
                "This issue is believed to be affecting a very small number of projects and "
                "our Engineering Team is working on it. If you have questions or are "
                "impacted, please open a case with the Support Team and we will work with you "
                "until this issue is resolved. No further updates will be provided here. We "
                "thank you for your patience while we are working on resolving the issue.",
                Impact.MINOR,
                "2022-06-29 18:29:36",
                "2022-06-30 18:42:09",
                ("Google Cloud Composer",),
                4,
                8,
                "2022-06-30 18:42:09",
            ),
            Inc(
                id="sPyYB214xAhqnoxNrrnW",
                title="Global: Apigee X is experiencing issues with integrated portals and API "
                "Monitoring.",
                phase=RES,
                impact=Impact.MAJOR,  # SERVICE_DISRUPTION, severity medium
                started_at=at("2022-06-29 20:54"),
                url=GCP_SITE + "sPyYB214xAhqnoxNrrnW",
                components=("Apigee",),
                more=32,
                # Google posted a second AVAILABLE update the day after the end.
                phases=(RES, RES, INV, INV),
                newest_at=at("2022-06-30 18:13:17"),
                resolved_at=at("2022-06-29 22:59"),
            ),
            gcp_inc(
                "fh6jfua8BdRbCkwTegBy",
                "Cloud Redis BASIC Tier Instances cannot proceed version upgrade after their "
                "maintenance or capacity update",
                Impact.MINOR,
                "2022-06-24 10:37:31",
                "2022-06-29 08:56:17",
                ("Cloud Memorystore",),
                32,
                2,
                "2022-06-29 08:56:12",
            ),
            gcp_inc(
                "pXUM8jeE61fpp3VXz5sr",
                "Elevated packet loss in europe-north1",
                Impact.MINOR,
                "2022-06-28 16:08:29",
                "2022-06-28 17:04:17",
                ("Hybrid Connectivity", "Google Cloud Networking", "Finland (europe-north1)"),
                0,
                2,
                "2022-06-28 17:04:11",
            ),
            gcp_inc(
                "6ocKuGf4LTJTjaB84Ms4",
                "Cloud Function 2nd Generation deletes were erroring out in multiple regions.",
                Impact.MINOR,
                "2022-06-27 22:33:40",
                "2022-06-28 14:04:37",
                ("Google Cloud Functions",),
                13,
                10,
                "2022-06-28 14:04:35",
            ),
            gcp_inc(
                "mbtvSs2qKE3Nz6nxR6rY",
                "We are experiencing an issue with Hybrid Connectivity specifically in Geneva.",
                Impact.MINOR,
                "2022-06-28 09:55:31",
                "2022-06-28 10:25:35",
                ("Hybrid Connectivity", "Google Cloud Networking"),
                0,
                2,
                "2022-06-28 10:25:30",
            ),
        ),
    ),
    "instatus/perplexity-components.json": Expect(
        status=OP,  # read alone: the components decide
        raw_status="",
        description="",
        updated_at=None,
        components=(("Website", OP), ("API", OP), ("Computer", OP)),
    ),
    "instatus/perplexity-summary.json": Expect(
        status=OP,
        raw_status="UP",
        description="",
        updated_at=None,
        components=(),
    ),
    "slack/slack-current-active-2023-09-26-notes-redacted.json": Expect(
        status=DEG,
        raw_status="active",
        description="",
        updated_at=at("2023-09-26 18:55:36"),  # 11:55:36-07:00
        components=(("Connections", DEG),),
        incidents=(
            Inc(
                id="1269",  # an integer in the document
                title="Can't dismiss Now you've got Later",
                phase=INV,
                impact=Impact.MINOR,  # type "incident"
                started_at=at("2023-09-26 18:34:10"),
                url="https://status.slack.com/2023-09/badc5543a21e1fa7",  # slashes unescaped
                components=("Connections",),
                phases=(INV, INV),
                newest_at=at("2023-09-26 18:55:36"),
            ),
        ),
    ),
    "slack/slack-current-ok-from-docs.json": Expect(
        status=OP,
        raw_status="ok",
        description="",
        updated_at=at("2018-09-08 01:34:15"),
        components=(),
    ),
    "statusio/nintex-status-wrapped-2026-04-20.json": Expect(
        status=OP,
        raw_status="100",
        description="Operational",
        updated_at=at("2026-04-15 06:34:18.642"),
        components=tuple((name, OP) for name in NINTEX),
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
