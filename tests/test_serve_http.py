"""`serve`'s HTTP/1.1 front, fuzzed over real sockets on 127.0.0.1 (hypothesis).

Malformed request lines, header floods, pipelined requests cut at random places, and clients
that drip their requests: every one gets the answer a model of the server's rules predicts,
and the server goes on serving (and lets every connection go) after each.
"""

from __future__ import annotations

import itertools
import re
import select
import socket
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loopback import LoopbackServer
from notify_helpers import summary
from serve_helpers import ServedPages

from statuswatch.serve.httpd import MAX_HEAD, MAX_HEADERS

FUZZ = settings(
    max_examples=60,
    deadline=None,  # each example is a few socket round trips on a shared machine
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
STATUS_LINE = re.compile(rb"HTTP/1\.1 (\d{3}) [A-Za-z -]+\r\n")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedPages]:
    with (
        LoopbackServer() as pages,
        ServedPages(pages, ["ex"], tmp_path_factory.mktemp("cache")) as served,
    ):
        served.page("ex", summary())
        served.poll()
        yield served


@pytest.fixture(autouse=True)
def every_connection_is_let_go(served: ServedPages) -> Iterator[None]:
    """After each test the server holds no connection and still answers."""
    yield
    deadline = time.monotonic() + 10
    while served.server.connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert served.server.connections == 0
    assert statuses(exchange(served.url, [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"]))[0] == 200


def exchange(url: str, pieces: Sequence[bytes], pause: float = 0.0) -> bytes:
    """Send `pieces` on one connection (`pause` s apart), then read until the server closes.

    The client ends its side after sending, so a server that keeps the connection alive
    closes it once it has answered everything.
    """
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        try:
            for piece in pieces:
                sock.sendall(piece)
                if pause:
                    time.sleep(pause)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered and closed while we were still sending
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass  # it closed with our unread bytes still in its buffer: what it sent came first
    return b"".join(chunks)


def responses(data: bytes, heads: Sequence[bool]) -> list[tuple[int, dict[str, str], bytes]]:
    """Split what a connection received into (status, headers, body); `heads[i]` tells that
    the i-th request was a HEAD (no body follows its length)."""
    found = []
    rest = data
    while rest:
        head, sep, rest = rest.partition(b"\r\n\r\n")
        assert sep, f"a truncated response head: {head[:200]!r}"
        match = STATUS_LINE.match(head + b"\r\n")
        assert match, f"not a status line: {head[:100]!r}"
        fields = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.decode("latin-1").partition(":")
            fields[name.lower()] = value.strip()
        length = (
            0 if len(found) < len(heads) and heads[len(found)] else int(fields["content-length"])
        )
        body, rest = rest[:length], rest[length:]
        assert len(body) == length
        found.append((int(match.group(1)), fields, body))
    return found


def statuses(data: bytes, heads: Sequence[bool] = ()) -> list[int]:
    """The status codes of the responses in `data`, in order."""
    return [status for status, _, _ in responses(data, heads)]


# --- malformed request lines ------------------------------------------------------------------

# The form RFC 9112 gives a request line (a token, a target of visible ASCII, a version).
REQUEST_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e]+) HTTP/(\d\.\d)")
methods = st.sampled_from(["GET", "HEAD", "POST", "BREW", "get", "", "G ET", "GET\x00", "GÉT"])
targets = st.one_of(
    st.sampled_from(["/", "/v1/status", "/healthz", "/nope", "*", "", "/a b", "/\x7f", "/é"]),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=255), max_size=30),
)
versions = st.sampled_from(
    ["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/1", "http/1.1", "HTTPS/1.1", "", "1.1"]
)


@dataclass(frozen=True)
class Line:
    """A request line made of three parts and the separators between them."""

    method: str
    target: str
    version: str
    first: str
    second: str

    def encode(self) -> bytes:
        return f"{self.method}{self.first}{self.target}{self.second}{self.version}".encode(
            "latin-1", "replace"
        )

    def expected(self) -> set[int]:
        """What the server answers: it reads only `METHOD SP TARGET SP HTTP/d.d`."""
        form = REQUEST_LINE.fullmatch(self.encode())
        if form is None:
            return {400}
        method, _, version = form.groups()
        if version not in (b"1.0", b"1.1"):
            return {505}
        if method not in (b"GET", b"HEAD"):
            return {405}
        return {200, 404}  # the index, an endpoint or none (the path decides)


lines = st.builds(
    Line,
    methods,
    targets,
    versions,
    st.sampled_from([" ", " ", " ", "", "  ", "\t"]),
    st.sampled_from([" ", " ", " ", "", "  ", "\t"]),
)


@FUZZ
@given(line=lines)
def test_every_request_line_gets_the_answer_its_form_calls_for(
    served: ServedPages, line: Line
) -> None:
    request = line.encode() + b"\r\nHost: x\r\n\r\n"
    # A HEAD is answered without a body only when the server could read it as a HEAD.
    head = line.encode().startswith(b"HEAD ") and line.expected() != {400}
    got = statuses(exchange(served.url, [request]), [head])
    assert len(got) == 1
    assert got[0] in line.expected(), request


@FUZZ
@given(garbage=st.binary(min_size=1, max_size=300))
def test_garbage_gets_an_error_and_never_an_answer_it_did_not_ask_for(
    served: ServedPages, garbage: bytes
) -> None:
    answer = exchange(served.url, [garbage])
    match = STATUS_LINE.match(answer)
    assert match, answer[:200]  # even a head cut short by the client's end gets a 400
    status = int(match.group(1))
    assert status in (200, 400, 404, 405, 431, 505)
    if not re.match(rb"[A-Za-z]+ /\S* HTTP/1\.[01]\r?\n(.+\r?\n)*\r?\n", garbage, re.S):
        assert status >= 400


# --- header floods --------------------------------------------------------------------------


@FUZZ
@given(
    fields=st.lists(st.tuples(st.integers(0, 160), st.integers(0, 400)), min_size=0, max_size=160),
    pad=st.integers(0, 20_000),
)
def test_header_floods_are_refused_past_the_limits(
    served: ServedPages, fields: list[tuple[int, int]], pad: int
) -> None:
    lines = [f"X-H{number}: {'v' * size}" for number, size in fields]
    if pad:
        lines.append("X-Pad: " + "p" * pad)
    head = "\r\n".join(["GET / HTTP/1.1", "Host: x", *lines]) + "\r\n\r\n"
    names = {"host"} | {line.split(":")[0].lower() for line in lines}
    expected = 431 if len(head) > MAX_HEAD or len(names) > MAX_HEADERS else 200
    assert statuses(exchange(served.url, [head.encode()])) == [expected]


@pytest.mark.parametrize("extra", [-1, 0, 1, 2, 4096])
def test_the_head_limit_is_exact(served: ServedPages, extra: int) -> None:
    bare = len(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: \r\n\r\n")
    head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * (MAX_HEAD - bare + extra) + b"\r\n\r\n"
    assert len(head) == MAX_HEAD + extra
    assert statuses(exchange(served.url, [head])) == [200 if extra <= 0 else 431]


def test_a_head_that_never_ends_is_refused_without_waiting_for_it(served: ServedPages) -> None:
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * (MAX_HEAD + 10))
        answer = sock.recv(65536)  # without ending the head or the connection
    assert answer.startswith(b"HTTP/1.1 431 ")


# --- pipelining -----------------------------------------------------------------------------

PIPELINED = {
    "index": (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200, False, False),
    "status-head": (b"HEAD /v1/status HTTP/1.1\r\nHost: x\r\n\r\n", 200, True, False),
    "status": (
        b"GET /v1/status HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n",
        200,
        False,
        False,
    ),
    "health": (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 200, False, False),
    "missing": (b"GET /nope?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", 404, False, False),
    "close": (b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200, False, True),
    "post": (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 405, False, True),
    "http10": (b"GET / HTTP/1.0\r\n\r\n", 200, False, True),
}


@FUZZ
@given(
    names=st.lists(st.sampled_from(sorted(PIPELINED)), min_size=1, max_size=8),
    cuts=st.lists(st.integers(0, 2000), max_size=6),
)
def test_pipelined_requests_are_answered_in_order_until_one_ends_the_connection(
    served: ServedPages, names: list[str], cuts: list[int]
) -> None:
    data = b"".join(PIPELINED[name][0] for name in names)
    # The same bytes, cut at random places: the parser must not care where reads end.
    points = sorted({min(cut, len(data)) for cut in cuts} | {0, len(data)})
    pieces = [data[a:b] for a, b in itertools.pairwise(points) if b > a]
    answered = []
    for name in names:
        answered.append(name)
        if PIPELINED[name][3]:  # closes the connection: what follows is never read
            break
    got = responses(exchange(served.url, pieces, pause=0.001), [PIPELINED[n][2] for n in answered])
    assert [status for status, _, _ in got] == [PIPELINED[name][1] for name in answered]
    for (_, fields, body), name in zip(got, answered, strict=True):
        if name == "status-head":
            assert int(fields["content-length"]) > 0 and body == b""
        if name == "status":
            assert fields["content-encoding"] == "gzip"


# --- slow clients ---------------------------------------------------------------------------


@FUZZ
@given(sizes=st.lists(st.integers(1, 7), min_size=1, max_size=12))
def test_a_request_dripped_in_small_pieces_is_answered(
    served: ServedPages, sizes: list[int]
) -> None:
    data = b"GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Agent: drip\r\n\r\n"
    pieces, at = [], 0
    for size in sizes:
        pieces.append(data[at : at + size])
        at += size
    pieces.append(data[at:])
    assert statuses(exchange(served.url, [p for p in pieces if p], pause=0.005)) == [200]


def test_a_client_too_slow_to_send_its_head_is_disconnected(
    served: ServedPages, monkeypatch: pytest.MonkeyPatch
) -> None:
    from statuswatch.serve import server

    monkeypatch.setattr(server, "IDLE_TIMEOUT", 0.5)
    host, port = served.url.removeprefix("http://").split(":")
    drip = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 100  # never finished
    started = time.monotonic()
    answer = None
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        for byte in drip:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break  # the server hung up
            readable, _, _ = select.select([sock], [], [], 0.05)
            if readable:
                try:
                    answer = sock.recv(100)
                except ConnectionResetError:
                    answer = b""
                break
    assert answer == b""  # closed without an answer: the head never came whole
    assert 0.4 < time.monotonic() - started < 4


def test_an_idle_keep_alive_connection_is_closed(
    served: ServedPages, monkeypatch: pytest.MonkeyPatch
) -> None:
    from statuswatch.serve import server

    monkeypatch.setattr(server, "IDLE_TIMEOUT", 0.3)
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):  # the answer, then the end when the idle time is up
            data += chunk
    assert statuses(data) == [200]


def test_a_stream_framed_in_chunks_ends_cleanly_for_old_and_new_clients(
    served: ServedPages,
) -> None:
    # HTTP/1.1 clients get the events chunked; HTTP/1.0 ones get them until the connection ends.
    host, port = served.url.removeprefix("http://").split(":")
    for request, chunked in (
        (b"GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n", True),
        (b"GET /v1/events HTTP/1.0\r\n\r\n", False),
    ):
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(request)
            data = b""
            while b"event: snapshot" not in data:
                data += sock.recv(65536)
        head = data.split(b"\r\n\r\n", 1)[0].lower()
        assert head.startswith(b"http/1.1 200 ok")
        assert (b"transfer-encoding: chunked" in head) is chunked
        assert b"content-length" not in head


def test_no_hand_written_request_parsing_in_serve() -> None:
    # The request line and headers are h11's to read: no reading or splitting of raw heads.
    root = Path(__file__).resolve().parents[1] / "statuswatch" / "serve"
    for module in sorted(root.glob("*.py")):
        text = module.read_text(encoding="utf-8")
        for pattern in ("readuntil(", "readline(", 'split(" ")', 'partition(":")', "\\r\\n"):
            assert pattern not in text, f"{module.name} contains {pattern!r}"
