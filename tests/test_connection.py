"""Connecting to a host's addresses (statuswatch.connection.open_socket): happy eyeballs."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest

from statuswatch.connection import Address, open_socket
from statuswatch.transport import PooledTransport

# An address no test server listens on: its attempts are made to hang or fail on purpose.
SILENT: Address = (int(socket.AF_INET), ("192.0.2.1", 80))  # TEST-NET-1, never routed


@pytest.fixture
def listening() -> Iterator[Address]:
    """A loopback socket that accepts connections (the kernel completes them: no loop needed)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield (int(socket.AF_INET), server.getsockname())
    server.close()


@pytest.fixture
def refused() -> Address:
    """A loopback port nothing listens on (bound a moment, then freed)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return (int(socket.AF_INET), ("127.0.0.1", port))


Connect = Callable[[socket.socket, object], Awaitable[None]]


def _with_connect(
    loop: asyncio.AbstractEventLoop, tried: list[object], hanging: list[socket.socket]
) -> Connect:
    """The loop's sock_connect, recording each address tried; SILENT's never answers."""
    real = loop.sock_connect

    async def sock_connect(sock: socket.socket, address: object) -> None:
        tried.append(address)
        if address == SILENT[1]:
            hanging.append(sock)
            await asyncio.Future()  # until cancelled
        await real(sock, address)

    return sock_connect


def test_an_address_that_never_answers_gives_way_to_the_next(listening: Address) -> None:
    tried: list[object] = []
    hanging: list[socket.socket] = []

    async def main() -> tuple[socket.socket, float]:
        loop = asyncio.get_running_loop()
        loop.sock_connect = _with_connect(loop, tried, hanging)  # type: ignore[method-assign]
        started = time.monotonic()
        # The silent address first, as a host's unreachable IPv6 address comes first.
        async with asyncio.timeout(5.0):  # one at a time, it would wait here for ever
            sock = await open_socket(loop, [SILENT, listening], delay=0.05)
        return sock, time.monotonic() - started

    sock, took = asyncio.run(main())
    try:
        assert sock.getpeername() == listening[1]
        assert tried == [SILENT[1], listening[1]]
        assert took < 1.0  # the delay, not a connect timeout
        assert hanging and hanging[0].fileno() == -1  # the losing attempt's socket is closed
    finally:
        sock.close()


def test_a_refused_address_gives_way_at_once(refused: Address, listening: Address) -> None:
    async def main() -> tuple[socket.socket, float]:
        started = time.monotonic()
        sock = await open_socket(asyncio.get_running_loop(), [refused, listening], delay=30.0)
        return sock, time.monotonic() - started

    sock, took = asyncio.run(main())
    try:
        assert sock.getpeername() == listening[1]
        assert took < 5.0  # not the 30 s delay: a failure starts the next attempt
    finally:
        sock.close()


def test_when_no_address_accepts_the_last_refusal_is_raised(refused: Address) -> None:
    async def main() -> None:
        await open_socket(asyncio.get_running_loop(), [refused, refused], delay=30.0)

    with pytest.raises(ConnectionRefusedError):
        asyncio.run(main())


def test_the_families_take_turns_in_their_own_order() -> None:
    # Two IPv4 addresses then one of another family (a Unix socket's, which every Unix can
    # make): tried as the first IPv4, the other family, the second IPv4. Each is refused here.
    tried: list[object] = []
    first: Address = (int(socket.AF_INET), ("192.0.2.10", 80))
    second: Address = (int(socket.AF_INET), ("192.0.2.11", 80))
    other: Address = (int(socket.AF_UNIX), ("/nonexistent/statuswatch.sock",))

    async def refuse(sock: socket.socket, address: object) -> None:
        tried.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.sock_connect = refuse  # type: ignore[method-assign]
        with pytest.raises(ConnectionRefusedError):
            await open_socket(loop, [first, second, other], delay=30.0)

    asyncio.run(main())
    assert tried == [first[1], other[1], second[1]]


def test_a_connect_timeout_closes_every_attempt(listening: Address) -> None:
    hanging: list[socket.socket] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.sock_connect = _with_connect(loop, [], hanging)  # type: ignore[method-assign]
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await open_socket(loop, [SILENT, SILENT], delay=0.05)
        await asyncio.sleep(0)  # the cancelled attempts end

    asyncio.run(main())
    assert len(hanging) == 2
    assert all(sock.fileno() == -1 for sock in hanging)


def test_a_host_whose_first_address_is_silent_is_fetched_through_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # End to end: a name resolving to a silent address and then to the server's.
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    async def main() -> bytes:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        loop = asyncio.get_running_loop()
        loop.sock_connect = _with_connect(loop, [], [])  # type: ignore[method-assign]

        async def getaddrinfo(host: str, port_: int, **kwargs: object) -> list[tuple[object, ...]]:
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", SILENT[1]),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
            ]

        loop.getaddrinfo = getaddrinfo  # type: ignore[method-assign,assignment]
        transport = PooledTransport(ssl.create_default_context(), limit=4, limit_per_host=4)
        async with server, httpx.AsyncClient(transport=transport, timeout=5.0) as client:
            return (await client.get(f"http://status.example:{port}/")).content

    assert asyncio.run(main()) == b"ok"
