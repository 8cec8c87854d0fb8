"""Plain `statuswatch` on a terminal: the live view, fed by the status pages or by a server.

With `--server URL` the view refreshes from the server after each of the server's polls (its
/v1/events), and every `--interval` seconds besides. Textual is imported only once the view is
built, so the headless paths that import this module never load it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import TYPE_CHECKING

from statuswatch.console import error
from statuswatch.exitcodes import ExitCode

if TYPE_CHECKING:
    from textual.app import App

    from statuswatch.source import EventFollower
    from statuswatch.tui.app import StatusApp

# With a server, the fallback refresh when no event arrives; the server's own polls drive the rest.
SERVER_INTERVAL = 60.0
RETRY = 1.0  # seconds before a refresh asked for while another runs is tried again


def wants_tui(args: argparse.Namespace) -> bool:
    """The TUI for plain `statuswatch`: stdout is a terminal and --json was not asked for."""
    if getattr(args, "json", False):
        return False
    return sys.stdout.isatty() and sys.stdin.isatty() and os.environ.get("TERM") != "dumb"


def run(args: argparse.Namespace) -> int:
    """Open the live view on the watched providers (or a server's) until the user quits."""
    if getattr(args, "server", None):
        return _run_from_server(args)
    from statuswatch.config import ConfigError, load_config, plan
    from statuswatch.paths import usable_cache_dir

    try:
        config = load_config()
        specs, stacks = plan(config, args.provider, args.all)
    except ConfigError as exc:
        return error(str(exc))
    from statuswatch.history.view import LocalHistory
    from statuswatch.source import engine_poller, probe_settings, recorder, state_counts
    from statuswatch.tui.app import build_app  # Textual: only on this path

    shown: list[StatusApp] = []

    def warn(message: str) -> None:
        """A history problem: a notification in the view (stderr before it runs)."""
        if not shown:
            print(f"statuswatch: {message}", file=sys.stderr)
            return
        with contextlib.suppress(RuntimeError):  # the app is not running (any more)
            shown[0].call_from_thread(shown[0].notify, message, severity="warning", markup=False)

    probes = probe_settings(config.probes, getattr(args, "no_probes", False))
    cache = usable_cache_dir()
    record = recorder(config, cache, warn, background=True)  # every poll, in the history
    poller = engine_poller(
        specs,
        config.http,
        cache,
        stacks=stacks,
        probes=probes,
        counts=state_counts(),
        record=record,
    )
    app = build_app(
        specs,
        interval=config.interval if args.interval is None else args.interval,
        poller=poller,
        bell=args.bell,
        only_problems=args.only_problems,
        tune_gc=True,
        history=LocalHistory(),
    )
    shown.append(app)
    try:
        return run_app(app)
    finally:
        record.close()


def run_app(app: App[int]) -> int:
    """Run the live view until it ends; its exit code (FAILURE if it crashed, never OK then)."""
    app.run()
    # Textual prints a crash's traceback itself once the screen is restored; its return code
    # is then 1, which must reach the shell (a script or a supervisor restarting the view).
    return ExitCode.FAILURE if app.return_code else ExitCode.OK


def build_from_server(
    url: str,
    ids: list[str],
    *,
    interval: float,
    bell: bool = False,
    only_problems: bool = False,
    tune_gc: bool = False,
) -> tuple[StatusApp, EventFollower]:
    """The app on the server's providers (`ids`, or all) and its (not started) event follower.

    ServerError when the server cannot be read at all; KeyError for an id it does not watch.
    """
    from statuswatch.history.view import ServerHistory
    from statuswatch.serverclient import ServerClient
    from statuswatch.source import EventFollower, server_poller, snapshot_from_server
    from statuswatch.timefmt import rfc3339
    from statuswatch.tui.app import build_app  # Textual: only on this path

    with ServerClient(url) as client:
        first = snapshot_from_server(client, ids)
    wanted = [r.spec.id for r in first.reports]
    app = build_app(
        [r.spec for r in first.reports],
        interval=interval,
        poller=server_poller(url, wanted, first),
        bell=bell,
        only_problems=only_problems,
        banner=f"server {url}",
        tune_gc=tune_gc,
        history=ServerHistory(url),  # the server records; the view reads its history
    )

    def refresh() -> None:
        if not app.start_poll():  # one is running: it may have read the older document
            app.set_timer(RETRY, refresh)

    def changed() -> None:
        with contextlib.suppress(RuntimeError):  # the app is not running (yet, or any more)
            app.call_from_thread(refresh)

    return app, EventFollower(url, changed, seen=rfc3339(first.generated_at))


def _run_from_server(args: argparse.Namespace) -> int:
    """Open the live view on what the server at `--server` has until the user quits."""
    from statuswatch.serverclient import ServerError

    if args.all:
        return error("--all: a server polls its own list (leave --all out with --server)")
    try:
        app, follower = build_from_server(
            args.server,
            list(args.provider),
            interval=SERVER_INTERVAL if args.interval is None else args.interval,
            bell=args.bell,
            only_problems=args.only_problems,
            tune_gc=True,
        )
    except ServerError as exc:
        return error(str(exc), ExitCode.FAILURE)
    except KeyError as exc:
        return error(f"the server does not watch {exc.args[0]!r}")
    follower.start()
    try:
        return run_app(app)
    finally:
        follower.stop()
