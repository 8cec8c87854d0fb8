"""The probe runner: pass/fail rules, HEAD, one request per probe, limits, no credentials."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import httpx
import pytest
from loopback import LoopbackServer, make_certificate

from statuswatch.http import Fetcher
from statuswatch.model import ProbeResult, ProbeSpec, ProviderSpec
from statuswatch.poll import poll
from statuswatch.probes.engine import Probing
from statuswatch.probes.runner import ProbeRun
from statuswatch.probes.settings import Expect, ProbeSettings
from statuswatch.settings import HttpSettings

FAST = ProbeSettings(timeout=1.0)
PAGE = "/page/api/v2/summary.json"
SUMMARY = {
    "page": {"id": "p", "name": "P", "url": "https://status.example.com"},
    "status": {"indicator": "none", "description": "All Systems Operational"},
    "components": [],
    "incidents": [],
    "scheduled_maintenances": [],
}


def _spec(srv: LoopbackServer, *paths: str, provider: str = "x", **probe: str) -> ProviderSpec:
    probes = tuple(ProbeSpec(url=srv.url(p), **probe) for p in paths)
    return ProviderSpec(provider, provider, "statuspage", srv.url("/page"), probes=probes)


def _run(
    specs: list[ProviderSpec],
    settings: ProbeSettings = FAST,
    *,
    http: HttpSettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    head_refused: tuple[str, ...] = (),
) -> ProbeRun:
    run = ProbeRun(specs, settings, head_refused=head_refused)

    async def go() -> None:
        async with Fetcher(http or HttpSettings(), transport=transport) as fetcher:
            await run(fetcher)

    asyncio.run(go())
    return run


def _one(run: ProbeRun, provider: str = "x") -> ProbeResult:
    (result,) = run.results[provider]
    return result


@pytest.mark.parametrize("status", [200, 204, 301, 401, 403, 404, 405, 429])
def test_an_answer_below_500_passes(loopback: LoopbackServer, status: int) -> None:
    loopback.route("/api", b"", status=status)
    result = _one(_run([_spec(loopback, "/api")]))
    assert result.ok and result.status == status and result.error is None
    assert result.latency_ms is not None and 0 <= result.latency_ms < 1000


@pytest.mark.parametrize("status", [500, 502, 503, 504, 520, 521, 522, 524, 530])
def test_a_5xx_fails_cloudflare_codes_included(loopback: LoopbackServer, status: int) -> None:
    loopback.route("/api", b"", status=status)
    result = _one(_run([_spec(loopback, "/api")]))
    assert not result.ok and result.status == status and result.error == f"HTTP {status}"
    assert result.latency_ms is not None  # an answer came: its latency is kept


def test_expect_narrows_what_passes(loopback: LoopbackServer) -> None:
    loopback.route("/api", b"", status=404)
    loopback.route("/models", b"", status=401)
    spec = ProviderSpec(
        "x",
        "x",
        "statuspage",
        loopback.url("/page"),
        probes=(
            ProbeSpec(url=loopback.url("/api"), expect="200-299"),
            ProbeSpec(url=loopback.url("/models"), expect="401,403"),
        ),
    )
    missing, models = _run([spec]).results["x"]
    assert not missing.ok and missing.error == "HTTP 404, expected 200-299"
    assert models.ok


def test_refused_connection_fails_at_once() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = ProviderSpec(
        "x",
        "x",
        "statuspage",
        "http://127.0.0.1:1",
        probes=(ProbeSpec(f"http://127.0.0.1:{port}/"),),
    )
    started = time.monotonic()
    result = _one(_run([spec]))
    assert time.monotonic() - started < 1.0
    assert not result.ok and result.status is None
    assert result.error is not None and "connection refused" in result.error


def test_a_hanging_endpoint_fails_at_the_probe_timeout(loopback: LoopbackServer) -> None:
    loopback.fault("/api", "hang")
    started = time.monotonic()
    result = _one(_run([_spec(loopback, "/api")], ProbeSettings(timeout=0.5)))
    elapsed = time.monotonic() - started
    assert 0.45 <= elapsed < 2.0
    assert not result.ok and result.error is not None and "within 0.5 s" in result.error


def test_reset_fails(loopback: LoopbackServer) -> None:
    loopback.fault("/api", "reset")
    result = _one(_run([_spec(loopback, "/api")]))
    assert not result.ok and result.error is not None and "failed before an answer" in result.error


def test_tls_failure_fails(tmp_path: Path) -> None:
    # A TLS client against a plain HTTP server: the handshake fails.
    with LoopbackServer() as srv:
        srv.route("/api", b"")
        url = srv.url("/api").replace("http://", "https://")
        spec = ProviderSpec("x", "x", "statuspage", url, probes=(ProbeSpec(url),))
        result = _one(_run([spec]))
    assert not result.ok and result.error is not None and "TLS" in result.error


def test_untrusted_certificate_fails(tmp_path: Path) -> None:
    pair = make_certificate(tmp_path)
    if pair is None:
        pytest.skip("no openssl command to make a certificate")
    with LoopbackServer(tls=pair) as srv:
        srv.route("/api", b"")
        spec = ProviderSpec("x", "x", "statuspage", srv.url(), probes=(ProbeSpec(srv.url("/api")),))
        result = _one(_run([spec]))
    assert not result.ok and result.error is not None and "TLS" in result.error


def test_dns_failure_fails() -> None:
    def resolve_nothing(request: httpx.Request) -> httpx.Response:
        # What httpcore raises when the name does not resolve.
        try:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from exc

    url = "https://dynamodb.us-east-1.amazonaws.com/"
    spec = ProviderSpec(
        "aws", "AWS", "aws", "https://health.aws.amazon.com", probes=(ProbeSpec(url),)
    )
    result = _one(_run([spec], transport=httpx.MockTransport(resolve_nothing)), "aws")
    assert not result.ok and result.error is not None and "does not resolve" in result.error


def test_head_is_sent_and_no_body_is_read(loopback: LoopbackServer) -> None:
    loopback.route("/api", b"x" * 100_000)
    assert _one(_run([_spec(loopback, "/api")])).ok
    assert loopback.request_methods("/api") == ["HEAD"]


def test_a_refused_head_falls_back_to_get_once_and_is_remembered(loopback: LoopbackServer) -> None:
    loopback.route("/api", b"{}", head=False)
    first = _run([_spec(loopback, "/api")])
    assert _one(first).ok and _one(first).status == 200
    assert first.head_refused == {loopback.url("/api")}
    assert loopback.request_methods("/api") == ["HEAD", "GET"]
    later = _run([_spec(loopback, "/api")], head_refused=tuple(first.head_refused))
    assert _one(later).ok
    assert loopback.request_methods("/api") == ["HEAD", "GET", "GET"]


def test_method_get_is_honoured_and_the_body_read_is_capped(loopback: LoopbackServer) -> None:
    loopback.fault("/api", "huge", size=50 * 1024 * 1024)
    started = time.monotonic()
    result = _one(_run([_spec(loopback, "/api", method="GET")]))
    assert result.ok and result.status == 200
    assert time.monotonic() - started < 1.0  # 64 KiB of the 50 MiB, not all of it
    assert loopback.request_methods("/api") == ["GET"]


def test_a_slow_body_after_the_answer_still_passes(loopback: LoopbackServer) -> None:
    loopback.fault("/api", "drip", interval=0.3)
    result = _one(_run([_spec(loopback, "/api", method="GET")], ProbeSettings(timeout=0.5)))
    assert result.ok and result.status == 200


def test_redirects_are_answers_and_are_not_followed(loopback: LoopbackServer) -> None:
    loopback.redirect("/api", "/elsewhere")
    result = _one(_run([_spec(loopback, "/api")]))
    assert result.ok and result.status == 302
    assert loopback.requests("/elsewhere") == 0


def test_no_retry_one_request_per_probe_per_poll(loopback: LoopbackServer) -> None:
    loopback.fault("/api", "503")
    http = HttpSettings(retries=3, backoff=0.01)
    _run([_spec(loopback, "/api")], http=http)
    assert loopback.requests("/api") == 1


def test_a_url_listed_by_two_providers_goes_out_once(loopback: LoopbackServer) -> None:
    loopback.route("/api", b"")
    run = _run([_spec(loopback, "/api", provider="a"), _spec(loopback, "/api", provider="b")])
    assert _one(run, "a").ok and _one(run, "b").ok
    assert loopback.requests("/api") == 1


def test_no_credentials_no_cookies(loopback: LoopbackServer) -> None:
    # A page on the same host sets a cookie; the probe that follows must not carry it.
    loopback.route(PAGE, SUMMARY, headers={"Set-Cookie": "session=secret; Path=/"})
    loopback.route("/api", b"")
    spec = _spec(loopback, "/api")
    run = ProbeRun([spec], FAST)

    async def go() -> None:
        async with Fetcher(HttpSettings(), clients=1) as fetcher:
            await fetcher.fetch(loopback.url(PAGE))
            await run(fetcher)

    asyncio.run(go())
    (headers,) = loopback.request_headers("/api")
    assert "cookie" not in headers and "authorization" not in headers
    assert headers["user-agent"].startswith("statuswatch/")


def test_probes_count_within_the_engines_connection_limit(loopback: LoopbackServer) -> None:
    for n in range(12):
        loopback.route(f"/api{n}", b"", latency=0.2)
    specs = [_spec(loopback, f"/api{n}", provider=f"p{n}") for n in range(12)]
    run = _run(specs, http=HttpSettings(max_connections=3))
    assert all(_one(run, f"p{n}").ok for n in range(12))
    assert loopback.max_concurrent <= 3


def test_waiting_for_a_slot_does_not_count_against_the_timeout(loopback: LoopbackServer) -> None:
    # 8 probes of 0.3 s through 1 connection take 2.4 s: each still has its own 1 s.
    for n in range(8):
        loopback.route(f"/api{n}", b"", latency=0.3)
    specs = [_spec(loopback, f"/api{n}", provider=f"p{n}") for n in range(8)]
    run = _run(specs, http=HttpSettings(max_connections=1))
    assert all(_one(run, f"p{n}").ok for n in range(8))


def test_probes_go_alongside_the_pages_in_one_poll(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route(PAGE, SUMMARY)
    loopback.route("/api", b"", status=503)
    spec = _spec(loopback, "/api")
    snapshot = poll([spec], HttpSettings(), tmp_path, alongside=Probing([spec], FAST, None))
    (report,) = snapshot.reports
    assert report.status.value == "operational"  # a probe never changes the status
    assert report.probes is not None and report.probes.results[0].status == 503


def test_disabled_settings_send_nothing(loopback: LoopbackServer) -> None:
    loopback.route("/api", b"")
    run = _run([_spec(loopback, "/api")], ProbeSettings(enabled=False))
    assert run.results == {} and loopback.requests("/api") == 0


@pytest.mark.parametrize(
    ("text", "passes", "fails"),
    [
        ("<500", [100, 200, 401, 499], [500, 503, 599]),
        ("200", [200], [201, 401]),
        ("200-299,401", [200, 250, 299, 401], [300, 403]),
        ("2xx, 3xx", [200, 399], [400, 199]),
        (">=400", [400, 404, 499], [399, 500, 520]),
        ("<=401", [401], [402]),
        (">200", [201], [200]),
    ],
)
def test_expect(text: str, passes: list[int], fails: list[int]) -> None:
    expect = Expect(text)
    assert all(expect.accepts(s) for s in passes)
    assert not any(expect.accepts(s) for s in fails)


@pytest.mark.parametrize("text", ["", "abc", "5xx", ">=500", "299-200", "200;201", "<50"])
def test_expect_refuses_what_it_cannot_read_or_what_only_5xx_meet(text: str) -> None:
    with pytest.raises(ValueError):
        Expect(text)


def test_a_proxy_from_the_environment_is_honoured(
    loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loopback server plays the proxy: it gets the absolute URL as the request target.
    target = "http://api.probe.invalid/health"
    loopback.route(target, b"", status=401)
    monkeypatch.setenv("HTTP_PROXY", loopback.base_url)
    spec = ProviderSpec(
        "x", "x", "statuspage", "http://status.invalid", probes=(ProbeSpec(target),)
    )
    result = _one(_run([spec]))
    assert result.ok and result.status == 401
    assert loopback.request_methods(target) == ["HEAD"]
