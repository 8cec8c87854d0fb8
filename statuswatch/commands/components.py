"""`statuswatch components ID`: a provider's components, from one poll, to scope it with."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from statuswatch.console import error, write
from statuswatch.exitcodes import ExitCode

if TYPE_CHECKING:  # imported when the command runs, not to build the parser
    from statuswatch.model import Component

NAME = "components"
HELP = "list a provider's components (one poll) to pick a scope from: ID:COMPONENT,..."
ORDER = 25
EPILOG = """\
A scope pattern matches a component's name, id, group or `Group / Name`, in any case: with a
`*` it is a glob over the whole of one of them (`EC2*`), without one a whole word or phrase
inside one (`us-east-1` matches `EC2 (us-east-1)`). A group's name matches its members.

examples:
  statuswatch components cloudflare
  statuswatch components github --json | jq -r '.components[].name'
  statuswatch -p 'aws:us-east-1' --json       # then watch it: watch = ["aws:us-east-1"]
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the provider and --json."""
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("provider", metavar="ID", help="a provider id (`statuswatch providers`)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    """Poll the provider once and list its components, marking those in its scope."""
    import dataclasses

    from statuswatch.config import ConfigError, load_config
    from statuswatch.document.write import SCHEMA, component_document, dumps
    from statuswatch.paths import cache_dir
    from statuswatch.scope import IMPACTED_ONLY, Scope, component_labels
    from statuswatch.source import poll_pages
    from statuswatch.tomlcheck import match_id, unknown_provider

    try:
        config = load_config()
    except ConfigError as exc:
        return error(str(exc))
    found = match_id(args.provider, list(config.providers))  # any case, as -p and wait
    if found is None:
        return error(unknown_provider(args.provider, list(config.providers)))
    configured = config.providers[found]
    scope = config.scopes.get(configured.id, configured.scope)
    spec = dataclasses.replace(configured, scope=None)  # the whole page, to pick from
    report = poll_pages(config, [spec], cache_dir()).reports[0]
    if report.error is not None or report.page is None:
        problem = report.error.message if report.error else "no page"
        return error(f"{spec.id}: cannot read its page: {problem}", ExitCode.FAILURE)
    components = report.page.components
    kind = report.spec.kind  # a `kind = "auto"` provider's platform, as found
    matcher = Scope(scope) if scope else None
    in_scope = [matcher is not None and matcher.matches(component_labels(c)) for c in components]
    every = kind not in IMPACTED_ONLY
    named = sorted(
        {n for i in report.page.incidents for n in i.components} - {c.name for c in components}
    )
    if args.json:
        document = {
            "schema": SCHEMA,
            "provider": spec.id,
            "scope": list(scope) if scope else None,
            "lists_every_component": every,
            "components": [
                {**component_document(c), "in_scope": flag}
                for c, flag in zip(components, in_scope, strict=True)
            ],
            "named_by_incidents": named,
        }
        write(dumps(document, pretty=sys.stdout.isatty()))
        return ExitCode.OK
    write(_table(spec.name, kind, components, in_scope, scope, every, named))
    return ExitCode.OK


def _table(
    name: str,
    kind: str,
    rows: Sequence[Component],
    in_scope: list[bool],
    scope: tuple[str, ...] | None,
    every: bool,
    named: list[str],
) -> str:
    """The listing for people: status, group, name and id; `*` marks the scope."""
    lines = [f"{name} ({kind}): {len(rows)} component{'s' if len(rows) != 1 else ''}"]
    width = max((len(c.group or "") for c in rows), default=0)
    for component, flag in zip(rows, in_scope, strict=True):
        mark = "*" if flag else " "
        group = f"{component.group or '':<{width}}  " if width else ""
        lines.append(
            f"{mark} {component.status.label:<14} {group}{component.name}  [{component.id}]"
        )
    if scope:
        lines.append(f"* = in your scope: {', '.join(scope)}")
    if not every:
        lines.append(
            "This page lists only what its open events impact: no row means nothing is wrong "
            "there now. Scope it by region or service (e.g. us-east-1, EC2*)."
        )
    if named:
        lines.append("Also named by its incidents: " + ", ".join(named))
    return "\n".join(lines) + "\n"
