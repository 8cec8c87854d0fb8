"""A process that records snapshots into a history file, for the concurrency and SIGKILL tests.

    python tests/history_writer.py DB WRITER WRITERS ROUNDS PROVIDERS

Writer k of n records rounds i = 0..ROUNDS-1 at logical minute t = k + n*i (so the writers
interleave in time, and commit in whatever order the scheduler gives), for PROVIDERS
providers whose status at minute t is `truth(t)`. ROUNDS 0 means forever (for SIGKILL).
Prints "locked" and exits 3 on any "database is locked", exits 0 when done.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from statuswatch.history.db import HistoryDB
from statuswatch.history.record import record_snapshot
from statuswatch.model import (
    Component,
    Impact,
    Incident,
    Page,
    Phase,
    ProviderReport,
    ProviderSpec,
    Snapshot,
    Status,
    Update,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)
PERIOD = 7  # the truth changes every 7 logical minutes


def truth(minute: int) -> Status:
    """What every provider's page says at `minute`."""
    return (Status.OPERATIONAL, Status.DEGRADED, Status.MAJOR_OUTAGE)[(minute // PERIOD) % 3]


def page(minute: int) -> Page:
    """The page at `minute`: an incident open while it is not operational."""
    status = truth(minute)
    incidents: tuple[Incident, ...] = ()
    if status is not Status.OPERATIONAL:
        block = minute // (3 * PERIOD)
        opened = T0 + timedelta(minutes=block * 3 * PERIOD + PERIOD)
        incidents = (
            Incident(
                id=f"inc-{block}",
                title=f"Incident {block}",
                impact=Impact.MAJOR,
                phase=Phase.INVESTIGATING,
                started_at=opened,
                updates=(Update(opened, Phase.INVESTIGATING, "looking", "investigating"),),
            ),
        )
    components = tuple(Component(f"c{n}", f"Component {n}", status) for n in range(20))
    return Page(status=status, components=components, incidents=incidents)


def main(argv: list[str]) -> int:
    path, writer, writers, rounds, providers = (
        Path(argv[0]),
        int(argv[1]),
        int(argv[2]),
        int(argv[3]),
        int(argv[4]),
    )
    specs = [
        ProviderSpec(f"p{n}", f"Provider {n}", "statuspage", "https://x.test")
        for n in range(providers)
    ]
    try:
        with HistoryDB.open(path) as db:
            print("ready", flush=True)  # the SIGKILL test strikes after this, mid-write
            i = 0
            while rounds == 0 or i < rounds:
                minute = writer + writers * i
                when = T0 + timedelta(minutes=minute)
                shown = page(minute)
                reports = tuple(ProviderReport(spec, shown, when) for spec in specs)
                record_snapshot(db, Snapshot(when, reports))
                i += 1
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            print("locked", exc, flush=True)
            return 3
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
