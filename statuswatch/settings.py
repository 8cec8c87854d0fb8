"""Tunables of the HTTP engine, read from the `[http]` table of the config (stdlib only)."""

from __future__ import annotations

from statuswatch.records import record

MIB = 1024 * 1024
# Seconds between two polls, for the config's `interval` and every `--interval` of a poller.
# Status pages change on a scale of minutes and most are cached for about a minute by their
# CDN: polling more often only adds load on the providers. More than a day is a typo.
MIN_INTERVAL = 10.0
MAX_INTERVAL = 86400.0


@record
class HttpSettings:
    """Limits that keep one poll polite to servers and bounded in time and memory."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0  # longest silence between two chunks of a body
    deadline: float = (
        15.0  # whole request, headers to last byte: a one-byte-a-second drip ends here
    )
    retries: int = 2  # extra attempts after connection errors, 429, 502, 503, 504
    backoff: float = 0.5  # base of the jittered exponential backoff between attempts
    retry_after_cap: float = 10.0  # a longer Retry-After is not waited for: the provider errors
    max_body: int = 8 * MIB
    max_redirects: int = 5
    # In flight at once over the whole run: real pages live on distinct hosts, so one wave
    # can fetch hundreds (benchmarks/README.md measures the choice); fit to the open-file limit.
    max_connections: int = 512
    max_per_host: int = (
        50  # in flight at once to one host:port (curl --parallel's own default total)
    )

    def fetch_bound(self) -> float:
        """The longest one fetch can take once it has a connection slot: every attempt uses
        the whole deadline, and no wait between two attempts is longer than retry_after_cap."""
        return (1 + self.retries) * self.deadline + self.retries * self.retry_after_cap
