"""`statuswatch providers`: list the catalog merged with the user's config."""

from __future__ import annotations

import argparse
import sys

from statuswatch.console import error, write
from statuswatch.exitcodes import ExitCode
from statuswatch.wording import plural

NAME = "providers"
HELP = "list the providers statuswatch knows (the catalog plus your config)"
ORDER = 20


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the listing options."""
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--category", metavar="NAME", help="only this category (e.g. ai, cdn)")
    parser.add_argument(
        "--watched", action="store_true", help="only the providers in your watch list"
    )
    parser.add_argument(
        "--search",
        metavar="WORDS",
        nargs="+",
        help="only providers whose id, name or host contains every word (any case)",
    )


def run(args: argparse.Namespace) -> int:
    """Print the providers as a table or JSON."""
    from statuswatch.config import ConfigError, load_config
    from statuswatch.document.write import catalog_document, dumps

    try:
        config = load_config()
    except ConfigError as exc:
        return error(str(exc))
    specs = sorted(config.providers.values(), key=lambda s: s.id)
    if args.category:
        categories = {s.category for s in specs}
        if args.category not in categories:
            known = ", ".join(sorted(categories))
            return error(f"--category: unknown category '{args.category}' (known: {known})")
        specs = [s for s in specs if s.category == args.category]
    if args.watched:
        specs = [s for s in specs if s.id in config.watch]
    if args.search:
        from statuswatch.search import search

        specs = search(specs, " ".join(args.search))
    if args.json:
        write(dumps(catalog_document(specs, config.watch), pretty=sys.stdout.isatty()))
        return ExitCode.OK
    watching = set(config.watch)
    width = max((len(s.id) for s in specs), default=2)
    lines = [f"{'ID':<{width}}  {'KIND':<11}  {'CATEGORY':<13}  W  NAME / URL"]
    for s in specs:
        mark = "*" if s.id in watching else " "
        lines.append(f"{s.id:<{width}}  {s.kind:<11}  {s.category:<13}  {mark}  {s.name}  {s.url}")
    lines.append(f"{plural(len(specs), 'provider')}; * = in your watch list")
    write("\n".join(lines) + "\n")
    return ExitCode.OK
