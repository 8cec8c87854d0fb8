"""Freeing what a poll replaced a few objects at a time, the event loop turning between.

When `serve` installs a new snapshot, the last reference to the previous one goes, and with
it, in one uninterruptible cascade of deallocations, every report, page, component, incident
and update of 5,000 providers, and the notifier state derived from them: 52-64 ms with the
GIL held, on the loop that answers `/v1/status` (a loop-lag probe in `serve`, at every warm
poll of `bench_serve_scale.py`). Taken apart into the pieces below, each freed on its own, no
turn of the loop waits for more than a slice of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from statuswatch.model import Snapshot
from statuswatch.notify.state import State
from statuswatch.serve.prepared import Prepared

__all__ = ["SLICE", "free_gradually", "parts"]

# Objects freed between two turns of the loop: a report of a 5,000-page poll takes ~3-12 us.
SLICE = 64


def parts(item: object) -> Iterable[object]:
    """The pieces of `item` to free one by one (each a cascade of its own), or none."""
    if isinstance(item, Snapshot):
        return item.reports
    if isinstance(item, Prepared):
        return (item.state,)
    if isinstance(item, State):
        return item.providers.values()
    return ()


async def free_gradually(
    pile: list[object],
    size: int = SLICE,
    pieces: Callable[[object], Iterable[object]] = parts,
) -> None:
    """Empty `pile` (its caller keeps no other reference to what is in it), freeing each
    object and its `pieces` apart, and letting the loop turn after every `size` of them."""
    freed = 0
    while pile:
        item = pile.pop()
        pile.extend(pieces(item))  # they outlive `item`, each to be freed on its own
        del item  # freed here, when the pile held the last reference
        freed += 1
        if freed % size == 0:
            await asyncio.sleep(0)
