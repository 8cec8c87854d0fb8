"""Why a fetch failed, in words: httpx's exceptions into the report's FetchError."""

from __future__ import annotations

import asyncio
import re
import socket
import ssl

import httpx

from statuswatch.model import ErrorType, FetchError
from statuswatch.settings import HttpSettings
from statuswatch.text import one_line

__all__ = ["classify", "describe", "secs"]

_DETAIL_LIMIT = 200


def classify(
    exc: httpx.HTTPError, url: str, in_body: bool, s: HttpSettings
) -> tuple[FetchError, bool]:
    """Map an httpx error to the report's error and whether another attempt may help."""
    detail = describe(exc)
    if isinstance(exc, httpx.ConnectTimeout) and _while_resolving(exc):
        # The connect timeout covers the name lookup: with hundreds of pages at once (--all),
        # a slow resolver, not the page's server, is what ran out of time.
        message = (
            f"could not connect to {url}: the host name did not resolve within "
            f"{secs(s.connect_timeout)} (DNS)"
        )
        return FetchError(ErrorType.CONNECTION, message), False
    if isinstance(exc, httpx.ConnectTimeout):
        message = f"could not connect to {url} within {secs(s.connect_timeout)}"
        return FetchError(ErrorType.TIMEOUT, message), False
    if isinstance(exc, httpx.ReadTimeout) and in_body:
        message = f"the body from {url} stalled for {secs(s.read_timeout)}"
        return FetchError(ErrorType.TIMEOUT, message), False
    if isinstance(exc, httpx.TimeoutException):
        # Timeouts are not retried: each attempt may already have used the whole deadline.
        message = f"no answer from {url} within {secs(s.read_timeout)}"
        return FetchError(ErrorType.TIMEOUT, message), False
    if _is_tls(exc):
        return FetchError(ErrorType.TLS, f"TLS failure with {url}: {detail}"), False
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError(ErrorType.CONNECTION, f"cannot request {url}: {detail}"), False
    if isinstance(exc, httpx.DecodingError):
        message = f"the body from {url} could not be decoded: {detail}"
        return FetchError(ErrorType.PARSE_ERROR, message), False
    if isinstance(exc, httpx.LocalProtocolError):
        return FetchError(ErrorType.INTERNAL, f"bad request to {url}: {detail}"), False
    if in_body and isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        message = f"the body from {url} was truncated: {detail}"
        return FetchError(ErrorType.CONNECTION, message), True
    if isinstance(exc, httpx.ConnectError):
        detail = _connect_detail(exc) or detail
        return FetchError(ErrorType.CONNECTION, f"could not connect to {url}: {detail}"), True
    if isinstance(exc, httpx.TransportError):
        message = f"the connection to {url} failed before an answer: {detail}"
        return FetchError(ErrorType.CONNECTION, message), True
    return FetchError(ErrorType.CONNECTION, f"request to {url} failed: {detail}"), False


def _is_tls(exc: BaseException) -> bool:
    """True when an ssl.SSLError is anywhere in the cause chain."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class LookupTimedOut(OSError):
    """The host name did not resolve within the connect timeout (raised by our transport)."""


def _while_resolving(exc: BaseException) -> bool:
    """True when a timeout cancelled the connection while it was still looking the host up.

    anyio resolves a name (`getaddrinfo`, in a worker thread) before it connects; the
    cancellation under httpx's ConnectTimeout carries the frames it interrupted. The pooled
    transport bounds the lookup itself and says so with LookupTimedOut.
    """
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, LookupTimedOut):
            return True
        if isinstance(seen, asyncio.CancelledError | TimeoutError):
            tb = seen.__traceback__
            while tb is not None:
                if tb.tb_frame.f_code.co_name == "getaddrinfo":
                    return True
                tb = tb.tb_next
        seen = seen.__cause__ or seen.__context__
    return False


def _connect_detail(exc: BaseException) -> str | None:
    """Why a connection failed, from the socket error under anyio's "All connection attempts
    failed": a name that does not resolve, or a refusal; None for anything else."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return None
        if isinstance(seen, socket.gaierror):
            reason = one_line(seen.strerror or str(seen), _DETAIL_LIMIT)
            return f"the host name does not resolve (DNS: {reason})"
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused (nothing listens on that port)"
        seen = seen.__cause__ or seen.__context__
    return None


# Words for exceptions that carry no message of their own (an exception's class name is no
# message for a user: "RemoteProtocolError", "ConnectError").
_SILENT = (
    (httpx.RemoteProtocolError, "the server closed the connection before answering"),
    (httpx.ReadError, "the connection broke while reading"),
    (httpx.WriteError, "the connection broke while sending"),
    (httpx.ConnectError, "could not connect"),
    (httpx.TimeoutException, "timed out"),
    (ConnectionResetError, "connection reset by peer"),
    (ConnectionRefusedError, "connection refused"),
)
_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")


def describe(exc: BaseException) -> str:
    """A one-line description of an exception: the first message along its cause chain,
    without Python's `[Errno 111]`; words, never a class name, when no link has a message."""
    seen: BaseException | None = exc
    words: str | None = None
    for _ in range(10):
        if seen is None:
            break
        connect = _connect_detail(seen) if isinstance(seen, httpx.ConnectError) else None
        if connect:
            return connect
        text = one_line(_ERRNO.sub("", str(seen)), _DETAIL_LIMIT)
        if text:
            return text
        if words is None:
            words = next((w for kind, w in _SILENT if isinstance(seen, kind)), None)
        seen = seen.__cause__ or seen.__context__
    return words or "unexpected error"


def secs(value: float) -> str:
    """A duration in a message: `2.5 s`."""
    return f"{value:g} s"
