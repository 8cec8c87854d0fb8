"""What the commands print: stdout that never breaks on a page's text, one-line errors, colour."""

from __future__ import annotations

import errno
import io
import os
import sys

from statuswatch.exitcodes import ExitCode

PROG = "statuswatch"


class OutputError(Exception):
    """stdout refused what we wrote (a full disk, a closed descriptor): one line, not a trace."""


def error(message: str, code: int = ExitCode.USAGE) -> int:
    """Print one line on stderr and return `code` (the usage exit code by default)."""
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)
    return code


def show_warnings() -> None:
    """Route the warnings statuswatch's modules log (cache, ...) to one-line stderr warnings.

    Each becomes a `statuswatch: warning: ...` line, sys.stderr looked up at each record, so
    inside the live view (which captures stderr) a warning never lands on the screen's cells.
    """
    # Imported here: logging is ~5 ms that `--version` and `--help` never need.
    import logging

    class WarningLine(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                warn(f"warning: {record.getMessage()}")
            except Exception:  # a warning must never be what breaks a command
                self.handleError(record)

    logger = logging.getLogger(PROG)
    if not any(type(h).__name__ == "WarningLine" for h in logger.handlers):
        logger.addHandler(WarningLine(logging.WARNING))
        logger.propagate = False


def write(text: str) -> None:
    """Write to stdout as UTF-8 whatever the locale says, so any page title survives a pipe."""
    write_bytes(text.encode("utf-8"))


def write_bytes(data: bytes) -> None:
    """Write bytes to stdout as they are (a server's document, passed through).

    BrokenPipeError (the reader left) goes through as it is; any other failure to write is an
    OutputError naming the reason (`statuswatch status > /dev/full`).
    """
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError, AttributeError) as exc:  # closed: ValueError, or no stdout
        if isinstance(exc, OSError) and exc.strerror and exc.errno != errno.EBADF:
            reason = exc.strerror
        else:
            reason = "stdout is closed"
        raise OutputError(f"cannot write the output: {reason}") from None


class _ClosedStdout(io.TextIOBase):
    """What stdout is when the shell closed it (`statuswatch status >&-`): not a terminal, and
    writing to it is an OSError, which write_bytes turns into the one-line OutputError."""

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "stdout is closed")

    @property
    def buffer(self) -> io.BufferedIOBase:
        raise OSError(errno.EBADF, "stdout is closed")

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "stdout is closed")


def check_streams() -> None:
    """Stand-ins for closed standard streams: a command's output then fails in one line (and a
    server that never writes to stdout runs as it would)."""
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process


def silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush cannot fail once more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


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
