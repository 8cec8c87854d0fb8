"""One HTTP/1.1 client connection: a socket's bytes as they come, framed by h11.

`statuswatch.transport` keeps these in its pools; this holds what one connection knows.
"""

from __future__ import annotations

import asyncio
import socket
from collections import deque

import h11

__all__ = [
    "HAPPY_EYEBALLS_DELAY",
    "Address",
    "Connection",
    "Origin",
    "Wire",
    "close_quietly",
    "content_length",
    "literal_address",
    "open_socket",
]

# Response heads up to this size are read (long Set-Cookie and CSP headers are seen on real
# pages; h11's own default is 16 KiB).
_MAX_HEAD = 256 * 1024
# Reading pauses while this much is received and not yet consumed, and resumes below a quarter.
_HIGH_WATER = 1024 * 1024
# How long a connection attempt goes unanswered before the next address is tried too (RFC 8305's
# recommended Connection Attempt Delay, and aiohttp's, which this transport replaced).
HAPPY_EYEBALLS_DELAY = 0.25

Origin = tuple[str, str, int]  # scheme, host, port
Address = tuple[int, tuple[object, ...]]  # a socket family and an address of it


class Wire(asyncio.Protocol):
    """One socket's incoming bytes, kept until the reader asks, with reading paused when many."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.lost: Exception | None = None  # why the connection ended, when an error did it
        self.ended = False  # no more bytes will come
        self.total = 0  # bytes received on this connection so far
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._paused = False
        self._waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        self.total += len(data)
        if self._buffered > _HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.ended = True
        self._wake()
        return False  # close our side too: HTTP/1.1 has no use for a half-open socket

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.lost = exc
        self._wake()

    @property
    def pending(self) -> bool:
        """True when bytes arrived that no reader asked for."""
        return bool(self._chunks)

    async def read(self, timeout: float | None) -> bytes:
        """The next bytes received; b"" once the peer is done. TimeoutError after `timeout`."""
        if not self._chunks and not self.ended:
            loop = asyncio.get_running_loop()
            waiter = self._waiter = loop.create_future()
            # A timer of its own rather than asyncio.timeout(): every read of every answer
            # waits here, and a timeout context costs a task lookup and a cancel-and-uncancel.
            timer = None if timeout is None else loop.call_later(timeout, _time_out, waiter)
            try:
                await waiter
            finally:
                self._waiter = None
                if timer is not None:
                    timer.cancel()
        if self._chunks:
            data = self._chunks.popleft()
            self._buffered -= len(data)
            if self._paused and self._buffered < _HIGH_WATER // 4 and self.transport is not None:
                self._paused = False
                self.transport.resume_reading()
            return data
        if self.lost is not None:
            raise self.lost
        return b""

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


def _time_out(waiter: asyncio.Future[None]) -> None:
    """End a read's wait with TimeoutError, unless the bytes (or the end) came first."""
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class Connection:
    """An open connection to one origin and the h11 state of the exchange on it."""

    def __init__(self, origin: Origin, wire: Wire) -> None:
        self.origin = origin
        self.wire = wire
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=_MAX_HEAD)
        self.reused = False
        self.expiry: asyncio.TimerHandle | None = None
        self.sent_at = 0  # the wire's byte count when the current request went out
        self.received = 0  # body bytes of the current response
        self.declared: int | None = None  # its Content-Length, if it gave one

    def heard_nothing(self) -> bool:
        """True when not a byte has come since the current request went out."""
        return self.wire.total == self.sent_at

    def reusable(self) -> bool:
        """True when the last exchange ended cleanly and the socket is still open and quiet."""
        transport = self.wire.transport
        return (
            self.h11.our_state is h11.IDLE
            and self.h11.their_state is h11.IDLE
            and not self.wire.ended
            and not self.wire.pending  # a server sends nothing unasked: this one did
            and transport is not None
            and not transport.is_closing()
        )

    def send(self, data: bytes) -> None:
        """Hand bytes to the socket (asyncio buffers them; a GET is a few hundred bytes)."""
        assert self.wire.transport is not None
        self.wire.transport.write(data)

    async def next_event(self, timeout: float | None) -> object:
        """The next thing the server said, reading as needed."""
        while True:
            event = self.h11.next_event()
            if event is not h11.NEED_DATA:
                return event
            self.h11.receive_data(await self.wire.read(timeout))

    def buffered_event(self) -> object:
        """The next event if the bytes for it are here already, else h11.NEED_DATA."""
        try:
            return self.h11.next_event()
        except h11.RemoteProtocolError:
            return h11.NEED_DATA

    def close(self) -> None:
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None
        if self.wire.transport is not None:
            self.wire.transport.close()


async def open_socket(
    loop: asyncio.AbstractEventLoop, addresses: list[Address], delay: float = HAPPY_EYEBALLS_DELAY
) -> socket.socket:
    """A socket connected to the first of `addresses` that accepts; the last error if none.

    Happy eyeballs (RFC 8305): the families take turns (IPv6, IPv4, IPv6, ...) and the next
    address is tried as soon as those before have failed or `delay` has passed without an
    answer, the attempts still running racing on; the first to connect wins, the rest are
    closed. One after the other, an address that never answers (IPv6 dropped on the way, say)
    held the whole connect timeout, and the addresses after it were never tried.
    """
    ordered = _interleaved(addresses)
    if not ordered:
        raise OSError(f"no address to connect to among {addresses}")
    if len(ordered) == 1:
        return await _connect(loop, ordered[0])
    attempts: list[asyncio.Task[socket.socket]] = []
    winner: socket.socket | None = None
    try:
        for index, address in enumerate(ordered):
            attempts.append(asyncio.ensure_future(_connect(loop, address)))
            last = index == len(ordered) - 1
            winner = await _first_connected(attempts, None if last else delay)
            if winner is not None:
                return winner
        failure = attempts[-1].exception()
        raise failure or OSError(f"no address to connect to among {addresses}")
    finally:
        for attempt in attempts:
            if not attempt.done():
                attempt.cancel()  # its socket is closed as the cancellation ends it
            elif (
                not attempt.cancelled()
                and attempt.exception() is None
                and attempt.result() is not winner
            ):
                attempt.result().close()  # connected too, but not first


async def _first_connected(
    attempts: list[asyncio.Task[socket.socket]], timeout: float | None
) -> socket.socket | None:
    """The socket of an attempt that connected, else None: with a `timeout`, once any attempt
    has ended or `timeout` has passed (the next address is due); without one, once every
    attempt has failed. An error that is not a refusal or the like is raised."""
    while True:
        running = []
        for attempt in attempts:
            if not attempt.done():
                running.append(attempt)
                continue
            failure = attempt.exception()
            if failure is None:
                return attempt.result()
            if not isinstance(failure, OSError):
                raise failure
        if not running:
            return None
        done, _ = await asyncio.wait(running, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if timeout is not None and not any(a.exception() is None for a in done):
            return None


async def _connect(loop: asyncio.AbstractEventLoop, address: Address) -> socket.socket:
    """A socket connected to `address`, closed if connecting fails or is cancelled."""
    family, target = address
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        await loop.sock_connect(sock, target)
        return sock
    except BaseException:
        sock.close()
        raise


def _interleaved(addresses: list[Address]) -> list[Address]:
    """`addresses` with the first one's family and the others taking turns, each in order."""
    if not addresses:
        return []
    first = [a for a in addresses if a[0] == addresses[0][0]]
    other = [a for a in addresses if a[0] != addresses[0][0]]
    ordered: list[Address] = []
    for index in range(max(len(first), len(other))):
        ordered += first[index : index + 1] + other[index : index + 1]
    return ordered


def literal_address(host: str, port: int) -> list[Address] | None:
    """The address itself when `host` is an IPv4 or IPv6 literal (no lookup needed)."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except (OSError, ValueError):
            continue
        return [(int(family), (host, port))]
    return None


def close_quietly(sock: socket.socket | None, wire: Wire) -> None:
    if wire.transport is not None:
        wire.transport.close()
    elif sock is not None:
        sock.close()


def content_length(head: h11.Response) -> int | None:
    """The Content-Length a response head declares, if one."""
    for name, value in head.headers:
        if name == b"content-length":
            return int(value)  # h11 has checked it is one number
    return None
