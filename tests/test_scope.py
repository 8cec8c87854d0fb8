"""Scoping a provider to the components it is used for: patterns, the scoped status, every kind."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scoping_pages import aws_event, aws_events, grouped_page

from statuswatch import adapters
from statuswatch.model import (
    Component,
    Impact,
    Incident,
    Maintenance,
    Page,
    Phase,
    ProviderReport,
    ProviderSpec,
    Status,
    Target,
)
from statuswatch.scope import (
    IMPACTED_ONLY,
    Scope,
    component_labels,
    parse_target,
    scope_report,
    suggestions,
)

FIXTURES = Path(__file__).parent / "fixtures"
T0 = datetime(2025, 10, 20, 7, 0, tzinfo=UTC)


def spec(kind: str = "statuspage", provider: str = "p") -> ProviderSpec:
    return ProviderSpec(id=provider, name=provider.title(), kind=kind, url="https://x.example")


def report(page: Page, kind: str = "statuspage") -> ProviderReport:
    return ProviderReport(spec(kind), page, T0)


# -- patterns -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "label", "expected"),
    [
        ("us-east-1", "EC2 (us-east-1)", True),
        ("US-EAST-1", "ec2 (us-east-1)", True),
        ("us-east-1", "ec2-us-east-1", True),  # AWS RSS keys
        ("us-east-1", "EC2 (us-east-10)", False),
        ("us-east-1", "EC2 (xus-east-1)", False),
        ("east", "N. Virginia (us-east-1)", True),
        ("Edge", "Edge Network", True),
        ("Edg", "Edge Network", False),  # a whole word, not a prefix
        ("Edge Network", "Edge Network / Frankfurt", True),
        ("(us-east-1)", "EC2 (us-east-1)", True),
        ("EC2*", "EC2 (us-east-1)", True),
        ("ec2*", "Amazon EC2 (us-east-1)", False),  # a glob covers the whole label
        ("*ec2*", "Amazon EC2 (us-east-1)", True),
        ("*", "anything", True),
        ("API [beta]", "API [beta]", True),  # brackets are plain characters
        ("a.b", "axb", False),  # so are dots
    ],
)
def test_pattern_matching(pattern: str, label: str, expected: bool) -> None:
    assert Scope([pattern]).matches([label]) is expected


def test_a_component_is_matched_on_its_name_id_group_and_group_slash_name() -> None:
    component = Component("cmp-fra", "Frankfurt", Status.OPERATIONAL, group="Edge Network")
    assert component_labels(component) == (
        "Frankfurt",
        "cmp-fra",
        "Edge Network",
        "Edge Network / Frankfurt",
    )
    for pattern in ("frankfurt", "CMP-FRA", "edge network", "Edge Network / Frankfurt"):
        assert Scope([pattern]).matches(component_labels(component)), pattern
    assert not Scope(["Amsterdam"]).matches(component_labels(component))


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("aws", Target("aws")),
        ("aws:us-east-1", Target("aws", ("us-east-1",))),
        ("aws:us-east-1, eu-west-1", Target("aws", ("us-east-1", "eu-west-1"))),
        ("github:Actions,Actions", Target("github", ("Actions",))),
        ("cloudflare:Edge  Network", Target("cloudflare", ("Edge Network",))),
    ],
)
def test_targets_are_read(text: str, target: Target) -> None:
    assert parse_target(text) == target
    assert str(parse_target(str(target))) == str(target)


@pytest.mark.parametrize("text", ["", ":x", "aws:", "aws:a,,b", "aws: ,b"])
def test_bad_targets_are_refused_in_one_line(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_target(text)
    assert "\n" not in str(caught.value)


def test_suggestions_are_close_names() -> None:
    names = ["Workers KV", "Workers AI", "CDN/Cache", "Access"]
    assert suggestions("workr kv", names)[0] == "Workers KV"
    assert suggestions("zzz", names) == []


# -- AWS: regions -------------------------------------------------------------------------------


def aws_page(*events: dict[str, object]) -> Page:
    return adapters.load("aws").parse(aws_events(*events), {})


def test_aws_scoped_to_a_region_ignores_an_event_in_another_region() -> None:
    page = aws_page(aws_event("ap-south-1", "ec2", "3"))
    assert page.status is Status.PARTIAL_OUTAGE  # the whole page says something is wrong
    scoped = scope_report(report(page, "aws"), ("us-east-1",))
    assert scoped.status is Status.OPERATIONAL
    assert scoped.page is not None
    assert scoped.page.components == ()
    assert scoped.page.incidents == ()
    assert scoped.scope is not None
    assert (scoped.scope.out_of_scope_components, scoped.scope.out_of_scope_incidents) == (1, 1)
    assert scoped.scope.warning is None  # AWS lists only what is impacted: no match is calm


def test_aws_scoped_to_a_region_sees_an_event_in_that_region() -> None:
    page = aws_page(aws_event("ap-south-1", "ec2", "3"), aws_event("us-east-1", "dynamodb", "2"))
    scoped = scope_report(report(page, "aws"), ("us-east-1",))
    assert scoped.status is Status.PARTIAL_OUTAGE
    assert scoped.page is not None
    assert [c.name for c in scoped.page.components] == ["Amazon DYNAMODB (us-east-1)"]
    assert [i.title for i in scoped.page.incidents] == ["Increased error rates (us-east-1)"]
    assert scoped.scope is not None and scoped.scope.unnamed == frozenset()


def test_aws_region_and_service_patterns_are_alternatives() -> None:
    page = aws_page(aws_event("ap-south-1", "ec2", "1"), aws_event("eu-west-1", "s3", "3"))
    scoped = scope_report(report(page, "aws"), ("us-east-1", "EC2*"))
    assert scoped.status is Status.DEGRADED  # EC2 in ap-south-1, by the glob
    assert scoped.scope is not None and scoped.scope.out_of_scope_incidents == 1


def test_a_resolved_event_in_scope_is_kept_without_counting() -> None:
    page = aws_page(aws_event("us-east-1", "ec2", "3", ended=True))
    scoped = scope_report(report(page, "aws"), ("us-east-1",))
    assert scoped.status is Status.OPERATIONAL
    assert scoped.page is not None and len(scoped.page.incidents) == 1


# -- Statuspage: groups ---------------------------------------------------------------------------


def test_statuspage_scoped_to_a_group_ignores_an_outage_in_another_group() -> None:
    page = adapters.load("statuspage").parse(grouped_page("Americas"), {})
    assert page.status is Status.MAJOR_OUTAGE
    scoped = scope_report(report(page), ("Europe",))
    assert scoped.status is Status.OPERATIONAL
    assert scoped.page is not None
    assert [(c.group, c.name) for c in scoped.page.components] == [
        ("Europe", "API"),
        ("Europe", "WEB"),
    ]
    assert scoped.page.incidents == ()
    assert scoped.scope is not None
    assert (scoped.scope.out_of_scope_components, scoped.scope.out_of_scope_incidents) == (2, 1)
    assert scoped.scope.warning is None


def test_statuspage_scoped_to_a_group_sees_an_outage_in_it() -> None:
    page = adapters.load("statuspage").parse(grouped_page("Europe"), {})
    scoped = scope_report(report(page), ("europe",))
    assert scoped.status is Status.MAJOR_OUTAGE
    assert scoped.page is not None and [i.id for i in scoped.page.incidents] == ["inc-Europe"]


def test_components_of_one_name_in_two_groups_are_told_apart_by_id() -> None:
    page = adapters.load("statuspage").parse(grouped_page("Americas"), {})
    assert page.incidents[0].components == ("API", "WEB")  # the names alone are ambiguous
    scoped = scope_report(report(page), ("Europe / API",))
    assert scoped.page is not None
    assert [c.id for c in scoped.page.components] == ["eu-api"]
    assert scoped.status is Status.OPERATIONAL


def test_without_ids_an_ambiguous_name_may_be_either_component() -> None:
    page = adapters.load("statuspage").parse(grouped_page("Americas"), {})
    vague = dataclasses.replace(page.incidents[0], component_ids=())
    page = dataclasses.replace(page, incidents=(vague,))
    scoped = scope_report(report(page), ("Europe / API",))
    assert scoped.status is Status.MAJOR_OUTAGE  # "API" may be Europe's: not ruled out


# -- what the scoped status is made of ----------------------------------------------------------


def page_with(
    *, incidents: tuple[Incident, ...] = (), maintenances: tuple[Maintenance, ...] = ()
) -> Page:
    return Page(
        status=Status.MAJOR_OUTAGE,
        description="Major outage",
        components=(
            Component("a", "API", Status.OPERATIONAL),
            Component("w", "Web", Status.MAJOR_OUTAGE),
            Component("d", "Database", Status.OPERATIONAL),
        ),
        incidents=incidents,
        maintenances=maintenances,
    )


def incident(
    ident: str, impact: Impact, *components: str, phase: Phase = Phase.INVESTIGATING
) -> Incident:
    return Incident(ident, f"incident {ident}", impact, phase, T0, components=components)


def test_an_incident_naming_no_component_is_kept_but_does_not_rate_the_scope() -> None:
    page = page_with(
        incidents=(incident("vague", Impact.CRITICAL), incident("web", Impact.MAJOR, "Web"))
    )
    scoped = scope_report(report(page), ("API",))
    assert scoped.status is Status.OPERATIONAL
    assert scoped.page is not None and [i.id for i in scoped.page.incidents] == ["vague"]
    assert scoped.scope is not None and scoped.scope.unnamed == frozenset({"vague"})
    assert scoped.scope.out_of_scope_incidents == 1


def test_an_open_incident_touching_the_scope_rates_it_by_its_impact() -> None:
    page = page_with(incidents=(incident("api", Impact.MINOR, "API"),))
    assert scope_report(report(page), ("api",)).status is Status.DEGRADED
    closed = page_with(incidents=(incident("api", Impact.MAJOR, "API", phase=Phase.RESOLVED),))
    assert scope_report(report(closed), ("api",)).status is Status.OPERATIONAL


def test_maintenance_in_progress_on_the_scope_shows() -> None:
    ongoing = Maintenance("m", "Upgrade", Phase.IN_PROGRESS, T0, components=("Database",))
    later = Maintenance("n", "Later", Phase.SCHEDULED, T0, components=("Database",))
    elsewhere = Maintenance("o", "Web work", Phase.IN_PROGRESS, T0, components=("Web",))
    page = page_with(maintenances=(ongoing, later, elsewhere))
    scoped = scope_report(report(page), ("Database",))
    assert scoped.status is Status.MAINTENANCE
    assert scoped.page is not None and [m.id for m in scoped.page.maintenances] == ["m", "n"]
    assert scope_report(report(page), ("API",)).status is Status.OPERATIONAL


def test_the_worst_matching_component_rates_the_scope() -> None:
    page = page_with()
    assert scope_report(report(page), ("API", "Web")).status is Status.MAJOR_OUTAGE
    assert scope_report(report(page), ("API",)).status is Status.OPERATIONAL


def test_no_scope_leaves_the_report_as_it_is() -> None:
    original = report(page_with())
    assert scope_report(original, None) is original


def test_a_pattern_matching_nothing_on_a_full_page_warns_with_suggestions() -> None:
    scoped = scope_report(report(page_with()), ("API", "Databse"))
    assert scoped.scope is not None and scoped.scope.warning is not None
    warning = scoped.scope.warning
    assert "'Databse'" in warning and "did you mean 'Database'?" in warning
    assert "'API'" not in warning  # that one matched
    assert "statuswatch components p" in warning
    assert "\n" not in warning
    assert scoped.page is not None and scoped.page.description == warning


def test_a_page_with_no_components_at_all_warns() -> None:
    scoped = scope_report(report(Page(Status.OPERATIONAL)), ("API",))
    assert scoped.scope is not None and "lists no components" in (scoped.scope.warning or "")


def test_an_unread_page_stays_unknown_with_its_scope_noted() -> None:
    from statuswatch.model import ErrorType, FetchError

    failed = ProviderReport(spec(), None, None, error=FetchError(ErrorType.TIMEOUT, "slow"))
    scoped = scope_report(failed, ("API",))
    assert scoped.status is Status.UNKNOWN
    assert scoped.scope is not None and scoped.scope.patterns == ("API",)


# -- every kind ---------------------------------------------------------------------------------

# kind -> (its documents, in the order of the adapter's source_urls; a pattern naming a part down)
_FIXTURE: dict[str, tuple[tuple[str, ...], str]] = {
    "statuspage": (("statuspage/summary-chicago.json",), "Frankfurt"),
    "incidentio": (("incidentio/summary-active.json",), "API"),
    "aws": (("aws/currentevents-active.json",), "us-east-1"),
    "gcp": (("gcp/incidents-mixed.json",), "us-central1"),
    "azure": (("azure/feed-with-items.xml",), "Multiple regions"),
    "slack": (("slack/current-outage.json",), "Messaging"),
    "statusio": (("statusio/status-incident.json",), "CI Runners"),
    "betterstack": (("betterstack/index-downtime.json",), "Inference"),
    "instatus": (
        ("instatus/summary-issues.json", "instatus/components-issues.json"),
        "Platform",
    ),
    "feed": (("feed/incidentio.atom",), "*"),
    "cachet": (
        ("cachet/derived-components-issues.json", "cachet/documented-incidents.json"),
        "Yoti App",
    ),
    "gatus": (("gatus/derived-statuses-mixed.json",), "core"),
    "playstation": (("playstation/documented-shape-SCEA-issues.json",), "Gaming and Social"),
    "statuspal": (("statuspal/derived-status-major-incident.json",), "Platform"),
    "upptime": (("upptime/derived-summary-degraded-and-down.json",), "API"),
    "uptimekuma": (
        (
            "uptimekuma/derived-page-incident-maintenance.json",
            "uptimekuma/derived-heartbeat-one-down.json",
        ),
        "Plex",
    ),
    "xbox": (("xbox/derived-impacted.json",), "Account & profile"),
}


def parse_fixture(kind: str) -> Page:
    paths, _pattern = _FIXTURE[kind]
    bodies = [(FIXTURES / path).read_bytes() for path in paths]
    adapter = adapters.load(kind)
    several = adapters.multi(adapter)
    if several is not None:
        return several.parse_many([(body, {}) for body in bodies])
    return adapter.parse(bodies[0], {})


def test_every_kind_has_a_fixture_here() -> None:
    assert set(_FIXTURE) == set(adapters.kinds())


@pytest.mark.parametrize("kind", sorted(_FIXTURE))
def test_every_kind_scopes_to_a_part_that_is_down(kind: str) -> None:
    page = parse_fixture(kind)
    assert page.status.is_problem
    pattern = _FIXTURE[kind][1]
    scoped = scope_report(report(page, kind), (pattern,))
    assert scoped.status.is_problem, (kind, scoped.page)
    assert scoped.scope is not None and scoped.scope.warning is None


@pytest.mark.parametrize("kind", sorted(_FIXTURE))
def test_every_kind_scoped_to_nothing_there(kind: str) -> None:
    page = parse_fixture(kind)
    scoped = scope_report(report(page, kind), ("no-such-region-9",))
    assert scoped.scope is not None
    named = [i for i in page.incidents if i.components]
    assert scoped.scope.out_of_scope_incidents == len(named)
    if kind in IMPACTED_ONLY:
        assert scoped.scope.warning is None
        assert scoped.status is Status.OPERATIONAL
    else:
        assert scoped.scope.warning is not None and "no-such-region-9" in scoped.scope.warning
        # Nothing in scope is down; incidents naming no component do not rate it.
        assert scoped.status is Status.OPERATIONAL
