"""`statuswatch status`: poll the watched providers and print a table or the JSON document."""

from __future__ import annotations

import argparse
import sys

from statuswatch.commands._common import add_status_options, error, use_colour, write
from statuswatch.exitcodes import ExitCode
from statuswatch.model import ErrorType

NAME = "status"
HELP = "print what is down as a table (or --json); the default when stdout is not a terminal"
ORDER = 10


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the status options (their defaults come from the top-level parser)."""
    add_status_options(parser, defaults=False)


def run(args: argparse.Namespace) -> int:
    """Poll and print."""
    from statuswatch.config import ConfigError, load_config, select
    from statuswatch.output import dumps, snapshot_document, status_table
    from statuswatch.paths import cache_dir
    from statuswatch.poll import poll

    try:
        config = load_config()
        specs = select(config, args.provider, args.all)
    except ConfigError as exc:
        return error(str(exc))
    snapshot = poll(specs, config.http, cache_dir())
    if args.json:
        write(dumps(snapshot_document(snapshot)))
    else:
        colour = use_colour(args.color)
        write(status_table(snapshot, only_problems=args.only_problems, colour=colour))
    reports = snapshot.reports
    if reports and all(
        r.error is not None and r.error.type is ErrorType.CONNECTION for r in reports
    ):
        print(
            "statuswatch: no provider could be reached: check the network, DNS or proxy "
            "settings (HTTPS_PROXY)",
            file=sys.stderr,
        )
    return ExitCode.OK
