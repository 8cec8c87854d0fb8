"""`statuswatch schema`: print the JSON Schema of the `--json` document."""

from __future__ import annotations

import argparse

from statuswatch.console import write
from statuswatch.exitcodes import ExitCode

NAME = "schema"
HELP = "print the JSON Schema of the --json document"
ORDER = 90


def configure(parser: argparse.ArgumentParser) -> None:
    """No arguments."""


def run(args: argparse.Namespace) -> int:
    """Print the shipped schema."""
    from statuswatch.document.schema import schema_text

    write(schema_text())
    return ExitCode.OK
