"""Incidents sharing a cause: linked through runs_on edges when they open close together."""

from __future__ import annotations

from assess_helpers import minutes, open_incident, report

from statuswatch.correlate import correlate, correlation_id
from statuswatch.model import CorrelationMember, Phase, ProviderReport


def by_id(*reports: ProviderReport) -> dict[str, ProviderReport]:
    return {r.spec.id: r for r in reports}


def test_a_provider_and_what_it_runs_on_failing_together_are_linked() -> None:
    gcp = report("google-cloud", open_incident("g1", minutes(15)))
    cloudflare = report("cloudflare", open_incident("kv", minutes(7)), runs_on=("google-cloud",))
    (found,) = correlate([gcp, cloudflare], by_id(gcp, cloudflare))
    assert found.cause == "google-cloud"
    assert found.id == correlation_id("google-cloud", "g1")
    assert found.members == (
        CorrelationMember("cloudflare", "kv", minutes(7)),
        CorrelationMember("google-cloud", "g1", minutes(15)),
    )
    assert found.text == (
        "likely common cause: Google Cloud (18:05 UTC), already seen at Cloudflare (17:57 UTC)"
    )


def test_the_usual_order_reads_cause_then_effect() -> None:
    gcp = report("google-cloud", open_incident("g1", minutes(0)))
    cloudflare = report("cloudflare", open_incident("kv", minutes(2)), runs_on=("google-cloud",))
    (found,) = correlate([cloudflare, gcp], by_id(gcp, cloudflare))
    assert (
        found.text == "likely common cause: Google Cloud (17:50 UTC), then Cloudflare (17:52 UTC)"
    )


def test_incidents_more_than_30_minutes_apart_are_not_linked() -> None:
    gcp = report("google-cloud", open_incident("g1", minutes(0)))
    cloudflare = report("cloudflare", open_incident("kv", minutes(31)), runs_on=("google-cloud",))
    assert correlate([gcp, cloudflare], by_id(gcp, cloudflare)) == ()
    exactly = report("cloudflare", open_incident("kv", minutes(30)), runs_on=("google-cloud",))
    assert len(correlate([gcp, exactly], by_id(gcp, exactly))) == 1


def test_providers_without_an_edge_are_not_linked() -> None:
    a = report("a", open_incident("a1", minutes(0)))
    b = report("b", open_incident("b1", minutes(1)))
    assert correlate([a, b], by_id(a, b)) == ()


def test_resolved_incidents_are_not_linked() -> None:
    gcp = report("google-cloud", open_incident("g1", minutes(0), phase=Phase.RESOLVED))
    cloudflare = report("cloudflare", open_incident("kv", minutes(2)), runs_on=("google-cloud",))
    assert correlate([gcp, cloudflare], by_id(gcp, cloudflare)) == ()


def test_two_providers_on_a_third_with_an_open_incident_are_linked_to_it() -> None:
    # AWS opened long before; Canva and Epic opened within 30 minutes of each other.
    aws = report("aws", open_incident("use1", minutes(-120)))
    canva = report("canva", open_incident("c1", minutes(0)), runs_on=("aws",))
    epic = report("epic-games", open_incident("e1", minutes(20)), runs_on=("aws",))
    (found,) = correlate([aws, canva, epic], by_id(aws, canva, epic))
    assert found.cause == "aws"
    assert [m.provider for m in found.members] == ["aws", "canva", "epic-games"]
    # Without an open incident on the third, nothing links them.
    calm = report("aws")
    assert correlate([calm, canva, epic], by_id(calm, canva, epic)) == ()
    # Nor when they opened far apart.
    late = report("epic-games", open_incident("e1", minutes(45)), runs_on=("aws",))
    assert correlate([aws, canva, late], by_id(aws, canva, late)) == ()


def test_a_chain_is_one_correlation_caused_furthest_upstream() -> None:
    gcp = report("google-cloud", open_incident("g1", minutes(0)))
    cloudflare = report("cloudflare", open_incident("kv", minutes(2)), runs_on=("google-cloud",))
    openai = report("openai", open_incident("o1", minutes(10)), runs_on=("cloudflare",))
    (found,) = correlate([gcp, cloudflare, openai], by_id(gcp, cloudflare, openai))
    assert found.cause == "google-cloud"
    assert [m.provider for m in found.members] == ["google-cloud", "cloudflare", "openai"]
    assert found.text.endswith("then Cloudflare (17:52 UTC), OpenAI (18:00 UTC)")


def test_the_id_stays_when_another_provider_joins() -> None:
    gcp = report("google-cloud", open_incident("g1", minutes(0)))
    cloudflare = report("cloudflare", open_incident("kv", minutes(2)), runs_on=("google-cloud",))
    (first,) = correlate([gcp, cloudflare], by_id(gcp, cloudflare))
    replit = report("replit", open_incident("r1", minutes(12)), runs_on=("google-cloud",))
    (later,) = correlate([gcp, cloudflare, replit], by_id(gcp, cloudflare, replit))
    assert later.id == first.id
    assert len(later.members) == 3


def test_a_scoped_edge_links_only_incidents_in_its_scope() -> None:
    aws = report("aws", open_incident("mumbai", minutes(0), "EC2 (ap-south-1)"), kind="aws")
    canva = report("canva", open_incident("c1", minutes(5)), runs_on=("aws:us-east-1",))
    assert correlate([aws, canva], by_id(aws, canva)) == ()
    virginia = report("aws", open_incident("use1", minutes(0), "EC2 (us-east-1)"), kind="aws")
    (found,) = correlate([virginia, canva], by_id(virginia, canva))
    assert found.cause == "aws"


def test_an_incident_the_user_scoped_out_is_not_linked() -> None:
    # The user scoped Cloudflare to Workers KV: an incident elsewhere on it is not theirs.
    from statuswatch.scope import scope_report

    gcp = report("google-cloud", open_incident("g1", minutes(0)))
    cloudflare = report(
        "cloudflare",
        open_incident("lagos", minutes(3), "Lagos"),
        runs_on=("google-cloud",),
    )
    scoped = scope_report(cloudflare, ("Workers KV",))
    assert correlate([gcp, scoped], by_id(gcp, cloudflare)) == ()
