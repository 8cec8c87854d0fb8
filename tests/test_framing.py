"""HTTP/1.1 framing (statuswatch.framing): answers read by llhttp, request heads written safely.

Through the transport, against raw loopback servers that write exactly the bytes given.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from statuswatch.framing import (
    MAX_HEAD,
    Answer,
    FramingError,
    LocalFramingError,
    request_head,
    request_message,
)
from statuswatch.transport import PooledTransport

Scenario = Callable[[httpx.AsyncClient, str], Awaitable[None]]


async def _serve(answers: list[bytes], scenario: Scenario, *, close: bool = False) -> list[bytes]:
    """Answer each request head with the next of `answers` (closing after it when `close`);
    run `scenario`; return the request heads the server read (one connection after another)."""
    heads: list[bytes] = []
    queue = iter(answers)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                heads.append(await reader.readuntil(b"\r\n\r\n"))
                writer.write(next(queue))
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, StopIteration):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = PooledTransport(ssl.create_default_context(), limit=4, limit_per_host=1)
    async with server, httpx.AsyncClient(transport=transport, timeout=2.0) as client:
        await scenario(client, f"http://127.0.0.1:{port}/doc")
    return heads


def test_an_informational_answer_is_skipped_for_the_real_one() -> None:
    async def scenario(client: httpx.AsyncClient, url: str) -> None:
        response = await client.get(url)
        assert (response.status_code, response.content) == (200, b"ok")
        assert "x-early" not in response.headers

    early = b"HTTP/1.1 103 Early Hints\r\nX-Early: 1\r\n\r\n"
    wire = early + b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    asyncio.run(_serve([wire], scenario))


def test_a_head_answer_has_no_body_and_keeps_its_connection() -> None:
    async def scenario(client: httpx.AsyncClient, url: str) -> None:
        response = await client.head(url)
        assert (response.status_code, response.content) == (200, b"")
        assert response.headers["content-length"] == "5000"
        assert (await client.get(url)).content == b"after"

    answers = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nafter",
    ]
    heads = asyncio.run(_serve(answers, scenario))
    assert [h.split(b" ", 1)[0] for h in heads] == [b"HEAD", b"GET"]  # on one connection


def test_a_body_without_length_runs_to_the_close() -> None:
    async def scenario(client: httpx.AsyncClient, url: str) -> None:
        response = await client.get(url)
        assert response.content == b"all of it\r\nuntil the end"
        assert response.http_version == "HTTP/1.1"

    wire = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it\r\nuntil the end"
    asyncio.run(_serve([wire], scenario, close=True))


def test_a_chunked_body_is_joined_and_headers_come_as_sent() -> None:
    async def scenario(client: httpx.AsyncClient, url: str) -> None:
        response = await client.get(url)
        assert response.content == b"hello, world"
        assert response.headers.raw[:2] == [(b"transfer-encoding", b"chunked"), (b"x-two", b"a  b")]
        assert response.reason_phrase == "Very Fine"

    wire = (
        b"HTTP/1.1 200 Very Fine\r\nTransfer-Encoding: chunked\r\nX-Two:  a  b \r\n\r\n"
        b"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"
    )
    asyncio.run(_serve([wire], scenario))


def test_bytes_after_an_answer_leave_its_connection_unused() -> None:
    async def scenario(client: httpx.AsyncClient, url: str) -> None:
        assert (await client.get(url)).content == b"ok"
        assert (await client.get(url)).content == b"ok"

    unasked = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n"
    answers = [unasked, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]
    heads = asyncio.run(_serve(answers, scenario, close=True))
    assert len(heads) == 2  # the second request went on a new connection


def test_a_head_past_the_limit_is_refused() -> None:
    async def scenario(client: httpx.AsyncClient, url: str) -> None:
        with pytest.raises(httpx.RemoteProtocolError, match="larger than 256 KiB"):
            await client.get(url)

    huge = b"HTTP/1.1 200 OK\r\nX-Huge: " + b"a" * (MAX_HEAD + 10) + b"\r\n\r\n"
    asyncio.run(_serve([huge], scenario))


def test_a_head_cut_short_is_a_malformed_answer() -> None:
    async def scenario(client: httpx.AsyncClient, url: str) -> None:
        with pytest.raises(httpx.RemoteProtocolError, match="within the response head"):
            await client.get(url)

    asyncio.run(_serve([b"HTTP/1.1 200 OK\r\nContent-Le"], scenario, close=True))


@pytest.mark.parametrize(
    ("method", "target", "headers", "why"),
    [
        ("GET", b"/a b", [], "target"),
        ("GET", b"", [], "target"),
        ("GE T", b"/", [], "method"),
        ("GET", b"/", [(b"X Bad", b"v")], "header name"),
        ("GET", b"/", [(b"X-Bad", b"a\nb")], "header value"),
        ("GET", b"/", [(b"X-Bad", b"a\x00b")], "header value"),
    ],
)
def test_a_request_head_that_would_break_its_lines_is_refused(
    method: str, target: bytes, headers: list[tuple[bytes, bytes]], why: str
) -> None:
    with pytest.raises(LocalFramingError, match=why):
        request_head(method, target, headers)


def test_a_request_head_is_one_line_per_field() -> None:
    head = request_head("GET", b"/x?y=1", [(b"Host", b"a.example"), (b"X-Tab", b"a\tb")])
    assert head == b"GET /x?y=1 HTTP/1.1\r\nHost: a.example\r\nX-Tab: a\tb\r\n\r\n"


def test_an_answer_fed_byte_by_byte_is_the_same_answer() -> None:
    wire = b'HTTP/1.1 304 Not Modified\r\nETag: "a"\r\nDate: Mon, 07 Dec 2026 00:00:00 GMT\r\n\r\n'
    whole, by_byte = Answer("GET"), Answer("GET")
    whole.feed(wire)
    for index in range(len(wire)):
        by_byte.feed(wire[index : index + 1])
    for answer in (whole, by_byte):
        assert (answer.status, answer.complete, answer.keep_alive) == (304, True, True)
        assert answer.headers == [(b"etag", b'"a"'), (b"date", b"Mon, 07 Dec 2026 00:00:00 GMT")]
    with pytest.raises(FramingError):
        Answer("GET").feed(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")


def test_an_answer_read_whole_is_freed_without_the_collector() -> None:
    # The parser refers back to its answer: a poll pauses the collector, so the pair must part
    # when the answer ends, or each exchange's pair stays until a collection.
    import gc

    gc.collect()
    gc.disable()
    try:
        for wire in (b"HTTP/1.1 204 No Content\r\n\r\n", b"HTTP/1.1 200 OK\r\n\r\nuntil the close"):
            for _ in range(20):
                answer = Answer("GET")
                answer.feed(wire)
                if not answer.complete:
                    assert answer.ends_with_the_connection()
                    answer.end()
            del answer
        left = [o for o in gc.get_objects() if isinstance(o, Answer)]
    finally:
        gc.enable()
    assert left == []


def test_a_request_body_is_framed_as_its_headers_say() -> None:
    plain = request_message("POST", b"/", [(b"Host", b"a")], b"hello")
    assert plain.endswith(b"Host: a\r\nContent-Length: 5\r\n\r\nhello")
    chunked = request_message("POST", b"/", [(b"Transfer-Encoding", b"chunked")], b"hello")
    assert chunked.endswith(b"\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    assert request_message("GET", b"/", [], b"") == b"GET / HTTP/1.1\r\n\r\n"


def test_a_posted_body_reaches_the_server_whole() -> None:
    # The server reads the body as its head frames it, and answers with what it read.
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).lower()
        body = b""
        if b"transfer-encoding: chunked" in head:
            while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                body += await reader.readexactly(size)
                await reader.readexactly(2)
            await reader.readexactly(2)
        else:
            length = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
            body = await reader.readexactly(length)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%b" % (len(body), body))
        await writer.drain()
        writer.close()

    async def chunks() -> AsyncIterator[bytes]:
        yield b"pay"
        yield b"load"

    async def main() -> None:
        server = await asyncio.start_server(echo, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
        transport = PooledTransport(ssl.create_default_context(), limit=2, limit_per_host=1)
        async with server, httpx.AsyncClient(transport=transport, timeout=2.0) as client:
            assert (await client.post(url, content=b"payload")).content == b"payload"
            assert (await client.post(url, content=chunks())).content == b"payload"

    asyncio.run(main())
