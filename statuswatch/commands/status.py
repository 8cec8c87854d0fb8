"""`statuswatch status`: poll the watched providers and print a table or the JSON document."""

from __future__ import annotations

import argparse
import sys

from statuswatch.cliargs import add_status_options
from statuswatch.collector import collector_paused
from statuswatch.console import error, use_colour, warn, write, write_bytes
from statuswatch.exitcodes import ExitCode

NAME = "status"
HELP = "print what is down as a table (or --json); the default when stdout is not a terminal"
ORDER = 10

EPILOG = """\
examples:
  statuswatch status                          # the watch list, worst first
  statuswatch status --only-problems          # what is not operational
  statuswatch status -p cloudflare -p aws
  statuswatch status --json | jq '.providers[] | select(.status != "operational") | .name'
  statuswatch status --all --color never > status.txt
  statuswatch status --server http://poller.internal:8787

exit codes: 0 printed (a provider that could not be read says so in the output); 1 the
output could not be written, or the --server could not be read; 2 bad arguments or config.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the status options (their defaults come from the top-level parser)."""
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    add_status_options(parser, defaults=False)


def run(args: argparse.Namespace) -> int:
    """Poll and print."""
    if getattr(args, "server", None):
        return _from_server(args)
    # One poll, then the process ends: what it makes goes by reference counting, and the
    # collector's passes while it imports the engine found nothing (~5 ms of a 0.6 s run).
    with collector_paused():
        return _poll_and_print(args)


def _poll_and_print(args: argparse.Namespace) -> int:
    """Poll the pages and print the table or the document."""
    from statuswatch.assess import scope_warnings
    from statuswatch.config import ConfigError, load_config, plan
    from statuswatch.document.write import dumps, snapshot_bytes, snapshot_document
    from statuswatch.model import ErrorType
    from statuswatch.paths import usable_cache_dir, usable_state_dir
    from statuswatch.source import pages_polled, probe_settings, state_counts
    from statuswatch.table import status_table

    try:
        config = load_config()
        specs, stacks = plan(config, args.provider, args.all)
    except ConfigError as exc:
        return error(str(exc))
    cache = usable_cache_dir()
    usable_state_dir()  # the probes' counts and the history live there: said before polling
    probes = probe_settings(config.probes, args.no_probes)
    # The history records the poll while it is printed; the block waits for it at its end.
    with pages_polled(
        config, specs, cache, probes=probes, counts=state_counts(), stacks=stacks
    ) as snapshot:
        for warning in scope_warnings(snapshot):
            warn(f"warning: {warning}")
        if args.json and sys.stdout.isatty():
            write(dumps(snapshot_document(snapshot), pretty=True))  # indented, for a person
        elif args.json:
            write_bytes(snapshot_bytes(snapshot))
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
        elif snapshot.vantage is not None and snapshot.vantage.text:
            # One notice, where a person sees it; the document carries it as `vantage`.
            print(f"statuswatch: {snapshot.vantage.text}", file=sys.stderr)
    return ExitCode.OK


def _from_server(args: argparse.Namespace) -> int:
    """Print what a `statuswatch serve` has: its document as sent, or the table from it."""
    from statuswatch.serverclient import ServerClient, ServerError
    from statuswatch.source import read_server
    from statuswatch.table import status_table

    if args.all:
        return error("--all: a server polls its own list (leave --all out with --server)")
    try:
        with ServerClient(args.server) as client:
            served = read_server(client, args.provider)
        if args.json:
            write_bytes(served.body)  # the server's document, byte for byte (unless cleaned)
            return ExitCode.OK
        snapshot = served.snapshot()
    except ServerError as exc:
        return error(str(exc), ExitCode.FAILURE)
    except KeyError as exc:
        return error(f"the server does not watch {exc.args[0]!r}")
    write(status_table(snapshot, only_problems=args.only_problems, colour=use_colour(args.color)))
    return ExitCode.OK
