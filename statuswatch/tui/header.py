"""The live view's two-line header: refresh times and what is failing, then the counts."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text

from statuswatch.model import Status
from statuswatch.text import one_line
from statuswatch.timefmt import age, duration
from statuswatch.tui.probeview import WARNING_MARK, WARNING_STYLE
from statuswatch.tui.render import STATUS_STYLES

__all__ = ["header_text", "loudest"]

# The header's counts, loudest first; unknown after maintenance: it is never an outage.
_LOUDNESS = (
    Status.MAJOR_OUTAGE,
    Status.PARTIAL_OUTAGE,
    Status.DEGRADED,
    Status.MAINTENANCE,
    Status.UNKNOWN,
    Status.OPERATIONAL,
)


def header_text(
    *,
    banner: str | None,
    now: datetime,
    last_refresh: datetime | None,
    refreshing: tuple[int, int] | None,
    next_in: int,
    filter_text: str,
    only_problems: bool,
    counts: dict[Status, int],
    total: int,
    width: int | None = None,
    failing: tuple[datetime, str, bool] | None = None,
    warned: int = 0,
    vantage: str = "",
) -> Text:
    """The two header lines: refresh times and view settings, then the count of each status.

    Each line stays one line: at `width` columns the first one drops its decorations, then
    shortens its times, then cuts the banner, and ends in "…" only if nothing else helps
    (a wrapped line would push the counts out of the two-line header). `failing` is since when
    refreshing fails, why, and whether the source (a server) is unreachable: said, with the
    age of the data shown, until a refresh works again.
    """
    forms = [(True, False), (False, False), (False, True)]  # (badge, compact)
    top = Text()
    for badge, compact in forms:
        top = _top_line(
            badge=badge,
            compact=compact,
            banner=banner,
            now=now,
            last_refresh=last_refresh,
            refreshing=refreshing,
            next_in=next_in,
            filter_text=filter_text,
            only_problems=only_problems,
            failing=failing,
        )
        if width is None or top.cell_len <= width:
            break
    else:
        if banner and width is not None:
            # Cut the banner (a demo's long title) before the times, which say what is live.
            over = top.cell_len - width
            shorter = one_line(banner)
            keep = max(8, len(shorter) - over - 1)
            top = _top_line(
                badge=False,
                compact=True,
                banner=shorter[:keep] + "…" if keep < len(shorter) else shorter,
                now=now,
                last_refresh=last_refresh,
                refreshing=refreshing,
                next_in=next_in,
                filter_text=filter_text,
                only_problems=only_problems,
                failing=failing,
            )
    bottom = Text(" ")
    heard = sum(counts.values())
    problems = [s for s in _LOUDNESS if s is not Status.OPERATIONAL and counts[s]]
    if heard and not problems:
        every = "The one provider" if heard == 1 else f"All {heard} providers"
        bottom.append(f"{every} operational", style="bold green")
    else:
        for status in problems:
            bottom.append(f" {counts[status]} {status.label} ", style=STATUS_STYLES[status])
            bottom.append("  ")
        if counts[Status.OPERATIONAL]:
            bottom.append(f"{counts[Status.OPERATIONAL]} operational", style="green")
    if total > heard:
        bottom.append(f"  ·  {total - heard} not heard from yet", style="dim")
    if warned:
        bottom.append("  ")
        bottom.append(
            f" {WARNING_MARK} {warned} early warning{'s' if warned > 1 else ''} ",
            style=WARNING_STYLE,
        )
    if vantage:
        bottom.append("  ·  ")
        bottom.append(one_line(vantage), style="bold magenta")
    if width is not None:
        for line in (top, bottom):
            line.truncate(width, overflow="ellipsis")
    return Text.assemble(top, "\n", bottom, no_wrap=True, overflow="ellipsis")


def _top_line(
    *,
    badge: bool,
    compact: bool,
    banner: str | None,
    now: datetime,
    last_refresh: datetime | None,
    refreshing: tuple[int, int] | None,
    next_in: int,
    filter_text: str,
    only_problems: bool,
    failing: tuple[datetime, str, bool] | None,
) -> Text:
    """The header's first line, in its full or compact words."""
    sep = " · " if compact else "  ·  "
    top = Text()
    if badge:
        top.append(" statuswatch ", style="bold reverse")
        top.append("  " if banner else "   ")
    else:
        top.append(" ")
    if banner:
        top.append(one_line(banner), style="bold cyan")
        top.append(sep if compact else "   ")
    if failing is not None:
        since, why, unreachable = failing
        clock = f"{since.astimezone(UTC):%H:%M:%S}"
        what = "server unreachable" if unreachable else "refresh failing"
        top.append(f"{what} since {clock} UTC ({age(since, now)})", style="bold red")
        if not compact:
            top.append(f": {one_line(why, 80)}", style="red")
        top.append(sep)
        if last_refresh is not None:
            top.append(f"data from {age(last_refresh, now)}", style="magenta")
    elif last_refresh is not None:
        if compact:
            top.append(f"refreshed {age(last_refresh, now)}")
        else:
            clock = f"{last_refresh.astimezone(UTC):%H:%M:%S}"
            top.append(f"refreshed {clock} UTC ({age(last_refresh, now)})")
    else:
        top.append("not refreshed yet")
    if refreshing is not None:
        top.append(f"{sep}refreshing {refreshing[0]}/{refreshing[1]}", style="cyan")
    else:
        top.append(f"{sep}{'next' if compact else 'next in'} {duration(next_in)}")
    if filter_text:
        top.append(f"{sep}filter: ", style="bold")
        top.append(filter_text, style="bold yellow")
    if only_problems:
        top.append(f"{sep}only problems", style="bold yellow")
    return top


def loudest(counts: dict[Status, int]) -> Status:
    """The status the header should speak for: the loudest one any provider is in."""
    return next((s for s in _LOUDNESS if counts.get(s)), Status.OPERATIONAL)
