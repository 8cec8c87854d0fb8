"""What a poll replaces is freed a slice at a time, the event loop turning between slices."""

from __future__ import annotations

import asyncio
import sys
import weakref
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from loopback import LoopbackServer
from notify_helpers import incident_stages
from serve_helpers import ServedPages

from statuswatch.model import ProviderReport, ProviderSpec, Snapshot
from statuswatch.notify.state import ProviderMemory, State
from statuswatch.serve.freeing import free_gradually, parts
from statuswatch.serve.prepared import Prepared

NOW = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)


class Node:
    """An object whose freeing a test can watch (through a weak reference)."""

    def __init__(self, children: Iterable[Node] = ()) -> None:
        self.children = list(children)


def _pieces(item: object) -> Iterable[object]:
    return item.children if isinstance(item, Node) else ()


def test_the_pile_is_emptied_its_pieces_freed_apart_over_several_turns() -> None:
    leaves = [Node([Node()]) for _ in range(300)]
    alive = [weakref.ref(leaf) for leaf in leaves]
    pile: list[object] = [Node(leaves)]
    del leaves
    seen: list[int] = []  # leaves alive at each turn of the loop while freeing

    async def main() -> None:
        freeing = asyncio.ensure_future(free_gradually(pile, size=50, pieces=_pieces))
        while not freeing.done():
            seen.append(sum(ref() is not None for ref in alive))
            await asyncio.sleep(0)
        await freeing

    asyncio.run(main())
    assert pile == []
    assert all(ref() is None for ref in alive)
    # Freed across turns, not in one cascade: the loop saw the count fall step by step.
    falling = [count for count in seen if 0 < count < 300]
    assert len(set(falling)) >= 4
    assert seen == sorted(seen, reverse=True)


def test_nothing_is_freed_that_something_else_still_holds() -> None:
    kept = Node()
    pile: list[object] = [Node([kept, Node()])]
    asyncio.run(free_gradually(pile, size=1, pieces=_pieces))
    assert pile == []
    assert kept.children == []  # still here, untouched


def test_a_snapshot_comes_apart_into_its_reports_and_a_prepared_into_its_state() -> None:
    spec = ProviderSpec(id="ex", name="Example", kind="statuspage", url="https://x.test")
    reports = (ProviderReport(spec, None, fetched_at=NOW),)
    assert tuple(parts(Snapshot(generated_at=NOW, reports=reports))) == reports
    state = State(providers={"ex": ProviderMemory(baseline=True)})
    prepared = Prepared(b"", '"e"', [], state, 2, b"{}")
    assert tuple(parts(prepared)) == (state,)
    assert list(parts(state)) == [state.providers["ex"]]
    assert tuple(parts("anything else")) == ()
    assert tuple(parts(None)) == ()


def test_a_server_lets_go_of_the_snapshot_a_poll_replaced(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    with ServedPages(loopback, ["ex"], tmp_path / "cache") as served:
        served.page("ex", incident_stages()[0])
        first = served.poll()
        served.poll()
        assert served.server.snapshot is not first
        # Held by this test alone (`first` and getrefcount's own argument): the server kept
        # nothing of it, so it was freed when the server let go, a slice at a time.
        assert sys.getrefcount(first) == 2
