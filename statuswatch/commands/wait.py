"""`statuswatch wait ID[:COMPONENT,...]` or `wait --stack ID`: block until it is operational."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from statuswatch.cliargs import add_server_option, seconds
from statuswatch.console import PROG, error, write
from statuswatch.exitcodes import ExitCode

if TYPE_CHECKING:  # the model is imported when a wait runs, not to build the parser
    from statuswatch.model import ProviderReport, StackReport, Status, Target

NAME = "wait"
HELP = "wait until a provider (or some of its components) or a stack is operational"
ORDER = 50
MIN_INTERVAL = 1.0
# Reading a server costs it one cached answer, so waiting on one checks more often.
SERVER_INTERVAL = 5.0
TIMED_OUT = 1

EPILOG = """\
examples:
  statuswatch wait github                       # until GitHub is operational
  statuswatch wait github:Actions --timeout 1800 && ./deploy.sh
  statuswatch wait aws --interval 30
  statuswatch wait openai --server http://poller.internal:8787

While it waits, each change of status is one line on stderr; a page that cannot be read
counts as unknown: it keeps waiting.
exit codes: 0 operational; 1 --timeout passed first; 2 bad arguments, config, provider or
component.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the target and the timing options."""
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "target",
        nargs="?",
        metavar="ID[:COMPONENT[,COMPONENT...]]",
        help="a provider id, or a provider id and component patterns (`github:Actions`, "
        "`aws:us-east-1`): the provider as scoped to them",
    )
    parser.add_argument(
        "--stack",
        metavar="ID",
        help="wait until the stack [stacks.ID] of the config is operational instead",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=None,
        metavar="S",
        help="give up after S seconds with exit status 1 (default: wait as long as it takes)",
    )
    parser.add_argument(
        "--interval",
        type=seconds,
        default=None,
        metavar="S",
        help=f"seconds between polls (default: the config's interval, or {SERVER_INTERVAL:g} "
        f"with --server; at least {MIN_INTERVAL:g})",
    )
    # No default here: `statuswatch --server URL wait ...` keeps the URL given before the command.
    add_server_option(parser, defaults=False)


class _Stop(Exception):
    """Waiting cannot go on: the message is the error line, `code` the exit status."""

    def __init__(self, message: str, code: int = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.code = code


def _unmatched(report: ProviderReport, patterns: tuple[str, ...]) -> str | None:
    """The error for a pattern no component matches, on a page that lists every component."""
    from statuswatch.scope import IMPACTED_ONLY, Scope, component_labels
    from statuswatch.tomlcheck import suggest

    page = report.page
    if page is None or report.error is not None or report.spec.kind in IMPACTED_ONLY:
        return None
    labels = [label for c in page.components for label in component_labels(c)]
    for pattern in patterns:
        if not Scope([pattern]).matches(labels):
            names = [c.name for c in page.components] + [
                c.group for c in page.components if c.group
            ]
            close = suggest(pattern, list(dict.fromkeys(names)))
            hint = f" (did you mean {close!r}?)" if close else ""
            return f"{report.spec.id} has no component {pattern!r}{hint}"
    return None


def _status(report: ProviderReport, patterns: tuple[str, ...] | None) -> tuple[Status, str]:
    """The target's status in `report` (scoped to `patterns`) and a note on why it is unknown.

    _Stop when a pattern matches no component of a page that lists them all: waiting for a
    component that is not there would never end.
    """
    from statuswatch.scope import scope_report

    if patterns is not None:
        problem = _unmatched(report, patterns)
        if problem is not None:
            raise _Stop(problem)
        report = scope_report(report, patterns)
    detail = f" ({report.error.type.value}: keep waiting)" if report.error else ""
    return report.status, detail


def _stack_status(stacks: tuple[StackReport, ...], stack_id: str) -> tuple[Status, str]:
    """A stack's status and, when it is not operational, its first reason."""
    for stack in stacks:
        if stack.id == stack_id:
            reason = f" ({stack.reasons[0]})" if stack.reasons else ""
            return stack.status, reason if stack.status.is_problem else ""
    raise _Stop(f"the server has no stack {stack_id!r}")


def _once() -> Callable[[str], None]:
    """A warning function that says each message once: `wait` polls until it ends."""
    said: set[str] = set()

    def warn(message: str) -> None:
        if message not in said:
            said.add(message)
            print(f"{PROG}: {message}", file=sys.stderr, flush=True)

    return warn


def _words(status: Status) -> str:
    """`major outage`, as `check` and the stacks' reasons say it (not the enum's value)."""
    return status.value.replace("_", " ")


def _wait(
    what: str, read: Callable[[], tuple[Status, str]], interval: float, timeout: float | None
) -> int:
    """Call `read` every `interval` seconds until operational, or until `timeout` has passed."""
    from statuswatch.model import Status

    deadline = None if timeout is None else time.monotonic() + timeout
    last: Status | None = None
    while True:
        try:
            status, detail = read()
        except _Stop as exc:
            return error(str(exc), exc.code)
        if status is Status.OPERATIONAL:
            write(f"{what}: operational\n")
            return ExitCode.OK
        if status is not last:
            print(f"{PROG}: wait: {what} is {_words(status)}{detail}", file=sys.stderr, flush=True)
            last = status
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            print(
                f"{PROG}: wait: timed out after {timeout:g} s: {what} is {_words(status)}",
                file=sys.stderr,
            )
            return TIMED_OUT
        # The last poll happens at the deadline itself, not an interval past it.
        time.sleep(interval if deadline is None else min(interval, deadline - now))


def run(args: argparse.Namespace) -> int:
    """Poll until operational; unknown (an unreachable page) means keep waiting."""
    if (args.target is None) == (args.stack is None):
        return error("wait: give one provider (ID[:COMPONENT,...]) or --stack ID")
    if args.target is not None:
        from statuswatch.scope import parse_target

        try:
            target = parse_target(args.target)
        except ValueError as exc:
            return error(str(exc))
    if getattr(args, "server", None):
        return _from_server(args, None if args.stack else target)
    from statuswatch.config import ConfigError, load_config, stack_plan
    from statuswatch.paths import usable_cache_dir
    from statuswatch.source import poll_pages
    from statuswatch.tomlcheck import match_id, unknown_provider

    try:
        config = load_config()
        if args.stack:
            specs, stack = stack_plan(config, args.stack)
    except ConfigError as exc:
        return error(str(exc))
    cache = usable_cache_dir()
    interval = max(MIN_INTERVAL, config.interval if args.interval is None else args.interval)
    warn = _once()  # each poll has a hook of its own: a history problem is told once a run
    if args.stack:

        def read_stack() -> tuple[Status, str]:
            snapshot = poll_pages(config, specs, cache, stacks=(stack,), warn=warn)
            return _stack_status(snapshot.stacks, stack.id)

        return _wait(f"stack {stack.id}", read_stack, interval, args.timeout)
    # `wait GITHUB` is github: ids on a command line match whatever their case.
    found = match_id(target.provider, list(config.providers))
    if found is None:
        return error(unknown_provider(target.provider, list(config.providers)))
    # The page as read (no scope), so a pattern that matches nothing can be told apart.
    spec = dataclasses.replace(config.providers[found], scope=None)
    patterns = target.scope if target.scope is not None else config.providers[spec.id].scope

    def read() -> tuple[Status, str]:
        return _status(poll_pages(config, [spec], cache, warn=warn).reports[0], patterns)

    return _wait(str(target) if target.scope else spec.id, read, interval, args.timeout)


def _from_server(args: argparse.Namespace, target: Target | None) -> int:
    """Read a `statuswatch serve` every interval (SERVER_INTERVAL by default) until operational."""
    from statuswatch.model import Status
    from statuswatch.serverclient import ServerClient, ServerError
    from statuswatch.source import snapshot_from_server
    from statuswatch.tomlcheck import match_id, unknown_provider

    interval = max(MIN_INTERVAL, SERVER_INTERVAL if args.interval is None else args.interval)
    what = f"stack {args.stack}" if target is None else str(target)

    with ServerClient(args.server) as client:

        def read() -> tuple[Status, str]:
            try:
                snapshot = snapshot_from_server(client)
            except ServerError as exc:
                if exc.fatal:
                    raise _Stop(str(exc)) from None
                return Status.UNKNOWN, f" ({exc}: keep waiting)"
            if target is None:
                return _stack_status(snapshot.stacks, args.stack)
            found = match_id(target.provider, [r.spec.id for r in snapshot.reports])
            for report in snapshot.reports:
                if report.spec.id != found:
                    continue
                served = report.scope.patterns if report.scope is not None else None
                if served is not None and target.scope not in (None, served):
                    # Its document holds only that scope: another cannot be cut from it.
                    raise _Stop(
                        f"the server watches {target.provider} scoped to {', '.join(served)}: "
                        f"wait on {target.provider} alone, or on that scope"
                    )
                return _status(report, None if target.scope == served else target.scope)
            watched = [r.spec.id for r in snapshot.reports]
            raise _Stop(f"the server: {unknown_provider(target.provider, watched)}")

        return _wait(what, read, interval, args.timeout)
