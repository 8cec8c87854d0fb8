"""The probes' history before the moment a demo shows: a poll a minute, as a watcher saw them.

`statuswatch demo --at 11:40` is one poll, but an early warning takes `consecutive` polls to
open: the replay sends the scenario's probes at each minute from the scenario's start (the
server answers as at that minute) and counts them, so the poll at 11:40 finds the warning that
a watcher polling every minute would have had since 11:21.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from statuswatch.demo.session import DemoSession
from statuswatch.http import Fetcher
from statuswatch.model import Page, ProbeResult, ProviderReport, Snapshot
from statuswatch.probes.observe import observe
from statuswatch.probes.runner import ProbeRun
from statuswatch.probes.store import Counts

__all__ = ["STEP", "replay_probes"]

STEP = timedelta(minutes=1)  # the config's default interval


def replay_probes(session: DemoSession, until: datetime, counts: Counts) -> int:
    """Probe every STEP from the scenario's start to before `until`; return the polls made.

    The page's word at each minute comes from the script (what the server would render then),
    so the replay sends only the probes; the clock is left at `until`.
    """
    moments = []
    moment = session.scenario.start
    while moment < until:
        moments.append(moment)
        moment += STEP
    if moments and session.config.probes.enabled:
        asyncio.run(_replay(session, moments, counts))
    session.clock.move_to(until)
    return len(moments)


async def _replay(session: DemoSession, moments: list[datetime], counts: Counts) -> None:
    settings = session.config.probes
    scripted = {provider.id: provider for provider in session.scenario.providers}
    asked: tuple[bool, ...] | None = None
    answers: dict[str, tuple[ProbeResult, ...]] = {}
    async with Fetcher(session.config.http) as fetcher:
        for moment in moments:
            session.clock.move_to(moment)
            run = ProbeRun(session.specs, settings)
            # The server answers alike while no scripted failure starts or ends: ask it again
            # only then (a 6-hour scenario is 360 polls), and count every minute regardless.
            failing = tuple(
                probe.failing_at(moment) for p in scripted.values() for probe in p.probes
            )
            if failing != asked:
                await run(fetcher)
                asked, answers = failing, dict(run.results)
            else:
                run.results = dict(answers)
            reports = tuple(
                ProviderReport(spec, Page(status=scripted[spec.id].status_at(moment)), moment)
                for spec in session.specs
            )
            observe(Snapshot(generated_at=moment, reports=reports), run, settings, counts)
