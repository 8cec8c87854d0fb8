"""Helpers shared by the commands: stdout that never breaks, one-line errors, colour choice."""

from __future__ import annotations

import argparse
import os
import sys

from statuswatch.exitcodes import ExitCode

PROG = "statuswatch"


def error(message: str, code: int = ExitCode.USAGE) -> int:
    """Print one line on stderr and return `code` (the usage exit code by default)."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def write(text: str) -> None:
    """Write to stdout as UTF-8 whatever the locale says, so any page title survives a pipe."""
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


def use_colour(choice: str) -> bool:
    """Colour for `--color auto|always|never`: auto means a terminal and no NO_COLOR."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def add_selection(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    """Add `-p/--provider` and `--all`: which providers a command polls."""
    parser.add_argument(
        "-p",
        "--provider",
        action="append",
        default=[] if defaults else argparse.SUPPRESS,
        metavar="ID",
        help="only this provider (repeatable); see `statuswatch providers`",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        default=False if defaults else argparse.SUPPRESS,
        help="every provider in the catalog and your config, not just the watch list",
    )


def add_status_options(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    """The options of `status`, also taken by plain `statuswatch`.

    The subcommand's copy has no defaults (`defaults=False`), so `statuswatch -p x status`
    keeps the `-p` given before the command instead of resetting it.
    """
    missing = argparse.SUPPRESS
    parser.add_argument(
        "--json",
        action="store_true",
        default=False if defaults else missing,
        help="print one statuswatch/v1 JSON document (for jq)",
    )
    add_selection(parser, defaults=defaults)
    parser.add_argument(
        "--only-problems",
        action="store_true",
        default=False if defaults else missing,
        help="table: leave out operational providers",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto" if defaults else missing,
        help="table colours (auto: only on a terminal and without NO_COLOR)",
    )
