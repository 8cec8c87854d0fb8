"""Command-line entry point: builds the parser from the command modules and runs one.

Each command lives in `statuswatch/commands/` and imports what it needs inside `run`, so
`--json` and `status` never pay for (or depend on) the TUI.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from statuswatch import __version__, liveview
from statuswatch.cliargs import add_status_options, add_tui_options
from statuswatch.commands import discover
from statuswatch.commands import status as status_command
from statuswatch.console import PROG

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
  statuswatch demo                      # replay Cloudflare's 2025-11-18 outage offline
  */5 * * * * statuswatch notify        # crontab: tell each change once
  statuswatch history -p github --since 30d   # past incidents, from the history polls keep
  statuswatch report --since 90d --markdown   # uptime, MTTR and outage minutes per provider

exit codes: 0 done (a provider that failed says so in the output), 1 failure,
2 bad arguments or bad config (one line on stderr names the file, key and problem);
`check` follows the Nagios convention (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN),
`wait` exits 1 on timeout, `notify` 75 when another run holds the lock.
environment: STATUSWATCH_CONFIG (config file), STATUSWATCH_CACHE_DIR, STATUSWATCH_STATE_DIR
(state: the notifier's files and the history, history.sqlite3),
STATUSWATCH_TOKEN (bearer token for serve and --server), NO_COLOR.
"""


def build_parser() -> argparse.ArgumentParser:
    """Return the full argument parser (also used by tests)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="What is down on the internet's backbone, from providers' own status pages.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    # Plain `statuswatch` takes the options of `status`, which it runs when no command is given.
    add_status_options(parser)
    add_tui_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in discover():
        sub = subparsers.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.configure(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage and 0 for --help/--version
        return int(exc.code or 0)
    run = getattr(args, "run", None)
    if run is None:
        # No command: the live TUI on a terminal, the table (or --json) anywhere else.
        run = liveview.run if liveview.wants_tui(args) else status_command.run
    try:
        return int(run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `statuswatch --json | head`: the reader left; stay quiet like other Unix tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
