"""AWS us-east-1, 2025-10-20: an empty DNS record for DynamoDB, then a long tail of recovery.

Times and services follow the public record (see FACTS.md); every sentence is ours, written
the way the AWS Health Dashboard writes (Pacific time in the text). The Canva and Epic Games
posts are illustrative: they show the outage downstream, with times that follow AWS's.
"""

from __future__ import annotations

from statuswatch.demo.scenarios import calm
from statuswatch.demo.script import Event, Part, Post, Probe, Provider, Scenario, hit, utc_at
from statuswatch.model import Impact, Phase, Status

_S = Status
_REGION = "N. Virginia"
_SERVICES = (
    ("dynamodb", "Amazon DynamoDB"),
    ("ec2", "Amazon Elastic Compute Cloud"),
    ("elb", "Elastic Load Balancing"),
    ("lambda", "AWS Lambda"),
    ("ecs", "Amazon Elastic Container Service"),
    ("eks", "Amazon Elastic Kubernetes Service"),
    ("fargate", "AWS Fargate"),
    ("sts", "AWS Security Token Service"),
    ("redshift", "Amazon Redshift"),
    ("connect", "Amazon Connect"),
)
_PARTS = tuple(Part(f"{key}-us-east-1", name, _REGION) for key, name in _SERVICES)


def _ids(*keys: str) -> tuple[str, ...]:
    return tuple(f"{key}-us-east-1" for key in keys)


_DEPENDENTS = _ids("lambda", "ecs", "eks", "fargate", "sts", "redshift", "connect")

AWS = Provider(
    id="aws",
    name="Amazon Web Services",
    kind="aws",
    # 06:48 the regional DynamoDB name resolves to nothing (a connection that never answers,
    # here); DNS is back at 09:25. S3 in the region keeps answering. The page posts at 07:11.
    probes=(
        Probe(
            "dynamodb-us-east-1",
            "Amazon DynamoDB (us-east-1)",
            fails=((utc_at("2025-10-20 06:48"), utc_at("2025-10-20 09:25")),),
            failure="drop",
        ),
        calm.AWS_PROBES[1],
    ),
    category="cloud",
    parts=_PARTS,
    events=(
        Event(
            id="AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE_4A1C7_0F3B2D9E6C1",
            title="Increased Error Rates and Latencies",
            impact=Impact.MAJOR,
            posts=(
                Post(
                    utc_at("2025-10-20 07:11"),
                    Phase.INVESTIGATING,
                    "We are investigating increased error rates and latencies for multiple "
                    "AWS services in the US-EAST-1 Region. We will post another update within "
                    "30 minutes.",
                    hit(_S.PARTIAL_OUTAGE, *_ids("dynamodb")) + hit(_S.DEGRADED, *_DEPENDENTS),
                ),
                Post(
                    utc_at("2025-10-20 07:38"),
                    Phase.IDENTIFIED,
                    "12:38 AM PDT: We have traced the errors to DNS resolution of the "
                    "DynamoDB API endpoint in US-EAST-1 (dynamodb.us-east-1.amazonaws.com). "
                    "Services that call DynamoDB in this Region fail with it. We are working "
                    "on several paths to recovery in parallel.",
                    hit(_S.MAJOR_OUTAGE, *_ids("dynamodb")) + hit(_S.PARTIAL_OUTAGE, *_DEPENDENTS),
                    Impact.CRITICAL,
                ),
                Post(
                    utc_at("2025-10-20 09:25"),
                    Phase.IDENTIFIED,
                    "2:25 AM PDT: The DNS records for the DynamoDB endpoint are restored and "
                    "most requests succeed again as clients reconnect. Launching new EC2 "
                    "instances still fails; we are working through the backlog behind it.",
                    hit(_S.DEGRADED, *_ids("dynamodb"))
                    + hit(_S.MAJOR_OUTAGE, *_ids("ec2"))
                    + hit(_S.DEGRADED, *_DEPENDENTS),
                ),
                Post(
                    utc_at("2025-10-20 12:30"),
                    Phase.IDENTIFIED,
                    "5:30 AM PDT: Network Load Balancer health checks are failing in "
                    "US-EAST-1, which causes connection errors for Lambda, ECS, EKS, Fargate, "
                    "STS, Redshift and Amazon Connect. EC2 launches are still throttled while "
                    "we recover.",
                    hit(_S.OPERATIONAL, *_ids("dynamodb"))
                    + hit(_S.PARTIAL_OUTAGE, *_ids("elb"))
                    + hit(_S.PARTIAL_OUTAGE, *_DEPENDENTS),
                ),
                Post(
                    utc_at("2025-10-20 17:36"),
                    Phase.MONITORING,
                    "10:36 AM PDT: EC2 instance launches succeed again in every Availability "
                    "Zone. We are still restoring Network Load Balancer health checks.",
                    hit(_S.OPERATIONAL, *_ids("ec2")) + hit(_S.DEGRADED, *_DEPENDENTS),
                    Impact.MINOR,
                ),
                Post(
                    utc_at("2025-10-20 21:09"),
                    Phase.MONITORING,
                    "2:09 PM PDT: Network Load Balancer health checks have recovered. "
                    "Services are working through their remaining backlogs.",
                    hit(_S.OPERATIONAL, *_ids("elb")),
                ),
                Post(
                    utc_at("2025-10-20 21:20"),
                    Phase.RESOLVED,
                    "2:20 PM PDT: All AWS services in US-EAST-1 operate normally. A few "
                    "services will need some more hours to finish processing their queued "
                    "messages.",
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
            id="canva-aws",
            title="Canva is slow or unavailable for some users",
            impact=Impact.MAJOR,
            posts=(
                Post(
                    utc_at("2025-10-20 07:25"),
                    Phase.INVESTIGATING,
                    "Some users cannot log in or save designs. A cloud provider we rely on "
                    "has an outage and we are following it.",
                    hit(_S.PARTIAL_OUTAGE, "login", "editor") + hit(_S.DEGRADED, "publishing"),
                ),
                Post(
                    utc_at("2025-10-20 10:10"),
                    Phase.MONITORING,
                    "Most features work again; we keep watching as the provider recovers.",
                    hit(_S.DEGRADED, "login", "editor") + hit(_S.OPERATIONAL, "publishing"),
                    Impact.MINOR,
                ),
                Post(
                    utc_at("2025-10-20 18:00"),
                    Phase.RESOLVED,
                    "Canva works normally again.",
                ),
            ),
        ),
    ),
)

EPIC = Provider(
    id="epic-games",
    probes=calm.EPIC_PROBES,
    name="Epic Games (Fortnite, Epic Online Services)",
    kind="statuspage",
    category="gaming",
    parts=(
        Part("fortnite-login", "Fortnite Login", "Fortnite"),
        Part("fortnite-matchmaking", "Fortnite Matchmaking", "Fortnite"),
        Part("store", "Epic Games Store"),
        Part("eos", "Epic Online Services"),
    ),
    events=(
        Event(
            id="epic-login",
            title="Players cannot log in to Fortnite and other Epic games",
            impact=Impact.MAJOR,
            posts=(
                Post(
                    utc_at("2025-10-20 07:20"),
                    Phase.INVESTIGATING,
                    "Log-ins fail for many players. The cause is an outage at a third-party "
                    "cloud provider, and we are working on it with them.",
                    hit(_S.MAJOR_OUTAGE, "fortnite-login", "eos")
                    + hit(_S.PARTIAL_OUTAGE, "fortnite-matchmaking", "store"),
                ),
                Post(
                    utc_at("2025-10-20 10:30"),
                    Phase.MONITORING,
                    "Players can log in again; matchmaking queues may be longer than usual.",
                    hit(_S.OPERATIONAL, "fortnite-login", "store", "eos")
                    + hit(_S.DEGRADED, "fortnite-matchmaking"),
                    Impact.MINOR,
                ),
                Post(
                    utc_at("2025-10-20 13:00"),
                    Phase.RESOLVED,
                    "Log-in and matchmaking work normally again.",
                ),
            ),
        ),
    ),
)

SCENARIO = Scenario(
    id="aws-us-east-1-2025-10-20",
    title="AWS us-east-1 outage (DynamoDB DNS), 2025-10-20",
    summary=(
        "A race in DynamoDB's DNS automation leaves the us-east-1 endpoint with an empty "
        "record at 06:48 UTC. The Health Dashboard posts at 07:11, names DNS at 07:38, DNS is "
        "back at 09:25, but EC2 launches fail until 17:36 and Network Load Balancer health "
        "checks until 21:09; AWS closes the event at 21:20. Canva and Epic Games show the "
        "effect downstream (illustrative posts)."
    ),
    start=utc_at("2025-10-20 06:45"),
    end=utc_at("2025-10-20 21:30"),
    peak=utc_at("2025-10-20 08:00"),
    speed=240.0,
    providers=(AWS, CANVA, EPIC, calm.CLOUDFLARE, calm.GOOGLE_CLOUD, calm.OPENAI, calm.GITHUB),
)
