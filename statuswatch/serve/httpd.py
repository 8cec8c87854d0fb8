"""Just enough HTTP/1.1 for the server: read a request head, write a response (stdlib asyncio).

The server answers GET and HEAD with small bodies it already holds; a full framework would add
a dependency and per-request work for nothing it needs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus

__all__ = ["MAX_HEAD", "BadRequest", "Request", "read_request", "response"]

# Past this a request head is refused: nothing legitimate sends 16 KiB of headers to us.
MAX_HEAD = 16 * 1024
_MAX_HEADERS = 100


class BadRequest(Exception):
    """A request we answer with an error and then close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Request:
    """A request head; header names are lower case, repeated headers joined by commas."""

    method: str
    path: str
    query: str
    version: str
    headers: dict[str, str]

    @property
    def keep_alive(self) -> bool:
        """Whether the client wants the connection kept after the response."""
        tokens = {t.strip().lower() for t in self.headers.get("connection", "").split(",")}
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens

    @property
    def has_body(self) -> bool:
        """True when a body follows the head (we never read one: the connection is closed)."""
        length = self.headers.get("content-length", "0").strip()
        return "transfer-encoding" in self.headers or length not in ("", "0")


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """Read one request head; None when the client closed the connection between requests.

    The reader's limit (set by `asyncio.start_server(limit=...)`) caps the head's size.
    """
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise BadRequest(400, "incomplete request head") from None
    except asyncio.LimitOverrunError:
        raise BadRequest(431, "request head too large") from None
    try:
        text = raw.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        raise BadRequest(400, "undecodable request head") from None
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(400, "malformed request line")
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(400, "malformed header line")
        key = name.lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
        if len(headers) > _MAX_HEADERS:
            raise BadRequest(431, "too many headers")
    path, _, query = target.partition("?")
    return Request(method, path, query, version, headers)


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


def response(
    status: int,
    headers: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
    *,
    head_only: bool = False,
    keep_alive: bool = True,
    length: bool = True,
) -> bytes:
    """The bytes of a response; `length=False` for a stream that ends when the connection does."""
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", f"Date: {_CLOCK.date()}"]
    lines.extend(f"{name}: {value}" for name, value in headers)
    if length:
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if head_only else head + body
