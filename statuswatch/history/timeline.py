"""A provider's status over a window of time, from our polls and from the page's own record.

Where our polls watched the provider (its coverage) the status is what they observed; where
they did not, it is what the page's incidents and maintenances say (an incident of impact
major means a partial outage while it was open, and so on); before we knew anything at all,
it is unknown and left out. Each piece says which of the two it comes from.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

from statuswatch.model import Impact, Status
from statuswatch.records import record

__all__ = [
    "DAY_MS",
    "IMPACT_STATUS",
    "OBSERVED",
    "PAGE",
    "Interval",
    "Segment",
    "combine",
    "daily_worst",
    "segments",
]

OBSERVED = "observed"
PAGE = "page"
DAY_MS = 86_400_000

# What an incident of each impact says about the provider while it is open.
IMPACT_STATUS: dict[str, Status] = {
    Impact.NONE.value: Status.OPERATIONAL,
    Impact.MINOR.value: Status.DEGRADED,
    Impact.MAJOR.value: Status.PARTIAL_OUTAGE,
    Impact.CRITICAL.value: Status.MAJOR_OUTAGE,
    Impact.MAINTENANCE.value: Status.MAINTENANCE,
}


@record
class Interval:
    """An incident or a maintenance of the page's record: [start, end) with its status."""

    start: int
    end: int
    status: Status


@record
class Segment:
    """[start, end) in milliseconds, the status then, and what says so."""

    start: int
    end: int
    status: Status
    basis: str  # OBSERVED or PAGE

    @property
    def length(self) -> int:
        """Its length in milliseconds."""
        return self.end - self.start


def segments(
    changes: Sequence[tuple[int, Status]],
    coverage: Sequence[tuple[int, int]],
    record: Sequence[Interval],
    known_from: int | None,
    start: int,
    end: int,
) -> list[Segment]:
    """The provider's status over [start, end), in time order.

    Args:
        changes: status changes (time, status) in time order; each holds until the next.
        coverage: spans our polls watched, in time order, not overlapping.
        record: the page's incidents and maintenances.
        known_from: since when the page's record is known (our first poll, or the oldest
            incident of a backfill); None: not at all.
        start: the window's start (ms).
        end: the window's end (ms).
    """
    out: list[Segment] = []
    cursor = start
    page_from = end if known_from is None else max(start, known_from)
    times = [at for at, _status in changes]
    for span_start, span_end in coverage:
        a, b = max(span_start, start), min(span_end, end)
        if b <= a:
            continue
        if a > cursor:
            out += _page(record, max(cursor, page_from), a)
        out += _observed(changes, times, a, b)
        cursor = b
    if cursor < end:
        out += _page(record, max(cursor, page_from), end)
    return out


def _observed(
    changes: Sequence[tuple[int, Status]], times: list[int], start: int, end: int
) -> list[Segment]:
    """Observed segments of [start, end): the status in force at each moment."""
    out: list[Segment] = []
    index = bisect.bisect_right(times, start) - 1
    cursor = start
    while cursor < end:
        status = changes[index][1] if index >= 0 else None
        upto = times[index + 1] if index + 1 < len(times) else end
        upto = min(max(upto, cursor), end)
        if status is not None and upto > cursor:
            out.append(Segment(cursor, upto, status, OBSERVED))
        cursor = upto if upto > cursor else end
        index += 1
    return out


def _page(record: Sequence[Interval], start: int, end: int) -> list[Segment]:
    """Segments of [start, end) from the page's record: the worst thing open at each moment."""
    if end <= start:
        return []
    inside = [i for i in record if i.end > start and i.start < end]
    cuts = sorted(
        {start, end, *(max(i.start, start) for i in inside), *(min(i.end, end) for i in inside)}
    )
    out: list[Segment] = []
    for a, b in itertools.pairwise(cuts):
        open_now = [i.status for i in inside if i.start <= a and i.end >= b]
        status = max(open_now, key=lambda s: s.severity, default=Status.OPERATIONAL)
        if out and out[-1].status is status and out[-1].end == a:
            out[-1] = Segment(out[-1].start, b, status, PAGE)
        else:
            out.append(Segment(a, b, status, PAGE))
    return out


def combine(timelines: Sequence[Sequence[Segment]], start: int, end: int) -> list[Segment]:
    """The worst status of several timelines (each in time order) at each moment any knows.

    A moment is observed when every timeline that knows it observed it, else it is the
    page's record.
    """
    cuts = sorted(
        {
            start,
            end,
            *(p.start for t in timelines for p in t),
            *(p.end for t in timelines for p in t),
        }
    )
    at = [0] * len(timelines)  # each timeline's first piece not yet behind us
    out: list[Segment] = []
    for a, b in itertools.pairwise(cuts):
        if b <= start or a >= end:
            continue
        here: list[Segment] = []
        for n, pieces in enumerate(timelines):
            while at[n] < len(pieces) and pieces[at[n]].end <= a:
                at[n] += 1
            if at[n] < len(pieces) and pieces[at[n]].start <= a:
                here.append(pieces[at[n]])
        if not here:
            continue
        status = max((p.status for p in here), key=lambda s: s.severity)
        basis = OBSERVED if all(p.basis == OBSERVED for p in here) else PAGE
        if out and out[-1].end == a and out[-1].status is status and out[-1].basis == basis:
            out[-1] = Segment(out[-1].start, b, status, basis)
        else:
            out.append(Segment(a, b, status, basis))
    return out


def daily_worst(pieces: Sequence[Segment], first_day: int, days: int) -> list[Status | None]:
    """The worst status of each day from `first_day` (ms, a UTC midnight); None: no data."""
    worst: list[Status | None] = [None] * days
    for piece in pieces:
        first = max(0, (piece.start - first_day) // DAY_MS)
        last = min(days - 1, (piece.end - 1 - first_day) // DAY_MS)
        for day in range(int(first), int(last) + 1):
            known = worst[day]
            if known is None or piece.status.severity > known.severity:
                worst[day] = piece.status
    return worst
