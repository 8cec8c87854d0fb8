"""Helpers shared by the commands: stdout that never breaks, one-line errors, colour choice."""

from __future__ import annotations

import argparse
import os
import sys
from urllib.parse import urlsplit

from statuswatch.exitcodes import ExitCode

PROG = "statuswatch"


def error(message: str, code: int = ExitCode.USAGE) -> int:
    """Print one line on stderr and return `code` (the usage exit code by default)."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def write(text: str) -> None:
    """Write to stdout as UTF-8 whatever the locale says, so any page title survives a pipe."""
    write_bytes(text.encode("utf-8"))


def write_bytes(data: bytes) -> None:
    """Write bytes to stdout as they are (a server's document, passed through)."""
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def server_url(value: str) -> str:
    """An `--server` value: an http(s) URL with a host, without a trailing slash."""
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an http(s) URL, got {value!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"expected an http(s) URL, got {value!r}")
    if parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(f"expected a URL without ?query or #fragment: {value!r}")
    return value.strip().rstrip("/")


def add_server_option(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    """Add `--server URL`: read from `statuswatch serve` instead of polling the pages."""
    parser.add_argument(
        "--server",
        type=server_url,
        default=None if defaults else argparse.SUPPRESS,
        metavar="URL",
        help="read from a `statuswatch serve` at URL instead of polling the status pages "
        "(its token, if any, from $STATUSWATCH_TOKEN)",
    )


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
    add_server_option(parser, defaults=defaults)
