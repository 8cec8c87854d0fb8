"""The blast radius: providers marked at risk when something they run on fails."""

from __future__ import annotations

from assess_helpers import T0, failed, minutes, open_incident, report

from statuswatch.blast import risk_text, risks
from statuswatch.model import Component, Impact, Phase, Status, Target
from statuswatch.scope import parse_target


def edges(*texts: str) -> tuple[Target, ...]:
    return tuple(parse_target(text) for text in texts)


def test_an_upstream_incident_puts_what_runs_on_it_at_risk() -> None:
    upstream = {"cloudflare": report("cloudflare", open_incident("cf", T0, "CDN/Cache"))}
    found = risks(edges("cloudflare"), upstream)
    assert [(r.provider, r.name, r.scope, r.status, r.early_warning) for r in found] == [
        ("cloudflare", "Cloudflare", None, Status.PARTIAL_OUTAGE, False)
    ]
    assert risk_text(found[0]) == "may be affected by Cloudflare"


def test_a_calm_upstream_puts_nothing_at_risk() -> None:
    upstream = {
        "cloudflare": report("cloudflare"),
        "aws": report("aws", open_incident("old", T0, phase=Phase.RESOLVED)),
    }
    assert risks(edges("cloudflare", "aws"), upstream) == ()


def test_an_unread_or_unpolled_upstream_is_not_a_risk() -> None:
    upstream = {"cloudflare": failed("cloudflare")}
    assert risks(edges("cloudflare", "fastly"), upstream) == ()


def test_a_scoped_edge_counts_only_incidents_in_its_scope() -> None:
    aws_elsewhere = report(
        "aws",
        open_incident("mumbai", T0, "Amazon EC2 (ap-south-1)", impact=Impact.CRITICAL),
        kind="aws",
    )
    assert risks(edges("aws:us-east-1"), {"aws": aws_elsewhere}) == ()
    assert [r.status for r in risks(edges("aws"), {"aws": aws_elsewhere})] == [Status.MAJOR_OUTAGE]
    aws_here = report(
        "aws",
        open_incident("virginia", T0, "Amazon DynamoDB (us-east-1)", impact=Impact.MAJOR),
        components=(
            Component(
                "ddb", "Amazon DynamoDB (us-east-1)", Status.MAJOR_OUTAGE, group="N. Virginia"
            ),
        ),
        kind="aws",
    )
    found = risks(edges("aws:us-east-1"), {"aws": aws_here})
    assert [(r.scope, r.status) for r in found] == [(("us-east-1",), Status.MAJOR_OUTAGE)]
    assert risk_text(found[0]) == "may be affected by Amazon Web Services (us-east-1)"


def test_an_incident_naming_no_component_counts_for_a_scoped_edge() -> None:
    # "May be affected" is a hedge already: an upstream incident that could be anywhere counts.
    upstream = {"aws": report("aws", open_incident("vague", T0), kind="aws")}
    assert len(risks(edges("aws:us-east-1"), upstream)) == 1


def test_an_early_warning_is_a_risk_marked_as_such() -> None:
    upstream = {"cloudflare": report("cloudflare")}
    found = risks(edges("cloudflare"), upstream, early_warnings={"cloudflare"})
    assert [(r.status, r.early_warning) for r in found] == [(Status.OPERATIONAL, True)]
    assert risk_text(found[0]) == "may be affected by Cloudflare (early warning)"


def test_the_table_gives_an_early_warning_risk_no_status_of_its_page() -> None:
    # It read "? may be affected by Cloudflare (early warning) (operational)": the upstream's
    # page status says nothing about a risk its page has not admitted.
    from dataclasses import replace

    from statuswatch.model import Risk, Snapshot
    from statuswatch.table import status_table

    warned = Risk("cloudflare", "Cloudflare", None, Status.OPERATIONAL, early_warning=True)
    failing = Risk("aws", "Amazon Web Services", None, Status.PARTIAL_OUTAGE)
    child = replace(report("canva"), at_risk_from=(warned, failing))
    lines = status_table(Snapshot(T0, (child,))).splitlines()
    assert "    ? may be affected by Cloudflare (early warning)" in lines
    assert "    ? may be affected by Amazon Web Services (partial outage)" in lines


def test_an_edge_to_itself_and_a_repeated_edge_count_once_or_not_at_all() -> None:
    upstream = {"cloudflare": report("cloudflare", open_incident("cf", minutes(1)))}
    assert risks(edges("cloudflare"), upstream, own_id="cloudflare") == ()
    assert len(risks(edges("cloudflare", "cloudflare"), upstream)) == 1
