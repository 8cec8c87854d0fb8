"""The HTTP client of a `statuswatch serve`: its /v1/status document as bytes, its /v1/events.

What the document means is `statuswatch.document.read`'s job; which snapshot a command shows
is `statuswatch.source`'s.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any

import httpx

from statuswatch.fetcherrors import describe
from statuswatch.http import USER_AGENT
from statuswatch.paths import TOKEN_ENV
from statuswatch.records import record
from statuswatch.text import one_line
from statuswatch.truststore import TrustStore

# A document of 1,000 providers is a few MiB; far more is a misbehaving server.
MAX_DOCUMENT = 64 * 1024 * 1024

__all__ = ["MAX_DOCUMENT", "ServerClient", "ServerError", "ServerEvent", "SseParser"]

_SHOWN = 200


class ServerError(Exception):
    """The server could not be read; `fatal` when asking again will not help (auth, not ours)."""

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


@record
class ServerEvent:
    """One Server-Sent Event: its `event` name, its `data` and its `id` (None when it had none)."""

    kind: str
    data: str
    id: str | None = None

    def json(self) -> Any:
        """The data parsed as JSON."""
        return json.loads(self.data)


class SseParser:
    """Turns the lines of a text/event-stream into events (comments and retry are dropped)."""

    def __init__(self) -> None:
        self._kind = ""
        self._data: list[str] = []
        self._id: str | None = None

    def feed(self, line: str) -> ServerEvent | None:
        """Take one line (without its end); return an event when a blank line completes one."""
        if not line:
            if not self._data:
                self._kind, self._id = "", None
                return None
            event = ServerEvent(self._kind or "message", "\n".join(self._data), self._id)
            self._kind, self._data, self._id = "", [], None
            return event
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._kind = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\x00" not in value:
            self._id = value
        return None


def _where(url: str) -> str:
    return one_line(url, _SHOWN)


class ServerClient:
    """Reads a statuswatch server; the token comes from `token` or $STATUSWATCH_TOKEN."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        token = token if token is not None else os.environ.get(TOKEN_ENV) or None
        headers = {"User-Agent": USER_AGENT}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        trust = TrustStore()
        if self.url.lower().startswith("https:"):
            trust.load()
        # No proxy from the environment: a server on the team's network is reached directly.
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout),
            trust_env=False,
            verify=trust.context,
            transport=transport,
        )
        self._token = bool(token)

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def _refused(self, response: httpx.Response) -> ServerError:
        where = _where(self.url)
        code = response.status_code
        if code == 401:
            if self._token:
                return ServerError(f"{where} refused the token in ${TOKEN_ENV}", fatal=True)
            return ServerError(f"{where} wants a token: set ${TOKEN_ENV}", fatal=True)
        if code == 503:
            return ServerError(f"{where} has not finished its first poll yet (HTTP 503)")
        if code == 404:
            return ServerError(
                f"{where} has no {response.request.url.path}: is it `statuswatch serve`?",
                fatal=True,
            )
        if code == 400:  # a question it refused (serve's /v1/history): it says why
            with contextlib.suppress(ValueError, KeyError, TypeError, httpx.ResponseNotRead):
                reason = one_line(str(json.loads(response.content)["error"]), _SHOWN)
                return ServerError(f"{where} refused the request: {reason}", fatal=True)
        return ServerError(f"{where} answered HTTP {code}", fatal=400 <= code < 500)

    def status_bytes(self) -> bytes:
        """The server's /v1/status document as sent (decompressed; at most MAX_DOCUMENT)."""
        return self.document_bytes("/v1/status")

    def document_bytes(self, path: str, params: Sequence[tuple[str, str]] = ()) -> bytes:
        """A document of the server (`/v1/status`, `/v1/history`, `/v1/report`) as sent."""
        try:
            with self._client.stream("GET", f"{self.url}{path}", params=list(params)) as response:
                if response.status_code != 200:
                    response.read()
                    raise self._refused(response)
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_DOCUMENT:
                        raise ServerError(
                            f"{_where(self.url)} sent a document over {MAX_DOCUMENT >> 20} MiB",
                            fatal=True,
                        )
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise ServerError(f"cannot reach {_where(self.url)}: {_reason(exc)}") from None
        return b"".join(chunks)

    def events(
        self, last_event_id: str | None = None, *, read_timeout: float | None = 60.0
    ) -> Iterator[ServerEvent]:
        """Follow /v1/events until the server closes the stream (or a read times out).

        The server sends a comment at least every 15 s, so `read_timeout` only fires when
        the connection is dead.
        """
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        timeout = httpx.Timeout(self._client.timeout.connect, read=read_timeout)
        parser = SseParser()
        try:
            with self._client.stream(
                "GET", f"{self.url}/v1/events", headers=headers, timeout=timeout
            ) as response:
                if response.status_code != 200:
                    raise self._refused(response)
                for line in response.iter_lines():
                    event = parser.feed(line)
                    if event is not None:
                        yield event
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ServerError(f"cannot reach {_where(self.url)}: {_reason(exc)}") from None
        except httpx.HTTPError as exc:
            raise ServerError(f"lost {_where(self.url)}: {_reason(exc)}") from None


def _reason(exc: httpx.HTTPError) -> str:
    return one_line(describe(exc), _SHOWN)
