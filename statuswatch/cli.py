"""Command-line entry point: parses arguments and hands over to the front end that runs.

Each front end is imported inside the branch that runs it, so `--json` and `status` never pay
for (or depend on) the TUI.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from statuswatch import __version__
from statuswatch.exitcodes import ExitCode

PROG = "statuswatch"

EPILOG = """\
commands:
  status            print what is down as a table (the default when stdout is not a terminal)
  providers         list the providers statuswatch knows (the catalog plus your config)
  config path       print where the config file is
  config init       write a starter config file (never overwrites one)
  schema            print the JSON Schema of the --json document

examples:
  statuswatch --json | jq '.providers[] | select(.status != "operational") | .name'
  statuswatch status --only-problems
  statuswatch -p cloudflare -p openai --json
  statuswatch providers --category ai

exit codes: 0 done (a provider that failed says so in the output), 1 failure,
2 bad arguments or bad config (one line on stderr names the file, key and problem).
environment: STATUSWATCH_CONFIG (config file), STATUSWATCH_CACHE_DIR, STATUSWATCH_STATE_DIR,
NO_COLOR.
"""


def _poll_options() -> argparse.ArgumentParser:
    """Options shared by the top level and `status`: which providers, which output."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json",
        action="store_true",
        help="print one statuswatch/v1 JSON document (for scripts, jq)",
    )
    common.add_argument(
        "-p",
        "--provider",
        action="append",
        default=[],
        metavar="ID",
        help="poll only this provider (repeatable); see `statuswatch providers`",
    )
    common.add_argument(
        "--all",
        action="store_true",
        help="poll every provider in the catalog, not just the watch list",
    )
    common.add_argument(
        "--only-problems", action="store_true", help="table: leave out operational providers"
    )
    common.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="table colours (auto: only on a terminal and without NO_COLOR)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """Return the full argument parser (also used by tests and the README reference)."""
    common = _poll_options()
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="What is down on the internet's backbone, from providers' own status pages.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "status",
        parents=[common],
        help="print what is down as a table (or --json)",
        description="Poll the watched providers and print a table, worst first.",
    )
    providers = commands.add_parser(
        "providers",
        help="list known providers",
        description="List the catalog merged with your config.",
    )
    providers.add_argument("--json", action="store_true", help="print JSON instead of a table")
    providers.add_argument("--category", metavar="NAME", help="only this category (e.g. ai, cdn)")
    providers.add_argument(
        "--watched", action="store_true", help="only the providers in your watch list"
    )
    config = commands.add_parser("config", help="config file helpers")
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    config_commands.add_parser("path", help="print where the config file is")
    config_commands.add_parser("init", help="write a starter config file (never overwrites)")
    commands.add_parser("schema", help="print the JSON Schema of the --json document")
    return parser


def _error(message: str) -> int:
    """Print one line on stderr and return the usage exit code."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return ExitCode.USAGE


def _use_colour(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def _write(text: str) -> None:
    # UTF-8 whatever the locale says, so a page title in any script never breaks a pipe.
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


def _run_status(args: argparse.Namespace) -> int:
    from statuswatch.config import ConfigError, load_config, select
    from statuswatch.output import dumps, snapshot_document, status_table
    from statuswatch.paths import cache_dir
    from statuswatch.poll import poll

    try:
        config = load_config()
        specs = select(config, args.provider, args.all)
    except ConfigError as exc:
        return _error(str(exc))
    snapshot = poll(specs, config.http, cache_dir())
    if args.json:
        _write(dumps(snapshot_document(snapshot)))
    else:
        _write(
            status_table(snapshot, only_problems=args.only_problems, colour=_use_colour(args.color))
        )
    return ExitCode.OK


def _run_providers(args: argparse.Namespace) -> int:
    from statuswatch.config import ConfigError, load_config
    from statuswatch.output import catalog_document, dumps

    try:
        config = load_config()
    except ConfigError as exc:
        return _error(str(exc))
    specs = sorted(config.providers.values(), key=lambda s: s.id)
    if args.category:
        categories = {s.category for s in specs}
        if args.category not in categories:
            known = ", ".join(sorted(categories))
            return _error(f"--category: unknown category '{args.category}' (known: {known})")
        specs = [s for s in specs if s.category == args.category]
    if args.watched:
        specs = [s for s in specs if s.id in config.watch]
    if args.json:
        _write(dumps(catalog_document(specs, config.watch)))
        return ExitCode.OK
    watching = set(config.watch)
    width = max((len(s.id) for s in specs), default=2)
    lines = [f"{'ID':<{width}}  {'KIND':<10}  {'CATEGORY':<13}  W  NAME / URL"]
    for s in specs:
        mark = "*" if s.id in watching else " "
        lines.append(f"{s.id:<{width}}  {s.kind:<10}  {s.category:<13}  {mark}  {s.name}  {s.url}")
    lines.append(f"{len(specs)} providers; * = in your watch list")
    _write("\n".join(lines) + "\n")
    return ExitCode.OK


def _run_config(args: argparse.Namespace) -> int:
    from statuswatch.config import write_starter
    from statuswatch.paths import config_file

    path = config_file()
    if args.config_command == "path":
        _write(f"{path}\n")
        return ExitCode.OK
    try:
        write_starter(path)
    except FileExistsError:
        return _error(f"{path}: already exists; not overwritten (edit it, or remove it first)")
    except OSError as exc:
        print(f"{PROG}: error: {path}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return ExitCode.FAILURE
    print(f"wrote a starter config to {path}", file=sys.stderr)
    return ExitCode.OK


def _run_schema() -> int:
    from statuswatch.schema import schema_text

    _write(schema_text())
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage and 0 for --help/--version
        return int(exc.code or 0)
    try:
        if args.command == "providers":
            return _run_providers(args)
        if args.command == "config":
            return _run_config(args)
        if args.command == "schema":
            return _run_schema()
        return _run_status(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `statuswatch --json | head`: the reader left; stay quiet like other Unix tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
