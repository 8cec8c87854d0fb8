"""A poll with its probes: pages and probes through one engine, then counted and applied."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import httpx

from statuswatch.model import ProviderReport, ProviderSpec, Snapshot
from statuswatch.poll import poll_all
from statuswatch.probes.observe import apply, observe
from statuswatch.probes.runner import ProbeRun
from statuswatch.probes.settings import ProbeSettings
from statuswatch.probes.store import Counts
from statuswatch.settings import HttpSettings

__all__ = ["OFF", "poll_with_probes"]

OFF = ProbeSettings(enabled=False)
log = logging.getLogger(__name__)


async def poll_with_probes(
    specs: Sequence[ProviderSpec],
    http: HttpSettings,
    cache_dir: Path,
    probes: ProbeSettings,
    counts: Counts | None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    on_report: Callable[[ProviderReport], None] | None = None,
    now: Callable[[], datetime] | None = None,
) -> Snapshot:
    """Poll `specs` and, unless `probes` are off, their probes alongside (one client, one set
    of limits); count them in `counts` and return the snapshot with what they add."""
    run = None
    if probes.enabled and any(spec.probes for spec in specs):
        # The file read (and below, the locked update) stays off the event loop.
        known = await asyncio.to_thread(counts.read) if counts is not None else None
        run = ProbeRun(specs, probes, head_refused=known.head_refused if known else ())
    snapshot = await poll_all(
        specs, http, cache_dir, transport=transport, on_report=on_report, now=now, alongside=run
    )
    observation = await asyncio.to_thread(observe, snapshot, run, probes, counts)
    for problem in observation.problems:
        log.warning("%s", problem)
    return apply(snapshot, observation)
