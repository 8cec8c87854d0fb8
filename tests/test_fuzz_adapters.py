"""Fuzzing every adapter with structured mutations of real payloads (hypothesis).

Seeds are the real payloads in ../shared/realworld/ (skipped with a reason if absent) and the
fixtures in tests/fixtures/. Each example takes a seed and mutates it the way a broken or
hostile page would: JSON keys deleted, values swapped for another type, unknown enum values,
extreme timestamps (year 1, 9999, negative epochs, huge numbers, NaN), huge and hostile
strings, duplicated rows; feeds get their elements deleted or their texts replaced; then the
bytes may be truncated, salted with random bytes or re-encoded.

The property: `parse` returns a Page or raises the adapter's own ParseError (FormatChanged is
one); any other exception is a crash, and so is a slow example (hypothesis' deadline). A Page
that comes back must be clean: every text sanitised (no control character, one line where a
line is expected, capped), every link http(s), every time aware UTC, and it must go through
the JSON document and the status table without an error.

More examples: STATUSWATCH_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz_adapters.py
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import reliability
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statuswatch import adapters
from statuswatch.adapters import ParseError
from statuswatch.document.write import dumps, snapshot_document
from statuswatch.model import Page, ProviderReport, ProviderSpec, Snapshot
from statuswatch.table import status_table
from statuswatch.text import MAX_TEXT, MAX_TITLE, safe_url

FIXTURES = Path(__file__).parent / "fixtures"
REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
EXAMPLES = int(os.environ.get("STATUSWATCH_FUZZ_EXAMPLES", "150"))
FEED_SUFFIXES = (".rss", ".atom", ".xml")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
HEADERS = {"date": "Fri, 27 Nov 2026 12:00:00 GMT", "content-type": "application/json"}
# Anything a text may hold after sanitising: printable characters and, in bodies, newlines.
_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e"
    "\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)

COUNTS = {"inputs": 0, "parse_errors": 0, "crashes": 0}


# --- seeds ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Seed:
    """One payload and the adapter that reads it."""

    kind: str
    name: str
    body: bytes

    @property
    def is_feed(self) -> bool:
        return self.name.endswith(FEED_SUFFIXES)


def _seeds() -> list[Seed]:
    found: list[Seed] = []
    for root in (REALWORLD, FIXTURES):
        if not root.is_dir():
            continue
        for directory in sorted(p for p in root.iterdir() if p.is_dir()):
            for path in sorted(directory.iterdir()):
                if not path.is_file():
                    continue
                kind = directory.name
                if kind == "statuspage" and path.suffix in FEED_SUFFIXES:
                    kind = "feed"  # Statuspage's history feeds are read by the feed adapter
                if kind in adapters.KINDS:
                    found.append(Seed(kind, f"{root.name}/{kind}/{path.name}", path.read_bytes()))
                if path.suffix in FEED_SUFFIXES and kind != "feed":
                    found.append(Seed("feed", f"{root.name}/{kind}/{path.name}", path.read_bytes()))
    return found


SEEDS = _seeds()
REAL_SEEDS = [s for s in SEEDS if s.name.startswith("realworld/")]


def seeds_of(kind: str) -> list[Seed]:
    return [s for s in SEEDS if s.kind == kind]


def test_every_kind_has_seeds_and_the_real_payloads_are_used() -> None:
    assert sorted({s.kind for s in SEEDS}) == adapters.kinds()
    if not REALWORLD.is_dir():
        pytest.skip(f"real payloads not found at {REALWORLD}: fuzzing from fixtures only")
    assert len(REAL_SEEDS) >= 15, [s.name for s in REAL_SEEDS]


# --- mutations -----------------------------------------------------------------------------

EXTREME_TIMES: list[object] = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T23:59:59-12:00",
    "2026-02-30T10:00:00Z",
    "2026-11-27T10:00:00",  # no zone
    "2026-11-27T25:61:61Z",
    "1970-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z",
    "NaN",
    "nan",
    "Infinity",
    "-1",
    "",
    " ",
    "9" * 400,
    "2026-11-27T10:00:00Z" * 10,
    -1,
    -62135596800,
    253402300800,
    10**20,
    -(10**20),
    1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    0,
    True,
]
UNKNOWN_ENUMS = [
    "exploded",
    "",
    "OPERATIONAL",
    "Major_Outage",
    "🔥",
    "null",
    "0",
    "-1",
    "resolved ",
]
HOSTILE = [
    "\x1b[2J\x1b[31mred\x1b[0m",
    "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",
    "\x1b]0;pwned\x1b\\",
    "\x1bP+q\x1b\\",
    "\x1b_apc\x1b\\",
    "\x1b^pm\x1b\\",
    "\x9b31mC1\x9d0;osc\x9c",
    "\u202eevil\u202c \u2066iso\u2069 \u200b\u200c\u200d\ufeff \u061c\u180e",
    "\U000e0041\U000e0042 tags",
    "\ud800 lone \udfff surrogates",
    "[bold]b[/bold] [link=https://evil.example]x[/link] [@click=app.quit]q[/]",
    "<script>alert(1)</script><b>bold</b>&amp;&lt;&#27;&#x9b;",
    "line1\r\nline2\rline3\u2028line4\u2029line5",
    "javascript:alert(1)",
    "https://ok.example/\x1b[31m",
    "\x00\x01\x7f",
]
HUGE = ["A" * 300_000, "\x1b[31m" * 20_000, "word " * 50_000, "é" * 100_000]


def _nodes(doc: object) -> list[tuple[Any, Any]]:
    """Every (container, key) of a decoded JSON document, breadth first."""
    found: list[tuple[Any, Any]] = []
    queue: deque[object] = deque([doc])
    while queue:
        node = queue.popleft()
        pairs = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        for key, value in list(pairs):
            found.append((node, key))
            if isinstance(value, dict | list):
                queue.append(value)
    return found


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
replacement = st.one_of(
    json_values,
    st.sampled_from(EXTREME_TIMES),
    st.sampled_from(UNKNOWN_ENUMS),
    st.sampled_from(HOSTILE),
    st.sampled_from(HUGE),
    st.just({}),
    st.just([]),
)
MUTATIONS = ("delete", "replace", "replace", "replace", "duplicate", "clear")


def mutate_json(data: st.DataObject, doc: object) -> object:
    """Apply 1-4 structured mutations to a decoded document, in place where possible."""
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        nodes = _nodes(doc)
        if not nodes:
            return data.draw(replacement, label="whole document")
        parent, key = nodes[data.draw(st.integers(0, len(nodes) - 1), label="node")]
        operation = data.draw(st.sampled_from(MUTATIONS), label="operation")
        if operation == "delete":
            del parent[key]
        elif operation == "replace":
            parent[key] = data.draw(replacement, label="value")
        elif operation == "duplicate" and isinstance(parent, list):
            parent.insert(key, json.loads(json.dumps(parent[key])))
        elif operation == "clear" and isinstance(parent[key], dict | list):
            parent[key].clear()
    return doc


_TEXT = re.compile(rb">([^<]{1,4000})<")
_LEAF = re.compile(rb"<([A-Za-z][\w:.-]*)[^>]*>[^<]*</\1>")
FEED_TEXTS = [
    "Mon, 01 Jan 0001 00:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 -1200",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "Sun, 30 Feb 2026 25:00:00 XYZ",
    "-1",
    "NaN",
    "",
    "[RESOLVED] " * 50,
    "Resolved - " + "x" * 5000,
    *HOSTILE,
]


def mutate_feed(data: st.DataObject, body: bytes) -> bytes:
    """Replace texts or delete elements of a feed (values escaped, so most stay well-formed)."""
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        if data.draw(st.booleans(), label="delete an element"):
            leaves = list(_LEAF.finditer(body))
            if leaves:
                leaf = leaves[data.draw(st.integers(0, len(leaves) - 1), label="leaf")]
                body = body[: leaf.start()] + body[leaf.end() :]
            continue
        texts = list(_TEXT.finditer(body))
        if not texts:
            break
        spot = texts[data.draw(st.integers(0, len(texts) - 1), label="text")]
        value = data.draw(st.sampled_from(FEED_TEXTS) | st.text(max_size=60), label="text value")
        encoded = escape(value).encode("utf-8", "surrogatepass")
        body = body[: spot.start(1)] + encoded + body[spot.end(1) :]
    return body


def mangle_bytes(data: st.DataObject, body: bytes) -> bytes:
    """Maybe truncate, salt with random bytes or re-encode the serialised document."""
    how = data.draw(
        st.sampled_from(["none", "none", "truncate", "salt", "utf16", "bom"]), label="bytes"
    )
    if how == "truncate" and body:
        return body[: data.draw(st.integers(0, len(body) - 1), label="cut")]
    if how == "salt":
        at = data.draw(st.integers(0, len(body)), label="at")
        return body[:at] + data.draw(st.binary(min_size=1, max_size=16), label="salt") + body[at:]
    if how == "utf16":
        try:
            return b"\xff\xfe" + body.decode("utf-8").encode("utf-16-le")
        except UnicodeDecodeError:
            return body
    if how == "bom":
        return b"\xef\xbb\xbf" + body
    return body


# --- the property --------------------------------------------------------------------------


def _strings(value: object, where: str = "page") -> Iterator[tuple[str, str]]:
    """Every (path, str) in a Page (dataclasses, tuples, enums are str too)."""
    if isinstance(value, str):
        yield where, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name), f"{where}.{f.name}")
    elif isinstance(value, tuple | list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}[{i}]")


def _times(value: object, where: str = "page") -> Iterator[tuple[str, datetime]]:
    if isinstance(value, datetime):
        yield where, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _times(getattr(value, f.name), f"{where}.{f.name}")
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from _times(item, f"{where}[{i}]")


ONE_LINE_FIELDS = ("title", "name", "id", "raw_status", "raw_impact", "group", "description")


def assert_clean(page: Page) -> None:
    """A Page from an adapter: sanitised texts, safe links, UTC times, and it serialises."""
    assert isinstance(page, Page)
    for where, text in _strings(page):
        assert not _CONTROL.search(text), (where, text[:80])
        assert len(text) <= MAX_TEXT, (where, len(text))
        leaf = where.rsplit(".", 1)[-1].split("[", 1)[0]
        if leaf in ONE_LINE_FIELDS:
            assert "\n" not in text, (where, text[:80])
        if leaf == "title":
            assert len(text) <= MAX_TITLE, (where, len(text))
        if leaf == "url":
            assert safe_url(text) == text, (where, text[:80])
    for where, when in _times(page):
        assert when.utcoffset() == timedelta(0), (where, when)
    spec = ProviderSpec("p", "P", "statuspage", "https://status.example.test")
    snapshot = Snapshot(NOW, (ProviderReport(spec, page, fetched_at=NOW),))
    document = json.loads(dumps(snapshot_document(snapshot)))
    for text in _json_strings(document):
        assert not _CONTROL.search(text), text[:80]
    table = status_table(snapshot)
    assert not _CONTROL.search(table.replace("\n", "")), table[:200]


def _json_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def check(kind: str, body: bytes) -> None:
    """Parse `body` as `kind`: a clean Page or ParseError, nothing else."""
    COUNTS["inputs"] += 1
    adapter = adapters.load(kind)
    try:
        page = adapter.parse(body, HEADERS)
    except ParseError:
        COUNTS["parse_errors"] += 1
        return
    except Exception:
        COUNTS["crashes"] += 1
        raise
    assert_clean(page)


def check_many(bodies: list[bytes]) -> None:
    """The same for a several-document adapter (Instatus)."""
    COUNTS["inputs"] += 1
    several = adapters.multi(adapters.load("instatus"))
    assert several is not None
    try:
        page = several.parse_many([(body, HEADERS) for body in bodies])
    except ParseError:
        COUNTS["parse_errors"] += 1
        return
    except Exception:
        COUNTS["crashes"] += 1
        raise
    assert_clean(page)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    """Record how many inputs this module fuzzed (tests/reliability.py)."""
    before = dict(COUNTS)
    yield
    reliability.record("fuzz", **{k: COUNTS[k] - before[k] for k in COUNTS})


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=2),  # a hang or a quadratic blow-up fails the example
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", adapters.kinds())
@FUZZ
@given(data=st.data())
def test_structured_mutations_give_a_clean_page_or_a_parse_error(
    kind: str, data: st.DataObject
) -> None:
    seed = data.draw(st.sampled_from(seeds_of(kind)), label="seed")
    body = seed.body
    if seed.is_feed:
        body = mutate_feed(data, body)
    else:
        try:
            doc = json.loads(body.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            doc = None
        if doc is not None:
            mutated = mutate_json(data, doc)
            body = json.dumps(mutated, ensure_ascii=data.draw(st.booleans())).encode(
                "utf-8", "surrogatepass"
            )
    check(kind, mangle_bytes(data, body))


@pytest.mark.timeout(300)
@FUZZ
@given(data=st.data())
def test_instatus_document_pairs_give_a_clean_page_or_a_parse_error(data: st.DataObject) -> None:
    summaries = [s for s in seeds_of("instatus") if "component" not in s.name]
    components = [s for s in seeds_of("instatus") if "component" in s.name]
    pair = [data.draw(st.sampled_from(summaries)).body, data.draw(st.sampled_from(components)).body]
    which = data.draw(st.integers(0, 1), label="document mutated")
    doc = json.loads(pair[which])
    pair[which] = json.dumps(mutate_json(data, doc)).encode("utf-8", "surrogatepass")
    check_many([mangle_bytes(data, body) for body in pair])


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", adapters.kinds())
@FUZZ
@given(
    body=st.binary(max_size=2048)
    | st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_random_bytes_give_a_clean_page_or_a_parse_error(kind: str, body: bytes) -> None:
    check(kind, body)


@pytest.mark.parametrize("kind", adapters.kinds())
def test_every_seed_and_every_prefix_of_the_real_ones(kind: str) -> None:
    for seed in seeds_of(kind):
        check(kind, seed.body)
        step = max(1, len(seed.body) // 40)  # 40 truncations per payload
        for end in range(0, len(seed.body), step):
            check(kind, seed.body[:end])
