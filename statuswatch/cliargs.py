"""The command line's shared options and argument types (argparse, stdlib only)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from urllib.parse import urlsplit

from statuswatch.settings import MAX_INTERVAL, MIN_INTERVAL

# The longest wait a command line may ask for (wait --timeout, notify --lock-timeout): a week.
# More is a typo, and 1e300 seconds overflows the clock that sleeps.
MAX_SECONDS = 7 * 86400.0


def number_in(low: float, high: float, unit: str = "") -> Callable[[str], float]:
    """An argparse type: a finite number from `low` to `high` (both allowed)."""
    what = f"a number of {unit}" if unit else "a number"

    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {value!r}") from None
        if not low <= number <= high:  # NaN fails both
            raise argparse.ArgumentTypeError(
                f"expected {what} from {low:g} to {high:g}, got {value!r}"
            )
        return number

    return parse


# argparse types: a number of seconds from zero to a week; a poll interval.
seconds = number_in(0, MAX_SECONDS, "seconds")
interval = number_in(MIN_INTERVAL, MAX_INTERVAL, "seconds")


def server_url(value: str) -> str:
    """An `--server` value: an http(s) URL with a host, without a trailing slash."""
    # Imported here: the config's checks (~10 ms) only for a command line that names a server.
    from statuswatch.tomlcheck import url_problem

    problem = url_problem(value.strip())
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    parts = urlsplit(value.strip())
    if parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(f"expected a URL without ?query or #fragment: {value!r}")
    return value.strip().rstrip("/")


def add_config_option(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    """Add `--config FILE`: the config file to read (as $STATUSWATCH_CONFIG; it must exist)."""
    parser.add_argument(
        "--config",
        default=None if defaults else argparse.SUPPRESS,
        metavar="FILE",
        help="the config file to use instead of the default (like $STATUSWATCH_CONFIG); "
        "a file named this way must exist, except for `config init` and `add`",
    )


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


def add_selection(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    """Add `-p/--provider` and `--all`: which providers a command polls."""
    parser.add_argument(
        "-p",
        "--provider",
        action="append",
        default=[] if defaults else argparse.SUPPRESS,
        metavar="ID[:COMPONENT,...]",
        help="only this provider (repeatable), scoped to those components if given "
        "(`aws:us-east-1`); see `statuswatch providers` and `statuswatch components ID`",
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
    add_probe_option(parser, defaults=defaults)


def add_probe_option(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    """Add `--no-probes`: poll the status pages only, none of the providers' own endpoints."""
    parser.add_argument(
        "--no-probes",
        action="store_true",
        default=False if defaults else argparse.SUPPRESS,
        help="send no probes to the providers' own endpoints (no early warnings); "
        "`[probes] enabled = false` in the config does the same for good",
    )


def add_tui_options(parser: argparse.ArgumentParser) -> None:
    """Add `--interval` and `--bell` (they only matter to the TUI)."""
    parser.add_argument(
        "--interval",
        type=interval,
        default=None,
        metavar="SECONDS",
        help="TUI: seconds between refreshes (default: `interval` in the config, 60; "
        f"{MIN_INTERVAL:g} to {MAX_INTERVAL:g})",
    )
    parser.add_argument(
        "--bell",
        action="store_true",
        help="TUI: ring the terminal bell when an incident opens or closes while watching",
    )
