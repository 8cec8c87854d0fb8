"""Cloudflare, 2025-11-18: an oversized Bot Management feature file takes down the core proxy.

Times and components follow the public record (see FACTS.md); every sentence is ours. The
downstream posts of OpenAI and Canva are illustrative: they show how a CDN outage reaches the
sites behind it, with times that follow Cloudflare's.
"""

from __future__ import annotations

from statuswatch.demo.scenarios import calm
from statuswatch.demo.script import (
    Event,
    Part,
    Planned,
    Post,
    Probe,
    Provider,
    Scenario,
    hit,
    utc_at,
)
from statuswatch.model import Impact, Phase, Status

_S = Status
_GROUP = "Cloudflare Sites and Services"
_PARTS = (
    Part("cdn", "CDN/Cache", _GROUP),
    Part("bot", "Bot Management", _GROUP),
    Part("access", "Access", _GROUP),
    Part("warp", "WARP", _GROUP),
    Part("workers", "Workers", _GROUP),
    Part("kv", "Workers KV", _GROUP),
    Part("dashboard", "Dashboard", _GROUP),
    Part("turnstile", "Turnstile", _GROUP),
    Part("email", "Email Security", _GROUP),
    Part("firewall", "Firewall", _GROUP),
    Part("network", "Network", _GROUP),
    Part("dns", "Authoritative DNS", _GROUP),
    Part("registrar", "Registrar", _GROUP),
)
_ALL_HIT = ("cdn", "bot", "access", "warp", "workers", "kv", "dashboard", "turnstile")
_REST = ("email", "firewall", "network")


CLOUDFLARE = Provider(
    id="cloudflare",
    name="Cloudflare",
    kind="statuspage",
    category="cdn",
    parts=_PARTS,
    # 11:20 the first 5xx for customer traffic, the API and dashboard with it; ~14:30 a
    # known-good file is out and traffic flows again. The page first posts at 11:48.
    probes=tuple(
        Probe(p.id, p.name, fails=((utc_at("2025-11-18 11:20"), utc_at("2025-11-18 14:30")),))
        for p in calm.CLOUDFLARE_PROBES
    ),
    events=(
        Event(
            id="cf-global-network",
            title="Cloudflare Global Network experiencing issues",
            impact=Impact.CRITICAL,
            posts=(
                Post(
                    utc_at("2025-11-18 11:48"),
                    Phase.INVESTIGATING,
                    "We are looking into a problem on the Cloudflare global network. Many "
                    "customers' sites answer with HTTP 5xx errors. More news shortly.",
                    hit(_S.MAJOR_OUTAGE, "cdn", "bot") + hit(_S.PARTIAL_OUTAGE, "network"),
                ),
                Post(
                    utc_at("2025-11-18 12:10"),
                    Phase.INVESTIGATING,
                    "Errors come and go: traffic recovers for a few minutes, then fails "
                    "again. Access, WARP, Workers, the dashboard and Turnstile are affected "
                    "as well. We are still looking for the cause.",
                    hit(_S.MAJOR_OUTAGE, *_ALL_HIT) + hit(_S.PARTIAL_OUTAGE, *_REST),
                ),
                Post(
                    utc_at("2025-11-18 13:05"),
                    Phase.IDENTIFIED,
                    "We have found where the failure is. Workers KV and Access now bypass "
                    "the failing part of the proxy, which lowers their error rates. Other "
                    "products are still failing.",
                    hit(_S.DEGRADED, "kv", "access"),
                ),
                Post(
                    utc_at("2025-11-18 13:37"),
                    Phase.IDENTIFIED,
                    "The cause is a Bot Management configuration file that grew past the size "
                    "the proxy accepts. We are rolling that file back to an earlier version.",
                ),
                Post(
                    utc_at("2025-11-18 14:30"),
                    Phase.IDENTIFIED,
                    "A known-good version of the file is deployed worldwide and most traffic "
                    "flows normally again. Some products are still catching up with the load.",
                    hit(_S.DEGRADED, *_ALL_HIT, *_REST),
                    Impact.MAJOR,
                ),
                Post(
                    utc_at("2025-11-18 14:42"),
                    Phase.MONITORING,
                    "We are watching the recovery. The dashboard and a few products may still "
                    "show raised error rates while queued work drains.",
                    hit(_S.DEGRADED, "dashboard", "workers", "access")
                    + hit(_S.OPERATIONAL, "cdn", "bot", "warp", "kv", "turnstile", *_REST),
                    Impact.MINOR,
                ),
                Post(
                    utc_at("2025-11-18 17:06"),
                    Phase.RESOLVED,
                    "Every Cloudflare service works normally again and the incident is "
                    "closed. We will publish what went wrong and what we are changing.",
                ),
            ),
        ),
    ),
    planned=(
        Planned(
            id="cf-ord-maintenance",
            title="Scheduled maintenance in the ORD (Chicago) data centre",
            text="Traffic may be served from nearby data centres while we work on this site.",
            starts=utc_at("2025-11-19 06:00"),
            ends=utc_at("2025-11-19 10:00"),
            parts=("network",),
        ),
    ),
)

OPENAI = Provider(
    id="openai",
    name="OpenAI (API & ChatGPT)",
    kind="incidentio",
    category="ai",
    parts=(Part("chatgpt", "ChatGPT"), Part("api", "API"), Part("sora", "Sora")),
    probes=calm.OPENAI_PROBES,
    events=(
        Event(
            id="openai-chatgpt-access",
            title="Some users cannot reach ChatGPT",
            impact=Impact.MINOR,
            posts=(
                Post(
                    utc_at("2025-11-18 11:58"),
                    Phase.INVESTIGATING,
                    "Some users get errors when they open ChatGPT. We are looking into a "
                    "problem at one of our network providers.",
                    hit(_S.PARTIAL_OUTAGE, "chatgpt") + hit(_S.DEGRADED, "sora"),
                ),
                Post(
                    utc_at("2025-11-18 14:45"),
                    Phase.MONITORING,
                    "Access is coming back as our network provider recovers.",
                    hit(_S.DEGRADED, "chatgpt") + hit(_S.OPERATIONAL, "sora"),
                ),
                Post(
                    utc_at("2025-11-18 15:20"),
                    Phase.RESOLVED,
                    "ChatGPT is reachable for everyone again.",
                ),
            ),
        ),
    ),
)

CANVA = Provider(
    id="canva",
    name="Canva",
    kind="statuspage",
    category="productivity",
    parts=(Part("editor", "Editor"), Part("login", "Login"), Part("publishing", "Publishing")),
    probes=calm.CANVA_PROBES,
    events=(
        Event(
            id="canva-unavailable",
            title="Canva is unavailable for many users",
            impact=Impact.MAJOR,
            posts=(
                Post(
                    utc_at("2025-11-18 12:02"),
                    Phase.INVESTIGATING,
                    "Many users cannot open Canva. An upstream provider has a wide outage "
                    "and we are following it closely.",
                    hit(_S.PARTIAL_OUTAGE, "editor", "login", "publishing"),
                ),
                Post(
                    utc_at("2025-11-18 14:50"),
                    Phase.MONITORING,
                    "Canva loads again for most users. We keep watching.",
                    hit(_S.OPERATIONAL, "editor", "login", "publishing"),
                    Impact.MINOR,
                ),
                Post(
                    utc_at("2025-11-18 15:35"),
                    Phase.RESOLVED,
                    "Everything works normally again.",
                ),
            ),
        ),
    ),
)

SCENARIO = Scenario(
    id="cloudflare-2025-11-18",
    title="Cloudflare global outage (Bot Management feature file), 2025-11-18",
    summary=(
        "A database permissions change doubles the Bot Management feature file; the "
        "oversized file crashes Cloudflare's core proxy and sites behind Cloudflare fail "
        "worldwide. The status page posts at 11:48 UTC, a bypass helps Workers KV and Access at "
        "13:05, a known-good file restores traffic around 14:30 and the incident closes at "
        "17:06. OpenAI and Canva show the effect downstream (illustrative posts)."
    ),
    start=utc_at("2025-11-18 11:15"),
    end=utc_at("2025-11-18 17:15"),
    peak=utc_at("2025-11-18 12:30"),
    speed=120.0,
    providers=(
        CLOUDFLARE,
        OPENAI,
        CANVA,
        calm.GITHUB,
        calm.AWS,
        calm.GOOGLE_CLOUD,
    ),
)
