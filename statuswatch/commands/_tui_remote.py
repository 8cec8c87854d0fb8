"""Plain `statuswatch --server URL` on a terminal: the TUI, fed by a server and live on its events.

The TUI refreshes from the server after each of the server's polls (its /v1/events), and
every `--interval` seconds besides. Textual is imported only inside `build`.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import TYPE_CHECKING

from statuswatch.commands._common import error
from statuswatch.exitcodes import ExitCode

if TYPE_CHECKING:
    from statuswatch.remote import EventFollower
    from statuswatch.tui.app import StatusApp

# The fallback refresh when no event arrives; the server's own polls drive the rest.
DEFAULT_INTERVAL = 60.0
RETRY = 1.0  # seconds before a refresh asked for while another runs is tried again


def build(
    url: str,
    ids: list[str],
    *,
    interval: float,
    bell: bool = False,
    only_problems: bool = False,
    tune_gc: bool = False,
) -> tuple[StatusApp, EventFollower]:
    """The app on the server's providers (`ids`, or all) and its (not started) event follower.

    RemoteError when the server cannot be read at all; KeyError for an id it does not watch.
    """
    from statuswatch.remote import EventFollower, RemoteClient, remote_poller
    from statuswatch.timefmt import rfc3339
    from statuswatch.tui.app import build_app  # Textual: only on this path

    with RemoteClient(url) as client:
        first = client.snapshot()
    known = [r.spec.id for r in first.reports]
    for provider_id in ids:
        if provider_id not in known:
            raise KeyError(provider_id)
    wanted = ids or known
    specs = [r.spec for r in first.reports if r.spec.id in wanted]
    app = build_app(
        specs,
        interval=interval,
        poller=remote_poller(url, wanted, first),
        bell=bell,
        only_problems=only_problems,
        banner=f"server {url}",
        tune_gc=tune_gc,
    )

    def refresh() -> None:
        if not app.start_poll():  # one is running: it may have read the older document
            app.set_timer(RETRY, refresh)

    def changed() -> None:
        with contextlib.suppress(RuntimeError):  # the app is not running (yet, or any more)
            app.call_from_thread(refresh)

    return app, EventFollower(url, changed, seen=rfc3339(first.generated_at))


def run(args: argparse.Namespace) -> int:
    """Open the TUI on what the server at `--server` has until the user quits."""
    from statuswatch.commands._tui import check_interval
    from statuswatch.config import MIN_INTERVAL
    from statuswatch.remote import RemoteError

    if args.all:
        return error("--all: a server polls its own list (leave --all out with --server)")
    problem = check_interval(args.interval, MIN_INTERVAL)
    if problem:
        return error(problem)
    try:
        app, follower = build(
            args.server,
            list(args.provider),
            interval=DEFAULT_INTERVAL if args.interval is None else args.interval,
            bell=args.bell,
            only_problems=args.only_problems,
            tune_gc=True,
        )
    except RemoteError as exc:
        return error(str(exc), ExitCode.FAILURE)
    except KeyError as exc:
        return error(f"the server does not watch {exc.args[0]!r}")
    follower.start()
    try:
        app.run()
    finally:
        follower.stop()
    return ExitCode.OK
