"""`statuswatch config path|init`: where the config file is, and a starter file."""

from __future__ import annotations

import argparse
import sys

from statuswatch.console import error, write
from statuswatch.exitcodes import ExitCode

NAME = "config"
HELP = "config file helpers: `config path` prints where it is, `config init` writes a starter"
ORDER = 80

EPILOG = """\
examples:
  statuswatch config path                     # where the config is read from
  statuswatch config init                     # write a starter file (never overwrites)
  statuswatch --config ./team.toml config init
  $EDITOR "$(statuswatch config path)"

The file is the one --config or $STATUSWATCH_CONFIG names, else config.toml in the
platform's config directory; every key is optional (see the README's Configuration).
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `path` and `init` actions."""
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    actions = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    actions.add_parser("path", help="print where the config file is")
    actions.add_parser("init", help="write a starter config file (never overwrites)")


def run(args: argparse.Namespace) -> int:
    """Print the path or write the starter file."""
    from statuswatch.config import write_starter
    from statuswatch.paths import config_file

    path = config_file()
    if args.config_command == "path":
        write(f"{path}\n")
        return ExitCode.OK
    try:
        write_starter(path)
    except FileExistsError:
        return error(f"{path}: already exists; not overwritten (edit it, or remove it first)")
    except OSError as exc:
        return error(f"{path}: cannot write: {exc.strerror or exc}", ExitCode.FAILURE)
    print(f"wrote a starter config to {path}", file=sys.stderr)
    return ExitCode.OK
