"""Exit codes of the command line, a documented API for scripts."""

from enum import IntEnum


class ExitCode(IntEnum):
    """What `statuswatch` returns to the shell."""

    OK = 0
    """The command did its job (`--json`: the document was produced; failed providers say so)."""
    FAILURE = 1
    """The command could not do its job (for example, a file could not be written)."""
    USAGE = 2
    """Bad command-line arguments or a bad config file; one line on stderr says what and where."""
    LOCKED = 75
    """`notify`: another run held the lock past `--lock-timeout` (EX_TEMPFAIL: try again later)."""
