"""`statuswatch notify`: one cron run of the notifier (see statuswatch/notify/run.py)."""

from __future__ import annotations

import argparse
import sys

from statuswatch.commands._common import PROG, add_selection, error, write

NAME = "notify"
HELP = "tell each change since the last run through the configured channels (for cron)"
ORDER = 30


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}") from None
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {value!r}")
    return seconds


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the notify options."""
    add_selection(parser)
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
        type=_seconds,
        default=None,
        metavar="S",
        help="wait up to S seconds for another run to finish (default: [notify] lock_timeout, "
        "60), then exit 75",
    )


def run(args: argparse.Namespace) -> int:
    """Run the notifier once."""
    from statuswatch.config import ConfigError, load_config, select
    from statuswatch.notify.run import RunOptions, notify
    from statuswatch.paths import cache_dir, state_dir
    from statuswatch.poll import poll

    try:
        config = load_config()
        specs = select(config, args.provider, args.all)
    except ConfigError as exc:
        return error(str(exc))
    timeout = config.notify.lock_timeout if args.lock_timeout is None else args.lock_timeout
    options = RunOptions(
        send_existing=args.send_existing, dry_run=args.dry_run, lock_timeout=timeout
    )

    def warn(message: str) -> None:
        print(f"{PROG}: notify: {message}", file=sys.stderr, flush=True)

    return notify(
        config,
        specs,
        options,
        state_dir=state_dir(),
        cache_dir=cache_dir(),
        poll=poll,
        out=lambda text: write(text + "\n"),
        warn=warn,
    )
