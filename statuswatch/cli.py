"""Command-line entry point: builds the parser from the command modules and runs one.

Each command lives in `statuswatch/commands/` and imports what it needs inside `run`, so
`--json` and `status` never pay for (or depend on) the TUI.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import NoReturn

from statuswatch import __version__, liveview
from statuswatch.cliargs import add_config_option, add_status_options, add_tui_options
from statuswatch.commands import command_names, discover, named
from statuswatch.commands import status as status_command
from statuswatch.console import (
    PROG,
    OutputError,
    check_streams,
    error,
    show_warnings,
    silence_stdout,
)
from statuswatch.exitcodes import ExitCode
from statuswatch.paths import CONFIG_ENV, UnusableDirectory

EPILOG = """\
On a terminal, plain `statuswatch` opens the live view; piped, it prints the status table.
`statuswatch COMMAND --help` tells more about each command.

examples:
  statuswatch --json | jq '.providers[] | select(.status != "operational") | .name'
  statuswatch status --only-problems
  statuswatch -p cloudflare -p openai --json
  statuswatch -p aws:us-east-1 -p cloudflare --json   # AWS in us-east-1 only
  statuswatch check --stack checkout    # a [stacks.checkout] of the config
  statuswatch providers --category ai
  statuswatch add https://status.example.com
  statuswatch remove example
  statuswatch demo                      # replay Cloudflare's 2025-11-18 outage offline
  */5 * * * * statuswatch notify        # crontab: tell each change once
  statuswatch history -p github --since 30d   # past incidents, from the history polls keep
  statuswatch report --since 90d --markdown   # uptime, MTTR and outage minutes per provider
  source <(statuswatch completion bash) # tab completion (also zsh, fish)

exit codes: 0 done (a provider that failed says so in the output), 1 failure,
2 bad arguments or bad config (one line on stderr names the file, key and problem);
`check` follows the Nagios convention (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, also for a
bad config or -p ID), `wait` exits 1 on timeout, `notify` 75 when another run holds the lock.
environment: STATUSWATCH_CONFIG (config file, as --config), STATUSWATCH_CACHE_DIR,
STATUSWATCH_STATE_DIR (state: the notifier's files and the history, history.sqlite3),
STATUSWATCH_TOKEN (bearer token for serve and --server), NO_COLOR.
"""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors, like every other error statuswatch prints."""

    def error(self, message: str) -> NoReturn:
        """Print `statuswatch: error: ...` and where help is, then exit 2 (argparse's usage)."""
        self.exit(2, f"{PROG}: error: {message} (see `{self.prog} --help`)\n")


class _Unsure(Exception):
    """A narrowed parser could not read the line: the full parser reads it (and says why)."""


class _NarrowParser(_Parser):
    """A parser built with fewer commands than there are: it never reports an error itself."""

    def error(self, message: str) -> NoReturn:
        """Hand the line to the full parser, whose message names every command."""
        raise _Unsure(message)


def build_parser(*, only: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Return the full argument parser (also used by tests).

    With `only`, a parser with those commands alone (none: plain `statuswatch`'s options): it
    reads a line as the full parser does, or raises instead of reporting an error (see
    `parse_words`).
    """
    narrow = only is not None
    parser = (_NarrowParser if narrow else _Parser)(
        prog=PROG,
        description="What is down on the internet's backbone, from providers' own status pages.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        # Help lists every command: it is the full parser's to give.
        add_help=not narrow,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    add_config_option(parser)
    # Plain `statuswatch` takes the options of `status`, which it runs when no command is given.
    add_status_options(parser)
    add_tui_options(parser)
    if only == []:
        parser.set_defaults(command=None)
        return parser
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in discover() if only is None else [named(name) for name in only]:
        sub = subparsers.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.configure(sub)
        add_config_option(sub, defaults=False)  # `statuswatch status --config F` works too
        sub.set_defaults(run=command.run)
    return parser


def parse_words(words: Sequence[str]) -> argparse.Namespace:
    """Parse a command line as the full parser does, importing no command it does not name.

    Importing and configuring the 15 commands costs ~10 ms of every run; a line names at most
    one. So the line is read first by a parser with only the command names it contains (none,
    for `statuswatch -p github --json`), and by the full one when that parser cannot read it
    (an error, a stray word) or when help is asked for. Exits as `parse_args` does.
    """
    if not any(_asks_help(word) for word in words):
        # A command is a word of its own (listing the commands' modules costs ~0.3 ms).
        bare = {word for word in words if not word.startswith("-")}
        names = sorted(bare & set(command_names())) if bare else []
        if len(names) <= 1:
            try:
                return build_parser(only=names).parse_args(words)
            except _Unsure:
                pass
    return build_parser().parse_args(words)


def _asks_help(word: str) -> bool:
    # Any abbreviation of --help too: argparse takes one wherever it is unambiguous.
    return word == "-h" or (len(word) > 2 and "--help".startswith(word))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    words = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parse_words(words)
    except SystemExit as exc:  # argparse exits 2 on bad usage and 0 for --help/--version
        return int(exc.code or 0)
    run = getattr(args, "run", None)
    if run is None:
        # No command: the live TUI on a terminal, the table (or --json) anywhere else.
        run = liveview.run if liveview.wants_tui(args) else status_command.run
    check_streams()
    show_warnings()
    with _config_named(getattr(args, "config", None)):
        return _run(run, args)


def _run(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command; what goes wrong outside its own checks is one line, never a traceback."""
    try:
        return int(run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `statuswatch --json | head`: the reader left; stay quiet like other Unix tools.
        silence_stdout()
        return 0
    except OutputError as exc:  # `statuswatch status > /dev/full`
        silence_stdout()
        return error(str(exc), ExitCode.FAILURE)
    except UnusableDirectory as exc:
        return error(str(exc), ExitCode.FAILURE)
    except OSError as exc:  # a file of ours that could not be read or written mid-run
        return error(_os_error(exc), ExitCode.FAILURE)


def _os_error(exc: OSError) -> str:
    """An OSError as `FILE: reason` (Python's own text names the exception class)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{exc.filename}: {reason}" if exc.filename else reason


@contextlib.contextmanager
def _config_named(path: str | None) -> Iterator[None]:
    """`--config FILE` as STATUSWATCH_CONFIG for the command (restored after: tests run many)."""
    if path is None:
        yield
        return
    before = os.environ.get(CONFIG_ENV)
    os.environ[CONFIG_ENV] = path
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(CONFIG_ENV, None)
        else:
            os.environ[CONFIG_ENV] = before


if __name__ == "__main__":
    sys.exit(main())
