"""What `statuswatch history` and `statuswatch report` share: their options, read into an Ask
(a server's answer is read by statuswatch.history.view.fetch_from_server)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from statuswatch.cliargs import server_url
from statuswatch.history.window import parse_moment

if TYPE_CHECKING:
    from statuswatch.history.answers import Ask

__all__ = ["ask_from_args", "window_options"]


def window_options(
    parser: argparse.ArgumentParser, *, since_help: str, defaults: bool = True
) -> None:
    """`-p`, `--since`, `--until` and `--server` (without defaults in a nested parser, so the
    values given before the subcommand stay)."""
    missing = argparse.SUPPRESS
    parser.add_argument(
        "-p",
        "--provider",
        action="append",
        default=[] if defaults else missing,
        metavar="ID",
        help="only this provider (repeatable)",
    )
    parser.add_argument(
        "--since",
        default=None if defaults else missing,
        metavar="WHEN",
        help=since_help,
    )
    parser.add_argument(
        "--until",
        default=None if defaults else missing,
        metavar="WHEN",
        help="end of the window (default: now); same forms as --since",
    )
    parser.add_argument(
        "--server",
        type=server_url,
        default=None if defaults else missing,
        metavar="URL",
        help="read the history that a `statuswatch serve` at URL records (its token, if any, "
        "from $STATUSWATCH_TOKEN)",
    )


def ask_from_args(
    args: argparse.Namespace, providers: Sequence[str], now: datetime, *, daily: bool = False
) -> Ask:
    """The Ask of the options; ValueError names the option at fault."""
    # Here, not at the top: `window_options` builds every command's parser, on every run.
    from statuswatch.history.answers import Ask

    try:
        since = parse_moment(args.since, now) if args.since else None
    except ValueError as exc:
        raise ValueError(f"--since: {exc}") from None
    try:
        until = parse_moment(args.until, now) if args.until else None
    except ValueError as exc:
        raise ValueError(f"--until: {exc}") from None
    if since is not None and until is not None and since >= until:
        raise ValueError("--since must come before --until")
    limit = getattr(args, "limit", None)
    return Ask(since=since, until=until, providers=tuple(providers), limit=limit, daily=daily)
