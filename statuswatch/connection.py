"""One HTTP/1.1 client connection: a socket's bytes as they come, read into answers.

`statuswatch.transport` keeps these in its pools; this holds what one connection knows, and
`statuswatch.framing` what its current answer is.
"""

from __future__ import annotations

import asyncio
import socket
from collections import deque

from statuswatch.framing import Answer, FramingError

__all__ = [
    "HAPPY_EYEBALLS_DELAY",
    "Address",
    "Connection",
    "Origin",
    "Wire",
    "close_quietly",
    "literal_address",
    "open_socket",
    "release_transport",
    "socket_transport",
]

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
        self._socket_transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._socket_transport = socket_transport(transport)

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
        if self._socket_transport is not None:
            release_transport(self._socket_transport)
            self._socket_transport = None

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
            return self.take()
        if self.lost is not None:
            raise self.lost
        return b""

    def take(self) -> bytes:
        """The next bytes received, which must be `pending`."""
        data = self._chunks.popleft()
        self._buffered -= len(data)
        if self._paused and self._buffered < _HIGH_WATER // 4 and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return data

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


def _time_out(waiter: asyncio.Future[None]) -> None:
    """End a read's wait with TimeoutError, unless the bytes (or the end) came first."""
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class Connection:
    """An open connection to one origin and the answer being read on it, if any."""

    def __init__(self, origin: Origin, wire: Wire) -> None:
        self.origin = origin
        self.wire = wire
        self.answer: Answer | None = None  # the exchange in progress, or the last one
        self.reused = False
        self.expiry: asyncio.TimerHandle | None = None
        self.sent_at = 0  # the wire's byte count when the current request went out
        self.received = 0  # body bytes of the current response

    def heard_nothing(self) -> bool:
        """True when not a byte has come since the current request went out."""
        return self.wire.total == self.sent_at

    def reusable(self) -> bool:
        """True when the last exchange ended cleanly and the socket is still open and quiet."""
        answer = self.answer
        transport = self.wire.transport
        return (
            (answer is None or (answer.complete and answer.keep_alive and not answer.dirty))
            and not self.wire.ended
            and not self.wire.pending  # a server sends nothing unasked: this one did
            and transport is not None
            and not transport.is_closing()
        )

    def send(self, method: str, data: bytes) -> None:
        """Hand a request to the socket (asyncio buffers it; a GET is a few hundred bytes) and
        get ready to read its answer."""
        assert self.wire.transport is not None
        self.answer = Answer(method)
        self.sent_at = self.wire.total
        self.received = 0
        self.wire.transport.write(data)

    async def head(self, timeout: float | None) -> Answer:
        """The answer, once its head (not a 1xx's) has come; FramingError or ConnectionError
        (the server closed first) otherwise."""
        answer = self._answer()
        while not answer.head_done:
            data = await self.wire.read(timeout)
            if data:
                answer.feed(data)
            elif self.heard_nothing():
                raise Disconnected("closed before answering")
            else:
                raise FramingError("the server closed the connection within the response head")
        return answer

    async def body(self, timeout: float | None) -> bytes:
        """The next piece of the body; b"" at its end. FramingError when the server closes
        before the end."""
        answer = self._answer()
        while True:
            if answer.body:
                piece = answer.body.popleft()
                self.received += len(piece)
                return piece
            if answer.complete:
                return b""
            data = await self.wire.read(timeout)
            if data:
                answer.feed(data)
            elif answer.ends_with_the_connection():
                answer.end()  # this body's end is the connection's
            else:
                raise FramingError("closed before the end of the body")

    def finished_here(self) -> bool:
        """Read what has arrived already, without waiting: True when the whole answer is here
        (its unread body dropped), False when more was still to come."""
        answer = self._answer()
        try:
            while self.wire.pending and not answer.complete:
                answer.feed(self.wire.take())
        except FramingError:
            return False
        answer.body.clear()
        return answer.complete

    def _answer(self) -> Answer:
        assert self.answer is not None, "no request was sent on this connection"
        return self.answer

    def close(self) -> None:
        if self.answer is not None:
            self.answer.release()  # not read any further
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None
        if self.wire.transport is not None:
            self.wire.transport.close()


class Disconnected(ConnectionError):
    """The server closed the connection between messages, before answering."""


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


def socket_transport(transport: asyncio.BaseTransport) -> asyncio.BaseTransport:
    """The transport that reads the socket: `transport` itself, or under TLS the one asyncio's
    TLS layer reads from (which no public API names)."""
    inner = getattr(getattr(transport, "_ssl_protocol", None), "_transport", None)
    return inner if isinstance(inner, asyncio.BaseTransport) else transport


def release_transport(transport: asyncio.BaseTransport) -> None:
    """Break the reference cycle a closed socket transport keeps on Python 3.11.

    Its `_read_ready_cb` is a bound method of itself, which `close()` clears only from 3.12 on
    (CPython gh-100348). Left alone, each connection leaves a cycle of 7 objects (the
    transport, its dict, its sockets, ...) for the collector; `serve`, which keeps the
    collector off through a poll and freezes what the poll made, kept 5,000 of them a poll
    until its tenth, and the memory they pinned. Called once the transport is closed: nothing
    reads with it again.
    """
    attributes = getattr(transport, "__dict__", None)  # another loop's may have none
    if attributes is not None and attributes.get("_read_ready_cb") is not None:
        attributes["_read_ready_cb"] = None


def close_quietly(sock: socket.socket | None, wire: Wire) -> None:
    if wire.transport is not None:
        wire.transport.close()
    elif sock is not None:
        sock.close()
