"""The HTTP engine against httpx.MockTransport: statuses, retries, caps, timeouts, limits."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path

import certifi
import httpx
import pytest

from statuswatch import __version__
from statuswatch.http import (
    MAX_CLIENTS,
    USER_AGENT,
    Fetcher,
    FetchFailed,
    FetchResult,
    TrustStore,
    parse_retry_after,
    proxy_configured,
)
from statuswatch.limits import FD_RESERVE, connection_budget
from statuswatch.model import ErrorType
from statuswatch.settings import HttpSettings
from statuswatch.transport import PooledTransport

URL = "https://status.example.com/api/v2/summary.json"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
Handler = (
    Callable[[httpx.Request], httpx.Response]
    | Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]
)


def _run(
    handler: Handler,
    settings: HttpSettings | None = None,
    *,
    url: str = URL,
    etag: str | None = None,
    last_modified: str | None = None,
) -> tuple[FetchResult | FetchFailed, list[float]]:
    """Fetch `url` once through `handler`; return the result (or the failure) and the sleeps."""
    sleeps: list[float] = []

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    async def main() -> FetchResult | FetchFailed:
        async with Fetcher(
            settings or HttpSettings(),
            transport=httpx.MockTransport(handler),
            now=lambda: NOW,
            sleep=sleep,
        ) as fetcher:
            try:
                return await fetcher.fetch(url, etag=etag, last_modified=last_modified)
            except FetchFailed as exc:
                return exc

    return asyncio.run(main()), sleeps


def _failure(outcome: FetchResult | FetchFailed) -> tuple[ErrorType, str]:
    assert isinstance(outcome, FetchFailed), outcome
    return outcome.error.type, outcome.error.message


def _counting(*responses: httpx.Response) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering `responses` in turn (the last one repeats) and recording requests."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses[min(len(seen), len(responses)) - 1]

    return handler, seen


def test_user_agent_names_version_and_project() -> None:
    expected = f"statuswatch/{__version__} (+https://github.com/statuswatch/statuswatch)"
    assert expected == USER_AGENT
    handler, seen = _counting(httpx.Response(200, content=b"{}"))
    outcome, _ = _run(handler)
    assert isinstance(outcome, FetchResult)
    assert seen[0].headers["user-agent"] == USER_AGENT
    assert "if-none-match" not in seen[0].headers


def test_success_returns_body_headers_and_time() -> None:
    handler, _ = _counting(httpx.Response(200, content=b'{"ok": true}', headers={"ETag": '"v1"'}))
    outcome, sleeps = _run(handler)
    assert isinstance(outcome, FetchResult)
    assert (outcome.status, outcome.body, outcome.fetched_at) == (200, b'{"ok": true}', NOW)
    assert outcome.headers["etag"] == '"v1"'
    assert (outcome.url, outcome.final_url, outcome.not_modified) == (URL, URL, False)
    assert sleeps == []


def test_validators_are_sent_and_304_means_not_modified() -> None:
    handler, seen = _counting(httpx.Response(304, headers={"ETag": '"v1"'}))
    outcome, _ = _run(handler, etag='"v1"', last_modified="Sun, 01 Mar 2026 11:00:00 GMT")
    assert isinstance(outcome, FetchResult)
    assert (outcome.status, outcome.not_modified, outcome.body) == (304, True, b"")
    assert seen[0].headers["if-none-match"] == '"v1"'
    assert seen[0].headers["if-modified-since"] == "Sun, 01 Mar 2026 11:00:00 GMT"


def test_unasked_304_is_an_http_error() -> None:
    handler, _ = _counting(httpx.Response(304))
    outcome, _ = _run(handler)
    assert _failure(outcome) == (
        ErrorType.HTTP_STATUS,
        f"HTTP 304 from {URL} to a request that was not conditional",
    )


@pytest.mark.parametrize("status", [400, 403, 404, 500, 501])
def test_other_errors_are_not_retried(status: int) -> None:
    handler, seen = _counting(httpx.Response(status, content=b"nope"))
    outcome, sleeps = _run(handler)
    assert _failure(outcome) == (ErrorType.HTTP_STATUS, f"HTTP {status} from {URL}")
    assert (len(seen), sleeps) == (1, [])


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retryable_statuses_back_off_with_jitter_then_fail(status: int) -> None:
    handler, seen = _counting(httpx.Response(status))
    outcome, sleeps = _run(handler, HttpSettings(retries=2, backoff=0.5))
    assert _failure(outcome) == (
        ErrorType.HTTP_STATUS,
        f"HTTP {status} from {URL} (after 3 attempts)",
    )
    assert len(seen) == 3
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5
    assert 0.5 <= sleeps[1] <= 1.0


def test_no_wait_between_attempts_is_longer_than_the_cap() -> None:
    # The most retries the config allows, with the longest backoff: doubling from 60 s would
    # wait over eight hours; each wait is cut to retry_after_cap, so the fetch is bounded.
    settings = HttpSettings(retries=10, backoff=60, retry_after_cap=2.0, deadline=1.0)
    handler, seen = _counting(httpx.Response(503))
    outcome, sleeps = _run(handler, settings)
    assert _failure(outcome)[0] is ErrorType.HTTP_STATUS
    assert (len(seen), len(sleeps)) == (11, 10)
    assert all(1.0 <= delay <= 2.0 for delay in sleeps), sleeps
    assert sum(sleeps) <= settings.retries * settings.retry_after_cap
    assert settings.fetch_bound() == 11 * 1.0 + 10 * 2.0


def test_retry_then_success() -> None:
    handler, seen = _counting(httpx.Response(502), httpx.Response(200, content=b"{}"))
    outcome, sleeps = _run(handler, HttpSettings(retries=2))
    assert isinstance(outcome, FetchResult) and outcome.body == b"{}"
    assert (len(seen), len(sleeps)) == (2, 1)


def test_retry_after_seconds_is_honoured_and_reported() -> None:
    handler, seen = _counting(httpx.Response(503, headers={"Retry-After": "2"}))
    outcome, sleeps = _run(handler, HttpSettings(retries=1, retry_after_cap=5))
    assert _failure(outcome) == (
        ErrorType.HTTP_STATUS,
        f"HTTP 503 from {URL} (Retry-After 2) (after 2 attempts)",
    )
    assert (len(seen), sleeps) == (2, [2.0])


def test_retry_after_http_date_is_honoured() -> None:
    handler, _ = _counting(
        httpx.Response(429, headers={"Retry-After": "Sun, 01 Mar 2026 12:00:03 GMT"}),
        httpx.Response(200, content=b"{}"),
    )
    outcome, sleeps = _run(handler, HttpSettings(retries=1))
    assert isinstance(outcome, FetchResult)
    assert sleeps == [3.0]


def test_retry_after_over_the_cap_gives_up_at_once() -> None:
    handler, seen = _counting(httpx.Response(503, headers={"Retry-After": "120"}))
    outcome, sleeps = _run(handler, HttpSettings(retries=3, retry_after_cap=10))
    assert _failure(outcome) == (
        ErrorType.HTTP_STATUS,
        f"HTTP 503 from {URL} (Retry-After 120): the server asks to retry after 120 s,"
        " longer than the 10 s we wait",
    )
    assert (len(seen), sleeps) == (1, [])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        (" 0 ", 0.0),
        ("1.5", 1.5),
        ("Sun, 01 Mar 2026 12:01:00 GMT", 60.0),
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),  # in the past: retry now
        ("-3", None),
        ("nan", None),
        ("inf", None),
        ("soon", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_connection_errors_are_retried_then_reported() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    outcome, sleeps = _run(handler, HttpSettings(retries=2))
    assert _failure(outcome) == (
        ErrorType.CONNECTION,
        f"could not connect to {URL}: Connection refused (after 3 attempts)",
    )
    assert (len(calls), len(sleeps)) == (3, 2)


def test_tls_errors_are_not_retried() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        try:
            raise ssl.SSLCertVerificationError("certificate verify failed")
        except ssl.SSLError as exc:
            raise httpx.ConnectError("certificate verify failed", request=request) from exc

    outcome, _ = _run(handler, HttpSettings(retries=2))
    assert _failure(outcome) == (
        ErrorType.TLS,
        f"TLS failure with {URL}: certificate verify failed",
    )
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ConnectTimeout, f"could not connect to {URL} within 5 s"),
        (httpx.ReadTimeout, f"no answer from {URL} within 10 s"),
        (httpx.PoolTimeout, f"no answer from {URL} within 10 s"),
    ],
)
def test_timeouts_are_not_retried(exc: type[httpx.TimeoutException], expected: str) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise exc("timed out", request=request)

    outcome, _ = _run(handler, HttpSettings(retries=2))
    assert _failure(outcome) == (ErrorType.TIMEOUT, expected)
    assert len(calls) == 1


def test_reset_before_the_answer_is_a_retried_connection_error() -> None:
    handler_calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        handler_calls.append(1)
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    outcome, _ = _run(handler, HttpSettings(retries=1))
    assert _failure(outcome) == (
        ErrorType.CONNECTION,
        f"the connection to {URL} failed before an answer: Server disconnected (after 2 attempts)",
    )
    assert len(handler_calls) == 2


class _Chunks(httpx.AsyncByteStream):
    """A response body produced chunk by chunk, optionally slowly, optionally cut short."""

    def __init__(self, chunks: list[bytes], delay: float = 0.0, cut: bool = False) -> None:
        self.chunks, self.delay, self.cut = chunks, delay, cut

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            if self.delay:
                await asyncio.sleep(self.delay)
            yield chunk
        if self.cut:
            raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


def test_truncated_body_is_a_connection_error_saying_so() -> None:
    handler, _ = _counting(httpx.Response(200, stream=_Chunks([b'{"a"'], cut=True)))
    outcome, _ = _run(handler, HttpSettings(retries=0))
    assert _failure(outcome) == (
        ErrorType.CONNECTION,
        f"the body from {URL} was truncated: peer closed connection without sending complete body",
    )


def test_declared_length_over_the_cap_is_refused_before_reading() -> None:
    stream = _Chunks([b"x"], cut=True)  # reading it would raise: the cap must come first
    handler, _ = _counting(
        httpx.Response(200, headers={"Content-Length": str(3 * 1024 * 1024)}, stream=stream)
    )
    outcome, _ = _run(handler, HttpSettings(max_body=1024 * 1024))
    assert _failure(outcome) == (
        ErrorType.TOO_LARGE,
        f"the body from {URL} is 3 MiB, over the 1 MiB cap",
    )


def test_streamed_body_over_the_cap_stops_reading() -> None:
    produced: list[int] = []

    class Endless(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            while True:
                produced.append(1)
                yield b"x" * 1000

    handler, _ = _counting(httpx.Response(200, stream=Endless()))
    outcome, _ = _run(handler, HttpSettings(max_body=10_000))
    assert _failure(outcome) == (
        ErrorType.TOO_LARGE,
        f"the body from {URL} is larger than the 10000 bytes cap",
    )
    assert len(produced) == 11


def test_body_exactly_at_the_cap_is_accepted() -> None:
    handler, _ = _counting(httpx.Response(200, content=b"x" * 100))
    outcome, _ = _run(handler, HttpSettings(max_body=100))
    assert isinstance(outcome, FetchResult) and len(outcome.body) == 100


def test_redirects_are_followed_up_to_the_limit() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        step = int(request.url.params.get("step", "0"))
        if step < 3:
            return httpx.Response(302, headers={"Location": f"{URL}?step={step + 1}"})
        return httpx.Response(200, content=b"{}")

    outcome, _ = _run(handler, HttpSettings(max_redirects=3))
    assert isinstance(outcome, FetchResult)
    assert (outcome.url, outcome.final_url) == (URL, f"{URL}?step=3")
    outcome, _ = _run(handler, HttpSettings(max_redirects=2))
    assert _failure(outcome) == (ErrorType.TOO_MANY_REDIRECTS, f"more than 2 redirects from {URL}")


def test_deadline_before_the_headers() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200)

    outcome, _ = _run(handler, HttpSettings(deadline=0.1))
    assert _failure(outcome) == (ErrorType.TIMEOUT, f"no answer from {URL} within 0.1 s")


def test_deadline_during_the_body() -> None:
    handler, _ = _counting(httpx.Response(200, stream=_Chunks([b"x"] * 50, delay=0.05)))
    outcome, _ = _run(handler, HttpSettings(deadline=0.2))
    assert _failure(outcome) == (
        ErrorType.TIMEOUT,
        f"the body from {URL} took longer than the 0.2 s deadline",
    )


def test_invalid_url_is_a_failure_not_an_exception() -> None:
    handler, seen = _counting(httpx.Response(200))
    outcome, _ = _run(handler, url="ftp://example.com/x")
    assert _failure(outcome) == (
        ErrorType.CONNECTION,
        "cannot request ftp://example.com/x: not an http(s) URL",
    )
    assert seen == []


def test_global_and_per_host_limits_bound_concurrency() -> None:
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        in_flight[host] = in_flight.get(host, 0) + 1
        total = sum(in_flight.values())
        peak[host] = max(peak.get(host, 0), in_flight[host])
        peak["*"] = max(peak.get("*", 0), total)
        await asyncio.sleep(0.02)
        in_flight[host] -= 1
        return httpx.Response(200, content=b"{}")

    async def main(settings: HttpSettings) -> None:
        peak.clear()
        async with Fetcher(settings, transport=httpx.MockTransport(handler)) as fetcher:
            urls = [f"https://{h}.example/{i}" for h in ("a", "b", "c") for i in range(6)]
            await asyncio.gather(*(fetcher.fetch(u, slot=i) for i, u in enumerate(urls)))

    asyncio.run(main(HttpSettings(max_connections=4, max_per_host=2)))
    assert peak == {"a.example": 2, "b.example": 2, "c.example": 2, "*": 4}
    asyncio.run(main(HttpSettings(max_connections=100, max_per_host=3)))
    assert peak == {"a.example": 3, "b.example": 3, "c.example": 3, "*": 9}


def test_one_client_on_the_pooled_transport_and_a_lazy_ssl_context() -> None:
    async def main() -> None:
        fetcher = Fetcher(HttpSettings(max_connections=300, max_per_host=7))
        clients = {id(fetcher._client(slot)) for slot in range(40)}
        assert len(clients) == 1 == fetcher.clients_built
        transport = fetcher._client(0)._transport
        assert isinstance(transport, PooledTransport)
        assert (transport._limit, transport._limit_per_host) == (300, 7)
        assert transport._context is fetcher.trust.context
        # Building clients must not load the CA bundle: only an https request does.
        assert fetcher.trust.loaded is False
        await fetcher._before_request(httpx.Request("GET", "http://plain.example/"))
        assert fetcher.trust.loaded is False
        await fetcher._before_request(httpx.Request("GET", "https://tls.example/"))
        assert fetcher.trust.loaded is True
        await fetcher.aclose()
        assert fetcher.clients_built == 0

    asyncio.run(main())


def test_behind_a_proxy_clients_of_httpx_own_pool_are_spread_by_slot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")

    async def main(clients: int) -> int:
        fetcher = Fetcher(HttpSettings(), clients=clients)
        built = {id(fetcher._client(slot)) for slot in range(40)}
        assert fetcher._client(3) is fetcher._client(3 + len(built))
        assert not isinstance(fetcher._client(0)._transport, PooledTransport)
        count = fetcher.clients_built
        await fetcher.aclose()
        assert len(built) == count
        return count

    assert asyncio.run(main(MAX_CLIENTS)) == MAX_CLIENTS
    assert asyncio.run(main(3)) == 3


def test_trust_store_verifies_and_honours_ssl_cert_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trust = TrustStore()
    assert trust.context.verify_mode is ssl.CERT_REQUIRED
    assert trust.context.check_hostname is True
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(OSError):
        trust.load()
    assert trust.loaded is False
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    trust.load()
    assert trust.loaded is True
    ca_count: int = trust.context.cert_store_stats()["x509_ca"]
    assert ca_count > 50


def test_unloadable_ca_bundle_is_a_tls_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/ca.pem")

    async def main() -> FetchFailed:
        fetcher = Fetcher(HttpSettings())
        with pytest.raises(FetchFailed) as info:
            await fetcher._before_request(httpx.Request("GET", URL))
        await fetcher.aclose()
        return info.value

    failure = asyncio.run(main())
    assert failure.error.type is ErrorType.TLS
    # It names the file, and the variable that chose it: that is what to fix.
    assert failure.error.message.startswith(
        "cannot load the CA certificates from /nonexistent/ca.pem ($SSL_CERT_FILE)"
    )
    assert failure.error.message.endswith(f": No such file or directory (to read {URL})")


def test_a_bad_certificate_file_for_serve_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from statuswatch.cli import main

    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate\n")
    none = tmp_path / "none.pem"
    assert main(["serve", "--tls-cert", str(none), "--tls-key", str(bad)]) == 2
    assert capsys.readouterr().err == (
        f"statuswatch: error: --bind/--tls: --tls-cert {none}: no such file\n"
    )
    assert main(["serve", "--tls-cert", str(bad), "--tls-key", str(bad)]) == 2
    assert capsys.readouterr().err.startswith(
        f"statuswatch: error: --bind/--tls: cannot load the certificate {bad} with the key {bad}: "
    )


def test_exceptions_are_described_in_words_not_class_names() -> None:
    from statuswatch.fetcherrors import describe

    request = httpx.Request("GET", URL)
    assert describe(httpx.RemoteProtocolError("", request=request)) == (
        "the server closed the connection before answering"
    )
    assert describe(httpx.ConnectError("[Errno 111] Connection refused")) == "Connection refused"
    refused = httpx.ConnectError("")
    refused.__context__ = ConnectionRefusedError(111, "Connection refused")
    assert describe(refused) == "connection refused (nothing listens on that port)"
    assert describe(RuntimeError()) == "unexpected error"


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, False), ({"HTTPS_PROXY": "http://p:3128"}, True), ({"all_proxy": "socks5://p"}, True)],
)
def test_proxy_configured(
    env: dict[str, str], expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert proxy_configured() is expected


def test_cookies_are_neither_kept_nor_sent() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        if request.url.path == "/first":
            return httpx.Response(302, headers={"Set-Cookie": "s=1", "Location": "/second"})
        return httpx.Response(200, content=b"{}", headers={"Set-Cookie": "t=2"})

    async def main() -> None:
        async with Fetcher(HttpSettings(), transport=httpx.MockTransport(handler)) as fetcher:
            await fetcher.fetch("https://x.example/first")
            await fetcher.fetch("https://x.example/first")
            assert not fetcher._client(0).cookies

    asyncio.run(main())
    assert seen == [None, None, None, None]


@pytest.mark.parametrize(
    ("limits", "wanted", "raised_to", "budget"),
    [
        ((65536, 65536), 512, None, 512),  # room already
        ((1024, 524288), 1000, 1000 + FD_RESERVE, 1000),  # the usual Linux soft limit: raised
        ((256, 256), 512, 256, 256 - FD_RESERVE),  # cannot be raised: the budget fits it
        ((256, 10_000), 20_000, 10_000, 10_000 - FD_RESERVE),  # raised as far as allowed
    ],
)
def test_requests_in_flight_fit_the_open_file_limit(
    monkeypatch: pytest.MonkeyPatch,
    limits: tuple[int, int],
    wanted: int,
    raised_to: int | None,
    budget: int,
) -> None:
    import resource

    calls: list[tuple[int, int]] = []

    def setrlimit(which: int, value: tuple[int, int]) -> None:
        assert which == resource.RLIMIT_NOFILE
        calls.append(value)
        if value[0] > limits[1]:
            raise ValueError("not allowed")

    monkeypatch.setattr(resource, "getrlimit", lambda which: limits)
    monkeypatch.setattr(resource, "setrlimit", setrlimit)
    assert connection_budget(wanted) == budget
    assert calls == ([] if raised_to is None else [(raised_to, limits[1])])
    fetcher = Fetcher(HttpSettings(max_connections=wanted))
    assert fetcher.max_in_flight == budget


def test_a_response_is_freed_without_the_garbage_collector() -> None:
    import gc

    async def main() -> FetchResult:
        async with Fetcher(
            HttpSettings(), transport=httpx.MockTransport(lambda r: httpx.Response(200))
        ) as fetcher:
            return await fetcher.fetch(URL)

    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        result = asyncio.run(main())
        # httpx links a response and its stream both ways; the engine cuts the link.
        assert [o for o in gc.get_objects() if isinstance(o, httpx.Response)] == []
    finally:
        if enabled:
            gc.enable()
    assert result.status == 200


def test_a_name_lookup_that_runs_out_of_time_is_named_as_dns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `--all` offline: hundreds of lookups at once, and a resolver that answers some after
    # 5 or 10 s. The connect timeout ends them, but the page's server was never asked.
    import socket
    import threading

    release = threading.Event()
    real = socket.getaddrinfo

    def slow(host: object, *args: object, **kwargs: object) -> object:
        if host in ("slow-dns.example", b"slow-dns.example"):
            release.wait(10)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    settings = HttpSettings(connect_timeout=0.3, retries=0)
    url = "http://slow-dns.example/api/v2/summary.json"

    async def main() -> FetchFailed | FetchResult:
        async with Fetcher(settings) as fetcher:
            try:
                return await fetcher.fetch(url)
            except FetchFailed as exc:
                return exc
            finally:
                release.set()  # the lookup's thread ends, so the loop can close at once

    outcome = asyncio.run(main())
    assert _failure(outcome) == (
        ErrorType.CONNECTION,
        f"could not connect to {url}: the host name did not resolve within 0.3 s (DNS)",
    )
