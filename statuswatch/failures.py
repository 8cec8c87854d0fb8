"""What a failed fetch means: httpx errors and unwanted statuses as the report's errors."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from statuswatch.model import ErrorType, FetchError
from statuswatch.settings import MIB, HttpSettings
from statuswatch.text import one_line

__all__ = [
    "RETRY_STATUSES",
    "FetchFailed",
    "Retry",
    "classify",
    "connect_detail",
    "detail",
    "is_tls",
    "parse_retry_after",
    "secs",
    "size",
    "status_failure",
]

RETRY_STATUSES = frozenset({429, 502, 503, 504})
_DETAIL_LIMIT = 200


class FetchFailed(Exception):
    """A fetch that ended without a usable response; `error` is what the report shows."""

    def __init__(self, error_type: ErrorType, message: str) -> None:
        super().__init__(message)
        self.error = FetchError(type=error_type, message=message)


@dataclass(frozen=True, slots=True)
class Retry:
    """An attempt that failed in a way worth another try."""

    error: FetchError
    retry_after: float | None = None


def status_failure(url: str, response: httpx.Response, now: datetime) -> Retry:
    """Turn an unwanted status into a retry (429, 502-504) or a final FetchFailed."""
    status = response.status_code
    raw_retry_after = response.headers.get("retry-after")
    message = f"HTTP {status} from {url}"
    if raw_retry_after is not None and status in (429, 503):
        message += f" (Retry-After {one_line(raw_retry_after, 40)})"
    if status == 304:
        message += " to a request that was not conditional"
    if status not in RETRY_STATUSES:
        raise FetchFailed(ErrorType.HTTP_STATUS, message)
    return Retry(
        FetchError(ErrorType.HTTP_STATUS, message), parse_retry_after(raw_retry_after, now)
    )


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)  # HTTP dates are GMT
        return max(0.0, (when - now).total_seconds())
    if seconds != seconds or seconds < 0 or seconds == float("inf"):
        return None
    return seconds


def classify(
    exc: httpx.HTTPError, url: str, in_body: bool, s: HttpSettings
) -> tuple[FetchError, bool]:
    """Map an httpx error to the report's error and whether another attempt may help."""
    said = detail(exc)
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
    if is_tls(exc):
        return FetchError(ErrorType.TLS, f"TLS failure with {url}: {said}"), False
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError(ErrorType.CONNECTION, f"cannot request {url}: {said}"), False
    if isinstance(exc, httpx.DecodingError):
        message = f"the body from {url} could not be decoded: {said}"
        return FetchError(ErrorType.PARSE_ERROR, message), False
    if isinstance(exc, httpx.LocalProtocolError):
        return FetchError(ErrorType.INTERNAL, f"bad request to {url}: {said}"), False
    if in_body and isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        message = f"the body from {url} was truncated: {said}"
        return FetchError(ErrorType.CONNECTION, message), True
    if isinstance(exc, httpx.ConnectError):
        said = connect_detail(exc) or said
        return FetchError(ErrorType.CONNECTION, f"could not connect to {url}: {said}"), True
    if isinstance(exc, httpx.TransportError):
        message = f"the connection to {url} failed before an answer: {said}"
        return FetchError(ErrorType.CONNECTION, message), True
    return FetchError(ErrorType.CONNECTION, f"request to {url} failed: {said}"), False


def is_tls(exc: BaseException) -> bool:
    """True when an ssl.SSLError is anywhere in the cause chain."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def connect_detail(exc: BaseException) -> str | None:
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


def detail(exc: BaseException) -> str:
    """A one-line description of an exception: the first message along its cause chain."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            break
        text = one_line(str(seen), _DETAIL_LIMIT)
        if text:
            return text
        if isinstance(seen, ConnectionResetError):
            return "connection reset by peer"
        seen = seen.__cause__ or seen.__context__
    return type(exc).__name__


def secs(value: float) -> str:
    return f"{value:g} s"


def size(value: int) -> str:
    return f"{value / MIB:.3g} MiB" if value >= MIB else f"{value} bytes"
