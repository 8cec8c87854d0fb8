"""Plain `statuswatch` on a terminal: the live TUI. Textual is imported only inside `run`."""

from __future__ import annotations

import argparse
import math
import os
import sys

from statuswatch.commands._common import error
from statuswatch.exitcodes import ExitCode


def add_tui_options(parser: argparse.ArgumentParser) -> None:
    """Add `--interval` and `--bell` (they only matter to the TUI)."""
    parser.add_argument(
        "--interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="TUI: seconds between refreshes (default: `interval` in the config, 60; at least 10)",
    )
    parser.add_argument(
        "--bell",
        action="store_true",
        help="TUI: ring the terminal bell when an incident opens or closes while watching",
    )


def wants_tui(args: argparse.Namespace) -> bool:
    """The TUI for plain `statuswatch`: stdout is a terminal and --json was not asked for."""
    if getattr(args, "json", False):
        return False
    return sys.stdout.isatty() and sys.stdin.isatty() and os.environ.get("TERM") != "dumb"


def check_interval(value: float | None, minimum: float) -> str | None:
    """The problem with an `--interval` value, or None when it is usable."""
    if value is None:
        return None
    if not math.isfinite(value) or value < minimum:
        return f"--interval: must be at least {minimum:g} seconds, got {value:g}"
    return None


def run(args: argparse.Namespace) -> int:
    """Open the TUI on the watched providers until the user quits."""
    if getattr(args, "server", None):  # `--server URL`: a server's polls feed the TUI
        from statuswatch.commands import _tui_remote

        return _tui_remote.run(args)
    from statuswatch.config import MIN_INTERVAL, ConfigError, load_config, select
    from statuswatch.paths import cache_dir

    try:
        config = load_config()
        specs = select(config, args.provider, args.all)
    except ConfigError as exc:
        return error(str(exc))
    problem = check_interval(args.interval, MIN_INTERVAL)
    if problem:
        return error(problem)
    from statuswatch.tui.app import build_app  # Textual: only on this path

    app = build_app(
        specs,
        interval=config.interval if args.interval is None else args.interval,
        settings=config.http,
        cache_dir=cache_dir(),
        bell=args.bell,
        only_problems=args.only_problems,
        tune_gc=True,
    )
    app.run()
    return ExitCode.OK
