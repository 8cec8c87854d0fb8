"""`statuswatch status`: poll the watched providers and print a table or the JSON document."""

from __future__ import annotations

import argparse
import sys

from statuswatch.commands._common import (
    add_status_options,
    error,
    use_colour,
    write,
    write_bytes,
)
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
    if getattr(args, "server", None):
        return _from_server(args)
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
        write(dumps(snapshot_document(snapshot), pretty=sys.stdout.isatty()))
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


def _from_server(args: argparse.Namespace) -> int:
    """Print what a `statuswatch serve` has: its document as sent, or the table from it."""
    from statuswatch.output import dumps, status_table
    from statuswatch.remote import (
        RemoteClient,
        RemoteError,
        clean_strings,
        parse_document,
        select_providers,
        snapshot_from_document,
    )

    if args.all:
        return error("--all: a server polls its own list (leave --all out with --server)")
    try:
        with RemoteClient(args.server) as client:
            body = client.status_bytes()
        document = parse_document(body, args.server)
        # The server is our own code, but its answer still crosses a network: a document with
        # control sequences in it is cleaned and re-serialised instead of passed through.
        document, tampered = clean_strings(document)
        if tampered:
            body = dumps(document).encode("utf-8")
        if args.provider:
            try:
                document = select_providers(document, args.provider)
            except KeyError as exc:
                return error(f"the server does not watch {exc.args[0]!r}")
            body = dumps(document).encode("utf-8")
        if args.json:
            write_bytes(body)  # the server's document, byte for byte
            return ExitCode.OK
        snapshot = snapshot_from_document(document)
    except RemoteError as exc:
        return error(str(exc), ExitCode.FAILURE)
    write(status_table(snapshot, only_problems=args.only_problems, colour=use_colour(args.color)))
    return ExitCode.OK
