"""HTTP/1.1 framing for the client transport: a request's head written, an answer read by llhttp.

The answer is parsed by httptools (the bindings to llhttp, Node.js's parser, that uvicorn
reads requests with): ~10 us for a request and a 304 with ten headers, against ~100 us with
h11 in pure Python, and a poll makes one exchange per page. The request head is ours to
write: a GET's method, target and headers, each refused if it holds what would split or end
a line (the check h11 made before sending).
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

import httptools

__all__ = [
    "MAX_HEAD",
    "Answer",
    "FramingError",
    "LocalFramingError",
    "request_head",
    "request_message",
]

# Response heads up to this size are read (long Set-Cookie and CSP headers are seen on real
# pages; h11's default was 16 KiB).
MAX_HEAD = 256 * 1024

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Controls but the tab: a CR or LF in a value would end the line, a NUL truncates it.
_BAD_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_BAD_TARGET = re.compile(rb"[\x00-\x20\x7f]")
_NO_BODY = (204, 304)


class FramingError(Exception):
    """The server's answer is not HTTP/1.1 we can read; the message says how."""


class LocalFramingError(Exception):
    """A request head that would not be one line per field (a CR or LF in a value, say)."""


def request_message(
    method: str, target: bytes, headers: list[tuple[bytes, bytes]], content: bytes
) -> bytes:
    """The whole request: its head (checked) and `content`, framed as its headers say (chunked
    when they ask for it; else a Content-Length is added to a body that has none)."""
    chunked = has_length = False
    for name, value in headers:  # one pass over a GET's few headers
        lowered = name.lower()
        if lowered == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif lowered == b"content-length":
            has_length = True
    if chunked:
        body = (b"%x\r\n%b\r\n" % (len(content), content) if content else b"") + b"0\r\n\r\n"
        return request_head(method, target, headers) + body
    if content and not has_length:
        headers = [*headers, (b"Content-Length", b"%d" % len(content))]
    return request_head(method, target, headers) + content


def request_head(method: str, target: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
    """The request line and the header lines, checked; LocalFramingError if one is unsafe."""
    verb = method.encode("ascii", "replace")
    if not _TOKEN.fullmatch(verb):
        raise LocalFramingError(f"illegal request method {method!r}")
    if not target or _BAD_TARGET.search(target):
        raise LocalFramingError(f"illegal request target {target!r}")
    lines = [verb + b" " + target + b" HTTP/1.1\r\n"]
    for name, value in headers:
        if not _TOKEN.fullmatch(name):
            raise LocalFramingError(f"illegal header name {name!r}")
        if _BAD_VALUE.search(value):
            raise LocalFramingError(f"illegal header value {value!r}")
        lines.append(name + b": " + value + b"\r\n")
    lines.append(b"\r\n")
    return b"".join(lines)


class Answer:
    """One response as llhttp reads it: its head, then its body in pieces, then its end.

    `feed` parses what the socket gave; the callbacks below are llhttp's (through httptools).
    An informational answer (1xx) is skipped, as h11 did: its head is forgotten.
    """

    __slots__ = (
        "_fed", "_head_only", "_head_size", "_parser", "body", "chunked", "complete",
        "declared", "dirty", "head_done", "headers", "keep_alive", "reason", "status", "version",
    )  # fmt: skip

    def __init__(self, method: str) -> None:
        self._parser: Any = httptools.HttpResponseParser(self)
        self._head_only = method == "HEAD"  # its Content-Length describes a body not sent
        self._fed = 0  # bytes given to the parser before the head was complete
        self._head_size = 0  # the header lines' names and values
        self.status = 0
        self.reason = b""
        self.version = b"1.1"
        self.headers: list[tuple[bytes, bytes]] = []
        self.head_done = False
        self.complete = False
        self.keep_alive = False
        self.dirty = False  # bytes came after the answer's end: the connection is not reused
        self.declared: int | None = None  # the Content-Length given, if any
        self.chunked = False
        self.body: deque[bytes] = deque()

    def feed(self, data: bytes) -> None:
        """Parse `data`; FramingError if it is not HTTP, or the head grows past MAX_HEAD."""
        if self.complete:
            self.dirty = True  # a server sends nothing unasked: this one did
            return
        parser = self._parser
        if parser is None:
            raise FramingError("the answer was given up")  # its connection closed
        try:
            parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            raise FramingError("the server switched protocols") from None
        except httptools.HttpParserError as exc:
            if self.complete:
                self.dirty = True  # garbage after a whole answer: it is read, not reused
                return
            raise FramingError(str(exc) or type(exc).__name__) from None
        if not self.head_done:
            self._fed += len(data)  # a head still coming, however it is cut
        if self._fed > MAX_HEAD or self._head_size > MAX_HEAD:
            raise FramingError(f"the response head is larger than {MAX_HEAD // 1024} KiB")

    def end(self) -> None:
        """The answer is whole: nothing more is parsed into it."""
        self.complete = True
        self.release()

    def release(self) -> None:
        """Let go of the parser, which refers back to this answer through its callbacks (once
        whole, or given up). Left to the garbage collector, which a poll pauses, each
        exchange's pair stayed: 5,000 pages polled every minute took 76 MiB more."""
        self._parser = None

    def ends_with_the_connection(self) -> bool:
        """True when the body runs until the server closes (no length, not chunked)."""
        return (
            self.head_done
            and not self.complete
            and self.declared is None
            and not self.chunked
            and self.status not in _NO_BODY
        )

    # -- llhttp's callbacks -----------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self.complete:
            self.dirty = True

    def on_status(self, reason: bytes) -> None:
        self.reason += reason

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value.strip(b" \t")))
        self._head_size += len(name) + len(value)  # a head that came whole counts too

    def on_headers_complete(self) -> None:
        parser = self._parser
        status = parser.get_status_code()
        if 100 <= status < 200 and status != 101:
            # Informational: the real answer follows on the same connection.
            self.headers = []
            self.reason = b""
            return
        self.status = status
        self.version = parser.get_http_version().encode("ascii")
        self.keep_alive = parser.should_keep_alive()
        self.head_done = True
        for name, value in self.headers:
            if name == b"content-length":
                self.declared = int(value)  # llhttp has checked it is one number
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                self.chunked = True
        if self._head_only:
            self.end()

    def on_body(self, data: bytes) -> None:
        if self.complete:
            self.dirty = True  # a body after a HEAD's head
            return
        self.body.append(data)

    def on_message_complete(self) -> None:
        if self.head_done:
            self.end()
