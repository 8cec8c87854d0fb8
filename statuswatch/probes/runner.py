"""One poll's probes, sent through the engine's HTTP client and within its limits."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

from statuswatch.http import Fetcher, FetchFailed
from statuswatch.model import ProbeResult, ProbeSpec, ProviderSpec
from statuswatch.probes.request import answer
from statuswatch.probes.settings import MAX_PROBE_BODY, Expect, ProbeSettings
from statuswatch.text import one_line

__all__ = ["HEAD_REFUSED", "ProbeRun"]

# Answers to HEAD that say "not this method" rather than "down": the probe asks again with GET
# (once: the URL is remembered, so later polls send GET straight away).
HEAD_REFUSED = frozenset({405, 501})
_ERROR_LIMIT = 200


class ProbeRun:
    """The probes of `specs` for one poll; pass it to `poll_all(alongside=...)`.

    Each distinct (method, URL) goes out once, even when several providers list it. After the
    run, `results` holds each provider's results in its probes' order, and `head_refused` the
    URLs that refused HEAD this time.
    """

    def __init__(
        self,
        specs: Sequence[ProviderSpec],
        settings: ProbeSettings,
        *,
        head_refused: Iterable[str] = (),
    ) -> None:
        self.specs = [spec for spec in specs if spec.probes]
        self.settings = settings
        self.known_head_refused = frozenset(head_refused)
        self.results: dict[str, tuple[ProbeResult, ...]] = {}
        self.head_refused: set[str] = set()

    async def __call__(self, fetcher: Fetcher) -> None:
        """Send every probe (concurrently) and fill `results`."""
        if not self.settings.enabled:
            return
        answers: dict[tuple[str, str], asyncio.Task[tuple[int | None, str | None, float | None]]]
        answers = {}
        for slot, spec in enumerate(self.specs):
            for probe in spec.probes:
                method = self._method(probe)
                if (method, probe.url) not in answers:
                    answers[method, probe.url] = asyncio.create_task(
                        self._ask(fetcher, probe, method, slot)
                    )
        try:
            await asyncio.gather(*answers.values())
        finally:
            for task in answers.values():
                task.cancel()
        for spec in self.specs:
            self.results[spec.id] = tuple(
                _result(probe, answers[self._method(probe), probe.url].result())
                for probe in spec.probes
            )

    def _method(self, probe: ProbeSpec) -> str:
        """HEAD where it works: unless the probe asks for GET or its URL refused HEAD before."""
        if probe.method == "HEAD" and probe.url in self.known_head_refused:
            return "GET"
        return probe.method

    async def _ask(
        self, fetcher: Fetcher, probe: ProbeSpec, method: str, slot: int
    ) -> tuple[int | None, str | None, float | None]:
        """(status, error, latency in seconds) of one probe; a failure is data, never raised."""
        timeout = self.settings.timeout
        try:
            got = await answer(
                fetcher,
                probe.url,
                method=method,
                slot=slot,
                timeout=timeout,
                max_body=MAX_PROBE_BODY,
            )
            if method == "HEAD" and got.status in HEAD_REFUSED:
                self.head_refused.add(probe.url)
                got = await answer(
                    fetcher,
                    probe.url,
                    method="GET",
                    slot=slot,
                    timeout=timeout,
                    max_body=MAX_PROBE_BODY,
                )
        except FetchFailed as exc:
            return None, one_line(exc.error.message, _ERROR_LIMIT), None
        except Exception as exc:  # a probe's fault is data: nothing may escape into the poll
            return None, one_line(f"internal error: {exc}", _ERROR_LIMIT), None
        return got.status, None, got.latency


def _result(probe: ProbeSpec, outcome: tuple[int | None, str | None, float | None]) -> ProbeResult:
    """A probe's result from its outcome: ok when an answer came and `expect` accepts it."""
    status, error, latency = outcome
    ok = status is not None and Expect(probe.expect).accepts(status)
    if status is not None and not ok:
        error = f"HTTP {status}" if status >= 500 else f"HTTP {status}, expected {probe.expect}"
    return ProbeResult(
        url=probe.url,
        ok=ok,
        status=status,
        error=error,
        latency_ms=None if latency is None else round(latency * 1000, 1),
        region=probe.region,
    )
