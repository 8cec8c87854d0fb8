"""The one place that builds HTTP clients: timeouts, limits, caps, retries and validators."""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType

import httpx

from statuswatch import __version__
from statuswatch.cookieless import CookielessClient
from statuswatch.fetcherrors import classify, describe, secs
from statuswatch.inflate import ACCEPT_ENCODING, SUPPORTED, InflateError, Inflater
from statuswatch.limits import connection_budget
from statuswatch.model import ErrorType, FetchError
from statuswatch.records import record
from statuswatch.settings import MIB, HttpSettings
from statuswatch.text import one_line
from statuswatch.truststore import CertificatesUnreadable, TrustStore

__all__ = [
    "MAX_CLIENTS",
    "RETRY_STATUSES",
    "USER_AGENT",
    "FetchFailed",
    "FetchResult",
    "Fetcher",
    "parse_retry_after",
    "proxy_configured",
]

USER_AGENT = f"statuswatch/{__version__} (+https://github.com/statuswatch/statuswatch)"
# httpx's own pool slows down sharply with many connections (STYLE.md): behind a proxy, where
# that pool is used, 16 clients spread the load.
MAX_CLIENTS = 16
RETRY_STATUSES = frozenset({429, 502, 503, 504})
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy")


class FetchFailed(Exception):
    """A fetch that ended without a usable response; `error` is what the report shows."""

    def __init__(self, error_type: ErrorType, message: str) -> None:
        super().__init__(message)
        self.error = FetchError(type=error_type, message=message)


@record
class FetchResult:
    """A 2xx response read in full, or a 304 (empty body) confirming the cached one."""

    url: str  # the URL asked for; `final_url` is where redirects led
    final_url: str
    status: int
    headers: httpx.Headers
    body: bytes
    fetched_at: datetime

    @property
    def not_modified(self) -> bool:
        """True for a 304: the cached body is still current."""
        return self.status == 304


@record
class _Retry:
    """An attempt that failed in a way worth another try."""

    error: FetchError
    retry_after: float | None = None


def proxy_configured() -> bool:
    """True when a proxy environment variable is set (any case)."""
    return any(os.environ.get(name) or os.environ.get(name.upper()) for name in _PROXY_VARS)


class Fetcher:
    """Fetches URLs concurrently within the global and per-host limits of `settings`."""

    def __init__(
        self,
        settings: HttpSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clients: int = MAX_CLIENTS,
        now: Callable[[], datetime] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self._transport = transport
        self._now = now or _utcnow
        self._sleep = sleep or asyncio.sleep
        self._rng = rng or random.Random()
        self.trust = TrustStore()
        # Read once: with trust_env each client spends ~25 ms on the environment (STYLE.md).
        self._trust_env = proxy_configured()
        # One client on the pooled transport (a pool per host) carries every request. Behind a
        # proxy, httpx's own transport does the proxying, and since its single pool slows down
        # with the square of its connections, requests are spread over several clients there.
        spread = transport is None and self._trust_env
        self._pooled = transport is None and not self._trust_env  # statuswatch.transport's
        count = max(1, min(clients, MAX_CLIENTS)) if spread else 1
        self._clients: list[httpx.AsyncClient | None] = [None] * count
        # Each request in flight holds a socket: never more than the open-file limit allows.
        self.max_in_flight = connection_budget(settings.max_connections)
        self._global = asyncio.Semaphore(self.max_in_flight)
        self._hosts: dict[tuple[str, str, int], asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every client built so far."""
        clients = [c for c in self._clients if c is not None]
        self._clients = [None] * len(self._clients)
        for client in clients:
            await client.aclose()

    @property
    def clients_built(self) -> int:
        """How many clients exist (they are built on first use)."""
        return sum(c is not None for c in self._clients)

    # For requests of other kinds than `fetch` (the probes): the same clients and limits.

    def client(self, slot: int = 0) -> httpx.AsyncClient:
        """The client `fetch` would use for `slot` (built on first use)."""
        return self._client(slot)

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Hold the engine's per-host and global limits for one request to `url`."""
        try:
            key = _origin(httpx.URL(url))
        except (httpx.InvalidURL, ValueError) as exc:
            raise FetchFailed(ErrorType.CONNECTION, f"cannot request {url}: {exc}") from None
        async with self._host(key), self._global:
            yield

    async def fetch(
        self,
        url: str,
        *,
        slot: int = 0,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """GET `url` (conditionally when validators are given); FetchFailed on any failure.

        `slot` picks the client (round-robin), so providers on one host still spread.
        """
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            target = httpx.URL(url)  # parsed once: the client takes it as it is
            key = _origin(target)
        except (httpx.InvalidURL, ValueError) as exc:
            raise FetchFailed(ErrorType.CONNECTION, f"cannot request {url}: {exc}") from None
        client = self._client(slot)
        attempts = 1 + max(0, self.settings.retries)
        for attempt in range(1, attempts + 1):
            async with self._host(key), self._global:
                outcome = await self._attempt(client, target, url, headers)
            if isinstance(outcome, FetchResult):
                return outcome
            cap = self.settings.retry_after_cap
            if outcome.retry_after is not None and outcome.retry_after > cap:
                raise FetchFailed(
                    outcome.error.type,
                    f"{outcome.error.message}: the server asks to retry after"
                    f" {secs(outcome.retry_after)}, longer than the {secs(cap)} we wait",
                )
            if attempt == attempts:
                suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
                raise FetchFailed(outcome.error.type, outcome.error.message + suffix)
            if outcome.retry_after is not None:
                delay = outcome.retry_after
            else:
                # Equal jitter: half fixed, half random, so retries from many runs spread out.
                # No wait is longer than the cap on Retry-After: the backoff doubles with each
                # attempt, and a fetch must end within attempts x deadline + retries x cap.
                base = min(self.settings.backoff * 2 ** (attempt - 1), cap)
                delay = base / 2 + self._rng.uniform(0, base / 2)
            await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _client(self, slot: int) -> httpx.AsyncClient:
        """Return the client for `slot`, building it on first use."""
        index = slot % len(self._clients)
        client = self._clients[index]
        if client is None:
            client = self._clients[index] = self._build_client()
        return client

    def _build_client(self) -> httpx.AsyncClient:
        """Build one client; all share the settings and the one SSL context."""
        s = self.settings
        timeout = httpx.Timeout(
            connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=s.deadline
        )
        # Our semaphores bound concurrency; the pool must never be the tighter limit.
        pool = self.max_in_flight
        transport = self._transport
        if transport is None and not self._trust_env:
            # Imported here: only fetching needs it (and httptools, which it brings).
            from statuswatch.transport import PooledTransport

            transport = PooledTransport(
                self.trust.context,
                limit=pool,
                limit_per_host=max(1, s.max_per_host),
                lookup_timeout=s.connect_timeout,
            )
        return CookielessClient(
            # Only encodings whose inflating `_read_capped` can bound (never br or zstd).
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=timeout,
            follow_redirects=True,
            max_redirects=s.max_redirects,
            event_hooks={"request": [self._before_request]},
            verify=self.trust.context,
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            transport=transport,
            trust_env=self._trust_env and transport is None,
        )

    async def _before_request(self, request: httpx.Request) -> None:
        """Load the CA bundle before the first https request (a redirect counts too).

        A port out of range (a redirect to `http://host:99999/`) is refused here: the socket
        layer would raise OverflowError, which is no httpx error.
        """
        port = request.url.port
        if port is not None and not 0 < port <= 65535:
            message = f"cannot request {request.url}: the port must be a number from 1 to 65535"
            raise FetchFailed(ErrorType.CONNECTION, message)
        if request.url.scheme == "https" and not self.trust.loaded:
            try:
                self.trust.load()
            except CertificatesUnreadable as exc:
                raise FetchFailed(ErrorType.TLS, f"{exc} (to read {request.url})") from None

    def _host(self, key: tuple[str, str, int]) -> asyncio.Semaphore:
        """The per-host limit of `key`; a request holds it, then the global one (so waiting on
        a busy host holds none of the global slots)."""
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = asyncio.Semaphore(max(1, self.settings.max_per_host))
        return host

    async def _attempt(
        self, client: httpx.AsyncClient, target: httpx.URL, url: str, headers: dict[str, str]
    ) -> FetchResult | _Retry:
        """One request within the deadline; FetchFailed when retrying cannot help."""
        s = self.settings
        in_body = False
        try:
            async with asyncio.timeout(s.deadline):
                # What client.stream() does, without its two context managers' generators.
                request = client.build_request("GET", target, headers=headers)
                response = await client.send(request, stream=True)
                try:
                    in_body = True
                    status = response.status_code
                    if status == 304 and headers:  # a 304 answers only a conditional request
                        if not self._pooled:  # our transport reuses it unread: it has no body
                            await _drain(response)
                        return self._result(url, response, b"")
                    if not 200 <= status < 300:
                        await _drain(response)
                        return _status_failure(url, response, self._now())
                    body = await _read_capped(response, url, s.max_body)
                    return self._result(url, response, body)
                finally:
                    await _close(response)
        except TimeoutError:
            if in_body:
                raise FetchFailed(
                    ErrorType.TIMEOUT,
                    f"the body from {url} took longer than the {secs(s.deadline)} deadline",
                ) from None
            raise FetchFailed(
                ErrorType.TIMEOUT, f"no answer from {url} within {secs(s.deadline)}"
            ) from None
        except httpx.TooManyRedirects:
            raise FetchFailed(
                ErrorType.TOO_MANY_REDIRECTS, f"more than {s.max_redirects} redirects from {url}"
            ) from None
        except httpx.HTTPError as exc:
            error, retry = classify(exc, url, in_body, s)
            if retry:
                return _Retry(error)
            raise FetchFailed(error.type, error.message) from None

    def _result(self, url: str, response: httpx.Response, body: bytes) -> FetchResult:
        return FetchResult(
            url=url,
            final_url=str(response.url),
            status=response.status_code,
            headers=response.headers,
            body=body,
            fetched_at=self._now(),
        )


async def _close(response: httpx.Response) -> None:
    """Close a streamed response; it then lets go of its stream.

    httpx links a response and its stream both ways: a reference cycle, which only the
    garbage collector frees, holding the request, the headers and the transport's response
    (~50 objects a request) until it runs. Cut, they go as soon as they are dropped.
    """
    try:
        await response.aclose()
    finally:
        response.stream = _SPENT


_SPENT = httpx.ByteStream(b"")


async def _drain(response: httpx.Response, limit: int = 64 * 1024) -> None:
    """Read a small unwanted body to its end so the connection goes back to the pool."""
    # Leaving a body unread makes httpx close the connection: a warm run of 304s would then
    # open a new connection per request. A large body is not worth reading: close instead.
    if response.is_stream_consumed:
        return
    seen = 0
    async for chunk in response.aiter_raw():
        seen += len(chunk)
        if seen > limit:
            return


async def _read_capped(response: httpx.Response, url: str, cap: int) -> bytes:
    """Read the (decoded) body, refusing it as soon as it grows past `cap` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise FetchFailed(
            ErrorType.TOO_LARGE,
            f"the body from {url} is {_size(int(declared))}, over the {_size(cap)} cap",
        )
    encoding = response.headers.get("content-encoding", "").strip().lower() or "identity"
    if encoding not in SUPPORTED or response.is_stream_consumed:
        # Not one we asked for: httpx decodes it (or fails), the cap checked after each piece.
        # A transport that read the body already (httpx.MockTransport) decoded it too.
        return await _collect(response.aiter_bytes(), url, cap)
    inflater = Inflater(encoding)
    chunks: list[bytes] = []
    total = 0
    try:
        async for raw in response.aiter_raw():
            # Each piece is at most the room left plus one byte: a bomb never inflates past it.
            for piece in inflater.feed(raw, cap - total + 1):
                total += len(piece)
                if total > cap:
                    raise _too_large(url, cap)
                chunks.append(piece)
        for piece in inflater.finish(cap - total + 1):
            total += len(piece)
            if total > cap:
                raise _too_large(url, cap)
            chunks.append(piece)
    except InflateError as exc:
        message = f"the body from {url} could not be decoded: {describe(exc)}"
        raise FetchFailed(ErrorType.PARSE_ERROR, message) from None
    return b"".join(chunks)


async def _collect(pieces: AsyncIterator[bytes], url: str, cap: int) -> bytes:
    """Join `pieces`, refusing the body as soon as it grows past `cap` bytes."""
    chunks: list[bytes] = []
    total = 0
    async for chunk in pieces:
        total += len(chunk)
        if total > cap:
            raise _too_large(url, cap)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(url: str, cap: int) -> FetchFailed:
    return FetchFailed(
        ErrorType.TOO_LARGE, f"the body from {url} is larger than the {_size(cap)} cap"
    )


def _status_failure(url: str, response: httpx.Response, now: datetime) -> _Retry:
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
    return _Retry(
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


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    """The (scheme, host, port) a per-host limit is keyed by."""
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError("not an http(s) URL")
    port = url.port or (443 if url.scheme == "https" else 80)
    return (url.scheme, url.host, port)


def _size(value: int) -> str:
    return f"{value / MIB:.3g} MiB" if value >= MIB else f"{value} bytes"


def _utcnow() -> datetime:
    return datetime.now(UTC)
