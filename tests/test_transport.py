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


def _ok(body: bytes, *extra: bytes) -> Answer:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = b"HTTP/1.1 200 Fine\r\nContent-Length: %d\r\n" % len(body)
        writer.write(head + b"".join(h + b"\r\n" for h in extra) + b"\r\n" + body)
        await writer.drain()

    return answer


def test_a_response_keeps_its_raw_body_headers_and_reason_and_its_connection() -> None:
    body = b"\x1f\x8b not really gzip"
    long_header = b"X-Long: " + b"a" * 20_000  # past aiohttp's 8 KiB default, as httpcore took

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
    # The engine takes a bare TimeoutError for its own deadline: aiohttp's timeouts are
    # TimeoutErrors, so they must arrive as httpx's.
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


# --- aiohttp imported without loading CAs into its own default contexts -----------------------

_IMPORTED = """
import json, ssl
before = ssl.create_default_context().cert_store_stats()["x509_ca"]
import statuswatch.transport
import aiohttp.connector
print(json.dumps({
    "system_before": before,
    "system_after": ssl.create_default_context().cert_store_stats()["x509_ca"],
    "aiohttp_default": aiohttp.connector._SSL_CONTEXT_VERIFIED.cert_store_stats()["x509_ca"],
    "restored": "set_default_verify_paths" not in vars(ssl.SSLContext),
}))
"""


def test_importing_the_transport_leaves_every_other_ssl_context_as_it_was() -> None:
    import json
    import subprocess
    import sys

    found = json.loads(
        subprocess.run(
            [sys.executable, "-c", _IMPORTED], capture_output=True, text=True, check=True
        ).stdout
    )
    # aiohttp's own default context verifies nothing: it is never used (every request carries
    # the engine's context: tests/test_poll.py's TLS tests trust a certificate only through
    # it), and every context made after the import loads the system's CAs as before.
    assert found["aiohttp_default"] == 0
    assert found["system_after"] == found["system_before"]
    assert found["restored"] is True


def test_the_skip_is_for_the_importing_thread_and_the_import_only() -> None:
    import threading

    from statuswatch.transport import _no_default_verify_paths

    def loaded() -> int:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.set_default_verify_paths()
        return int(context.cert_store_stats()["x509_ca"])

    usual = loaded()
    seen: list[int] = []
    with _no_default_verify_paths():
        here = loaded()
        other = threading.Thread(target=lambda: seen.append(loaded()))
        other.start()
        other.join()
    assert (here, seen, loaded()) == (0, [usual], usual)
