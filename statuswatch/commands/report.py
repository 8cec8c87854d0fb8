"""`statuswatch report`: reliability per provider over a window, from the history."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from statuswatch.console import error, warn, write
from statuswatch.exitcodes import ExitCode

NAME = "report"
HELP = "reliability per provider: incidents, outage minutes, uptime, MTTR, page lag"
ORDER = 41

DESCRIPTION = """\
Per provider, over a window (the last 90 days by default): incidents by impact, minutes in
major outage, partial outage, degraded and maintenance, uptime %, MTTR, the longest incident
and the page's mean lag (from the first sign of trouble to its first post). Each figure says
where it comes from (`basis`): "observed" from statuswatch's own polls, "page" from the page's
own incident record (kept by backfill and by the polls), "mixed" when both. Uptime counts a
minute of partial outage as 30 % down, as Statuspage's own bars do; time before anything was
known is left out (`known_pct`).
"""
EPILOG = """\
examples:
  statuswatch report                               # the watch list, the last 90 days
  statuswatch report --since 30d -p cloudflare -p aws
  statuswatch report --since 90d --json | jq '.providers[] | {id, uptime_pct, mttr_s}'
  statuswatch report --markdown > reliability.md   # a table for a wiki or a post-mortem
  statuswatch report --csv --since 2026-07-01 --until 2026-10-01 > q3.csv
  statuswatch report --server http://statuswatch.internal:8787

exit codes: 0 done, 1 the history or the server could not be read, 2 bad arguments or config.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the report options."""
    from statuswatch.history.cli import window_options

    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    window_options(parser, since_help="start of the window (default: 90d, the last 90 days)")
    parser.add_argument(
        "--all",
        action="store_true",
        help="every provider the history knows, not just the watch list",
    )
    formats = parser.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help="the statuswatch/report/v1 document")
    formats.add_argument("--csv", action="store_true", help="one CSV row per provider")
    formats.add_argument("--markdown", action="store_true", help="a Markdown table")


def run(args: argparse.Namespace) -> int:
    """Compute (or fetch) the report and print it."""
    from statuswatch.document import REPORT_SCHEMA
    from statuswatch.document.history_read import report_from_document
    from statuswatch.document.read import DocumentError
    from statuswatch.history.answers import report_answer
    from statuswatch.history.cli import ask_from_args
    from statuswatch.history.db import HistoryDB, HistoryError
    from statuswatch.history.view import fetch_from_server, server_failures

    now = datetime.now(UTC)
    body: bytes | None = None
    failures: tuple[type[Exception], ...] = (
        HistoryError,
        DocumentError,
        *server_failures(args.server),
    )
    try:
        if args.server:
            if args.all:
                return error("--all: a server reports on its own list (leave --all out)")
            ask = ask_from_args(args, args.provider, now)
            body, document = fetch_from_server(args.server, "/v1/report", ask, REPORT_SCHEMA)
        else:
            from statuswatch.config import ConfigError, load_config, select

            try:
                config = load_config()
                names = {spec.id: spec.name for spec in config.providers.values()}
                specs = [] if args.all else select(config, args.provider)
            except ConfigError as exc:
                return error(str(exc))
            ask = ask_from_args(args, [spec.id for spec in specs], now)
            # As everywhere: the stacks come with the watch list (or --all), not with -p; a
            # provider watched (or asked) in a scope is rated in it.
            stacks = () if args.provider else config.stacks
            scopes = {spec.id: spec.scope for spec in specs if spec.scope}
            with HistoryDB.open(warn=warn) as db:
                document = report_answer(db, ask, now, names, stacks, scopes)
        result = report_from_document(document)
    except ValueError as exc:
        return error(str(exc))
    except failures as exc:
        return error(str(exc), ExitCode.FAILURE)
    if args.json:
        from statuswatch.document.write import dumps

        if body is not None:
            from statuswatch.console import write_bytes

            write_bytes(body)  # the server's document, as sent
        else:
            write(dumps(document, pretty=sys.stdout.isatty()))
        return ExitCode.OK
    from statuswatch.history.export import report_csv, report_markdown, report_table

    if args.csv:
        write(report_csv(result))
    elif args.markdown:
        write(report_markdown(result))
    else:
        write(report_table(result))
    return ExitCode.OK
