"""A poll with its probes: pages and probes through one engine, then counted and applied."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import httpx

from statuswatch.http import Fetcher
from statuswatch.model import ProviderReport, ProviderSpec, Snapshot
from statuswatch.poll import Alongside, poll_all
from statuswatch.probes.observe import apply, observe
from statuswatch.probes.runner import ProbeRun
from statuswatch.probes.settings import ProbeSettings
from statuswatch.probes.store import Counts
from statuswatch.settings import HttpSettings
from statuswatch.stacks import Stack

__all__ = ["OFF", "Probing", "Recording", "poll_with_probes"]

OFF = ProbeSettings(enabled=False)
log = logging.getLogger(__name__)


class Probing:
    """The probes of one poll, as `poll_all(alongside=...)` takes them: sent beside the pages,
    then counted in `counts` and put into the snapshot (before it is assessed, so an early
    warning puts what runs on its provider at risk)."""

    def __init__(
        self,
        specs: Sequence[ProviderSpec],
        settings: ProbeSettings,
        counts: Counts | None,
        head_refused: Sequence[str] = (),
    ) -> None:
        self.run_ = ProbeRun(specs, settings, head_refused=head_refused)
        self.settings = settings
        self.counts = counts

    async def run(self, fetcher: Fetcher) -> None:
        """Send the probes."""
        await self.run_(fetcher)

    async def finish(self, snapshot: Snapshot) -> Snapshot:
        """Count them (the file update stays off the event loop) and apply what they say."""
        observation = await asyncio.to_thread(
            observe, snapshot, self.run_, self.settings, self.counts
        )
        for problem in observation.problems:
            log.warning("%s", problem)
        return apply(snapshot, observation)


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
    stacks: Sequence[Stack] = (),
    record: Callable[[Snapshot], None] | None = None,
    waiting: Callable[[], None] | None = None,
) -> Snapshot:
    """Poll `specs` and, unless `probes` are off, their probes alongside (one client, one set
    of limits); count them in `counts` and return the snapshot with what they add.

    `record` (the history, issue 14) is given each page as it was read, with what the probes
    added and before any scope cuts it, so the history keeps the whole page whatever scope a
    front end shows it in. With `record`, `waiting` is called once the requests are on their
    way (the history's opening, while the poll waits on the network).
    """
    probing = None
    if probes.enabled and any(spec.probes for spec in specs):
        known = await asyncio.to_thread(counts.read) if counts is not None else None
        refused = list(known.head_refused) if known is not None else []
        probing = Probing(specs, probes, counts, refused)
    alongside: Alongside | None = probing
    if record is not None:
        alongside = Recording(record, probing, waiting)
    return await poll_all(
        specs,
        http,
        cache_dir,
        transport=transport,
        on_report=on_report,
        now=now,
        stacks=stacks,
        alongside=alongside,
    )


class Recording:
    """Alongside a poll: the probes (if any), then the snapshot as read goes to `record`."""

    def __init__(
        self,
        record: Callable[[Snapshot], None],
        inner: Alongside | None,
        waiting: Callable[[], None] | None = None,
    ) -> None:
        self.record = record
        self.inner = inner
        self.waiting = waiting

    async def run(self, fetcher: Fetcher) -> None:
        """`waiting` (this starts once every page's request has set out), then the probes'
        requests, if any."""
        if self.waiting is not None:
            self.waiting()
        if self.inner is not None:
            await self.inner.run(fetcher)

    async def finish(self, snapshot: Snapshot) -> Snapshot:
        """Record the snapshot (in a thread: it writes a file) and hand it on unchanged."""
        if self.inner is not None:
            snapshot = await self.inner.finish(snapshot)
        await asyncio.to_thread(self.record, snapshot)
        return snapshot
