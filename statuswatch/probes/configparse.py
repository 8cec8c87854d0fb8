"""Validation of `[probes]` and of a provider's `probes = [...]`, with one-line errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from statuswatch.model import ProbeSpec
from statuswatch.probes.settings import DEFAULT_EXPECT, Expect, ProbeSettings
from statuswatch.tomlcheck import (
    ConfigError,
    check_keys,
    dotted_key,
    integer,
    number,
    show,
    string,
    table,
    type_name,
    url,
)

__all__ = ["MAX_PROBES", "PROBE_KEYS", "SETTINGS_KEYS", "parse_probe_settings", "parse_probes"]

SETTINGS_KEYS = ("enabled", "timeout", "consecutive")
PROBE_KEYS = ("url", "expect", "region", "method", "source")
METHODS = ("HEAD", "GET")
T = TypeVar("T")
# Each probe is a request every poll: a handful per provider tells all a handful can.
MAX_PROBES = 10
MAX_TIMEOUT = 60.0
MAX_CONSECUTIVE = 100


def parse_probe_settings(path: Path | str, value: object) -> ProbeSettings:
    """Return ProbeSettings from the `[probes]` table, types and bounds checked."""
    given = table(path, value, "probes")
    check_keys(path, given, SETTINGS_KEYS, "probes")
    settings = ProbeSettings()
    enabled = settings.enabled
    if "enabled" in given:
        raw = given["enabled"]
        if not isinstance(raw, bool):
            raise ConfigError(path, "probes.enabled", f"expected a boolean, got {type_name(raw)}")
        enabled = raw
    timeout = settings.timeout
    if "timeout" in given:
        timeout = number(path, given["timeout"], "probes", "timeout")
        if not 0 < timeout <= MAX_TIMEOUT:
            raise ConfigError(
                path,
                "probes.timeout",
                f"must be more than 0 and at most {MAX_TIMEOUT:g} seconds, got {timeout:g}",
            )
    consecutive = settings.consecutive
    if "consecutive" in given:
        consecutive = integer(path, given["consecutive"], "probes", "consecutive")
        if not 1 <= consecutive <= MAX_CONSECUTIVE:
            raise ConfigError(
                path,
                "probes.consecutive",
                f"must be from 1 to {MAX_CONSECUTIVE}, got {consecutive}",
            )
    return ProbeSettings(enabled=enabled, timeout=timeout, consecutive=consecutive)


def parse_probes(path: Path | str, value: object, *key: str) -> tuple[ProbeSpec, ...]:
    """Return a provider's probes from `probes = [{url = ...}, ...]` (`[]` turns them off)."""
    if not isinstance(value, list):
        raise ConfigError(
            path, dotted_key(*key), f"expected a list of tables, got {type_name(value)}"
        )
    if len(value) > MAX_PROBES:
        raise ConfigError(path, dotted_key(*key), f"at most {MAX_PROBES} probes, got {len(value)}")
    probes: list[ProbeSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        where = f"{dotted_key(*key)}[{index}]"
        probe = _at(where, _probe, path, item)
        if probe.url in seen:
            raise ConfigError(path, f"{where}.url", f"{show(probe.url)} is listed twice")
        seen.add(probe.url)
        probes.append(probe)
    return tuple(probes)


def _at(where: str, check: Callable[[Path | str, object], T], path: Path | str, value: object) -> T:
    """Run a check whose errors name keys from the probe's table: prefix them with `where`."""
    try:
        return check(path, value)
    except ConfigError as exc:
        key = f"{where}.{exc.key}" if exc.key else where
        raise ConfigError(exc.path, key, exc.problem) from None


def _probe(path: Path | str, value: object) -> ProbeSpec:
    """One probe table, checked; errors name its keys alone (`_at` adds where it is)."""
    given = table(path, value)
    check_keys(path, given, PROBE_KEYS)
    if "url" not in given:
        raise ConfigError(path, "url", "missing (every probe needs a url)")
    address = url(path, given["url"], "url")  # refuses a user:password@: none is ever sent
    expect = DEFAULT_EXPECT
    if "expect" in given:
        expect = string(path, given["expect"], "expect")
        try:
            Expect(expect)
        except ValueError as exc:
            raise ConfigError(path, "expect", str(exc)) from None
    method = "HEAD"
    if "method" in given:
        method = string(path, given["method"], "method").upper()
        if method not in METHODS:
            raise ConfigError(
                path,
                "method",
                f"expected one of {', '.join(METHODS)} (a probe changes nothing), "
                f"got {show(given['method'])}",
            )
    region = string(path, given["region"], "region") if "region" in given else None
    source = string(path, given["source"], "source") if "source" in given else None
    return ProbeSpec(url=address, expect=expect, region=region, method=method, source=source)
