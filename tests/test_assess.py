"""assess(): one poll's reports turned into what they mean for the user."""

from __future__ import annotations

import dataclasses

from assess_helpers import T0, minutes, open_incident, report

from statuswatch.assess import assess
from statuswatch.model import Impact, Snapshot, Status
from statuswatch.scope import parse_target
from statuswatch.stacks import Stack


def test_a_cloudflare_incident_marks_what_runs_on_it_without_touching_its_status() -> None:
    snapshot = Snapshot(
        T0,
        (
            report("cloudflare", open_incident("cf", T0, impact=Impact.CRITICAL)),
            report("openai", runs_on=("cloudflare",)),
            report("canva", runs_on=("cloudflare", "aws:us-east-1")),
            report("github"),
        ),
    )
    seen = {r.spec.id: r for r in assess(snapshot).reports}
    assert [(r.provider, r.status) for r in seen["openai"].at_risk_from] == [
        ("cloudflare", Status.MAJOR_OUTAGE)
    ]
    assert [r.provider for r in seen["canva"].at_risk_from] == ["cloudflare"]
    assert seen["openai"].status is Status.OPERATIONAL
    assert seen["canva"].status is Status.OPERATIONAL
    assert seen["github"].at_risk_from == ()
    assert seen["cloudflare"].at_risk_from == ()


def test_reports_are_scoped_by_their_spec_and_stacks_by_their_parts() -> None:
    aws = report(
        "aws",
        open_incident("m", T0, "EC2 (ap-south-1)", impact=Impact.CRITICAL),
        kind="aws",
        scope=("us-east-1",),
    )
    stripe = report("stripe", open_incident("s", T0, impact=Impact.MINOR))
    stacks = [
        Stack("checkout", "Checkout", tuple(map(parse_target, ["stripe", "aws:us-east-1"]))),
        Stack("mumbai", "Mumbai", (parse_target("aws:ap-south-1"),)),
    ]
    assessed = assess(Snapshot(T0, (aws, stripe)), stacks)
    assert assessed.reports[0].status is Status.OPERATIONAL
    assert assessed.reports[0].scope is not None
    assert [(s.id, s.status) for s in assessed.stacks] == [
        ("checkout", Status.DEGRADED),
        ("mumbai", Status.MAJOR_OUTAGE),
    ]


def test_correlations_come_out_of_the_scoped_reports() -> None:
    snapshot = Snapshot(
        minutes(40),
        (
            report("google-cloud", open_incident("g", minutes(15))),
            report("cloudflare", open_incident("kv", minutes(7)), runs_on=("google-cloud",)),
        ),
    )
    (found,) = assess(snapshot).correlations
    assert found.cause == "google-cloud"
    assert {m.provider for m in found.members} == {"google-cloud", "cloudflare"}


def test_a_report_assessed_before_is_not_cut_twice() -> None:
    aws = report(
        "aws", open_incident("m", T0, "EC2 (ap-south-1)"), kind="aws", scope=("us-east-1",)
    )
    once = assess(Snapshot(T0, (aws,)))
    twice = assess(once)
    assert twice.reports[0].scope == once.reports[0].scope
    assert twice.reports[0].scope is not None
    assert twice.reports[0].scope.out_of_scope_incidents == 1


def test_an_early_warning_puts_dependents_at_risk() -> None:
    snapshot = Snapshot(T0, (report("cloudflare"), report("openai", runs_on=("cloudflare",))))
    seen = assess(snapshot, early_warnings={"cloudflare"}).reports[1]
    assert [(r.provider, r.early_warning) for r in seen.at_risk_from] == [("cloudflare", True)]
    assert dataclasses.replace(seen, at_risk_from=()).status is Status.OPERATIONAL
