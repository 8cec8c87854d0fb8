"""Stacks: the worst of their parts, each part scoped as written, with reasons and risks."""

from __future__ import annotations

from assess_helpers import T0, failed, open_incident, report

from statuswatch.model import Component, Impact, Phase, ProviderReport, StackPart, Status
from statuswatch.scope import parse_target
from statuswatch.stacks import Stack, evaluate


def stack(*uses: str) -> Stack:
    return Stack("checkout", "Checkout", tuple(parse_target(use) for use in uses))


def aws_page() -> dict[str, ProviderReport]:
    """AWS with an outage in ap-south-1 only."""
    mumbai = Component("ec2-ap-south-1", "Amazon EC2 (ap-south-1)", Status.MAJOR_OUTAGE)
    return {
        "aws": report(
            "aws",
            open_incident("m", T0, "Amazon EC2 (ap-south-1)", impact=Impact.CRITICAL),
            kind="aws",
            components=(mumbai,),
        )
    }


def test_a_stack_of_three_with_one_degraded_is_degraded() -> None:
    reports = {
        "stripe": report("stripe", open_incident("s", T0, impact=Impact.MINOR)),
        "cloudflare": report("cloudflare"),
        "github": report("github"),
    }
    rated = evaluate(stack("stripe", "cloudflare", "github"), reports)
    assert rated.status is Status.DEGRADED
    assert rated.parts == (
        StackPart("stripe", None, Status.DEGRADED),
        StackPart("cloudflare", None, Status.OPERATIONAL),
        StackPart("github", None, Status.OPERATIONAL),
    )
    assert rated.reasons == ("Stripe: degraded: Incident s",)


def test_a_major_outage_of_one_part_makes_the_stack_a_major_outage() -> None:
    reports = {
        "stripe": report("stripe", open_incident("s", T0, impact=Impact.CRITICAL)),
        "cloudflare": report("cloudflare", open_incident("c", T0, impact=Impact.MINOR)),
    }
    assert evaluate(stack("stripe", "cloudflare"), reports).status is Status.MAJOR_OUTAGE


def test_the_worst_part_gives_the_first_reason() -> None:
    # The first reason is what the table, the live view and `wait` show: it was the first part
    # in `uses` that had trouble, so a major outage read "Stripe: degraded: ...".
    reports = {
        "stripe": report("stripe", open_incident("s", T0, impact=Impact.MINOR)),
        "b": failed("b"),
        "cloudflare": report("cloudflare", open_incident("c", T0, impact=Impact.CRITICAL)),
    }
    rated = evaluate(stack("stripe", "b", "cloudflare", "ghost"), reports)
    assert rated.status is Status.MAJOR_OUTAGE
    assert rated.reasons == (
        "Cloudflare: major outage: Incident c",
        "Stripe: degraded: Incident s",
        "B: unknown (timeout: no answer)",
        "ghost: not polled",
    )


def test_each_part_is_scoped_as_written() -> None:
    reports = aws_page()
    assert evaluate(stack("aws:us-east-1"), reports).status is Status.OPERATIONAL
    rated = evaluate(stack("aws:ap-south-1"), reports)
    assert rated.status is Status.MAJOR_OUTAGE
    assert rated.parts == (StackPart("aws", ("ap-south-1",), Status.MAJOR_OUTAGE),)
    assert rated.reasons == ("Amazon Web Services (ap-south-1): major outage: Incident m",)


def test_an_outage_outranks_an_unknown_part_and_unknown_outranks_calm() -> None:
    reports = {
        "a": report("a", open_incident("x", T0, impact=Impact.CRITICAL)),
        "b": failed("b"),
        "c": report("c"),
    }
    assert evaluate(stack("a", "b"), reports).status is Status.MAJOR_OUTAGE
    unknown = evaluate(stack("b", "c"), reports)
    assert unknown.status is Status.UNKNOWN
    assert unknown.reasons == ("B: unknown (timeout: no answer)",)


def test_a_part_not_polled_is_unknown_and_said_so() -> None:
    rated = evaluate(stack("ghost"), {})
    assert rated.status is Status.UNKNOWN
    assert rated.reasons == ("ghost: not polled",)


def test_a_scope_matching_nothing_is_a_reason_not_silence() -> None:
    page = report("github", components=(Component("a", "Actions", Status.OPERATIONAL),))
    rated = evaluate(stack("github:Actoins"), {"github": page})
    assert rated.status is Status.OPERATIONAL
    assert len(rated.reasons) == 1 and "did you mean 'Actions'?" in rated.reasons[0]


def test_a_stack_may_be_affected_through_what_its_parts_run_on() -> None:
    reports = {
        "openai": report("openai", runs_on=("cloudflare",)),
        "cloudflare": report("cloudflare", open_incident("cf", T0, "CDN/Cache")),
    }
    rated = evaluate(stack("openai"), reports)
    assert rated.status is Status.OPERATIONAL  # a risk never changes a status
    assert [r.provider for r in rated.at_risk_from] == ["cloudflare"]
    assert rated.reasons == ("may be affected by Cloudflare",)
    # A provider the stack uses itself rates the stack directly: it is not a risk as well.
    both = evaluate(stack("openai", "cloudflare"), reports)
    assert both.at_risk_from == ()
    assert both.status is Status.PARTIAL_OUTAGE


def test_maintenance_in_progress_is_named() -> None:
    from statuswatch.model import Maintenance, Page

    base = report("db")
    work = Maintenance("m", "Storage upgrade", Phase.IN_PROGRESS, T0)
    page = Page(Status.MAINTENANCE, maintenances=(work,))
    rated = evaluate(stack("db"), {"db": ProviderReport(base.spec, page, T0)})
    assert rated.status is Status.MAINTENANCE
    assert rated.reasons == ("Db: maintenance: Storage upgrade",)
