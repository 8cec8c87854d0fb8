"""What `serve` keeps of a snapshot's document: the gzipped copy always, the plain one only
once a client has asked for it."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from loopback import LoopbackServer
from notify_helpers import incident_stages
from serve_helpers import ServedPages

from statuswatch.document.write import snapshot_bytes, snapshot_chunks
from statuswatch.model import Snapshot
from statuswatch.notify.derive import DeriveOptions
from statuswatch.notify.state import State
from statuswatch.serve.prepared import PlainBodies, prepare

STAGES = incident_stages()
PLAIN = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def served(loopback: LoopbackServer, tmp_path: Path) -> Iterator[ServedPages]:
    with ServedPages(loopback, ["ex", "other"], tmp_path / "cache") as s:
        s.page("ex", STAGES[1])  # an incident: updates, components, links
        s.page("other", STAGES[0])
        yield s


def test_the_chunks_are_the_document(served: ServedPages) -> None:
    snapshot = served.poll()
    chunks = list(snapshot_chunks(snapshot))
    assert len(chunks) == 2 + len(snapshot.reports)  # head, one a provider, tail
    assert b"".join(chunks) == snapshot_bytes(snapshot)


@pytest.mark.parametrize("plain", [False, True])
def test_a_prepared_snapshot_is_its_document_gzipped_and_plain_only_when_asked(
    served: ServedPages, plain: bool
) -> None:
    snapshot = served.poll()
    document = snapshot_bytes(snapshot)
    prepared = prepare(snapshot, State(), DeriveOptions(), True, plain)
    assert gzip.decompress(prepared.gzipped) == document
    assert prepared.etag == '"' + hashlib.sha256(document).hexdigest()[:32] + '"'
    assert prepared.body == (document if plain else None)


def test_the_plain_document_is_inflated_once_a_snapshot_then_prepared_with_the_next(
    served: ServedPages,
) -> None:
    snapshot: Snapshot = served.poll()
    prepared = prepare(snapshot, State(), DeriveOptions(), True)
    bodies = PlainBodies()
    bodies.serve(prepared)
    assert not bodies.wanted
    first = asyncio.run(bodies.body(prepared))
    assert first == snapshot_bytes(snapshot)
    assert asyncio.run(bodies.body(prepared)) is first  # kept, not inflated again
    assert bodies.wanted  # the next snapshot is prepared with it
    bodies.serve(prepared)  # served anew: what was inflated goes
    again = asyncio.run(bodies.body(prepared))
    assert again == first and again is not first


def test_the_server_keeps_the_plain_document_once_a_client_asked_for_it(
    served: ServedPages,
) -> None:
    served.poll()
    url = served.url + "/v1/status"
    zipped = httpx.get(url, headers=GZIP)
    assert zipped.headers["content-encoding"] == "gzip"
    served.poll()
    prepared = served.server.prepared
    assert prepared is not None and prepared.body is None  # only gzip was asked for so far
    plain = httpx.get(url, headers=PLAIN)
    assert "content-encoding" not in plain.headers
    assert plain.content == gzip.decompress(prepared.gzipped)
    served.page("ex", STAGES[2])
    snapshot = served.poll()
    prepared = served.server.prepared
    assert prepared is not None and prepared.body == snapshot_bytes(snapshot)
    assert httpx.get(url, headers=PLAIN).content == prepared.body
    assert httpx.get(url, headers=GZIP).content == prepared.body  # httpx inflates it


def test_a_replaced_snapshot_s_plain_document_is_not_kept(served: ServedPages) -> None:
    old = prepare(served.poll(), State(), DeriveOptions(), True)
    new = prepare(served.poll(), State(), DeriveOptions(), False)
    bodies = PlainBodies()
    bodies.serve(new)  # `old` replaced while a request for it was being answered
    first = asyncio.run(bodies.body(old))
    assert first == gzip.decompress(old.gzipped)
    assert asyncio.run(bodies.body(old)) is not first  # inflated again: nothing held for it
    assert asyncio.run(bodies.body(new)) is asyncio.run(bodies.body(new))  # the served one is


def test_a_head_without_gzip_gives_the_plain_length_and_keeps_no_plain_document(
    served: ServedPages,
) -> None:
    snapshot = served.poll()
    url = served.url + "/v1/status"
    head = httpx.head(url, headers=PLAIN)
    assert head.status_code == 200 and "content-encoding" not in head.headers
    assert int(head.headers["content-length"]) == len(snapshot_bytes(snapshot))
    assert head.headers["etag"] == httpx.head(url, headers=GZIP).headers["etag"]
    served.page("ex", STAGES[2])
    served.poll()
    prepared = served.server.prepared
    assert prepared is not None and prepared.body is None  # a HEAD is not a client for it
    assert prepared.size == len(gzip.decompress(prepared.gzipped))
