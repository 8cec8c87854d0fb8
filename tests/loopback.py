"""A real threaded HTTP/1.1 server on 127.0.0.1 for end-to-end tests.

Usage (tests/ is on sys.path through conftest.py, or take the ``loopback`` fixture)::

    from loopback import LoopbackServer

    with LoopbackServer() as srv:
        srv.route("/cf/api/v2/summary.json", body=SUMMARY, etag=True)
        srv.fault("/x/api/v2/summary.json", "hang")
        base = srv.url("/cf")              # "http://127.0.0.1:PORT/cf"
        ...                                # run statuswatch against it
        assert srv.hits("/cf/api/v2/summary.json") == (1, 0)   # (200s, 304s)

Routes answer with a fixed status, headers and body, after an optional latency. With
``etag=True`` (or a given ETag) and/or ``last_modified=True`` a conditional request that
matches gets a 304; the server counts 200s and 304s per path (``hits``), every request per
path (``requests``), the request headers (``request_headers``) and the peak number of
requests in flight at once (``max_concurrent``).

Faults replace a route's answer, for every request or for the first ``times`` ones:

=================  ==============================================================
``"500"``          HTTP 500
``"503"``          HTTP 503, with ``Retry-After: <retry_after>`` if given
``"429"``          HTTP 429, with ``Retry-After: <retry_after>`` if given
``"hang"``         reads the request and never answers (until the server stops)
``"slow_headers"`` sends the status line, then one header line every ``interval`` s
``"drip"``         sends headers, then the body one byte every ``interval`` s
``"reset"``        closes the socket abruptly (TCP RST) without answering
``"truncated"``    announces a Content-Length larger than the body it sends, then closes
``"huge"``         streams ``size`` bytes (20 MiB by default) generated on the fly,
                   with a Content-Length unless ``content_length=False`` (chunked)
``"html"``         200 with an HTML page
``"redirect_loop"`` 302 to itself, forever
``"invalid_json"`` 200 ``application/json`` that is not JSON
``"empty"``        200 with an empty body
``"401"``          HTTP 401 (``WWW-Authenticate``); ``"403"`` and ``"404"`` likewise
``"wrong_content_type"`` 200 ``image/png`` with a PNG image where a document was expected
``"invalid_utf8"`` 200, the route's body with bytes that are not UTF-8 inside a string
``"invalid_xml"``  200 ``application/rss+xml`` that is not well-formed XML
``"deep_json"``    200 ``application/json`` nested ``depth`` arrays deep (100,000 by default)
``"xml_bomb"``     200 ``application/xml``: a billion-laughs entity expansion (a DTD whose
                   entities expand to ~3 GB if a parser let them)
``"gzip_bomb"``    200 ``Content-Encoding: gzip``, chunked: ~1 KB on the wire per MiB of
                   zeros it inflates to (``size`` bytes), generated as it is sent
=================  ==============================================================

Two failures need no fault: a host name that cannot resolve (``UNRESOLVABLE``, in the
``.invalid`` domain that RFC 6761 keeps unresolvable) and TLS trouble (``tls=`` with a
certificate the client does not trust, or an ``https`` URL to a plain server).
``LoopbackServer(port=...)`` binds a given port, so a stopped server's address can be taken
over by another (a page that moved from TLS to plain HTTP, say).

Unknown paths get 404. The query string is ignored when matching a path. With
``LoopbackServer(tls=(certfile, keyfile))`` it serves https (``make_certificate`` writes a
self-signed pair for 127.0.0.1 with the openssl command).

HEAD gets the answer GET would, without the body (405 for a route made with ``head=False``);
``request_methods`` lists the method of each request.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from statuswatch.servethread import LocalHTTPServer, ServerThread

__all__ = ["FAULTS", "UNRESOLVABLE", "LoopbackServer", "make_certificate", "xml_bomb"]

FAULTS = (
    "500",
    "503",
    "429",
    "hang",
    "slow_headers",
    "drip",
    "reset",
    "truncated",
    "huge",
    "html",
    "redirect_loop",
    "invalid_json",
    "empty",
    "401",
    "403",
    "404",
    "wrong_content_type",
    "invalid_utf8",
    "invalid_xml",
    "deep_json",
    "xml_bomb",
    "gzip_bomb",
)
UNRESOLVABLE = "nonexistent.invalid"  # RFC 6761: never resolves
MIB = 1024 * 1024
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Status</title></head><body>moved</body></html>"
# The 8-byte signature and an IHDR chunk: what a CDN's error image starts with.
_PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
PNG_IMAGE = _PNG_HEAD + b"\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06" + bytes(16)
INVALID_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Status</title>'
    b"<item><title>Outage</wrong></item></chan"
)
_CHUNK = 64 * 1024


@dataclass
class _Route:
    status: int
    body: bytes
    headers: dict[str, str]
    etag: str | None
    last_modified: str | None
    latency: float
    head: bool = True


@dataclass
class _Fault:
    mode: str
    times: int | None
    retry_after: str | None
    size: int
    content_length: bool
    interval: float
    depth: int = 100_000


@dataclass
class _Stats:
    n200: int = 0
    n304: int = 0
    requests: int = 0
    headers: list[dict[str, str]] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)


class LoopbackServer(ServerThread):
    """An HTTP/1.1 server on 127.0.0.1:<free port>, configured by routes and faults."""

    def __init__(self, *, tls: tuple[Path, Path] | None = None, port: int = 0) -> None:
        super().__init__("loopback", poll_interval=0.05)
        self._tls = tls
        self._port = port  # 0: a free port
        self._lock = threading.Lock()
        self._routes: dict[str, _Route] = {}
        self._faults: dict[str, _Fault] = {}
        self._stats: dict[str, _Stats] = {}
        self._in_flight = 0
        self._max_in_flight = 0
        self._stopping = threading.Event()
        self.errors: list[BaseException] = []  # exceptions raised in handlers, for debugging
        self.connections = 0  # TCP connections accepted: shows whether clients reuse them

    # -- life cycle ---------------------------------------------------------------------------

    def make_server(self) -> LocalHTTPServer:
        """Bind the port (https with `tls`); `start` serves it in a background thread."""
        self._stopping.clear()
        httpd = _Server(("127.0.0.1", self._port), _Handler)
        httpd.owner = self
        if self._tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self._tls)
            # The handshake then happens in the handler thread, not in the accepting one.
            httpd.socket = context.wrap_socket(
                httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        return httpd

    def stop(self) -> None:
        """Stop serving; hanging and dripping handlers give up at once."""
        self._stopping.set()
        super().stop()

    # -- addresses ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (https with `tls`)."""
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def url(self, path: str = "") -> str:
        """The absolute URL of `path` on this server."""
        return self.base_url + path

    # -- configuration ------------------------------------------------------------------------

    def route(
        self,
        path: str,
        body: bytes | str | Mapping[str, Any] | list[Any] = b"",
        *,
        status: int = 200,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
        etag: bool | str = False,
        last_modified: bool | str = False,
        latency: float = 0.0,
        head: bool = True,
    ) -> None:
        """Answer GET (and HEAD, without the body) `path` with `body` (a dict or list as JSON).

        Args:
            path: the exact path, without query string.
            body: the body; str is UTF-8 encoded.
            status: the HTTP status.
            content_type: the Content-Type header.
            headers: more headers to send.
            etag: True for an ETag derived from the body, or the exact ETag to send.
            last_modified: True for "now", or the exact HTTP date to send.
            latency: seconds to wait before answering.
            head: False to answer HEAD with 405 Method Not Allowed, as some APIs do.
        """
        if isinstance(body, Mapping | list):
            data = json.dumps(body).encode("utf-8")
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = body
        if etag is True:
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if last_modified is True:
            last_modified = formatdate(time.time() - 60, usegmt=True)
        all_headers = {"Content-Type": content_type, **(headers or {})}
        with self._lock:
            self._routes[path] = _Route(
                status=status,
                body=data,
                headers=all_headers,
                etag=etag or None,
                last_modified=last_modified or None,
                latency=latency,
                head=head,
            )

    def redirect(self, path: str, to: str, *, status: int = 302) -> None:
        """Answer `path` with a redirect to `to` (a path or an absolute URL)."""
        self.route(path, b"", status=status, content_type="text/plain", headers={"Location": to})

    def fault(
        self,
        path: str,
        mode: str,
        *,
        times: int | None = None,
        retry_after: str | int | None = None,
        size: int = 20 * MIB,
        content_length: bool = True,
        interval: float = 0.5,
        depth: int = 100_000,
    ) -> None:
        """Make `path` misbehave as `mode` (one of FAULTS), for every request or the next `times`.

        Args:
            path: the path, routed or not.
            mode: the fault, see the module docstring.
            times: how many requests get the fault before the route answers normally again.
            retry_after: the Retry-After value for "503" and "429".
            size: body size for "huge".
            content_length: for "huge", announce the size (else chunked encoding).
            interval: seconds between bytes ("drip") or header lines ("slow_headers").
            depth: nesting depth for "deep_json".
        """
        if mode not in FAULTS:
            raise ValueError(f"unknown fault {mode!r}; known: {', '.join(FAULTS)}")
        with self._lock:
            self._faults[path] = _Fault(
                mode=mode,
                times=times,
                retry_after=None if retry_after is None else str(retry_after),
                size=size,
                content_length=content_length,
                interval=interval,
                depth=depth,
            )

    def clear_fault(self, path: str) -> None:
        """Let `path` answer normally again."""
        with self._lock:
            self._faults.pop(path, None)

    # -- what happened ------------------------------------------------------------------------

    def hits(self, path: str) -> tuple[int, int]:
        """(number of 200 answers, number of 304 answers) served for `path` by its route."""
        with self._lock:
            stats = self._stats.get(path, _Stats())
            return (stats.n200, stats.n304)

    def requests(self, path: str) -> int:
        """How many requests reached `path`, faults included."""
        with self._lock:
            return self._stats.get(path, _Stats()).requests

    def request_methods(self, path: str) -> list[str]:
        """The method of each request to `path` (GET, HEAD), oldest first."""
        with self._lock:
            return list(self._stats.get(path, _Stats()).methods)

    def request_headers(self, path: str) -> list[dict[str, str]]:
        """The headers of each request to `path` (names lower-cased), oldest first."""
        with self._lock:
            return [dict(h) for h in self._stats.get(path, _Stats()).headers]

    @property
    def max_concurrent(self) -> int:
        """The most requests that were being answered at the same time."""
        with self._lock:
            return self._max_in_flight

    def reset_counters(self) -> None:
        """Forget hits, requests and the concurrency peak."""
        with self._lock:
            self._stats.clear()
            self._max_in_flight = self._in_flight

    # -- serving (handler threads) ------------------------------------------------------------

    def _begin(
        self, path: str, headers: dict[str, str], method: str = "GET"
    ) -> tuple[_Route | None, _Fault | None]:
        """Count a request and return what to answer it with."""
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            stats = self._stats.setdefault(path, _Stats())
            stats.requests += 1
            stats.headers.append(headers)
            stats.methods.append(method)
            fault = self._faults.get(path)
            if fault is not None and fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    del self._faults[path]
            return self._routes.get(path), fault

    def _end(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _count(self, path: str, status: int) -> None:
        with self._lock:
            stats = self._stats.setdefault(path, _Stats())
            if status == 200:
                stats.n200 += 1
            elif status == 304:
                stats.n304 += 1

    def _pause(self, seconds: float) -> bool:
        """Sleep; False if the server is stopping (the handler should give up)."""
        return not self._stopping.wait(seconds)


class _Server(LocalHTTPServer):
    request_queue_size = 1024  # the default 5 drops connections when 200 arrive at once
    owner: LoopbackServer

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.owner._lock:
            self.owner.connections += 1
        super().process_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-answer are part of the tests; keep the exception, print nothing.
        exc = sys.exc_info()[1]
        if exc is not None:
            self.owner.errors.append(exc)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 15  # an idle keep-alive connection frees its thread after this

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        # The answer GET would get, without its body (_send leaves it out for HEAD).
        self.do_GET()

    def do_GET(self) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        headers = {k.lower(): v for k, v in self.headers.items()}
        route, fault = owner._begin(path, headers, self.command)
        try:
            if fault is not None:
                self._fault(fault, route)
            elif route is not None and self.command == "HEAD" and not route.head:
                self._send(405, b"method not allowed", {"Content-Type": "text/plain"})
            elif route is None:
                self._send(404, b"not found", {"Content-Type": "text/plain"})
            else:
                self._answer(path, route)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True
        finally:
            owner._end()

    def _answer(self, path: str, route: _Route) -> None:
        owner = self.server.owner
        if route.latency and not owner._pause(route.latency):
            self.close_connection = True
            return
        headers = dict(route.headers)
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if route.status == 200 and self._not_modified(route):
            owner._count(path, 304)
            self._send(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"})
            return
        owner._count(path, route.status)
        self._send(route.status, route.body, headers)

    def _not_modified(self, route: _Route) -> bool:
        """True when the request's validators match the route (If-None-Match wins)."""
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            if route.etag is None:
                return False
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or route.etag.removeprefix("W/") in tags
        ims = self.headers.get("If-Modified-Since")
        if ims is not None and route.last_modified is not None:
            try:
                return parsedate_to_datetime(route.last_modified) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _fault(self, fault: _Fault, route: _Route | None) -> None:
        owner = self.server.owner
        mode = fault.mode
        body = route.body if route is not None and route.body else b'{"status": "ok"}'
        if mode in ("500", "503", "429"):
            extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            self._send(int(mode), b"unavailable", {"Content-Type": "text/plain", **extra})
        elif mode == "hang":
            while owner._pause(0.05):
                pass
            self.close_connection = True
        elif mode == "slow_headers":
            self.close_connection = True
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for i in range(20):
                if not owner._pause(fault.interval):
                    return
                self.wfile.write(f"X-Slow-{i}: {i}\r\n".encode())
            self.wfile.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        elif mode == "drip":
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body:
                self.wfile.write(bytes([byte]))
                if not owner._pause(fault.interval):
                    return
        elif mode == "reset":
            self.close_connection = True
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        elif mode == "truncated":
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) + 1000))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
        elif mode == "huge":
            self._huge(fault)
        elif mode == "html":
            self._send(200, HTML_PAGE, {"Content-Type": "text/html; charset=utf-8"})
        elif mode == "redirect_loop":
            self._send(302, b"", {"Location": self.path})
        elif mode == "invalid_json":
            self._send(200, b'{"page": {"id": ', {"Content-Type": "application/json"})
        elif mode == "empty":
            self._send(200, b"", {"Content-Type": "application/json"})
        elif mode in ("401", "403", "404"):
            extra = {"WWW-Authenticate": 'Bearer realm="status"'} if mode == "401" else {}
            self._send(int(mode), b"no", {"Content-Type": "text/plain", **extra})
        elif mode == "wrong_content_type":
            self._send(200, PNG_IMAGE, {"Content-Type": "image/png"})
        elif mode == "invalid_utf8":
            self._send(200, _not_utf8(body), {"Content-Type": "application/json; charset=utf-8"})
        elif mode == "invalid_xml":
            self._send(200, INVALID_XML, {"Content-Type": "application/rss+xml"})
        elif mode == "deep_json":
            depth = fault.depth
            deep = b'{"status": ' + b"[" * depth + b"]" * depth + b"}"
            self._send(200, deep, {"Content-Type": "application/json"})
        elif mode == "xml_bomb":
            self._send(200, xml_bomb(), {"Content-Type": "application/xml"})
        elif mode == "gzip_bomb":
            self._gzip_bomb(fault)

    def _gzip_bomb(self, fault: _Fault) -> None:
        """Stream a gzip body inflating to `fault.size` zero bytes (rounded up to a MiB)."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        header, block, end = _gzip_parts()
        zeros = bytes(_BOMB_BLOCK)
        pieces = [header]
        crc, sent = 0, 0
        while sent < fault.size:
            pieces.append(block)
            crc, sent = zlib.crc32(zeros, crc), sent + _BOMB_BLOCK
            if len(pieces) >= 16 or sent >= fault.size:
                if self.server.owner._stopping.is_set():
                    return
                data = b"".join(pieces)
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                pieces = []
        trailer = end + struct.pack("<II", crc, sent & 0xFFFFFFFF)
        self.wfile.write(f"{len(trailer):x}\r\n".encode() + trailer + b"\r\n0\r\n\r\n")

    def _huge(self, fault: _Fault) -> None:
        """Stream `fault.size` bytes without ever holding them."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if fault.content_length:
            self.send_header("Content-Length", str(fault.size))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in _pieces(fault.size):
            if self.server.owner._stopping.is_set():
                return
            if fault.content_length:
                self.wfile.write(piece)
            else:
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        if not fault.content_length:
            self.wfile.write(b"0\r\n\r\n")


def xml_bomb(levels: int = 10) -> bytes:
    """The billion-laughs document: each entity is ten of the previous one (10**levels laughs)."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!DOCTYPE rss [{''.join(entities)}]>\n"
        '<rss version="2.0"><channel><title>Status</title>'
        f"<item><title>&lol{levels - 1};</title><description>&lol{levels - 1};</description>"
        "<guid>x</guid></item></channel></rss>"
    ).encode("ascii")


_BOMB_BLOCK = MIB


@functools.cache
def _gzip_parts() -> tuple[bytes, bytes, bytes]:
    """A gzip header, the deflate bytes of one MiB of zeros (after a full flush, the same for
    every MiB: repeated, they make any size) and an empty final block."""
    zeros = bytes(_BOMB_BLOCK)
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15)
    return first[: len(first) - len(block)], block, final.compress(b"") + final.flush()


def _not_utf8(body: bytes) -> bytes:
    """`body` with an invalid UTF-8 sequence in its first title or string (or its middle)."""
    for opening in (b"<title>", b'"'):
        at = body.find(opening)
        if at >= 0:
            at += len(opening)
            return body[:at] + b"\xc3\x28\xff" + body[at:]
    middle = len(body) // 2
    return body[:middle] + b"\xc3\x28\xff" + body[middle:]


def make_certificate(directory: Path) -> tuple[Path, Path] | None:
    """Write a self-signed certificate and key for 127.0.0.1; None without the openssl command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = directory / "cert.pem", directory / "key.pem"
    command = [
        openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, check=False, timeout=60)
    return (cert, key) if done.returncode == 0 else None


def _pieces(size: int) -> Iterator[bytes]:
    """`size` bytes of filler in chunks."""
    block = b" " * _CHUNK
    while size > 0:
        yield block[: min(size, _CHUNK)]
        size -= _CHUNK
