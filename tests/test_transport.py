"""The pooled transport against raw loopback servers: what it hands httpx, and which errors."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable

import httpx
import pytest

from statuswatch.transport import PooledTransport

Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _serve(answer: Answer, scenario: Callable[[str], Awaitable[None]]) -> int:
    """Run `scenario` against a server answering each request with `answer`; return the
    number of connections the server accepted."""
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                await answer(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the client left, or the server is closing
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        await scenario(f"http://127.0.0.1:{port}/doc")
    return connections


def _client() -> httpx.AsyncClient:
    transport = PooledTransport(ssl.create_default_context(), limit=10, limit_per_host=5)
    return httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(2.0))


def _gets_ok(times: int) -> Callable[[str], Awaitable[None]]:
    """A scenario: `times` GETs one after another on one client, each answered "ok"."""

    async def scenario(url: str) -> None:
        async with _client() as client:
            for _ in range(times):
                assert (await client.get(url)).content == b"ok"

    return scenario


def _ok(body: bytes, *extra: bytes) -> Answer:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = b"HTTP/1.1 200 Fine\r\nContent-Length: %d\r\n" % len(body)
        writer.write(head + b"".join(h + b"\r\n" for h in extra) + b"\r\n" + body)
        await writer.drain()

    return answer


def test_a_response_keeps_its_raw_body_headers_and_reason_and_its_connection() -> None:
    body = b"\x1f\x8b not really gzip"
    long_header = b"X-Long: " + b"a" * 20_000  # past h11's 16 KiB default, as httpcore took

    async def scenario(url: str) -> None:
        async with _client() as client:
            for _ in range(3):
                response = await client.get(url, headers={"Accept-Encoding": "identity"})
                assert response.status_code == 200
                assert response.reason_phrase == "Fine"
                assert response.http_version == "HTTP/1.1"
                assert response.headers["x-long"] == "a" * 20_000
                assert response.content == body

    answer = _ok(body, long_header, b"Content-Type: application/octet-stream")
    assert asyncio.run(_serve(answer, scenario)) == 1  # one connection for the three


def test_an_unread_body_closes_its_connection() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n" + b"x" * 1000)
        await writer.drain()
        await asyncio.sleep(0.5)  # the rest never comes while the client looks

    async def scenario(url: str) -> None:
        async with _client() as client:
            for _ in range(2):
                async with client.stream("GET", url) as response:
                    assert response.status_code == 200  # body left unread

    assert asyncio.run(_serve(answer, scenario)) == 2


@pytest.mark.parametrize(
    ("wire", "error", "message"),
    [
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this",
            httpx.RemoteProtocolError,
            "peer closed connection without sending complete message body"
            " (received 9 bytes, expected 100)",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly",
            httpx.RemoteProtocolError,
            "peer closed connection without sending complete message body"
            " (incomplete chunked read)",
        ),
        (b"", httpx.RemoteProtocolError, "server disconnected without sending a response"),
        (b"SSH-2.0-OpenSSH_9.2\r\n\r\n", httpx.RemoteProtocolError, "malformed response: "),
    ],
    ids=["truncated", "chunked-truncated", "closed", "not-http"],
)
def test_a_broken_answer_is_the_httpx_error_httpcore_would_raise(
    wire: bytes, error: type[httpx.HTTPError], message: str
) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(wire)
        await writer.drain()
        writer.close()

    async def scenario(url: str) -> None:
        async with _client() as client:
            with pytest.raises(error) as info:
                await client.get(url)
            assert str(info.value).startswith(message)

    asyncio.run(_serve(answer, scenario))


def test_a_silent_server_is_a_read_timeout_not_a_timeout_error() -> None:
    # The engine takes a bare TimeoutError for its own deadline: the transport's own waits
    # are asyncio timeouts, so they must arrive as httpx's.
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def scenario(url: str) -> None:
        transport = PooledTransport(ssl.create_default_context(), limit=1, limit_per_host=1)
        async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(0.2)) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.get(url)

    asyncio.run(_serve(answer, scenario))


def test_a_refusal_keeps_the_socket_error_as_its_cause() -> None:
    async def main() -> None:
        probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = probe.sockets[0].getsockname()[1]
        probe.close()
        await probe.wait_closed()
        async with _client() as client:
            with pytest.raises(httpx.ConnectError) as info:
                await client.get(f"http://127.0.0.1:{port}/")
        cause: BaseException | None = info.value
        while cause is not None and not isinstance(cause, ConnectionRefusedError):
            cause = cause.__cause__
        assert isinstance(cause, ConnectionRefusedError)

    asyncio.run(main())


def test_a_kept_connection_the_server_closes_on_the_next_request_is_replaced_once() -> None:
    # The race of a keep-alive timeout: the server takes the next request on a kept connection
    # and hangs up without answering. The request goes again on a new connection.
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")  # the next request on this connection...
        writer.transport.abort()  # ...is dropped unanswered
        raise ConnectionError  # ends this connection in _serve

    assert asyncio.run(_serve(answer, _gets_ok(3))) == 3


def test_a_large_body_arrives_whole_however_slowly_it_is_read() -> None:
    body = bytes(range(256)) * (4 * 4096)  # 4 MiB: reading pauses and resumes on the way

    async def scenario(url: str) -> None:
        async with _client() as client, client.stream("GET", url) as response:
            pieces = []
            async for piece in response.aiter_raw():
                pieces.append(piece)
                await asyncio.sleep(0)
            assert b"".join(pieces) == body

    asyncio.run(_serve(_ok(body), scenario))


def test_a_304_and_an_empty_body_leave_the_connection_for_the_next_request() -> None:
    answers = iter(
        [
            b'HTTP/1.1 304 Not Modified\r\nETag: "a"\r\n\r\n',
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nend",
        ]
    )

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(next(answers))
        await writer.drain()

    async def scenario(url: str) -> None:
        async with _client() as client:
            async with client.stream("GET", url, headers={"If-None-Match": '"a"'}) as response:
                assert response.status_code == 304  # closed without reading, as the engine does
            async with client.stream("GET", url) as response:
                assert response.status_code == 200
            assert (await client.get(url)).content == b"end"

    assert asyncio.run(_serve(answer, scenario)) == 1


def test_requests_to_one_origin_wait_for_the_per_host_cap() -> None:
    in_flight = peak = 0

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()

    async def scenario(url: str) -> None:
        async with _client() as client:  # limit_per_host=5
            responses = await asyncio.gather(*(client.get(url) for _ in range(12)))
        assert [r.content for r in responses] == [b"ok"] * 12

    assert asyncio.run(_serve(answer, scenario)) == 5
    assert peak == 5


def test_many_requests_to_one_name_look_it_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    lookups: list[str] = []

    async def scenario(url: str) -> None:
        loop = asyncio.get_running_loop()
        real = loop.getaddrinfo

        async def counting(host: str, *args: object, **kwargs: object) -> object:
            lookups.append(host)
            await asyncio.sleep(0.02)  # still looking while the other requests ask
            return await real("127.0.0.1", *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(loop, "getaddrinfo", counting)
        async with _client() as client:
            named = url.replace("127.0.0.1", "pages.example")
            responses = await asyncio.gather(*(client.get(named) for _ in range(8)))
            assert {r.content for r in responses} == {b"ok"}
            assert (await client.get(named)).content == b"ok"  # within the TTL: no new lookup

    asyncio.run(_serve(_ok(b"ok"), scenario))
    assert lookups == ["pages.example"]


def test_a_lookup_that_hangs_is_a_connect_timeout_that_says_so() -> None:
    from statuswatch.fetcherrors import LookupTimedOut

    async def main() -> None:
        loop = asyncio.get_running_loop()

        async def hanging(*args: object, **kwargs: object) -> object:
            await asyncio.sleep(5)
            raise AssertionError("unreachable")

        loop.getaddrinfo = hanging  # type: ignore[method-assign,assignment]
        transport = PooledTransport(
            ssl.create_default_context(), limit=2, limit_per_host=2, lookup_timeout=0.1
        )
        async with httpx.AsyncClient(transport=transport) as client:
            with pytest.raises(httpx.ConnectTimeout) as info:
                await client.get("http://slow-dns.example/")
        assert str(info.value) == "timed out looking up the host name"
        assert isinstance(info.value.__cause__, LookupTimedOut)

    asyncio.run(main())


def test_a_name_that_does_not_resolve_keeps_the_resolver_error_as_its_cause() -> None:
    import socket

    async def main() -> None:
        async def unknown(*args: object, **kwargs: object) -> object:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

        asyncio.get_running_loop().getaddrinfo = unknown  # type: ignore[method-assign,assignment]
        async with _client() as client:
            with pytest.raises(httpx.ConnectError) as info:
                await client.get("http://no-such-host.invalid/")
        assert isinstance(info.value.__cause__, socket.gaierror)
        assert "Name or service not known" in str(info.value)

    asyncio.run(main())


def test_an_unsupported_scheme_is_refused_before_any_connection() -> None:
    async def main() -> None:
        async with _client() as client:
            with pytest.raises(httpx.UnsupportedProtocol):
                await client.get("ftp://files.example/status")

    asyncio.run(main())


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n",
        b"HTTP/1.0 200 OK\r\n\r\n",
    ],
    ids=["connection-close", "http-1.0"],
)
def test_an_answer_that_ends_its_connection_is_read_whole_and_not_kept(head: bytes) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(head + b"ok")
        await writer.drain()
        writer.close()
        raise ConnectionError  # ends this connection in _serve

    assert asyncio.run(_serve(answer, _gets_ok(2))) == 2


def test_a_header_that_would_break_its_line_is_an_httpx_error() -> None:
    async def scenario(url: str) -> None:
        async with _client() as client:
            with pytest.raises(httpx.LocalProtocolError):
                await client.get(url, headers={"X-Bad": "line\r\nbreak"})

    asyncio.run(_serve(_ok(b"ok"), scenario))
