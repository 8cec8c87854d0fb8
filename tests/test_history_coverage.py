"""The spans our polls watched: a snapshot's polls applied at once give the spans of every poll
so far, linked where two are at most GAP_MS apart, whatever the order and the batching."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from statuswatch.history.coverage import GAP_MS, CoverageWrites
from statuswatch.history.db import HistoryDB, to_ms
from statuswatch.history.record import record_snapshot
from statuswatch.model import Component, Page, ProviderReport, ProviderSpec, Snapshot, Status

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
MINUTE = 60_000


@pytest.fixture
def db(tmp_path: Path) -> HistoryDB:
    return HistoryDB.open(tmp_path / "history.sqlite3")


def spans(db: HistoryDB) -> set[tuple[str, int, int]]:
    rows = db.conn.execute("SELECT provider, start, end FROM coverage")
    return {(str(p), int(a), int(b)) for p, a, b in rows}


def linked(polls: list[tuple[str, int]]) -> set[tuple[str, int, int]]:
    """What the spans must be: each provider's poll times, split where two neighbours are
    more than GAP_MS apart."""
    out: set[tuple[str, int, int]] = set()
    for provider in {p for p, _ in polls}:
        times = sorted(t for p, t in polls if p == provider)
        start = end = times[0]
        for t in times[1:]:
            if t - end > GAP_MS:
                out.add((provider, start, end))
                start = t
            end = t
        out.add((provider, start, end))
    return out


def apply(db: HistoryDB, polls: list[tuple[str, int]]) -> None:
    writes = CoverageWrites()
    for provider, at in polls:
        writes.add(provider, at)
    with db.write() as conn:
        writes.write(conn)


@pytest.mark.parametrize("seed", range(12))
def test_spans_link_polls_within_the_gap_in_any_order_and_batching(
    db: HistoryDB, seed: int
) -> None:
    rng = random.Random(seed)
    polls = [
        (rng.choice("abc"), rng.randrange(0, 8 * 60) * MINUTE)  # 8 hours, minute steps
        for _ in range(rng.randrange(5, 60))
    ]
    rng.shuffle(polls)  # writers commit late: older polls come after newer ones
    done: list[tuple[str, int]] = []
    while len(done) < len(polls):
        batch = polls[len(done) : len(done) + rng.randrange(1, 8)]
        apply(db, batch)
        done += batch
        assert spans(db) == linked(done)


def test_a_late_poll_bridges_two_spans_within_one_snapshot(db: HistoryDB) -> None:
    apply(db, [("a", 0), ("a", 50 * MINUTE)])
    assert spans(db) == {("a", 0, 0), ("a", 50 * MINUTE, 50 * MINUTE)}
    apply(db, [("a", 60 * MINUTE), ("a", 25 * MINUTE)])  # the second joins both spans
    assert spans(db) == {("a", 0, 60 * MINUTE)}
    assert db.conn.execute("SELECT count(*) FROM coverage").fetchone()[0] == 1


def test_more_providers_than_one_read_binds(db: HistoryDB) -> None:
    ids = [f"p{n:04d}" for n in range(1_900)]  # two reads of the spans
    apply(db, [(p, 0) for p in ids])
    apply(db, [(p, 10 * MINUTE) for p in ids] + [(p, 100 * MINUTE) for p in ids[:5]])
    expected = {(p, 0, 10 * MINUTE) for p in ids} | {
        (p, 100 * MINUTE, 100 * MINUTE) for p in ids[:5]
    }
    assert spans(db) == expected


def test_other_providers_spans_are_left_alone(db: HistoryDB) -> None:
    apply(db, [("a", 0), ("b", 0)])
    apply(db, [("a", 5 * MINUTE)])
    assert spans(db) == {("a", 0, 5 * MINUTE), ("b", 0, 0)}


def _report(provider: str, minutes: int) -> ProviderReport:
    spec = ProviderSpec(id=provider, name=provider, kind="statuspage", url="https://x.test")
    page = Page(status=Status.OPERATIONAL, components=(Component("c", "API", Status.OPERATIONAL),))
    return ProviderReport(spec, page, T0 + timedelta(minutes=minutes))


def test_unchanged_pages_keep_the_newest_observation_whatever_the_order(db: HistoryDB) -> None:
    record_snapshot(db, Snapshot(T0, (_report("a", 0), _report("b", 0))))
    # The same unchanged pages again, "a" twice with its newer poll first.
    later = (_report("a", 9), _report("a", 4), _report("b", 6))
    record_snapshot(db, Snapshot(T0 + timedelta(minutes=9), later))
    observed = dict(db.conn.execute("SELECT id, observed_at FROM providers").fetchall())
    assert observed == {
        "a": to_ms(T0 + timedelta(minutes=9)),
        "b": to_ms(T0 + timedelta(minutes=6)),
    }
    assert spans(db) == {
        ("a", to_ms(T0), to_ms(T0 + timedelta(minutes=9))),
        ("b", to_ms(T0), to_ms(T0 + timedelta(minutes=6))),
    }
