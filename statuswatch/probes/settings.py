"""The `[probes]` settings and the `expect` expressions of a probe (stdlib only)."""

from __future__ import annotations

import re

from statuswatch.records import record

__all__ = ["DEFAULT_EXPECT", "MAX_PROBE_BODY", "Expect", "ProbeSettings"]

DEFAULT_EXPECT = "<500"
# A probe asks "is the service answering?", not for its content: a few KiB prove an answer.
MAX_PROBE_BODY = 64 * 1024
_TERM = re.compile(r"(?:(<=|>=|<|>)(\d{3})|(\d)xx|(\d{3})(?:-(\d{3}))?)")


@record
class ProbeSettings:
    """How probes run: on or off, each probe's time limit, and polls in a row that count."""

    enabled: bool = True
    timeout: float = 5.0  # seconds for one probe, from the connection to the answer's headers
    consecutive: int = 2  # polls in a row to open (failing) or clear (passing) a warning


class Expect:
    """A set of HTTP statuses a probe accepts: terms like `<500`, `200`, `200-299`, `2xx`,
    `>=300`, joined by commas (any term matches). A 5xx never passes, whatever the terms."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._ranges: list[tuple[int, int]] = []
        for raw in text.split(","):
            term = raw.strip().lower()
            match = _TERM.fullmatch(term)
            if match is None:
                raise ValueError(
                    f"cannot read {term!r} (expected terms like <500, 200, 200-299, 2xx, >=300,"
                    " separated by commas)"
                )
            self._ranges.append(_range(match))
        if not any(self.accepts(status) for status in range(100, 500)):
            raise ValueError("accepts no status below 500 (a 5xx always fails a probe)")

    def accepts(self, status: int) -> bool:
        """True when `status` is an answer this probe counts as up."""
        if status >= 500:  # 5xx, Cloudflare's 520-530 included: the service failed
            return False
        return any(low <= status <= high for low, high in self._ranges)

    def __repr__(self) -> str:
        return f"Expect({self.text!r})"


def _range(match: re.Match[str]) -> tuple[int, int]:
    """The inclusive range of statuses one term matches."""
    operator, bound, klass, exact, upper = match.groups()
    if operator is not None:
        value = int(bound)
        return {
            "<": (0, value - 1),
            "<=": (0, value),
            ">": (value + 1, 999),
            ">=": (value, 999),
        }[operator]
    if klass is not None:
        return (int(klass) * 100, int(klass) * 100 + 99)
    low = int(exact)
    high = int(upper) if upper is not None else low
    if high < low:
        raise ValueError(f"the range {low}-{high} is empty")
    return (low, high)
