"""The cyclic garbage collector paused around a poll, or a whole one-shot command."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused(*, freeze: bool = False, reclaim: bool = False) -> Iterator[None]:
    """The cyclic garbage collector off while the block runs, then as it was.

    A poll allocates hundreds of thousands of objects that either live on (the pages) or go
    by reference counting: the collector's passes over them found next to nothing, yet cost
    ~0.2 ms of CPU per page at 1,000 pages, each full pass 50-250 ms with the GIL held. With
    `freeze`, what exists at the end is kept out of every later pass (gc.freeze): for what
    lives until the next poll and holds no cycle, as a snapshot does. Whatever cycle a poll
    leaves is frozen with it (the closed socket transports' own are broken as each closes,
    `statuswatch.connection.release_transport`; a failure's traceback may leave one):
    `reclaim` first unfreezes everything and collects it, one full pass, to take them back.
    """
    if reclaim:
        gc.unfreeze()
        gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()
