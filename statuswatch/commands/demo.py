"""`statuswatch demo`: replay a real outage offline, in the TUI or as one poll."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from statuswatch.cliargs import add_probe_option, number_in
from statuswatch.console import error, use_colour, write
from statuswatch.exitcodes import ExitCode
from statuswatch.settings import MAX_INTERVAL

NAME = "demo"
HELP = "replay a real outage offline: the TUI against a loopback server with a compressed clock"
ORDER = 60

DEFAULT_INTERVAL = 2.0  # real seconds between polls: the pages are on this machine
MIN_INTERVAL = 0.2
# A whole scenario (under a day) replays in a second at this speed; more only overflows the
# scenario clock's date arithmetic.
MAX_SPEED = 100_000.0

USAGE_WORDS = "[list | status] [SCENARIO]"
EPILOG = """\
examples:
  statuswatch demo                              # Cloudflare 2025-11-18 in the TUI, 120x
  statuswatch demo aws-us-east-1-2025-10-20 --speed 600
  statuswatch demo --json | jq '.providers[] | {id, status}'
  statuswatch demo status gcp-cloudflare-2025-06-12 --at 18:00
  statuswatch demo list
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the demo's words and options."""
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "words",
        nargs="*",
        metavar=USAGE_WORDS,
        help="`list` the scenarios; `status` prints one poll as a table; SCENARIO picks one "
        "(default cloudflare-2025-11-18)",
    )
    # Options also taken by plain `statuswatch` keep what was given before `demo`.
    keep = argparse.SUPPRESS
    add_probe_option(parser, defaults=False)
    parser.add_argument(
        "--json", action="store_true", default=keep, help="print one poll as JSON and exit"
    )
    parser.add_argument(
        "--speed",
        type=number_in(0, MAX_SPEED),
        metavar="N",
        help="scenario seconds per real second, 0 to stop the clock (default: the scenario's, "
        f"80 to 240; at most {MAX_SPEED:g})",
    )
    parser.add_argument(
        "--at",
        metavar="TIME",
        help="scenario time (HH:MM UTC on its day, or an ISO date-time): where the replay "
        "starts (default: before the first post), or what one poll shows (default: the "
        "height of the outage)",
    )
    parser.add_argument(
        "--interval",
        type=number_in(MIN_INTERVAL, MAX_INTERVAL, "seconds"),
        default=keep,
        metavar="SECONDS",
        help=f"TUI: real seconds between polls (default {DEFAULT_INTERVAL:g})",
    )
    parser.add_argument(
        "--bell",
        action="store_true",
        default=keep,
        help="TUI: ring the bell when an incident opens or closes",
    )
    parser.add_argument(
        "--only-problems",
        action="store_true",
        default=keep,
        help="leave out operational providers (table; the TUI starts with `f` on)",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default=keep,
        help="table colours (auto: only on a terminal and without NO_COLOR)",
    )


def run(args: argparse.Namespace) -> int:
    """List, print one poll, or open the TUI."""
    from statuswatch.demo import scenarios

    words = list(args.words)
    action = words.pop(0) if words and words[0] in ("list", "status") else "tui"
    if len(words) > 1:
        return error(f"demo: expected {USAGE_WORDS}, got {' '.join(args.words)!r}")
    if action == "list":
        return _list()
    scenario_id = words[0] if words else scenarios.DEFAULT
    if scenario_id not in scenarios.SCENARIOS:
        known = ", ".join(scenarios.names())
        return error(f"demo: unknown scenario {scenario_id!r} (known: {known})")
    scenario = scenarios.load(scenario_id)
    speed = scenario.speed if args.speed is None else args.speed
    at = None
    if args.at is not None:
        from statuswatch.demo.session import parse_at

        try:
            at = parse_at(args.at, scenario)
        except ValueError as exc:
            return error(f"--at: {exc}")
    json_out = getattr(args, "json", False)
    if action == "status" or json_out:
        return _one_poll(args, scenario_id, at, json_out)
    from statuswatch.liveview import wants_tui

    if not wants_tui(args):
        return _one_poll(args, scenario_id, at, False)
    interval = getattr(args, "interval", None)
    interval = DEFAULT_INTERVAL if interval is None else interval
    return _tui(args, scenario_id, at, speed, interval)


def _list() -> int:
    from statuswatch.demo import scenarios

    lines = []
    for scenario_id in scenarios.names():
        scenario = scenarios.load(scenario_id)
        lines.append(f"{scenario_id}  ({scenario.speed:g}x)\n  {scenario.title}")
        lines.append(_wrap(scenario.summary, "  ") + "\n")
    write("\n".join(lines))
    return ExitCode.OK


def _wrap(text: str, indent: str) -> str:
    import textwrap

    return textwrap.fill(text, width=96, initial_indent=indent, subsequent_indent=indent)


def _one_poll(
    args: argparse.Namespace, scenario_id: str, at: datetime | None, json_out: bool
) -> int:
    """Poll the scenario once, at `at` (default: its peak), and print it."""
    from statuswatch.demo import scenarios
    from statuswatch.demo.clock import ScenarioClock
    from statuswatch.demo.replay import replay_probes
    from statuswatch.demo.session import open_session
    from statuswatch.document.write import dumps, snapshot_document
    from statuswatch.probes.store import MemoryCounts
    from statuswatch.source import poll_once, probe_settings
    from statuswatch.table import status_table

    scenario = scenarios.load(scenario_id)
    moment = scenario.peak if at is None else at
    clock = ScenarioClock(moment, 0.0)
    with open_session(scenario, clock) as session:
        # The probes' counts live in this process only: the demo touches nothing of the user's.
        probes = probe_settings(session.config.probes, getattr(args, "no_probes", False))
        counts = MemoryCounts()
        if probes.enabled:
            replay_probes(session, moment, counts)
        snapshot = poll_once(
            session.specs,
            session.config.http,
            session.cache_dir,
            probes=probes,
            counts=counts,
            now=clock.now,
        )
    if json_out:
        write(dumps(snapshot_document(snapshot), pretty=sys.stdout.isatty()))
    else:
        print(
            f"statuswatch demo: {scenario.title}, at {moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
            file=sys.stderr,
        )
        colour = use_colour(getattr(args, "color", "auto"))
        only = getattr(args, "only_problems", False)
        write(status_table(snapshot, only_problems=only, colour=colour))
    return ExitCode.OK


def _tui(
    args: argparse.Namespace, scenario_id: str, at: datetime | None, speed: float, interval: float
) -> int:
    """Replay the scenario in the TUI until the user quits."""
    from statuswatch.demo import scenarios
    from statuswatch.demo.clock import ScenarioClock
    from statuswatch.demo.session import open_session
    from statuswatch.liveview import run_app

    scenario = scenarios.load(scenario_id)
    start = scenario.start if at is None else at
    clock = ScenarioClock(start, speed)

    def banner() -> str:
        now = clock.now()
        state = "replay finished" if now >= scenario.end else f"{speed:g}x"
        # The scenario's id carries its day: the time alone fits an 80-column header.
        when = f"{now:%H:%M}" if now.date() == scenario.start.date() else f"{now:%Y-%m-%d %H:%M}"
        return f"DEMO {scenario.id} · {when} UTC · {state}"

    with open_session(scenario, clock) as session:
        from statuswatch.demo.replay import replay_probes
        from statuswatch.probes.store import MemoryCounts
        from statuswatch.source import engine_poller, probe_settings
        from statuswatch.tui.app import build_app  # Textual: only on this path

        probes = probe_settings(session.config.probes, getattr(args, "no_probes", False))
        counts = MemoryCounts()
        if probes.enabled and at is not None:
            # Started later than the scenario: the probes' history up to there, then live.
            replay_probes(session, start, counts)
        app = build_app(
            session.specs,
            interval=interval,
            poller=engine_poller(
                session.specs,
                session.config.http,
                session.cache_dir,
                clock.now,
                probes=probes,
                counts=counts,
            ),
            now=clock.now,
            bell=getattr(args, "bell", False),
            only_problems=getattr(args, "only_problems", False),
            banner=banner,
            tune_gc=True,
        )
        return run_app(app)
