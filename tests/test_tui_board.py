"""The TUI's board (no Textual): merging, stale data, changes, sorting, filtering."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tui_fakes import (
    CLOUDFLARE,
    GITHUB,
    NOW,
    OPENAI,
    SPECS,
    calm,
    failed,
    incident,
    ok,
    trouble,
)

from statuswatch.model import Impact, Phase, Status
from statuswatch.tui.board import RESOLVED_KEPT, Board, ChangeKind, rank, row_key


def board_with(reports: list) -> Board:  # type: ignore[type-arg]
    board = Board(SPECS)
    for report in reports:
        board.apply(report, NOW)
    return board


def test_first_read_is_not_news_then_new_and_resolved_are() -> None:
    board = Board(SPECS)
    assert board.apply(trouble()[0], NOW) == []
    later = incident("cf2", "Dashboard errors", Impact.MINOR)
    report = ok(CLOUDFLARE, Status.MAJOR_OUTAGE, incidents=[*trouble()[0].page.incidents, later])
    changes = board.apply(report, NOW)
    assert [(c.kind, c.incident.id) for c in changes] == [(ChangeKind.NEW, "cf2")]
    changes = board.apply(ok(CLOUDFLARE), NOW)
    assert [(c.kind, c.incident.id, c.incident.phase) for c in changes] == [
        (ChangeKind.RESOLVED, "cf1", Phase.RESOLVED),
        (ChangeKind.RESOLVED, "cf2", Phase.RESOLVED),
    ]


def test_resolved_version_from_the_page_is_kept_when_listed() -> None:
    board = board_with([trouble()[1]])
    closed = replace(trouble()[1].page.incidents[0], phase=Phase.POSTMORTEM)
    changes = board.apply(ok(OPENAI, incidents=[closed]), NOW)
    assert [(c.kind, c.incident.phase) for c in changes] == [
        (ChangeKind.RESOLVED, Phase.POSTMORTEM)
    ]


def test_failed_read_keeps_the_page_stale_and_reports_no_change() -> None:
    board = board_with([trouble()[0]])
    assert board.apply(failed(CLOUDFLARE), NOW) == []
    kept = board.reports["cloudflare"]
    assert kept.stale is True
    assert kept.status is Status.UNKNOWN
    assert kept.page == trouble()[0].page
    assert kept.fetched_at == NOW
    assert kept.error is not None and kept.error.message == "no answer in 15 s"
    # Back to normal: still no spurious "new incident" for what was there all along.
    assert board.apply(trouble()[0], NOW) == []


def test_failed_first_read_has_nothing_to_keep() -> None:
    board = board_with([failed(GITHUB)])
    assert board.reports["github"].page is None
    assert board.reports["github"].stale is False


def test_providers_worst_first_outages_above_unknown_pending_last() -> None:
    board = Board([*SPECS, replace(GITHUB, id="gitlab", name="GitLab")])
    board.apply(failed(GITHUB), NOW)
    board.apply(trouble()[1], NOW)  # degraded
    board.apply(trouble()[0], NOW)  # major outage
    assert [s.id for s in board.providers()] == ["cloudflare", "openai", "github", "gitlab"]
    assert [s.id for s in board.providers(only_problems=True)] == [
        "cloudflare",
        "openai",
        "github",
    ]
    assert rank(None) == 0


def test_filter_matches_every_word_in_any_field() -> None:
    board = board_with(trouble())
    assert [s.id for s in board.providers("chatgpt")] == ["openai"]
    assert [s.id for s in board.providers("MAJOR outage")] == ["cloudflare"]
    assert [s.id for s in board.providers("devtools")] == ["github"]
    assert [s.id for s in board.providers("cloud nothing")] == []
    assert [r.incident.id for r in board.incidents(NOW, "bot management")] == ["cf1"]
    assert [m.id for _, m in board.maintenances("chicago")] == ["m1"]
    assert board.maintenances("github") == []


def test_incidents_worst_then_newest_then_closed() -> None:
    old_minor = incident("a", "old minor", Impact.MINOR, started=90)
    new_minor = incident("b", "new minor", Impact.MINOR, started=10)
    critical = incident("c", "critical", Impact.CRITICAL, started=100)
    board = board_with(
        [
            ok(CLOUDFLARE, incidents=[old_minor, critical]),
            ok(OPENAI, incidents=[new_minor]),
            ok(GITHUB),
        ]
    )
    assert [r.incident.id for r in board.incidents(NOW)] == ["c", "b", "a"]
    board.apply(ok(OPENAI), NOW + timedelta(minutes=1))
    listed = board.incidents(NOW + timedelta(minutes=1))
    assert [(r.incident.id, r.closed_at) for r in listed] == [
        ("c", None),
        ("a", None),
        ("b", NOW + timedelta(minutes=1)),
    ]
    assert listed[2].key == row_key("openai", "b")
    # Closed incidents drop out after RESOLVED_KEPT.
    later = NOW + timedelta(minutes=1) + RESOLVED_KEPT + timedelta(seconds=1)
    assert [r.incident.id for r in board.incidents(later)] == ["c", "a"]


def test_reopened_incident_leaves_the_closed_list() -> None:
    board = board_with(trouble())
    board.apply(ok(OPENAI), NOW)
    assert [r.closed_at for r in board.incidents(NOW)][-1] == NOW
    changes = board.apply(trouble()[1], NOW)
    assert [c.kind for c in changes] == [ChangeKind.NEW]
    assert [r.closed_at for r in board.incidents(NOW)] == [None, None]


def test_counts_and_lookups() -> None:
    board = board_with([*trouble()[:2], failed(GITHUB)])
    counts = board.counts()
    assert (counts[Status.MAJOR_OUTAGE], counts[Status.DEGRADED], counts[Status.UNKNOWN]) == (
        1,
        1,
        1,
    )
    assert counts[Status.OPERATIONAL] == 0
    found = board.find_incident(row_key("openai", "oa1"), NOW)
    assert found is not None and found.incident.title == "Some users cannot reach ChatGPT"
    assert board.find_incident(row_key("openai", "nope"), NOW) is None
    maintenance = board.find_maintenance(row_key("cloudflare", "m1"))
    assert maintenance is not None and maintenance[1].title == "Chicago data centre maintenance"


def test_maintenance_in_progress_first_then_soonest() -> None:
    base = trouble()[0].page.maintenances[0]
    soon = replace(base, id="soon", scheduled_for=NOW + timedelta(hours=1))
    now_on = replace(base, id="now", phase=Phase.IN_PROGRESS, scheduled_for=NOW)
    done = replace(base, id="done", phase=Phase.COMPLETED)
    board = board_with([ok(CLOUDFLARE, maintenances=[base, soon, now_on, done]), *calm()[1:]])
    assert [m.id for _, m in board.maintenances()] == ["now", "soon", "m1"]


def test_provider_details_list_the_worst_component_first() -> None:
    from statuswatch.model import Component
    from statuswatch.tui.render import provider_detail

    # AWS lists services by name: a major outage came after a dozen degraded ones.
    components = (
        Component("a", "Amazon API Gateway", Status.DEGRADED),
        Component("b", "Amazon Athena", Status.OPERATIONAL),
        Component("c", "Amazon DynamoDB", Status.MAJOR_OUTAGE),
        Component("d", "Amazon EC2", Status.PARTIAL_OUTAGE),
        Component("e", "Amazon ECS", Status.DEGRADED),
    )
    report = ok(CLOUDFLARE, Status.PARTIAL_OUTAGE, components=components)
    text = provider_detail(CLOUDFLARE, report, NOW).plain
    listed = text.split("Components not operational (4 of 5)\n", 1)[1].splitlines()[:4]
    assert [line.split("  ")[-1] for line in listed] == [
        "Amazon DynamoDB",
        "Amazon EC2",
        "Amazon API Gateway",
        "Amazon ECS",
    ]
