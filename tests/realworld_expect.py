"""What a real payload must read as: the records test_conformance compares adapters' output to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from statuswatch.model import Impact, Phase, Status


def at(text: str) -> datetime:
    """A UTC instant written as "YYYY-MM-DD HH:MM:SS[.fff]"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Inc:
    """What one incident must read as."""

    id: str
    title: str
    phase: Phase
    impact: Impact
    started_at: datetime | None
    url: str
    components: tuple[str, ...]
    phases: tuple[Phase, ...]  # of its updates, newest first
    newest_at: datetime | None
    resolved_at: datetime | None = None
    more: int = 0  # names beyond `components` (Google Cloud lists dozens of locations)


@dataclass(frozen=True)
class Mnt:
    """What one maintenance must read as."""

    id: str
    title: str
    phase: Phase
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    components: tuple[str, ...]
    updates: int


@dataclass(frozen=True)
class Expect:
    """What a whole document must read as."""

    status: Status
    raw_status: str
    description: str
    updated_at: datetime | None
    components: tuple[tuple[str, Status], ...]  # every component, in page order
    incidents: tuple[Inc, ...] = ()
    maintenances: tuple[Mnt, ...] = ()


OP, DEG, PART, MAJ = (
    Status.OPERATIONAL,
    Status.DEGRADED,
    Status.PARTIAL_OUTAGE,
    Status.MAJOR_OUTAGE,
)
INV, IDE, MON, RES = Phase.INVESTIGATING, Phase.IDENTIFIED, Phase.MONITORING, Phase.RESOLVED
