"""An httpx transport over aiohttp's connection pool: httpx stays the API, aiohttp moves bytes.

httpcore's pool scans every connection it holds on each request and each response closed,
with a few system calls per idle connection, so its cost grows with the square of the
connections in flight: 1,000 pages over 50 origins cost 22 ms of CPU each through one pool
(benchmarks/README.md). aiohttp keeps one pool per host and parses responses in C (llhttp):
the same 1,000 pages cost 0.6 ms each through this transport.

Only the wire is aiohttp's: redirects, timeouts' meaning, caps and decoding stay with httpx and
`statuswatch.http`. aiohttp's errors are turned into the httpx errors httpcore would raise, with
the underlying OSError or SSLError kept as the cause (the engine names refusals, DNS and TLS
failures from it), and nothing it raises is a TimeoutError the engine would take for its own
deadline.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import NoReturn

import httpx

from statuswatch.fetcherrors import LookupTimedOut

__all__ = ["PooledTransport"]


@contextmanager
def _no_default_verify_paths() -> Iterator[None]:
    """While aiohttp is imported by this thread, its default SSL contexts load no CA bundle.

    aiohttp builds two SSLContexts when it is imported and loads the system's CA bundle into
    both (~40 ms, a tenth of a 200-page run's CPU). Every request here carries statuswatch's
    own context (`PooledTransport(context)`, statuswatch.http.TrustStore), never those: left
    without CAs they verify nothing, so anything that did use them would fail closed. Only
    this thread's calls are skipped, and only for the import; other threads and every later
    call load the bundle as always.
    """
    importing = threading.get_ident()
    original = ssl.SSLContext.set_default_verify_paths
    overridden = "set_default_verify_paths" in vars(ssl.SSLContext)

    def load_unless_importing(context: ssl.SSLContext) -> None:
        if threading.get_ident() != importing:
            original(context)

    ssl.SSLContext.set_default_verify_paths = load_unless_importing  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        if overridden:
            ssl.SSLContext.set_default_verify_paths = original  # type: ignore[method-assign]
        else:
            del ssl.SSLContext.set_default_verify_paths  # the C method shows through again


with _no_default_verify_paths():
    import aiohttp
from yarl import URL  # noqa: E402 (aiohttp's own dependency, imported with it)

# Response head lines and fields longer than aiohttp's 8 KiB default are seen on real pages
# (long Set-Cookie and CSP headers); httpcore accepted them, so this does too.
_MAX_HEAD_LINE = 64 * 1024
# Keep idle connections for a poll's retries and the next `watch` refresh, not much longer.
_KEEPALIVE = 30.0


class _BoundedResolver(aiohttp.ThreadedResolver):
    """The system's resolver, each lookup bounded by the connect timeout.

    aiohttp's `sock_connect` starts once the name is resolved, so a slow resolver (hundreds of
    lookups at once with `--all`) would otherwise wait for the whole deadline and read as a
    timeout of the page's server.
    """

    def __init__(self, timeout: float | None) -> None:
        super().__init__()
        self._timeout = timeout

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[aiohttp.abc.ResolveResult]:
        try:
            return await asyncio.wait_for(super().resolve(host, port, family), self._timeout)
        except TimeoutError:
            raise LookupTimedOut(f"{host} did not resolve within {self._timeout} s") from None


class PooledTransport(httpx.AsyncBaseTransport):
    """Sends httpx requests over one aiohttp session: one pool per host, at most `limit` open."""

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
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        """The session, built on first use (aiohttp wants a running event loop)."""
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._limit,
                limit_per_host=self._limit_per_host,
                ssl=self._context,
                keepalive_timeout=_KEEPALIVE,
                resolver=_BoundedResolver(self._lookup_timeout),
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies, if any
                trust_env=False,  # proxies are httpx's job (statuswatch.http decides)
                auto_decompress=False,  # statuswatch.inflate inflates within the body cap
                timeout=aiohttp.ClientTimeout(total=None),
                max_line_size=_MAX_HEAD_LINE,
                max_field_size=_MAX_HEAD_LINE,
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request`; the response streams its raw (still encoded) body."""
        session = self._open()
        timeout = request.extensions.get("timeout", {})
        content = await request.aread()  # statuswatch sends GETs: empty, or read already
        with _mapped(request):
            response = await session.request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=request.headers.multi_items(),
                data=content or None,
                allow_redirects=False,  # httpx follows them, within max_redirects
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            )
        extensions: dict[str, object] = {
            "http_version": f"HTTP/{response.version.major}.{response.version.minor}".encode()
            if response.version
            else b"HTTP/1.1",
        }
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("latin-1", "replace")
        return httpx.Response(
            status_code=response.status,
            headers=list(response.raw_headers),
            stream=_Body(response, request),
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        """Close every pooled connection."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


class _Body(httpx.AsyncByteStream):
    """A response body as aiohttp reads it; closing it returns a finished connection to the pool."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        received = 0
        try:
            with _mapped(self._request):
                async for chunk in self._response.content.iter_any():
                    received += len(chunk)
                    yield chunk
        except httpx.RemoteProtocolError as exc:
            if not isinstance(exc.__cause__, aiohttp.ClientPayloadError):
                raise
            # The words httpcore uses, so a truncated body reads the same whatever the transport.
            text = "peer closed connection without sending complete message body"
            declared = self._response.headers.get("Content-Length", "")
            if declared.isdigit():
                text += f" (received {received} bytes, expected {declared})"
            else:
                text += " (incomplete chunked read)"
            raise httpx.RemoteProtocolError(text, request=self._request) from exc.__cause__

    async def aclose(self) -> None:
        # A body read to its end leaves the connection reusable; one left unread closes it.
        self._response.release()


@contextmanager
def _mapped(request: httpx.Request) -> Iterator[None]:
    """Raise aiohttp's errors as the httpx errors the engine classifies."""
    try:
        yield
    except aiohttp.ClientError as exc:
        _raise(exc, request)
    except ssl.SSLError as exc:
        raise httpx.ConnectError(str(exc), request=request) from exc


def _raise(exc: aiohttp.ClientError, request: httpx.Request) -> NoReturn:
    """Raise the httpx error for `exc`, its message the underlying error's own words."""
    cause: BaseException = exc
    if isinstance(exc, aiohttp.ClientConnectorError):
        cause = exc.os_error
    message = str(cause) or type(cause).__name__
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(cause, LookupTimedOut):
        raise httpx.ConnectTimeout("timed out looking up the host name", request=request) from cause
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        raise httpx.ConnectTimeout("timed out while connecting", request=request) from exc
    if isinstance(exc, aiohttp.ServerTimeoutError):  # SocketTimeoutError: a read went silent
        raise httpx.ReadTimeout("timed out while reading", request=request) from exc
    if isinstance(exc, aiohttp.ClientConnectorError):  # DNS, refused, TLS handshake
        raise httpx.ConnectError(message, request=request) from exc
    if isinstance(exc, aiohttp.ClientPayloadError):
        raise httpx.RemoteProtocolError(message, request=request) from exc
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        raise httpx.RemoteProtocolError(
            "server disconnected without sending a response", request=request
        ) from exc
    if isinstance(exc, aiohttp.ClientOSError):  # a reset, a broken pipe
        raise httpx.ReadError(message, request=request) from exc
    if isinstance(exc, aiohttp.ClientResponseError):  # not HTTP, or a malformed head
        raise httpx.RemoteProtocolError(
            f"malformed response: {exc.message}", request=request
        ) from exc
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        raise httpx.UnsupportedProtocol(message, request=request) from exc
    raise httpx.TransportError(message, request=request) from exc
