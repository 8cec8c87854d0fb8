"""One probe request through the engine: its client, its limits, any status is an answer."""

from __future__ import annotations

import asyncio
import time

import httpx

from statuswatch.fetcherrors import classify, secs
from statuswatch.http import Fetcher, FetchFailed
from statuswatch.model import ErrorType
from statuswatch.records import record

__all__ = ["Answer", "answer"]


@record
class Answer:
    """What one probe request got: a status, however bad, and how fast it came."""

    url: str
    method: str
    status: int
    latency: float  # seconds from sending the request to the answer's headers


async def answer(
    fetcher: Fetcher, url: str, *, method: str, slot: int, timeout: float, max_body: int
) -> Answer:
    """Send one request and return its answer, whatever the status; FetchFailed if none.

    No retry, no redirect followed (a redirect is an answer), no cookie sent; at most
    `max_body` bytes of the body are read. `timeout` covers the connection and the answer's
    headers and starts once the engine's limits let the request go, so a busy poll never turns
    waiting in line into a failure.
    """
    client = fetcher.client(slot)
    async with fetcher.slot(url):
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                request = client.build_request(method, url)
                # The clients may keep the cookies pages set: a probe must carry nobody's.
                request.headers.pop("Cookie", None)
                response = await client.send(request, stream=True, follow_redirects=False)
            latency = time.perf_counter() - started
        except TimeoutError:
            raise FetchFailed(
                ErrorType.TIMEOUT, f"no answer from {url} within {secs(timeout)}"
            ) from None
        except httpx.HTTPError as exc:
            error, _ = classify(exc, url, False, fetcher.settings)
            raise FetchFailed(error.type, error.message) from None
        try:
            # The answer is in: a slow or broken body changes nothing, it only costs the
            # connection (read up to the cap so a small one returns to the pool). A HEAD
            # answer has no body: closing it is enough.
            if method != "HEAD":
                async with asyncio.timeout(max(0.0, timeout - latency)):
                    await _read_some(response, max_body)
        except (TimeoutError, httpx.HTTPError):
            pass
        finally:
            await response.aclose()
    return Answer(url=url, method=method, status=response.status_code, latency=latency)


async def _read_some(response: httpx.Response, limit: int) -> None:
    """Read the raw body to its end, or stop once past `limit` bytes (then it is closed)."""
    seen = 0
    async for chunk in response.aiter_raw():
        seen += len(chunk)
        if seen > limit:
            return
