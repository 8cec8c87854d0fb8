"""The vantage check: when probes fail nearly everywhere at once, the trouble is ours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from statuswatch.model import ProbeResult, Vantage, VantageState
from statuswatch.probes.warning import Verdict, verdict

__all__ = ["OFFLINE_MIN", "OFFLINE_SHARE", "OFFLINE_TEXT", "vantage"]

# More than this share of the providers with probes failing at once (and at least
# OFFLINE_MIN of them) looks like our own network or DNS rather than that many outages.
OFFLINE_SHARE = 0.6
OFFLINE_MIN = 3
OFFLINE_TEXT = "probes fail everywhere: your network or DNS looks down"


def vantage(results: Mapping[str, Sequence[ProbeResult]]) -> Vantage:
    """Judge this poll's probes as a whole (`results`: each provider's probe results)."""
    judged = [verdict(r) for r in results.values() if r]
    failing = sum(v is Verdict.FAILING for v in judged)
    if failing >= OFFLINE_MIN and failing > OFFLINE_SHARE * len(judged):
        text = f"{OFFLINE_TEXT} ({failing} of {len(judged)} providers' probes failing)"
        return Vantage(VantageState.OFFLINE, text)
    return Vantage(VantageState.OK, "")
