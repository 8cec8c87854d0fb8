"""Google Cloud then Cloudflare, 2025-06-12: one provider's outage shows up as another's.

Times and products follow the public record (see FACTS.md); every sentence is ours. The replay
ends while Google Cloud's us-central1 is still recovering, as the record leaves it.
"""

from __future__ import annotations

from statuswatch.demo.scenarios import calm
from statuswatch.demo.script import Event, Part, Post, Probe, Provider, Scenario, hit, utc_at
from statuswatch.model import Impact, Phase, Status

_S = Status
_PRODUCTS = (
    Part("iam", "Identity and Access Management"),
    Part("gce", "Google Compute Engine"),
    Part("gcs", "Google Cloud Storage"),
    Part("bigquery", "Google BigQuery"),
    Part("run", "Cloud Run"),
    Part("vertex", "Vertex AI"),
    Part("monitoring", "Cloud Monitoring"),
)
_PRODUCT_IDS = tuple(part.id for part in _PRODUCTS)

GOOGLE_CLOUD = Provider(
    id="google-cloud",
    name="Google Cloud",
    kind="gcp",
    category="cloud",
    parts=_PRODUCTS,
    # ~17:50 Service Control / IAM fails and Google's APIs answer 503; most regions are back
    # within about three hours.
    probes=(
        Probe(
            "googleapis",
            "Google APIs front end (OAuth2 certs)",
            fails=((utc_at("2025-06-12 17:50"), utc_at("2025-06-12 20:50")),),
        ),
    ),
    events=(
        Event(
            id="ow5i3PPK96RduMcb1SsW",
            title="Multiple Google Cloud products are returning 503 errors",
            impact=Impact.CRITICAL,
            # The page posted at 18:05 and dated the incident from when the 503s began.
            began=utc_at("2025-06-12 17:50"),
            posts=(
                Post(
                    utc_at("2025-06-12 18:05"),
                    Phase.INVESTIGATING,
                    "Many Google Cloud products answer with 503 errors in several regions. "
                    "Our engineers are investigating. Next update in 30 minutes.",
                    hit(_S.MAJOR_OUTAGE, *_PRODUCT_IDS),
                ),
                Post(
                    utc_at("2025-06-12 18:45"),
                    Phase.IDENTIFIED,
                    "We have traced the failures to Service Control, the system that checks "
                    "API requests before they reach a product, and are rolling out a fix "
                    "region by region.",
                ),
                Post(
                    utc_at("2025-06-12 19:40"),
                    Phase.IDENTIFIED,
                    "Most regions are recovering. us-central1 is still seeing errors because "
                    "of the load of tasks restarting there.",
                    hit(_S.PARTIAL_OUTAGE, *_PRODUCT_IDS),
                    Impact.MAJOR,
                ),
                Post(
                    utc_at("2025-06-12 20:50"),
                    Phase.MONITORING,
                    "Every region but us-central1 has recovered. We are working on "
                    "us-central1 and will update when it is done.",
                    hit(_S.DEGRADED, *_PRODUCT_IDS),
                    Impact.MINOR,
                ),
            ),
        ),
    ),
)

_CF_GROUP = "Cloudflare Sites and Services"
_CF_PARTS = (
    Part("kv", "Workers KV", _CF_GROUP),
    Part("access", "Access", _CF_GROUP),
    Part("warp", "WARP", _CF_GROUP),
    Part("gateway", "Gateway", _CF_GROUP),
    Part("workers-ai", "Workers AI", _CF_GROUP),
    Part("images", "Images", _CF_GROUP),
    Part("stream", "Stream", _CF_GROUP),
    Part("turnstile", "Turnstile", _CF_GROUP),
    Part("dashboard", "Dashboard", _CF_GROUP),
    Part("cdn", "CDN/Cache", _CF_GROUP),
    Part("dns", "Authoritative DNS", _CF_GROUP),
)
_CF_HIT = ("access", "warp", "gateway", "workers-ai", "images", "stream", "turnstile", "dashboard")

CLOUDFLARE = Provider(
    id="cloudflare",
    name="Cloudflare",
    kind="statuspage",
    category="cdn",
    parts=_CF_PARTS,
    # 17:52 Workers KV's storage on Google Cloud fails, and the dashboard and API with it, for
    # 2 h 28 min; the edge keeps serving cached and static traffic.
    probes=(
        calm.CLOUDFLARE_PROBES[0],
        Probe(
            "api",
            "Cloudflare API",
            fails=((utc_at("2025-06-12 17:52"), utc_at("2025-06-12 20:20")),),
        ),
    ),
    events=(
        Event(
            id="cf-workers-kv",
            title="Workers KV and dependent services are failing",
            impact=Impact.CRITICAL,
            posts=(
                Post(
                    utc_at("2025-06-12 17:57"),
                    Phase.INVESTIGATING,
                    "Workers KV requests are failing, and so are products built on it: "
                    "Access, WARP, Gateway, Workers AI, Images, Stream, Turnstile and the "
                    "dashboard. We are investigating.",
                    hit(_S.MAJOR_OUTAGE, "kv") + hit(_S.PARTIAL_OUTAGE, *_CF_HIT),
                ),
                Post(
                    utc_at("2025-06-12 18:30"),
                    Phase.IDENTIFIED,
                    "The cause is an outage of a third-party storage service that Workers KV "
                    "depends on, hosted on another cloud. We are working to reduce the impact "
                    "on the products that use Workers KV.",
                ),
                Post(
                    utc_at("2025-06-12 19:45"),
                    Phase.MONITORING,
                    "Workers KV is recovering as its storage provider comes back; dependent "
                    "products are recovering with it.",
                    hit(_S.DEGRADED, "kv", *_CF_HIT),
                    Impact.MINOR,
                ),
                Post(
                    utc_at("2025-06-12 20:20"),
                    Phase.RESOLVED,
                    "Workers KV and the products that depend on it work normally again.",
                ),
            ),
        ),
    ),
)

SCENARIO = Scenario(
    id="gcp-cloudflare-2025-06-12",
    title="Google Cloud outage cascading into Cloudflare, 2025-06-12",
    summary=(
        "Around 17:50 UTC a Service Control / IAM failure makes many Google Cloud products "
        "answer 503 in many regions. Minutes later Cloudflare's Workers KV, whose storage "
        "backend runs on Google Cloud, fails, and Access, WARP, Gateway, Workers AI, Images, "
        "Stream, Turnstile and the dashboard fail with it, for 2 h 28 min. Two providers, one "
        "cause: the case a combined view exists for. The replay ends while us-central1 is "
        "still recovering."
    ),
    start=utc_at("2025-06-12 17:45"),
    end=utc_at("2025-06-12 21:15"),
    peak=utc_at("2025-06-12 18:35"),
    speed=80.0,
    providers=(GOOGLE_CLOUD, CLOUDFLARE, calm.AWS, calm.OPENAI, calm.GITHUB),
)
