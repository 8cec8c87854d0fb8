"""How many requests may be in flight at once: the open-file budget of the HTTP engine."""

from __future__ import annotations

__all__ = ["FD_RESERVE", "connection_budget"]

# Open files kept for all but the requests: stdio, the event loop, cache files being written,
# the connections a `serve` answers.
FD_RESERVE = 128


def connection_budget(wanted: int) -> int:
    """How many requests may be in flight: `wanted`, within the open-file limit.

    A soft limit too low for `wanted` sockets (1,024 is common, macOS has 256) is raised
    towards the hard limit, as far as needed; if it cannot be, the budget shrinks to fit, so
    a large poll waits for sockets instead of failing with "too many open files".
    """
    wanted = max(1, wanted)
    try:
        import resource  # not on Windows, which has no such per-process limit to meet
    except ImportError:
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + FD_RESERVE
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return wanted
    raised = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        soft = raised
    except (ValueError, OSError):
        pass
    return max(1, min(wanted, soft - FD_RESERVE))
