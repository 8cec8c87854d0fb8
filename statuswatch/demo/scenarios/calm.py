"""Providers that stay calm in a scenario: the rest of the screen an engineer would be watching."""

from __future__ import annotations

from statuswatch.demo.script import Part, Probe, Provider

# Stand-ins for the catalog's probes of each provider (providers.toml), served by the demo
# server: 401 as an API answers without credentials, or the scripted failure.
CLOUDFLARE_PROBES = (
    Probe("edge", "Cloudflare edge (cdn-cgi/trace)"),
    Probe("api", "Cloudflare API"),
)
OPENAI_PROBES = (Probe("api", "OpenAI API (/v1/models)"),)
AWS_PROBES = (
    Probe("dynamodb-us-east-1", "Amazon DynamoDB (us-east-1)"),
    Probe("s3-us-east-1", "Amazon S3 (us-east-1)"),
)
GOOGLE_CLOUD_PROBES = (Probe("googleapis", "Google APIs front end (OAuth2 certs)"),)
CANVA_PROBES = (Probe("api", "Canva Connect API"),)
EPIC_PROBES = (Probe("oidc", "Epic Online Services (OIDC discovery)"),)

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
    probes=(Probe("api", "GitHub REST API"),),
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
    probes=CLOUDFLARE_PROBES,
)

OPENAI = Provider(
    id="openai",
    name="OpenAI (API & ChatGPT)",
    kind="incidentio",
    category="ai",
    parts=(Part("chatgpt", "ChatGPT"), Part("api", "API"), Part("sora", "Sora")),
    probes=OPENAI_PROBES,
)

# AWS and Google Cloud publish no component list: a calm page is an empty list of events.
AWS = Provider(
    id="aws", name="Amazon Web Services", kind="aws", category="cloud", parts=(), probes=AWS_PROBES
)
GOOGLE_CLOUD = Provider(
    id="google-cloud",
    name="Google Cloud",
    kind="gcp",
    category="cloud",
    parts=(),
    probes=GOOGLE_CLOUD_PROBES,
)
