"""HTTP/1.1 for the server, parsed by h11, on asyncio streams.

h11 reads request lines and headers, and knows keep-alive, pipelining, HEAD and how a response
is framed; this module adds the server's own limits (the size of a request head, the number of
header fields, the HTTP versions spoken) and never reads a request body: a request that has one
is answered, then the connection is closed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from email.utils import formatdate
from http import HTTPStatus

import h11

from statuswatch.records import record

__all__ = ["MAX_HEAD", "MAX_HEADERS", "BadRequest", "HttpConnection", "Request"]

# Past this a request head is refused: nothing legitimate sends 16 KiB of headers to us.
MAX_HEAD = 16 * 1024
MAX_HEADERS = 100  # distinct header names in one request
# Bytes read from the socket at a time (at most).
READ_SIZE = 4096
_VERSIONS = (b"1.0", b"1.1")


class BadRequest(Exception):
    """A request we answer with an error and then close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@record
class Request:
    """A request head; header names are lower case, repeated headers joined by commas."""

    method: str
    path: str
    query: str
    version: str
    headers: dict[str, str]
    has_body: bool = False  # a body follows the head (never read: the connection is closed)


class _Clock:
    """The Date header, formatted once per second rather than once per response."""

    def __init__(self) -> None:
        self._second = -1
        self._value = ""

    def date(self) -> str:
        now = int(time.time())
        if now != self._second:
            self._second, self._value = now, formatdate(now, usegmt=True)
        return self._value


_CLOCK = _Clock()


def _head(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("Date", _CLOCK.date()), *headers]


def _reason(status: int) -> bytes:
    return HTTPStatus(status).phrase.encode("ascii")


class HttpConnection:
    """One client's connection: `next_request` until it gives None, answering each request.

    Responses are written to the stream's buffer; the caller drains it (with its timeout).
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        self._fed = 0  # bytes given to h11 so far
        self._head_only = False  # the request being answered is a HEAD

    def _consumed(self) -> int:
        """Bytes h11 has parsed so far (what it was given, less what it still holds)."""
        return self._fed - len(self._h11.trailing_data[0])

    async def next_request(self) -> Request | None:
        """The next request's head; None once the connection is over (closed by the client
        between requests, or not to be reused). BadRequest for a head we refuse."""
        conn = self._h11
        self._head_only = False
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()  # keep-alive: a pipelined request may already be here
        elif conn.our_state is not h11.IDLE:
            return None
        start = self._consumed()
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                raise BadRequest(exc.error_status_hint, _problem(exc)) from None
            if event is h11.NEED_DATA:
                # h11 is never given more than MAX_HEAD + 1 bytes of a head it has not parsed:
                # past MAX_HEAD it refuses the head itself (431), whatever comes after.
                allowance = MAX_HEAD + 1 - (self._fed - start)
                if allowance <= 0:
                    raise BadRequest(431, "request head too large")
                data = await self._reader.read(min(READ_SIZE, allowance))
                self._fed += len(data)
                conn.receive_data(data)  # b"": the client closed its side
                continue
            if isinstance(event, h11.ConnectionClosed):
                return None
            if isinstance(event, h11.Request):
                return self._checked(event, self._consumed() - start)
            # Anything else (a body's data) cannot come before a request's head.
            raise BadRequest(400, "unexpected data before a request")  # pragma: no cover

    def _checked(self, event: h11.Request, size: int) -> Request:
        self._head_only = event.method == b"HEAD"  # before any refusal: h11 frames by it
        # h11 bounds a head that is still arriving; one that came whole is measured here.
        if size > MAX_HEAD:
            raise BadRequest(431, "request head too large")
        if event.http_version not in _VERSIONS:
            raise BadRequest(505, "only HTTP/1.0 and HTTP/1.1 are spoken here")
        headers: dict[str, str] = {}
        for raw_name, raw_value in event.headers:
            name = raw_name.decode("ascii")  # h11 allows only token characters in names
            value = raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
            if len(headers) > MAX_HEADERS:
                raise BadRequest(431, "too many headers")
        method = event.method.decode("ascii")
        target = event.target.decode("latin-1")
        path, _, query = target.partition("?")
        # A request without a body ends at once; one with a body is answered, never read.
        try:
            has_body = not isinstance(self._h11.next_event(), h11.EndOfMessage)
        except h11.RemoteProtocolError:
            has_body = True
        version = f"HTTP/{event.http_version.decode('ascii')}"
        return Request(method, path, query, version, headers, has_body)

    def respond(
        self,
        status: int,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
        *,
        close: bool = False,
    ) -> None:
        """Write a whole response (its length always; its body unless the request was HEAD).

        `close` ends the connection after it, as does a request that asked to or had a body.
        Also the answer to a BadRequest (h11 lets a server answer a request it refused), and
        to a connection over the cap before it sent anything. The answer to a HEAD may name
        its own Content-Length and leave `body` empty: the length of a body it need not make.
        """
        head = _head(headers)
        if not (self._head_only and not body and any(n == "Content-Length" for n, _ in head)):
            head.append(("Content-Length", str(len(body))))
        if close or self._h11.their_state in (h11.SEND_BODY, h11.ERROR):
            head.append(("Connection", "close"))
        conn = self._h11
        data = [conn.send(h11.Response(status_code=status, headers=head, reason=_reason(status)))]
        if body and not self._head_only:
            data.append(conn.send(h11.Data(data=body)))
        data.append(conn.send(h11.EndOfMessage()))
        self._writer.writelines(d for d in data if d)

    def start_stream(self, status: int, headers: Iterable[tuple[str, str]]) -> None:
        """Write the head of a response whose body lasts as long as the connection (SSE)."""
        head = [*_head(headers), ("Connection", "close")]
        conn = self._h11
        response = h11.Response(status_code=status, headers=head, reason=_reason(status))
        self._writer.write(conn.send(response) or b"")
        if self._head_only:
            conn.send(h11.EndOfMessage())

    def send(self, data: bytes) -> None:
        """Write a piece of a streamed body (chunked for an HTTP/1.1 client)."""
        self._writer.writelines(self._h11.send_with_data_passthrough(h11.Data(data=data)) or ())

    def end_stream(self) -> None:
        """Write the end of a streamed body, so the client sees it end rather than break."""
        if self._h11.our_state is h11.SEND_BODY:
            self._writer.write(self._h11.send(h11.EndOfMessage()) or b"")


def _problem(exc: h11.RemoteProtocolError) -> str:
    """What was wrong with a request, in our words (h11's echo the client's bytes)."""
    if exc.error_status_hint == 431:
        return "request head too large"
    text = str(exc)
    if "peer unexpectedly closed" in text:
        return "incomplete request head"
    if "request line" in text:
        return "malformed request line"
    return "malformed request head"
