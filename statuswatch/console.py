"""What the commands print: stdout that never breaks on a page's text, one-line errors, colour."""

from __future__ import annotations

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
    write_bytes(text.encode("utf-8"))


def write_bytes(data: bytes) -> None:
    """Write bytes to stdout as they are (a server's document, passed through)."""
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def use_colour(choice: str) -> bool:
    """Colour for `--color auto|always|never`: auto means a terminal and no NO_COLOR."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def warn(message: str) -> None:
    """Print one line on stderr: something went wrong beside the command's own job."""
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)
