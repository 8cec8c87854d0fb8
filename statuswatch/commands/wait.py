"""`statuswatch wait ID[:COMPONENT]`: block until a provider (or a component) is operational."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from statuswatch.cliargs import add_server_option, seconds
from statuswatch.console import PROG, error, write
from statuswatch.exitcodes import ExitCode
from statuswatch.model import ProviderReport, Status

NAME = "wait"
HELP = "wait until a provider (or one of its components) is operational; exit 1 on --timeout"
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
        metavar="ID[:COMPONENT]",
        help="a provider id, or a provider id and a component's name or id (`github:Actions`)",
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


def find_component(report: ProviderReport, wanted: str) -> Status | None:
    """The status of the component named (or with the id) `wanted`, None if there is none."""
    if report.page is None:
        return None
    folded = wanted.casefold()
    for component in report.page.components:
        names = {component.id.casefold(), component.name.casefold()}
        if component.group:
            names.add(f"{component.group} / {component.name}".casefold())
        if folded in names:
            return component.status
    return None


class _Stop(Exception):
    """Waiting cannot go on: the message is the error line, `code` the exit status."""

    def __init__(self, message: str, code: int = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.code = code


def _status(report: ProviderReport, component: str) -> tuple[Status, str]:
    """The target's status in `report` and a note on why it is unknown; _Stop if no component."""
    status = report.status
    if component and report.error is None and report.page is not None:
        found = find_component(report, component)
        if found is None:
            from statuswatch.tomlcheck import suggest

            names = [c.name for c in report.page.components]
            close = suggest(component, names)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise _Stop(f"{report.spec.id} has no component {component!r}{hint}")
        status = found
    detail = f" ({report.error.type.value}: keep waiting)" if report.error else ""
    return status, detail


def _wait(
    what: str, read: Callable[[], tuple[Status, str]], interval: float, timeout: float | None
) -> int:
    """Call `read` every `interval` seconds until operational, or until `timeout` has passed."""
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
            print(f"{PROG}: wait: {what} is {status.value}{detail}", file=sys.stderr, flush=True)
            last = status
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            print(
                f"{PROG}: wait: timed out after {timeout:g} s: {what} is {status.value}",
                file=sys.stderr,
            )
            return TIMED_OUT
        # The last poll happens at the deadline itself, not an interval past it.
        time.sleep(interval if deadline is None else min(interval, deadline - now))


def run(args: argparse.Namespace) -> int:
    """Poll until operational; unknown (an unreachable page) means keep waiting."""
    if getattr(args, "server", None):
        return _from_server(args)
    from statuswatch.config import ConfigError, load_config
    from statuswatch.paths import usable_cache_dir
    from statuswatch.poll import poll
    from statuswatch.tomlcheck import match_id, unknown_provider

    provider_id, _, component = args.target.partition(":")
    try:
        config = load_config()
    except ConfigError as exc:
        return error(str(exc))
    found = match_id(provider_id, list(config.providers))
    if found is None:
        return error(unknown_provider(provider_id, list(config.providers)))
    spec = config.providers[found]
    interval = max(MIN_INTERVAL, config.interval if args.interval is None else args.interval)
    what = f"{spec.id}:{component}" if component else spec.id
    cache = usable_cache_dir()

    def read() -> tuple[Status, str]:
        return _status(poll([spec], config.http, cache).reports[0], component)

    return _wait(what, read, interval, args.timeout)


def _from_server(args: argparse.Namespace) -> int:
    """Read a `statuswatch serve` every interval (SERVER_INTERVAL by default) until operational."""
    from statuswatch.serverclient import ServerClient, ServerError
    from statuswatch.source import snapshot_from_server
    from statuswatch.tomlcheck import match_id, unknown_provider

    provider_id, _, component = args.target.partition(":")
    interval = max(MIN_INTERVAL, SERVER_INTERVAL if args.interval is None else args.interval)
    what = f"{provider_id}:{component}" if component else provider_id

    with ServerClient(args.server) as client:

        def read() -> tuple[Status, str]:
            try:
                snapshot = snapshot_from_server(client)
            except ServerError as exc:
                if exc.fatal:
                    raise _Stop(str(exc)) from None
                return Status.UNKNOWN, f" ({exc}: keep waiting)"
            watched = [r.spec.id for r in snapshot.reports]
            found = match_id(provider_id, watched)
            for report in snapshot.reports:
                if report.spec.id == found:
                    return _status(report, component)
            raise _Stop(f"the server: {unknown_provider(provider_id, watched)}")

        return _wait(what, read, interval, args.timeout)
