"""`statuswatch history`: past incidents; `history backfill` and `history export`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from statuswatch.console import error, warn, write
from statuswatch.exitcodes import ExitCode

if TYPE_CHECKING:
    from statuswatch.history.model import PastIncident

NAME = "history"
HELP = "past incidents from the history every poll records (also: backfill, export)"
ORDER = 40

DESCRIPTION = """\
Past incidents, newest first: start, end, duration, impact, components, how many updates,
the first and the last of them, and how far ahead an early warning came when one did.
Every poll of the pages (the live view, status, --json, check, wait, notify, serve) records
what changed in one SQLite file in the state directory; `history backfill` fetches each
page's own record (Statuspage and incident.io incidents.json, Google Cloud's incidents.json,
feeds), which also happens by itself the first time a provider is recorded.
"""
EPILOG = """\
examples:
  statuswatch history                             # everything recorded, every provider
  statuswatch history -p github --since 30d
  statuswatch history --json | jq '.incidents[] | select(.impact == "critical") | .title'
  statuswatch history backfill -p cloudflare      # fetch the page's own incident history
  statuswatch history export --format csv --since 90d > incidents.csv
  statuswatch history --server http://statuswatch.internal:8787

WHEN is a span back from now (30d, 12h, 2w, 45m) or a date (2026-09-01, 2026-09-01T12:00Z).
`source` says whether one of our polls saw an incident ("observed") or only the page's own
record did ("backfill"). Settings: [history] enabled, retention_days (400), backfill.
exit codes: 0 done, 1 the history or the server could not be read (or a backfill failed),
2 bad arguments or bad config.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options and the `backfill` and `export` subcommands."""
    from statuswatch.history.cli import window_options

    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    since_help = "start of the window: only incidents open since WHEN (default: everything kept)"
    window_options(parser, since_help=since_help)
    parser.add_argument(
        "--json", action="store_true", help="print the statuswatch/history/v1 document"
    )
    parser.add_argument(
        "--limit", type=_positive, default=None, metavar="N", help="at most N incidents"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    backfill = actions.add_parser(
        "backfill",
        help="fetch each page's own incident history into the history",
        description="Fetch each provider's own incident history (its last 50 incidents on "
        "Statuspage and incident.io, all of Google Cloud's, a feed's entries) into the "
        "history; rows it adds say `source: backfill`. Safe to run again: nothing is "
        "written twice.",
    )
    backfill.add_argument(
        "-p", "--provider", action="append", default=argparse.SUPPRESS, metavar="ID",
        help="only this provider (repeatable; default: the watch list)",
    )  # fmt: skip
    backfill.add_argument("--all", action="store_true", help="every provider in the catalog")
    export = actions.add_parser(
        "export",
        help="every incident as JSON Lines or CSV, for spreadsheets and warehouses",
        description="Every incident of the window, one per line (JSON Lines: the history "
        "document's incident objects) or per row (CSV, RFC 4180; a cell a spreadsheet would "
        "run as a formula starts with an apostrophe).",
    )
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="default jsonl")
    export.add_argument(
        "--output",
        "-o",
        type=Path,
        default=None,
        metavar="FILE",
        help="write FILE (atomically) instead of stdout",
    )
    window_options(
        export, since_help="start of the window (default: everything kept)", defaults=False
    )


def _positive(value: str) -> int:
    from statuswatch.history.answers import MAX_LIMIT

    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 1 to {MAX_LIMIT}, got {value[:40]!r}"
        )
    return int(value)


def run(args: argparse.Namespace) -> int:
    """List, backfill or export."""
    if args.action == "backfill":
        return _backfill(args)
    from statuswatch.document import HISTORY_SCHEMA
    from statuswatch.document.history_read import incidents_from_document
    from statuswatch.document.read import DocumentError
    from statuswatch.history.answers import history_answer
    from statuswatch.history.cli import ask_from_args
    from statuswatch.history.db import HistoryDB, HistoryError
    from statuswatch.history.view import fetch_from_server, server_failures

    now = datetime.now(UTC)
    providers: list[str] = args.provider
    scopes: dict[str, tuple[str, ...]] = {}
    if not args.server:
        # As every command: the config named must exist and load, and -p takes its ids (any
        # case, `ID:COMPONENT` too, an unknown one with a suggestion).
        from statuswatch.config import ConfigError, load_config, select

        try:
            config = load_config()
            specs = select(config, args.provider) if args.provider else []
        except ConfigError as exc:
            return error(str(exc))
        providers = [spec.id for spec in specs]
        scopes = {spec.id: spec.scope for spec in specs if spec.scope}
    try:
        ask = ask_from_args(args, providers, now)
    except ValueError as exc:
        return error(str(exc))
    body: bytes | None = None
    failures: tuple[type[Exception], ...] = (
        HistoryError,
        DocumentError,
        *server_failures(args.server),
    )
    try:
        if args.server:
            body, document = fetch_from_server(args.server, "/v1/history", ask, HISTORY_SCHEMA)
        else:
            with HistoryDB.open(warn=warn) as db:
                document = history_answer(db, ask, now, scopes)
        incidents = incidents_from_document(document)
    except failures as exc:
        return error(str(exc), ExitCode.FAILURE)
    if args.action == "export":
        return _export(args, incidents)
    if args.json:
        from statuswatch.document.write import dumps

        if body is not None:
            from statuswatch.console import write_bytes

            write_bytes(body)  # the server's document, as sent
        else:
            write(dumps(document, pretty=sys.stdout.isatty()))
        return ExitCode.OK
    from statuswatch.history.export import history_table

    write(history_table(incidents))
    return ExitCode.OK


def _export(args: argparse.Namespace, rows: Sequence[PastIncident]) -> int:
    from statuswatch.history.export import incidents_csv, incidents_jsonl

    text = incidents_csv(rows) if args.format == "csv" else incidents_jsonl(rows)
    if args.output is None:
        write(text)
        return ExitCode.OK
    from statuswatch.atomic import atomic_write

    try:
        atomic_write(args.output, text)
    except OSError as exc:
        return error(
            f"--output: cannot write {args.output}: {exc.strerror or exc}", ExitCode.FAILURE
        )
    from statuswatch.wording import plural

    print(f"statuswatch: {plural(len(rows), 'incident')} written to {args.output}", file=sys.stderr)
    return ExitCode.OK


def _backfill(args: argparse.Namespace) -> int:
    """Fetch the pages' own histories; a line per provider."""
    from statuswatch.config import ConfigError, load_config, select
    from statuswatch.history.backfill import backfill, history_source
    from statuswatch.history.db import HistoryDB, HistoryError
    from statuswatch.wording import plural

    if getattr(args, "server", None):
        return error("history backfill: a server backfills its own history (leave --server out)")
    try:
        config = load_config()
        specs = select(config, getattr(args, "provider", []), args.all)
    except ConfigError as exc:
        return error(str(exc))
    sourced = [spec for spec in specs if history_source(spec) is not None]
    for spec in specs:
        if spec not in sourced:
            print(
                f"{spec.id}: skipped: {spec.kind} pages publish no incident history",
                file=sys.stderr,
            )
    failed = 0
    try:
        with HistoryDB.open(warn=warn) as db:
            for result in backfill(db, sourced, config.http):
                if result.error is not None:
                    failed += 1
                    write(f"{result.provider}: error: {result.error}\n")
                    continue
                write(
                    f"{result.provider}: {plural(result.incidents, 'incident')} "
                    f"({result.new} new), {plural(result.maintenances, 'maintenance')} "
                    f"from {result.url}\n"
                )
    except HistoryError as exc:
        return error(str(exc), ExitCode.FAILURE)
    return ExitCode.FAILURE if failed else ExitCode.OK
