"""The SSE hub (ring buffer, ids, resumption) and the client's SSE parser."""

from __future__ import annotations

import asyncio

from statuswatch.serve.hub import EventHub, comment, frame
from statuswatch.serverclient import ServerEvent, SseParser


def test_a_frame_is_one_message_with_compact_json_on_one_data_line() -> None:
    data = {"text": "two\nlines", "name": "café"}
    assert frame("incident_opened", data, 7) == (
        b'id: 7\nevent: incident_opened\ndata: {"text":"two\\nlines","name":"caf\xc3\xa9"}\n\n'
    )
    assert frame("snapshot", {"a": 1}) == b'event: snapshot\ndata: {"a":1}\n\n'
    assert comment("keep-alive") == b": keep-alive\n\n"


def test_ids_increase_by_one_from_the_first_id() -> None:
    hub = EventHub(capacity=10, first_id=100)
    assert hub.last_id == 99
    ids = [hub.publish("incident_opened", {"n": n}).id for n in range(3)]
    assert ids == [100, 101, 102]
    assert hub.last_id == 102
    assert hub.published == 3


def test_the_first_id_of_a_run_is_its_start_time_in_microseconds() -> None:
    import time

    before = time.time_ns() // 1000
    hub = EventHub()
    after = time.time_ns() // 1000
    assert before - 1 <= hub.last_id <= after


def test_since_replays_what_follows_a_known_id() -> None:
    hub = EventHub(capacity=10, first_id=100)
    for n in range(4):
        hub.publish("k", {"n": n})
    assert [f.id for f in hub.since(99) or []] == [100, 101, 102, 103]
    assert [f.id for f in hub.since(101) or []] == [102, 103]
    assert hub.since(103) == []


def test_since_refuses_ids_it_cannot_resume_from() -> None:
    hub = EventHub(capacity=3, first_id=100)
    for n in range(5):  # 100..104; the ring keeps 102, 103, 104
        hub.publish("k", {"n": n})
    assert [f.id for f in hub.since(101) or []] == [102, 103, 104]
    assert hub.since(100) is None  # 101 was dropped: a gap
    assert hub.since(50) is None  # from an earlier run
    assert hub.since(105) is None  # ahead of anything published: not from this run


def test_since_on_an_empty_hub() -> None:
    hub = EventHub(capacity=3, first_id=100)
    assert hub.since(99) == []
    assert hub.since(98) is None
    assert hub.since(100) is None


def test_parse_id_takes_decimal_digits_only() -> None:
    hub = EventHub(first_id=1)
    assert hub.parse_id(" 42 ") == 42
    assert [hub.parse_id(v) for v in (None, "", "-1", "4.2", "x1", "٣", "9" * 40)] == [None] * 7


def test_notify_wakes_every_waiter_once() -> None:
    async def scenario() -> list[bool]:
        hub = EventHub(first_id=1)
        first, second = hub.waiter(), hub.waiter()
        assert first is second
        hub.notify()
        after = hub.waiter()
        return [first.is_set(), after.is_set(), after is first]

    assert asyncio.run(scenario()) == [True, False, False]


def test_the_snapshot_notice_is_replaced_and_counted() -> None:
    hub = EventHub(first_id=1)
    assert (hub.snapshot_frame, hub.snapshot_generation) == (None, 0)
    hub.set_snapshot({"generated_at": "a"})
    hub.set_snapshot({"generated_at": "b"})
    assert hub.snapshot_frame == b'event: snapshot\ndata: {"generated_at":"b"}\n\n'
    assert hub.snapshot_generation == 2


def _parse(text: str) -> list[ServerEvent]:
    parser = SseParser()
    events = []
    for line in text.split("\n"):
        event = parser.feed(line)
        if event is not None:
            events.append(event)
    return events


def test_the_parser_reads_what_the_hub_writes() -> None:
    hub = EventHub(first_id=5)
    wire = b"retry: 3000\n\n" + hub.publish("incident_opened", {"a": 1}).data + comment("x")
    wire += frame("snapshot", {"b": 2})
    assert _parse(wire.decode()) == [
        ServerEvent("incident_opened", '{"a":1}', "5"),
        ServerEvent("snapshot", '{"b":2}', None),
    ]


def test_the_parser_joins_data_lines_and_defaults_the_kind() -> None:
    events = _parse("data: one\ndata:two\nid: 9\n\n: comment\n\nevent: x\n\n")
    assert events == [ServerEvent("message", "one\ntwo", "9")]
    assert ServerEvent("x", '{"a": [1]}').json() == {"a": [1]}
