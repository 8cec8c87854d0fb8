"""Bodies built to hurt: bounded inflating, feeds that are not what they claim, precise errors."""

from __future__ import annotations

import asyncio
import gzip
import socket
import tracemalloc
import zlib
from pathlib import Path

import httpx
import pytest
from loopback import MIB, LoopbackServer, xml_bomb

from statuswatch.adapters import ParseError, feed
from statuswatch.http import Fetcher, FetchFailed, FetchResult
from statuswatch.inflate import ACCEPT_ENCODING, InflateError, Inflater
from statuswatch.model import ErrorType, ProviderSpec
from statuswatch.poll import poll
from statuswatch.settings import HttpSettings

PAGE = b'{"status": {"indicator": "none"}, "components": []}' * 50


# --- Inflater ------------------------------------------------------------------------------


def _pieces(inflater: Inflater, data: bytes, limit: int, step: int = 997) -> list[bytes]:
    out: list[bytes] = []
    for start in range(0, len(data), step):
        out.extend(inflater.feed(data[start : start + step], limit))
    out.extend(inflater.finish(limit))
    return out


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw, as some servers send it
        ("identity", lambda data: data),
    ],
)
def test_every_encoding_we_ask_for_decodes_to_the_body(encoding: str, compress: object) -> None:
    assert callable(compress)
    pieces = _pieces(Inflater(encoding), compress(PAGE), limit=100)
    assert b"".join(pieces) == PAGE
    if encoding != "identity":
        assert max(len(p) for p in pieces) <= 100


def test_a_bomb_inflates_only_as_far_as_the_caller_reads() -> None:
    bomb = gzip.compress(bytes(64 * MIB), compresslevel=9)  # 64 KiB on the wire
    inflater = Inflater("gzip")
    taken = 0
    for piece in inflater.feed(bomb, 4096):
        assert len(piece) <= 4096
        taken += len(piece)
        if taken > 100_000:
            break  # the cap: nothing past it is ever inflated
    assert 100_000 < taken <= 100_000 + 4096


def test_corrupt_data_is_an_inflate_error() -> None:
    with pytest.raises(InflateError, match=r"^invalid gzip data: Error -3 "):
        list(Inflater("gzip").feed(b"\x1f\x8b\x08\x00garbage-garbage", 1000))
    with pytest.raises(ValueError, match="unsupported content encoding 'br'"):
        Inflater("br")


def test_we_only_ask_for_encodings_we_can_bound() -> None:
    assert ACCEPT_ENCODING == "gzip, deflate"


# --- the engine with encoded bodies --------------------------------------------------------


def _fetch(url: str, settings: HttpSettings) -> FetchResult | FetchFailed:
    async def main() -> FetchResult | FetchFailed:
        async with Fetcher(settings) as fetcher:
            try:
                return await fetcher.fetch(url)
            except FetchFailed as exc:
                return exc

    return asyncio.run(main())


def test_a_gzip_body_is_read_whole(loopback: LoopbackServer) -> None:
    loopback.route("/z", gzip.compress(PAGE), headers={"Content-Encoding": "gzip"})
    result = _fetch(loopback.url("/z"), HttpSettings(max_body=len(PAGE)))
    assert isinstance(result, FetchResult) and result.body == PAGE
    assert loopback.request_headers("/z")[0]["accept-encoding"] == "gzip, deflate"


def test_a_gzip_bomb_stops_at_the_cap_with_little_memory(loopback: LoopbackServer) -> None:
    loopback.fault("/bomb", "gzip_bomb", size=1024 * MIB)
    tracemalloc.start()
    try:
        outcome = _fetch(loopback.url("/bomb"), HttpSettings(max_body=MIB, retries=0))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(outcome, FetchFailed)
    assert outcome.error.type is ErrorType.TOO_LARGE
    assert (
        outcome.error.message
        == f"the body from {loopback.url('/bomb')} is larger than the 1 MiB cap"
    )
    # The cap (1 MiB) plus buffers: inflating whole network reads would take 64 MiB per read.
    assert peak < 8 * MIB, f"{peak / MIB:.1f} MiB"


def test_a_body_that_does_not_inflate_is_a_parse_error(loopback: LoopbackServer) -> None:
    loopback.route("/bad", b"not gzip at all", headers={"Content-Encoding": "gzip"})
    outcome = _fetch(loopback.url("/bad"), HttpSettings(retries=0))
    assert isinstance(outcome, FetchFailed) and outcome.error.type is ErrorType.PARSE_ERROR
    assert outcome.error.message.startswith(
        f"the body from {loopback.url('/bad')} could not be decoded: invalid gzip data: "
    )


# --- connection failures say why -----------------------------------------------------------


def _connect_failure(cause: OSError) -> str:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("All connection attempts failed", request=request) from cause

    async def main() -> str:
        settings = HttpSettings(retries=0)
        async with Fetcher(settings, transport=httpx.MockTransport(handler)) as fetcher:
            with pytest.raises(FetchFailed) as caught:
                await fetcher.fetch("http://status.example.test/x.json")
        return caught.value.error.message

    return asyncio.run(main())


def test_a_name_that_does_not_resolve_is_named_as_dns() -> None:
    message = _connect_failure(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))
    assert message == (
        "could not connect to http://status.example.test/x.json: the host name does not "
        "resolve (DNS: Name or service not known)"
    )


def test_a_refused_connection_is_named() -> None:
    message = _connect_failure(ConnectionRefusedError(111, "Connect call failed"))
    assert message == (
        "could not connect to http://status.example.test/x.json: connection refused "
        "(nothing listens on that port)"
    )


def test_an_image_where_a_document_was_expected_names_its_type(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.fault("/img/api/v2/summary.json", "wrong_content_type")
    spec = ProviderSpec("img", "Img", "statuspage", loopback.url("/img"))
    (report,) = poll([spec], HttpSettings(retries=0), tmp_path).reports
    assert report.error is not None and report.error.type is ErrorType.PARSE_ERROR
    assert report.error.message == (
        f"could not read {loopback.url('/img/api/v2/summary.json')}: Statuspage document is "
        "not UTF-8 text (invalid start byte) (the server sent image/png)"
    )


# --- feeds that are not what they claim ----------------------------------------------------

RSS = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Notices</title>'
    "<item><title>{title}</title><guid>g1</guid><pubDate>Fri, 27 Nov 2026 10:00:00 GMT</pubDate>"
    "</item></channel></rss>"
)


def test_a_billion_laughs_feed_is_refused_not_expanded() -> None:
    with pytest.raises(ParseError) as caught:
        feed.parse(xml_bomb(), {})
    assert (
        str(caught.value) == "an RSS/Atom feed declares its own XML entities (<!ENTITY>): refused"
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (RSS.format(title="a</b>c").encode(), "mismatched tag at line 1, column 104"),
        (
            RSS.format(title="AT&T").encode(),
            "not well-formed (invalid token) at line 1, column 105",
        ),
        (RSS.format(title="x").encode()[:-30], "unclosed token at line 1, column 163"),
    ],
)
def test_a_feed_that_is_not_well_formed_is_refused(body: bytes, problem: str) -> None:
    with pytest.raises(ParseError) as caught:
        feed.parse(body, {})
    assert str(caught.value) == f"an RSS/Atom feed is not well-formed XML ({problem})"


def test_a_feed_that_is_not_in_its_declared_encoding_is_refused() -> None:
    body = RSS.format(title="Z\xfcrich").encode("latin-1")  # declared UTF-8
    with pytest.raises(ParseError) as caught:
        feed.parse(body, {})
    assert str(caught.value) == (
        "an RSS/Atom feed is not text in the encoding it declares "
        "(document declared as utf-8, but parsed as windows-1252)"
    )


def test_an_html_entity_in_a_feed_is_still_read() -> None:
    page = feed.parse(
        RSS.format(title="API&nbsp;errors").encode(), {"date": "Fri, 27 Nov 2026 10:05:00 GMT"}
    )
    assert [i.title for i in page.incidents] == ["API errors"]
