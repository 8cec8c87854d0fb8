"""`statuswatch schema`: print the JSON Schema of a document statuswatch writes."""

from __future__ import annotations

import argparse

from statuswatch.console import write
from statuswatch.exitcodes import ExitCode

NAME = "schema"
HELP = "print the JSON Schema of the --json document (or of history --json, report --json)"
ORDER = 90

# The document named on the command line -> its `schema` value.
DOCUMENTS = {
    "status": "statuswatch/v1",
    "history": "statuswatch/history/v1",
    "report": "statuswatch/report/v1",
}


def configure(parser: argparse.ArgumentParser) -> None:
    """Which document: the --json one by default."""
    parser.add_argument(
        "document",
        nargs="?",
        choices=tuple(DOCUMENTS),
        default="status",
        help="status (--json, /v1/status), history (history --json, /v1/history) or report "
        "(report --json, /v1/report); default: status",
    )


def run(args: argparse.Namespace) -> int:
    """Print the shipped schema."""
    from statuswatch.document.schema import schema_text

    write(schema_text(DOCUMENTS[args.document]))
    return ExitCode.OK
