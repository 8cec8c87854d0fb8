"""`statuswatch notify`: one cron run of the notifier (see statuswatch/notify/run.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from statuswatch.cliargs import add_probe_option, add_selection, seconds
from statuswatch.console import PROG, error, write
from statuswatch.exitcodes import ExitCode
from statuswatch.wording import plural

if TYPE_CHECKING:
    from statuswatch.model import ProviderSpec, Snapshot
    from statuswatch.notify.settings import NotifySettings
    from statuswatch.serve.metrics import FetchStats
    from statuswatch.settings import HttpSettings

NAME = "notify"
HELP = "tell each change since the last run through the configured channels (for cron)"
ORDER = 30

EPILOG = """\
examples:
  */5 * * * * statuswatch notify              # crontab: each change told once
  statuswatch notify --test                   # one test event through every channel
  statuswatch notify --dry-run                # what a run would send now
  statuswatch notify --send-existing          # first run: tell what is already active
  statuswatch notify --prometheus-textfile /var/lib/node_exporter/textfile_collector/sw.prom

Channels are the [[notify.channels]] of the config (none: one line per event on stdout).
exit codes: 0 done; 1 a channel did not take its events (they wait for the next run), or
--test found a channel failing; 2 bad arguments or config; 75 another run held the lock.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the notify options."""
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    add_selection(parser)
    add_probe_option(parser, defaults=False)
    parser.add_argument(
        "--test",
        action="store_true",
        help="send one test event through every configured channel and say what each did; "
        "polls nothing and changes no state (exit 1 if a channel failed)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would be sent; change nothing (no state, no outbox, no delivery)",
    )
    parser.add_argument(
        "--send-existing",
        action="store_true",
        help="on a first run (or a newly watched provider) send what is active instead of "
        "recording it silently",
    )
    parser.add_argument(
        "--lock-timeout",
        type=seconds,
        default=None,
        metavar="S",
        help="wait up to S seconds for another run to finish (default: [notify] lock_timeout, "
        "60), then exit 75",
    )
    parser.add_argument(
        "--prometheus-textfile",
        type=Path,
        default=None,
        metavar="PATH",
        help="also write the poll's metrics (those of `serve`'s /metrics) to PATH, atomically, "
        "for node_exporter's textfile collector (name it *.prom; not on --dry-run)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the notifier once."""
    from statuswatch.config import ConfigError, load_config, plan
    from statuswatch.notify.configparse import notify_settings
    from statuswatch.notify.run import RunOptions, notify
    from statuswatch.paths import state_dir, usable_cache_dir, usable_state_dir
    from statuswatch.probes.store import Counts, MemoryCounts
    from statuswatch.source import poll_pages, probe_settings, state_counts

    try:
        config = load_config()
        specs, stacks = plan(config, args.provider, args.all)
        settings = notify_settings(config)
    except ConfigError as exc:
        return error(str(exc))
    if args.test:
        if args.dry_run or args.send_existing or args.prometheus_textfile:
            return error("--test: it sends a test event only (leave the other options out)")
        return _test(settings)
    timeout = settings.lock_timeout if args.lock_timeout is None else args.lock_timeout
    options = RunOptions(
        send_existing=args.send_existing, dry_run=args.dry_run, lock_timeout=timeout
    )

    def warn(message: str) -> None:
        print(f"{PROG}: notify: {message}", file=sys.stderr, flush=True)

    textfile: Path | None = None if args.dry_run else args.prometheus_textfile
    written: list[bool] = []
    probes = probe_settings(config.probes, args.no_probes)
    # A dry run counts its probes from the saved counts but keeps them to itself.
    counts: Counts = MemoryCounts(state_counts().read()) if args.dry_run else state_counts()

    def polled(specs: Sequence[ProviderSpec], http: HttpSettings, cache: Path) -> Snapshot:
        """Poll (recorded in the history, but on --dry-run), and write the textfile at once."""
        record = not args.dry_run  # a dry run changes nothing, the history included
        if textfile is None:
            return poll_pages(
                config,
                specs,
                cache,
                probes=probes,
                counts=counts,
                stacks=stacks,
                warn=warn,
                record=record,
                backfill=True,
            )
        from statuswatch.serve.metrics import FetchStats, PollTimer

        timer = PollTimer()
        snapshot = poll_pages(
            config,
            specs,
            cache,
            probes=probes,
            counts=counts,
            on_report=timer.on_report,
            warn=warn,
            record=record,
            backfill=True,
            stacks=stacks,
        )
        stats = FetchStats()
        stats.record(snapshot, timer.durations, timer.elapsed())
        written.append(_write_textfile(textfile, snapshot, stats, warn))
        return snapshot

    code = notify(
        config,
        settings,
        specs,
        options,
        # A dry run changes nothing: it reads the state where it is, if it is there.
        state_dir=state_dir() if args.dry_run else usable_state_dir(),
        cache_dir=usable_cache_dir(),
        poll=polled,
        out=lambda text: write(text + "\n"),
        warn=warn,
    )
    # A metrics file that could not be written fails the run (cron mails it), events or not.
    return ExitCode.FAILURE if code == 0 and False in written else code


def _test(settings: NotifySettings) -> int:
    """Send the test event through each channel; one line per channel on what it did."""
    import os
    from datetime import UTC, datetime

    from statuswatch.notify.testsend import send_test

    results = send_test(settings, datetime.now(UTC), os.environ)
    lines = [
        f"channel {r.label}: sent"
        if r.problem is None
        else f"channel {r.label}: FAILED: {r.problem}"
        for r in results
    ]
    failed = sum(r.problem is not None for r in results)
    lines.append(
        f"{plural(len(results), 'channel')} tried: {len(results) - failed} sent, {failed} failed"
    )
    write("\n".join(lines) + "\n")
    return ExitCode.FAILURE if failed else ExitCode.OK


def _write_textfile(
    path: Path, snapshot: Snapshot, stats: FetchStats, warn: Callable[[str], None]
) -> bool:
    """Write the metrics; False (and a warning) when the file cannot be written."""
    from statuswatch.atomic import atomic_write
    from statuswatch.serve.metrics import textfile

    try:
        # Not fsynced: the next cron run rewrites it, and a reader sees old or new, never torn.
        atomic_write(path, textfile(snapshot, stats), durable=False)
    except OSError as exc:
        warn(f"--prometheus-textfile: cannot write {path}: {exc.strerror or exc}")
        return False
    return True
