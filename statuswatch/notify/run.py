"""One notifier run: lock, poll, derive, queue, save, deliver; ordered so a kill loses nothing.

The order is the whole durability argument:

1. under the lock, read the state and the outbox;
2. poll, and derive the events between the state and the snapshot (ids are deterministic);
3. append the new (event, channel) entries to the outbox and write it atomically;
4. write the new state atomically;
5. deliver, rewriting the outbox atomically after each entry its channel accepted.

Killed before 3 completes: nothing changed on disk, the next run derives the same events.
Between 3 and 4: the next run derives them again with the same ids; the outbox already holds
them, so they are not queued twice. During 5: only the entry being sent can be sent again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from statuswatch.config import Config
from statuswatch.exitcodes import ExitCode
from statuswatch.model import ProviderSpec, Snapshot
from statuswatch.notify.deliver import Delivery
from statuswatch.notify.derive import DeriveOptions, derive
from statuswatch.notify.events import Event, line, payload
from statuswatch.notify.route import wants
from statuswatch.notify.settings import ChannelSettings, NotifySettings
from statuswatch.notify.state import State
from statuswatch.notify.store import Entry, LockTimeout, Outbox, Store
from statuswatch.records import record
from statuswatch.settings import HttpSettings
from statuswatch.wording import plural

# Exit status when another run holds the lock too long: EX_TEMPFAIL, "try again later".
LOCKED = ExitCode.LOCKED
DELIVERY_FAILED = ExitCode.FAILURE

Poll = Callable[[Sequence[ProviderSpec], HttpSettings, Path], Snapshot]


@record
class RunOptions:
    """The command-line choices of one run."""

    send_existing: bool = False
    dry_run: bool = False
    lock_timeout: float = 60.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


def queue(
    outbox: Outbox, events: Sequence[Event], channels: Sequence[ChannelSettings], now: datetime
) -> list[Entry]:
    """Add an entry per event and channel that wants it; return the entries newly queued."""
    added: list[Entry] = []
    for event in events:
        body = payload(event)
        for channel in channels:
            if wants(channel, event):
                entry = Entry(event_id=event.id, channel=channel.name, queued_at=now, event=body)
                if outbox.add(entry):
                    added.append(entry)
    return added


def notify(
    config: Config,
    settings: NotifySettings,
    specs: Sequence[ProviderSpec],
    options: RunOptions,
    *,
    state_dir: Path,
    cache_dir: Path,
    poll: Poll,
    out: Callable[[str], None],
    warn: Callable[[str], None],
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run the notifier once and return the exit status (`settings`: the config's `[notify]`)."""
    store = Store(state_dir)
    if options.dry_run:
        return _dry_run(config, settings, specs, options, store, cache_dir, poll, out, warn)
    try:
        with store.lock(options.lock_timeout):
            return _locked_run(
                config,
                settings,
                specs,
                options,
                store,
                cache_dir,
                poll,
                warn,
                environ or os.environ,
            )
    except LockTimeout as exc:
        warn(f"{exc}; gave up after waiting {options.lock_timeout:g} s")
        return LOCKED


def _derive_options(
    settings: NotifySettings, options: RunOptions, first_run: bool
) -> DeriveOptions:
    return DeriveOptions(
        unreachable_after=settings.unreachable_after,
        remind_before=settings.remind_before,
        send_existing=options.send_existing,
        first_run=first_run,
    )


def _locked_run(
    config: Config,
    settings: NotifySettings,
    specs: Sequence[ProviderSpec],
    options: RunOptions,
    store: Store,
    cache_dir: Path,
    poll: Poll,
    warn: Callable[[str], None],
    environ: Mapping[str, str],
) -> int:
    now = _utcnow()
    state, problem = store.load_state(now)
    if problem:
        warn(problem)
    outbox, problem = store.load_outbox(now)
    if problem:
        warn(problem)
    first_run = state is None
    snapshot = poll(specs, config.http, cache_dir)
    events, new_state = derive(
        state or State(), snapshot, _derive_options(settings, options, first_run)
    )
    channels = settings.effective_channels()
    now = _utcnow()
    before = (len(outbox.delivered), len(outbox.not_before))
    added = queue(outbox, events, channels, now)
    outbox.prune(now)
    if added or before != (len(outbox.delivered), len(outbox.not_before)):
        store.save_outbox(outbox)  # step 3: before the state, so no event is ever skipped
    store.save_state(new_state, now)  # step 4
    if first_run and not options.send_existing:
        warn(
            f"first run: recorded a baseline of {plural(len(snapshot.reports), 'provider')}; "
            "nothing sent (changes from now on will be; --send-existing sends what is active)"
        )
    delivery = Delivery(
        outbox=outbox,
        channels={c.name: c for c in channels},
        settings=settings,
        save=lambda: store.save_outbox(outbox),
        warn=warn,
        environ=environ,
        now=_utcnow,
    )
    report = delivery.run()
    return DELIVERY_FAILED if report.failed_channels else 0


def _dry_run(
    config: Config,
    settings: NotifySettings,
    specs: Sequence[ProviderSpec],
    options: RunOptions,
    store: Store,
    cache_dir: Path,
    poll: Poll,
    out: Callable[[str], None],
    warn: Callable[[str], None],
) -> int:
    """Print what a run would send; write nothing (not even a corrupt file set aside)."""
    now = _utcnow()
    state, problem = store.load_state(now, set_aside=False)
    if problem:
        warn(problem + "; a real run would set it aside and record a new baseline")
    outbox, problem = store.load_outbox(now, set_aside=False)
    if problem:
        warn(problem)
    first_run = state is None
    snapshot = poll(specs, config.http, cache_dir)
    events, _ = derive(state or State(), snapshot, _derive_options(settings, options, first_run))
    pending = len(outbox.pending)
    for entry in queue(outbox, events, settings.effective_channels(), now):
        out(f"would send to {entry.channel}: {line(entry.event)}")
    if first_run and not options.send_existing:
        warn("dry run: no saved state: a real run would record a baseline and send nothing")
    if pending:
        waiting = "waits" if pending == 1 else "wait"
        warn(f"dry run: {plural(pending, 'event')} from earlier runs {waiting} in the outbox")
    return 0
