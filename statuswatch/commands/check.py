"""`statuswatch check`: a Nagios/Icinga/Sensu plugin: one summary line with perfdata."""

from __future__ import annotations

import argparse

from statuswatch.cliargs import add_probe_option, add_selection, add_server_option
from statuswatch.console import write

NAME = "check"
HELP = "one Nagios-style line with perfdata; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"
ORDER = 40

EPILOG = """\
examples:
  statuswatch check                           # the watch list
  statuswatch check -p github -p openai       # only these
  statuswatch check --server http://poller.internal:8787

  # a Nagios / Icinga command:
  define command {
      command_name  check_statuswatch
      command_line  /usr/local/bin/statuswatch check -p $ARG1$
  }

exit codes, the plugin convention: 0 OK; 1 WARNING (degraded, partly down, maintenance in
progress); 2 CRITICAL (a major outage or a critical incident); 3 UNKNOWN (nothing could be
read, a bad or missing config, an unknown -p ID: the line on stdout says which). Only a
command line that cannot be parsed at all (an unknown option) exits 2, as every command.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the provider selection, `--stack` and `--server`."""
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    add_selection(parser)
    parser.add_argument(
        "--stack",
        metavar="ID",
        help="check the stack [stacks.ID] of the config instead: WARNING when it is degraded "
        "(or in maintenance, or a partial outage), CRITICAL for a major outage",
    )
    # No default here: `statuswatch --server URL check` keeps the URL given before the command.
    add_server_option(parser, defaults=False)
    add_probe_option(parser, defaults=False)


def run(args: argparse.Namespace) -> int:
    """Poll and print the line; config problems are UNKNOWN too, as plugins must."""
    from statuswatch.nagios import LABEL, CheckState, clean, stack_summary, summary
    from statuswatch.stacks import Stack

    if args.stack and (args.provider or args.all):
        write(f"{LABEL} UNKNOWN - --stack checks one stack: leave -p and --all out\n")
        return CheckState.UNKNOWN
    if getattr(args, "server", None):
        return _from_server(args)
    from statuswatch.config import ConfigError, load_config, plan, stack_plan
    from statuswatch.paths import UnusableDirectory, usable_cache_dir, usable_state_dir
    from statuswatch.source import poll_pages, probe_settings, state_counts

    try:
        config = load_config()
        if args.stack:
            specs, stack = stack_plan(config, args.stack)
            stacks: tuple[Stack, ...] = (stack,)
        else:
            specs, stacks = plan(config, args.provider, args.all)
        cache = usable_cache_dir()
        usable_state_dir()  # the probes' counts and the history live there
        probes = probe_settings(config.probes, args.no_probes)
        snapshot = poll_pages(
            config, specs, cache, probes=probes, counts=state_counts(), stacks=stacks
        )
    except (ConfigError, UnusableDirectory, OSError) as exc:
        # A plugin says UNKNOWN on stdout whatever stopped it (exit 1 would read as WARNING).
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        where = f"{exc.filename}: " if isinstance(exc, OSError) and exc.filename else ""
        write(f"{LABEL} UNKNOWN - {clean(where + reason)}\n")
        return CheckState.UNKNOWN
    state, text = stack_summary(snapshot, args.stack) if args.stack else summary(snapshot)
    write(text + "\n")
    return state


def _from_server(args: argparse.Namespace) -> int:
    """The line for what a `statuswatch serve` has; a server we cannot read is UNKNOWN."""
    from statuswatch.nagios import LABEL, CheckState, clean, stack_summary, summary
    from statuswatch.serverclient import ServerClient, ServerError
    from statuswatch.source import snapshot_from_server

    try:
        if args.all:
            raise ServerError("--all: a server polls its own list (leave --all out with --server)")
        with ServerClient(args.server) as client:
            snapshot = snapshot_from_server(client, () if args.stack else args.provider)
    except ServerError as exc:
        write(f"{LABEL} UNKNOWN - {clean(str(exc))}\n")
        return CheckState.UNKNOWN
    except KeyError as exc:
        write(f"{LABEL} UNKNOWN - {clean(f'the server does not watch {exc.args[0]!r}')}\n")
        return CheckState.UNKNOWN
    state, text = stack_summary(snapshot, args.stack) if args.stack else summary(snapshot)
    write(text + "\n")
    return state
