"""What a snapshot is served as: its document, gzip copy and ETag, and the events it brought."""

from __future__ import annotations

import gzip
import hashlib
from typing import Any

from statuswatch.document.write import snapshot_bytes
from statuswatch.model import Snapshot
from statuswatch.notify.derive import DeriveOptions, derive
from statuswatch.notify.events import document, payload
from statuswatch.notify.state import State
from statuswatch.records import record
from statuswatch.timefmt import rfc3339

__all__ = ["Prepared", "prepare"]


@record
class Prepared:
    """What a snapshot turns into, computed off the event loop."""

    body: bytes
    gzipped: bytes
    etag: str
    events: list[tuple[str, dict[str, Any]]]
    state: State


def prepare(snapshot: Snapshot, state: State, options: DeriveOptions, first: bool) -> Prepared:
    """Serialise `snapshot` once and derive its events from `state` (run in a thread)."""
    body = snapshot_bytes(snapshot)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if first:  # the first snapshot is a baseline, as for a first notify run
        options = DeriveOptions(
            unreachable_after=options.unreachable_after,
            remind_before=options.remind_before,
            first_run=True,
        )
    found, new_state = derive(state, snapshot, options)
    generated_at = rfc3339(snapshot.generated_at)
    events = []
    for event in found:
        data = document(payload(event))
        data["generated_at"] = generated_at  # the poll that found it
        events.append((event.kind.value, data))
    return Prepared(body, gzip.compress(body, 6), etag, events, new_state)
