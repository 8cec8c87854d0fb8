"""Providers that stay calm in a scenario: the rest of the screen an engineer would be watching."""

from __future__ import annotations

from statuswatch.demo.script import Part, Provider

GITHUB = Provider(
    id="github",
    name="GitHub",
    kind="statuspage",
    category="devtools",
    parts=tuple(
        Part(name.lower().replace(" ", "-"), name)
        for name in (
            "Git Operations",
            "Webhooks",
            "API Requests",
            "Issues",
            "Pull Requests",
            "Actions",
            "Packages",
            "Pages",
            "Codespaces",
            "Copilot",
        )
    ),
)

CLOUDFLARE = Provider(
    id="cloudflare",
    name="Cloudflare",
    kind="statuspage",
    category="cdn",
    parts=(
        Part("cdn", "CDN/Cache", "Cloudflare Sites and Services"),
        Part("dns", "Authoritative DNS", "Cloudflare Sites and Services"),
        Part("workers", "Workers", "Cloudflare Sites and Services"),
    ),
)

OPENAI = Provider(
    id="openai",
    name="OpenAI (API & ChatGPT)",
    kind="incidentio",
    category="ai",
    parts=(Part("chatgpt", "ChatGPT"), Part("api", "API"), Part("sora", "Sora")),
)

# AWS and Google Cloud publish no component list: a calm page is an empty list of events.
AWS = Provider(id="aws", name="Amazon Web Services", kind="aws", category="cloud", parts=())
GOOGLE_CLOUD = Provider(
    id="google-cloud", name="Google Cloud", kind="gcp", category="cloud", parts=()
)
