"""What a snapshot is served as: its document (gzipped, and plain when clients ask for it),
its ETag, and the events it brought."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import zlib
from typing import Any

from statuswatch.document.write import snapshot_chunks
from statuswatch.model import Snapshot
from statuswatch.notify.derive import DeriveOptions, derive
from statuswatch.notify.events import document, payload
from statuswatch.notify.state import State
from statuswatch.records import record
from statuswatch.timefmt import rfc3339

__all__ = ["PlainBodies", "Prepared", "prepare"]

# gzip's container around a deflate stream, at gzip.compress's level 6 (zlib's wbits 16 + 15).
_GZIP_WBITS = 31
_LEVEL = 6


@record
class Prepared:
    """What a snapshot turns into, computed off the event loop."""

    gzipped: bytes
    etag: str
    events: list[tuple[str, dict[str, Any]]]
    state: State
    size: int  # the document's length, for a HEAD that asks for it without gzip
    body: bytes | None = None  # the document itself, when clients without gzip were seen


def prepare(
    snapshot: Snapshot, state: State, options: DeriveOptions, first: bool, plain: bool = False
) -> Prepared:
    """Serialise `snapshot` once and derive its events from `state` (run in a thread).

    The document is compressed as it is written, a provider at a time, and kept whole only
    with `plain`: at 5,000 providers it is 21 MB, and the pieces, the joined copy and the
    last snapshot's were ~60 MB of the server's peak for a body most clients never ask for.
    """
    digest = hashlib.sha256()
    packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
    packed: list[bytes] = []
    whole = io.BytesIO() if plain else None  # grows in place: no joined copy
    size = 0
    for chunk in snapshot_chunks(snapshot):
        size += len(chunk)
        digest.update(chunk)
        packed.append(packer.compress(chunk))
        if whole is not None:
            whole.write(chunk)
    packed.append(packer.flush())
    etag = '"' + digest.hexdigest()[:32] + '"'
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
    body = whole.getvalue() if whole is not None else None
    return Prepared(b"".join(packed), etag, events, new_state, size, body)


class PlainBodies:
    """The document without gzip, for the clients that do not take it (`curl` without
    `--compressed`): once one has asked, each later snapshot is prepared with it; until then
    it is inflated from the gzipped copy (off the loop), once for the snapshot served."""

    def __init__(self) -> None:
        self.wanted = False
        self._serving: Prepared | None = None
        self._inflated: bytes | None = None  # the served snapshot's, once asked for

    def serve(self, prepared: Prepared) -> None:
        """`prepared` is served from now on: what was inflated for the one before goes."""
        self._serving, self._inflated = prepared, None

    async def body(self, prepared: Prepared) -> bytes:
        """`prepared`'s document, uncompressed."""
        self.wanted = True
        if prepared.body is not None:
            return prepared.body
        if prepared is self._serving and self._inflated is not None:
            return self._inflated
        body = await asyncio.to_thread(gzip.decompress, prepared.gzipped)
        if prepared is self._serving:  # not replaced while it was inflated: kept, not leaked
            self._inflated = body
        return body
