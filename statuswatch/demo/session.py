"""A running demo: the loopback server plus a temporary config and cache pointing at it.

The demo goes through the normal paths: the config file is written and read back by
statuswatch.config, and the engine polls the server like any page. Nothing of the user's
(config, cache, state) is read or written.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from statuswatch.atomic import atomic_write
from statuswatch.config import Config, load_config, select
from statuswatch.demo.clock import ScenarioClock
from statuswatch.demo.script import Scenario
from statuswatch.demo.server import DemoServer
from statuswatch.model import ProviderSpec

__all__ = ["DemoSession", "config_text", "open_session", "parse_at"]

# The pages are on this machine: no reason to wait long, and a demo should not retry for long.
_HTTP = {"connect_timeout": 2.0, "read_timeout": 5.0, "deadline": 8.0, "retries": 1}
# The probes too: the scripted ones answer at once or fail at once.
_PROBES = {"timeout": 2.0}


@dataclass(frozen=True)
class DemoSession:
    """What a running demo needs: its clock, server, config and private cache."""

    scenario: Scenario
    clock: ScenarioClock
    server: DemoServer
    config: Config
    specs: list[ProviderSpec]
    cache_dir: Path


def config_text(scenario: Scenario, server: DemoServer) -> str:
    """The TOML config that watches the scenario's providers on `server`."""
    import tomli_w  # only written here; every other path reads TOML with tomli

    providers = {}
    for provider in scenario.providers:
        # Statuspage-like adapters add their API path to a base URL; the others are given
        # the document itself, which every adapter takes as it is.
        if provider.kind in ("statuspage", "incidentio"):
            url = server.page_url(provider.id)
        else:
            url = server.document_url(provider.id)
        providers[provider.id] = {
            "name": provider.name,
            "kind": provider.kind,
            "url": url,
            "feed": "",  # drop a catalog feed: the demo never leaves 127.0.0.1
            "category": provider.category,
            # The scripted stand-ins replace the catalog's probes (which would leave 127.0.0.1).
            "probes": [{"url": server.probe_url(provider.id, p.id)} for p in provider.probes],
        }
    document = {
        "watch": [provider.id for provider in scenario.providers],
        "http": _HTTP,
        "probes": _PROBES,
        "providers": providers,
    }
    header = f"# statuswatch demo: {scenario.id}, served by {server.base_url}\n"
    return header + tomli_w.dumps(document)


@contextmanager
def open_session(scenario: Scenario, clock: ScenarioClock) -> Iterator[DemoSession]:
    """Start the server, write the config into a temporary directory, and clean both up."""
    workdir = Path(tempfile.mkdtemp(prefix="statuswatch-demo-"))
    server = DemoServer(scenario, clock)
    try:
        server.start()
        path = workdir / "config.toml"
        atomic_write(path, config_text(scenario, server).encode("utf-8"))
        config = load_config(path)
        cache = workdir / "cache"
        cache.mkdir()
        yield DemoSession(scenario, clock, server, config, select(config), cache)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


AT_MARGIN = timedelta(days=1)  # how far before its start or after its end `--at` may go


def parse_at(value: str, scenario: Scenario) -> datetime:
    """Read `--at`: `HH:MM` on the scenario's first day, or a full ISO date and time (UTC),
    within a day of the scenario (the probes are replayed minute by minute up to it).

    Raises:
        ValueError: the value is neither, or too far from the scenario; the message says which.
    """
    text = value.strip()
    try:
        clock = time.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"expected HH:MM or an ISO date-time, got {value[:40]!r}") from None
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    else:
        moment = datetime.combine(scenario.start.date(), clock.replace(tzinfo=None), tzinfo=UTC)
    if not scenario.start - AT_MARGIN <= moment <= scenario.end + AT_MARGIN:
        raise ValueError(
            f"{moment.year:04d}-{moment:%m-%d %H:%M} UTC is not within a day of the scenario "
            f"({scenario.start:%Y-%m-%d %H:%M} to {scenario.end:%Y-%m-%d %H:%M} UTC)"
        )
    return moment
