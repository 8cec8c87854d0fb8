"""An httpx transport of our own: HTTP/1.1 over asyncio sockets, a pool per origin.

httpx stays the API; this moves the bytes. httpcore's pool scans every connection it holds on
each request and each response closed, so its cost grows with the square of the connections in
flight (1,000 pages over 50 origins cost 22 ms of CPU each). aiohttp's pool, kept for a while
underneath, took ~50 ms to import and ~0.35 ms of CPU per request of its own. Here a request
costs what its framing needs (`statuswatch.framing`: llhttp reads the answer, ~10 us for a 304;
h11 took ~100) and the event loop's own work (benchmarks/README.md, rounds 4 and 7).

Only the wire is ours: redirects, timeouts' meaning, caps and decoding stay with httpx and
`statuswatch.http`. Failures are raised as the httpx errors httpcore would raise, in its words,
with the underlying OSError or SSLError kept as the cause (the engine names refusals, DNS and
TLS failures from it), and no TimeoutError escapes that the engine would take for its own
deadline.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Callable
from typing import NoReturn

import httpx

from statuswatch.connection import (
    Address,
    Connection,
    Disconnected,
    Origin,
    Wire,
    close_quietly,
    literal_address,
    open_socket,
)
from statuswatch.fetcherrors import LookupTimedOut
from statuswatch.framing import FramingError, LocalFramingError, request_message

__all__ = ["PooledTransport"]

# Keep idle connections for a poll's retries and the next `watch` refresh, not much longer.
_KEEPALIVE = 30.0
# A host name's addresses are reused this long: a poll asks for many pages of one host at once.
_DNS_TTL = 10.0


class _Stale(Exception):
    """A connection from the pool closed before any of the answer came: send again, afresh."""


class PooledTransport(httpx.AsyncBaseTransport):
    """Sends httpx requests over kept-alive connections: a pool per origin, at most `limit`
    requests at once (`limit_per_host` to one origin)."""

    def __init__(
        self,
        context: ssl.SSLContext,
        *,
        limit: int,
        limit_per_host: int,
        lookup_timeout: float | None = None,
    ) -> None:
        self._context = context
        self._limit = max(1, limit)
        self._limit_per_host = max(1, limit_per_host)
        self._lookup_timeout = lookup_timeout
        self._global = asyncio.Semaphore(self._limit)
        self._hosts: dict[Origin, asyncio.Semaphore] = {}
        self._idle: dict[Origin, list[Connection]] = {}
        self._open: set[Connection] = set()
        # By (host, port): an address carries its port, so each is used as it was found.
        self._addresses: dict[tuple[str, int], tuple[float, list[Address]]] = {}
        self._lookups: dict[tuple[str, int], asyncio.Future[list[Address]]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request`; the response streams its raw (still encoded) body."""
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(
                f"Request URL has an unsupported protocol '{url.scheme}://'.", request=request
            )
        origin: Origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        timeouts = request.extensions.get("timeout", {})
        content = await request.aread()  # statuswatch sends GETs: empty, or read already
        release = await self._acquire(origin, timeouts.get("pool"), request)
        try:
            try:
                connection = await self._connection(origin, timeouts, request)
                return await self._exchange(connection, request, content, timeouts, release)
            except _Stale:
                # The server closed a kept connection as we sent on it: one fresh try, as
                # httpcore and aiohttp make.
                connection = await self._new(origin, timeouts, request)
                return await self._exchange(connection, request, content, timeouts, release)
        except BaseException:
            release()
            raise

    async def aclose(self) -> None:
        """Close every connection, idle or not."""
        for connection in list(self._open):
            connection.close()
        self._open.clear()
        self._idle.clear()

    # -- limits ---------------------------------------------------------------------------------

    async def _acquire(
        self, origin: Origin, timeout: float | None, request: httpx.Request
    ) -> Callable[[], None]:
        """Wait for room under both caps; return the call that gives it back (once)."""
        host = self._hosts.get(origin)
        if host is None:
            host = self._hosts[origin] = asyncio.Semaphore(self._limit_per_host)
        if host.locked() or self._global.locked():
            try:
                async with asyncio.timeout(timeout):
                    await host.acquire()
                    try:
                        await self._global.acquire()
                    except BaseException:
                        host.release()
                        raise
            except TimeoutError:
                message = "timed out waiting for a connection"
                raise httpx.PoolTimeout(message, request=request) from None
        else:
            # Room under both (the engine's own limits, the same caps, make it the usual
            # case): taken at once, without a timeout's timer to set and cancel.
            await host.acquire()
            await self._global.acquire()
        held = [host, self._global]

        def release() -> None:
            while held:
                held.pop().release()

        return release

    # -- connections ----------------------------------------------------------------------------

    async def _connection(
        self, origin: Origin, timeouts: dict[str, float | None], request: httpx.Request
    ) -> Connection:
        """A kept connection to `origin` that is still good, or a new one."""
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if connection.expiry is not None:
                connection.expiry.cancel()
                connection.expiry = None
            if connection.reusable():
                connection.reused = True
                return connection
            self._discard(connection)
        return await self._new(origin, timeouts, request)

    async def _new(
        self, origin: Origin, timeouts: dict[str, float | None], request: httpx.Request
    ) -> Connection:
        """Open a connection to `origin` (TLS for https) within the connect timeout."""
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        addresses = await self._resolve(host, port, request)
        wire = Wire()
        sock: socket.socket | None = None
        try:
            async with asyncio.timeout(timeouts.get("connect")):
                sock = await open_socket(loop, addresses)
                if scheme == "https":
                    await loop.create_connection(
                        lambda: wire, sock=sock, ssl=self._context, server_hostname=host
                    )
                else:
                    await loop.create_connection(lambda: wire, sock=sock)
        except TimeoutError:
            close_quietly(sock, wire)
            raise httpx.ConnectTimeout("timed out while connecting", request=request) from None
        except ssl.SSLError as exc:
            close_quietly(sock, wire)
            raise httpx.ConnectError(str(exc), request=request) from exc
        except OSError as exc:
            close_quietly(sock, wire)
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        except BaseException:
            close_quietly(sock, wire)
            raise
        connection = Connection(origin, wire)
        self._open.add(connection)
        return connection

    async def _resolve(self, host: str, port: int, request: httpx.Request) -> list[Address]:
        """The addresses of `host` (a literal address as it is), each lookup bounded."""
        literal = literal_address(host, port)
        if literal is not None:
            return literal
        key = (host, port)
        known = self._addresses.get(key)
        if known is not None and known[0] > time.monotonic():
            return known[1]
        lookup = self._lookups.get(key)
        if lookup is None:
            # One lookup per name however many requests wait for it.
            lookup = self._lookups[key] = asyncio.ensure_future(self._lookup(host, port))
            lookup.add_done_callback(lambda _: self._lookups.pop(key, None))
        try:
            found = await asyncio.shield(lookup)
        except LookupTimedOut as exc:
            raise httpx.ConnectTimeout(
                "timed out looking up the host name", request=request
            ) from exc
        except OSError as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        self._addresses[key] = (time.monotonic() + _DNS_TTL, found)
        return found

    async def _lookup(self, host: str, port: int) -> list[Address]:
        """Ask the system's resolver (in a worker thread), within the lookup timeout."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self._lookup_timeout):
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError:
            raise LookupTimedOut(
                f"{host} did not resolve within {self._lookup_timeout} s"
            ) from None
        return [(int(family), tuple(address)) for family, _, _, _, address in infos]

    def _keep(self, connection: Connection) -> None:
        """Put a connection whose exchange ended cleanly back in its pool, for a while."""
        if not connection.reusable():  # "Connection: close", HTTP/1.0, or bytes unasked for
            self._discard(connection)
            return
        connection.expiry = asyncio.get_running_loop().call_later(
            _KEEPALIVE, self._expire, connection
        )
        self._idle.setdefault(connection.origin, []).append(connection)

    def _expire(self, connection: Connection) -> None:
        connection.expiry = None
        idle = self._idle.get(connection.origin, [])
        if connection in idle:
            idle.remove(connection)
        self._discard(connection)

    def _discard(self, connection: Connection) -> None:
        connection.close()
        self._open.discard(connection)

    # -- one exchange ---------------------------------------------------------------------------

    async def _exchange(
        self,
        connection: Connection,
        request: httpx.Request,
        content: bytes,
        timeouts: dict[str, float | None],
        release: Callable[[], None],
    ) -> httpx.Response:
        """Send the request on `connection` and read the response's head."""
        read_timeout = timeouts.get("read")
        try:
            message = request_message(
                request.method, request.url.raw_path, request.headers.raw, content
            )
            connection.send(request.method, message)
            head = await connection.head(read_timeout)
        except BaseException as exc:
            self._discard(connection)
            if connection.reused and _closed_early(exc, connection):
                raise _Stale() from exc
            _raise_read(exc, request, connection, in_body=False)
        extensions: dict[str, object] = {"http_version": b"HTTP/" + head.version}
        if head.reason:
            extensions["reason_phrase"] = head.reason
        return httpx.Response(
            status_code=head.status,
            headers=head.headers,
            stream=_Body(self, connection, request, read_timeout, release),
            request=request,
            extensions=extensions,
        )


class _Body(httpx.AsyncByteStream):
    """A response body read off its connection; closing it returns a finished connection to the
    pool and closes an unfinished one."""

    def __init__(
        self,
        transport: PooledTransport,
        connection: Connection,
        request: httpx.Request,
        timeout: float | None,
        release: Callable[[], None],
    ) -> None:
        self._transport = transport
        self._connection = connection
        self._request = request
        self._timeout = timeout
        self._release = release
        self._done = False

    def __aiter__(self) -> _Body:
        # Iterated by hand: an async generator costs a registration with the loop's hooks.
        return self

    async def __anext__(self) -> bytes:
        if not self._done:
            try:
                piece = await self._connection.body(self._timeout)
            except BaseException as exc:
                self._finish(keep=False)
                _raise_read(exc, self._request, self._connection, in_body=True)
            if piece:
                return piece
            self._finish(keep=True)
        raise StopAsyncIteration

    async def aclose(self) -> None:
        if self._done:
            return
        # A body with nothing left to read (a 304, an empty one, a short one all received) lets
        # its connection be used again; one left with bytes to come closes it.
        self._finish(keep=self._connection.finished_here())

    def _finish(self, keep: bool) -> None:
        if self._done:
            return
        self._done = True
        if keep:
            self._transport._keep(self._connection)
        else:
            self._transport._discard(self._connection)
        self._release()


def _closed_early(exc: BaseException, connection: Connection) -> bool:
    """True when the connection ended (reset, closed) before a byte of the answer came."""
    if not connection.heard_nothing():
        return False
    if isinstance(exc, ConnectionError):
        return True
    return isinstance(exc, FramingError) and connection.wire.ended


def _raise_read(
    exc: BaseException, request: httpx.Request, connection: Connection, in_body: bool
) -> NoReturn:
    """Raise the httpx error httpcore would for `exc`, met while reading an answer."""
    if isinstance(exc, TimeoutError):
        raise httpx.ReadTimeout("timed out while reading", request=request) from exc
    answer = connection.answer
    if isinstance(exc, FramingError) and in_body and connection.wire.ended:
        # The words httpcore uses, so a truncated body reads the same whatever the transport.
        text = "peer closed connection without sending complete message body"
        if answer is not None and answer.declared is not None:
            text += f" (received {connection.received} bytes, expected {answer.declared})"
        else:
            text += " (incomplete chunked read)"
        raise httpx.RemoteProtocolError(text, request=request) from exc
    closed = connection.wire.ended and connection.heard_nothing()
    if not in_body and closed and isinstance(exc, FramingError | Disconnected):
        raise httpx.RemoteProtocolError(
            "server disconnected without sending a response", request=request
        ) from exc
    if isinstance(exc, FramingError):
        raise httpx.RemoteProtocolError(f"malformed response: {exc}", request=request) from exc
    if isinstance(exc, LocalFramingError):  # a header that would break its line, say
        raise httpx.LocalProtocolError(str(exc), request=request) from exc
    if isinstance(exc, OSError):  # a reset, a broken pipe
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc
    raise exc
