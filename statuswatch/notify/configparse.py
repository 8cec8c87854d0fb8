"""Validation of `[notify]` and `[[notify.channels]]`, with one-line errors like the rest.

The base config keeps `[notify]` as written (statuswatch.config.SECTIONS); the notifier's
commands (`notify`, `serve`) read it through `notify_settings`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from statuswatch import tomlcheck
from statuswatch.config import Config
from statuswatch.model import Impact
from statuswatch.notify.settings import (
    CHANNEL_TYPES,
    DEFAULT_EVENTS,
    ChannelSettings,
    EventKind,
    NotifySettings,
    Secret,
)
from statuswatch.text import strip_controls
from statuswatch.tomlcheck import (
    ConfigError,
    at,
    check_keys,
    dotted_key,
    integer,
    number,
    numbers_of,
    show,
    string,
    suggest,
    table,
    type_name,
    unknown_choice,
    unknown_provider,
)

NOTIFY_KEYS = tuple(f.name for f in fields(NotifySettings))
COMMON_KEYS = (
    "type",
    "name",
    "providers",
    "stacks",
    "components",
    "min_impact",
    "events",
    "timeout",
    "min_interval",
)
TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "stdout": (),
    "webhook": ("url", "url_env", "secret", "secret_env", "headers"),
    "slack": ("url", "url_env"),
    "discord": ("url", "url_env"),
    "ntfy": ("url", "url_env", "topic", "topic_env", "token", "token_env"),
    "email": ("host", "port", "from", "to", "tls", "username_env", "password_env"),
    "desktop": (),
    "command": ("command",),
    "apprise": ("url", "url_env"),
}
# Keys whose value may be a secret: given inline or as `<key>_env`, never both, never echoed.
SECRET_KEYS = ("url", "secret", "topic", "token")
REQUIRED: dict[str, tuple[str, ...]] = {
    "webhook": ("url",),
    "slack": ("url",),
    "discord": ("url",),
    "ntfy": ("topic",),
    "apprise": ("url",),
    "email": ("host", "from", "to"),
    "command": ("command",),
}
TLS_MODES = ("starttls", "ssl", "none")
# Seconds between two messages by default: Slack allows about one per second on an incoming
# webhook, Discord five per two seconds.
DEFAULT_MIN_INTERVAL = {"slack": 1.0, "discord": 0.5}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+")
_BOUNDS: dict[str, tuple[float, bool]] = {  # key -> (lower bound, bound allowed)
    "unreachable_after": (1, True),
    "remind_before": (0, False),
    "max_age": (0, False),
    "lock_timeout": (0, True),
    "retries": (0, True),
    "backoff": (0, True),
    "retry_after_cap": (0, True),
}
_DAY = 86400.0
_MAXIMA: dict[str, float] = {  # key -> upper bound (allowed): beyond, a typo that hangs a run
    "unreachable_after": 10_000,
    "remind_before": 30 * _DAY,
    "max_age": 30 * _DAY,
    "lock_timeout": _DAY,
    "retries": 10,
    "backoff": 60,
    "retry_after_cap": 3600,
}
_MAX_TIMEOUT = 300.0  # a channel's request
_MAX_MIN_INTERVAL = 3600.0  # a channel's rate limit


def notify_settings(config: Config) -> NotifySettings:
    """The config's `[notify]` table as NotifySettings (the defaults when there is none)."""
    if "notify" not in config.sections:
        return NotifySettings()
    stacks = [stack.id for stack in config.stacks]
    return parse_notify(config.path, config.sections["notify"], list(config.providers), stacks)


def parse_notify(
    path: Path | str,
    value: object,
    known_providers: Sequence[str],
    known_stacks: Sequence[str] | None = None,
) -> NotifySettings:
    """Return NotifySettings from the `[notify]` table, every key checked (a channel's stacks
    against `known_stacks` when given)."""
    given = table(path, value, "notify")
    check_keys(path, given, NOTIFY_KEYS, "notify")
    numbers = {name: raw for name, raw in given.items() if name != "channels"}
    settings = numbers_of(path, numbers, NotifySettings(), _BOUNDS, _MAXIMA, "notify")
    if "channels" in given:
        channels = _channels(path, given["channels"], known_providers)
        for index, channel in enumerate(channels):
            _check_stacks(path, f"notify.channels[{index}]", channel.stacks, known_stacks)
        settings = replace(settings, channels=channels)
    return settings


def _check_stacks(
    path: Path | str, where: str, stacks: Sequence[str], known: Sequence[str] | None
) -> None:
    """Refuse a channel's stack that the config does not define."""
    if known is None:
        return
    for index, stack_id in enumerate(stacks):
        if stack_id not in known:
            close = suggest(stack_id, list(known))
            hint = f" (did you mean {close!r}?)" if close else ""
            defined = ", ".join(known) or "none: add [stacks.ID] tables"
            raise ConfigError(
                path,
                f"{where}.stacks[{index}]",
                f"unknown stack {show(stack_id)}{hint}; defined: {defined}",
            )


def _channels(
    path: Path | str, value: object, known_providers: Sequence[str]
) -> tuple[ChannelSettings, ...]:
    """Every `[[notify.channels]]` table, with unique names."""
    if not isinstance(value, list):
        raise ConfigError(
            path,
            "notify.channels",
            f"expected an array of tables ([[notify.channels]]), got {type_name(value)}",
        )
    out: list[ChannelSettings] = []
    parsed = [
        _channel(path, f"notify.channels[{index}]", entry, known_providers)
        for index, entry in enumerate(value)
    ]
    # Explicit names first, so a default name ("slack-2") never takes one the user chose.
    names = {channel.name for channel, named in parsed if named}
    seen: set[str] = set()
    counts: dict[str, int] = {}
    for index, (channel, named) in enumerate(parsed):
        where = f"notify.channels[{index}].name"
        if named:
            if channel.name in seen:
                raise ConfigError(path, where, f"duplicate channel name {show(channel.name)}")
        else:
            counts[channel.type] = counts.get(channel.type, 0) + 1
            if counts[channel.type] > 1:
                channel = replace(channel, name=f"{channel.type}-{counts[channel.type]}")
            if channel.name in names:
                raise ConfigError(
                    path, where, f"default name {channel.name!r} is taken: give this one a name"
                )
        seen.add(channel.name)
        out.append(channel)
    return tuple(out)


def _channel(
    path: Path | str, where: str, value: object, known_providers: Sequence[str]
) -> tuple[ChannelSettings, bool]:
    """One channel table, and whether it was given a name."""
    table = at(where, tomlcheck.table, path, value)  # the module: `table` is this one
    if "type" not in table:
        raise ConfigError(path, f"{where}.type", f"missing (one of: {', '.join(CHANNEL_TYPES)})")
    kind = at(f"{where}.type", string, path, table["type"])
    if kind not in CHANNEL_TYPES:
        problem = unknown_choice("channel type", kind, CHANNEL_TYPES, "known types")
        raise ConfigError(path, f"{where}.type", problem)
    allowed = COMMON_KEYS + TYPE_KEYS[kind]
    for name in table:
        if name not in allowed:
            close = suggest(name, allowed)
            hint = f"did you mean {close!r}?" if close else "expected one of: " + ", ".join(allowed)
            raise ConfigError(
                path,
                f"{where}.{dotted_key(name)}",
                f"unknown key {show(name)} in a channel of type {kind!r} ({hint})",
            )
    options = _options(path, where, kind, table)
    name = at(f"{where}.name", string, path, table["name"]) if "name" in table else kind
    channel = ChannelSettings(
        type=kind,
        name=name,
        options=options,
        providers=_providers(path, where, table, known_providers),
        components=_strings(path, where, table, "components"),
        stacks=_strings(path, where, table, "stacks"),
        min_impact=_impact(path, where, table),
        events=_events(path, where, table),
        timeout=_positive(path, where, table, "timeout", 10.0),
        min_interval=_at_least_zero(
            path, where, table, "min_interval", DEFAULT_MIN_INTERVAL.get(kind, 0.0)
        ),
    )
    return channel, "name" in table


def _options(
    path: Path | str, where: str, kind: str, table: Mapping[str, object]
) -> dict[str, Any]:
    """The type-specific keys of a channel, checked."""
    options: dict[str, Any] = {}
    for key in SECRET_KEYS:
        if key in TYPE_KEYS[kind] and (key in table or f"{key}_env" in table):
            options[key] = _secret(path, where, table, key)
    for required in REQUIRED.get(kind, ()):
        if required not in options and required not in table:
            also = f" or {required}_env" if required in SECRET_KEYS else ""
            raise ConfigError(
                path, f"{where}.{required}", f"missing: a {kind} channel needs {required}{also}"
            )
    if kind in ("webhook", "slack", "discord", "ntfy") and "url" in options:
        secret: Secret = options["url"]
        if secret.value is not None:
            _secret_url(path, f"{where}.url", secret.value)
    if kind == "webhook" and "headers" in table:
        options["headers"] = _headers(path, where, table["headers"])
    if kind == "email":
        options.update(_email(path, where, table))
    if kind == "command":
        options["command"] = _command(path, where, table["command"])
    return options


def _secret(path: Path | str, where: str, table: Mapping[str, object], key: str) -> Secret:
    """A secret-bearing key, given inline or through `<key>_env`."""
    env_key = f"{key}_env"
    if key in table and env_key in table:
        raise ConfigError(path, f"{where}.{key}", f"give {key} or {env_key}, not both")
    if env_key in table:
        return Secret(env=_env_name(path, where, table, env_key))
    raw = table[key]
    if not isinstance(raw, str):
        raise ConfigError(path, f"{where}.{key}", f"expected a string, got {type_name(raw)}")
    # The value may be a token: the message says what is wrong without showing it.
    if not raw.strip() or strip_controls(raw) != raw or any(c.isspace() for c in raw):
        raise ConfigError(
            path,
            f"{where}.{key}",
            "expected a non-empty value without spaces or control characters (not shown)",
        )
    return Secret(value=raw)


def _env_name(path: Path | str, where: str, table: Mapping[str, object], key: str) -> str:
    name = at(f"{where}.{key}", string, path, table[key])
    if not _ENV_NAME.fullmatch(name):
        raise ConfigError(
            path, f"{where}.{key}", f"expected an environment variable name, got {show(name)}"
        )
    return name


def _secret_url(path: Path | str, key: str, url: str) -> None:
    """Refuse an inline URL that is not http(s) with a host, without echoing it."""
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        ok = ok and (parts.port is None or parts.port > 0)
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError(
            path, key, "expected an http or https URL with a host (not shown: it may be secret)"
        )


def _headers(path: Path | str, where: str, value: object) -> dict[str, str]:
    table = at(f"{where}.headers", tomlcheck.table, path, value)
    headers: dict[str, str] = {}
    for name, raw in table.items():
        key = f"{where}.headers.{dotted_key(name)}"
        if not _HEADER_NAME.fullmatch(name):
            raise ConfigError(path, key, f"invalid header name {show(name)}")
        if not isinstance(raw, str) or strip_controls(raw) != raw or "\n" in raw:
            # Header values are often credentials: never echoed.
            raise ConfigError(path, key, "expected a one-line string (value not shown)")
        headers[name] = raw
    return headers


def _email(path: Path | str, where: str, table: Mapping[str, object]) -> dict[str, Any]:
    out: dict[str, Any] = {"host": at(f"{where}.host", string, path, table["host"])}
    tls = at(f"{where}.tls", string, path, table["tls"]) if "tls" in table else "starttls"
    if tls not in TLS_MODES:
        raise ConfigError(
            path, f"{where}.tls", f"expected one of {', '.join(TLS_MODES)}, got {show(tls)}"
        )
    out["tls"] = tls
    port = at(f"{where}.port", integer, path, table["port"]) if "port" in table else None
    if port is not None and not 0 < port < 65536:
        raise ConfigError(path, f"{where}.port", f"expected a port number, got {port}")
    out["port"] = port if port is not None else (465 if tls == "ssl" else 587)
    sender = at(f"{where}.from", string, path, table["from"])
    if not _ADDRESS.search(sender):
        raise ConfigError(path, f"{where}.from", f"expected an email address, got {show(sender)}")
    out["from"] = sender
    to = table["to"]
    recipients = [to] if isinstance(to, str) else to
    if not isinstance(recipients, list) or not recipients:
        raise ConfigError(
            path, f"{where}.to", f"expected an address or a list of them, got {type_name(to)}"
        )
    checked = []
    for index, item in enumerate(recipients):
        address = at(f"{where}.to[{index}]", string, path, item)
        if not _ADDRESS.fullmatch(address):
            raise ConfigError(
                path, f"{where}.to[{index}]", f"expected an email address, got {show(address)}"
            )
        checked.append(address)
    out["to"] = tuple(checked)
    # Credentials come from the environment only: a config file is often shared or committed.
    for key in ("username_env", "password_env"):
        if key in table:
            out[key] = _env_name(path, where, table, key)
    if ("username_env" in out) != ("password_env" in out):
        raise ConfigError(path, where, "give both username_env and password_env, or neither")
    return out


def _command(path: Path | str, where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(
            path,
            f"{where}.command",
            f"expected a non-empty list of strings (program and arguments, no shell), "
            f"got {type_name(value)}",
        )
    args = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or "\x00" in item:
            raise ConfigError(
                path, f"{where}.command[{index}]", f"expected a string, got {type_name(item)}"
            )
        args.append(item)
    if not args[0].strip():
        raise ConfigError(path, f"{where}.command[0]", "expected a program name")
    return tuple(args)


def _strings(
    path: Path | str, where: str, table: Mapping[str, object], key: str
) -> tuple[str, ...]:
    if key not in table:
        return ()
    value = table[key]
    if not isinstance(value, list):
        raise ConfigError(
            path, f"{where}.{key}", f"expected a list of strings, got {type_name(value)}"
        )
    return tuple(at(f"{where}.{key}[{i}]", string, path, item) for i, item in enumerate(value))


def _providers(
    path: Path | str, where: str, table: Mapping[str, object], known: Sequence[str]
) -> tuple[str, ...]:
    ids = _strings(path, where, table, "providers")
    for index, provider_id in enumerate(ids):
        if provider_id not in known:
            raise ConfigError(
                path, f"{where}.providers[{index}]", unknown_provider(provider_id, list(known))
            )
    return ids


def _impact(path: Path | str, where: str, table: Mapping[str, object]) -> Impact | None:
    if "min_impact" not in table:
        return None
    value = at(f"{where}.min_impact", string, path, table["min_impact"])
    names = [impact.value for impact in Impact]
    if value not in names:
        raise ConfigError(path, f"{where}.min_impact", unknown_choice("impact", value, names))
    return Impact(value)


def _events(path: Path | str, where: str, table: Mapping[str, object]) -> tuple[EventKind, ...]:
    if "events" not in table:
        return DEFAULT_EVENTS
    names = [kind.value for kind in EventKind]
    kinds: dict[EventKind, None] = {}
    for index, value in enumerate(_strings(path, where, table, "events")):
        if value not in names:
            problem = unknown_choice("event", value, names)
            raise ConfigError(path, f"{where}.events[{index}]", problem)
        kinds[EventKind(value)] = None
    return tuple(kinds)


def _positive(
    path: Path | str, where: str, table: Mapping[str, object], key: str, default: float
) -> float:
    if key not in table:
        return default
    seconds = at(f"{where}.{key}", number, path, table[key])
    if seconds <= 0:
        raise ConfigError(path, f"{where}.{key}", f"must be greater than 0, got {seconds:g}")
    if seconds > _MAX_TIMEOUT:
        problem = f"must be at most {_MAX_TIMEOUT:g}, got {tomlcheck.number_text(seconds)}"
        raise ConfigError(path, f"{where}.{key}", problem)
    return seconds


def _at_least_zero(
    path: Path | str, where: str, table: Mapping[str, object], key: str, default: float
) -> float:
    if key not in table:
        return default
    seconds = at(f"{where}.{key}", number, path, table[key])
    if seconds < 0:
        raise ConfigError(path, f"{where}.{key}", f"must be at least 0, got {seconds:g}")
    if seconds > _MAX_MIN_INTERVAL:
        problem = f"must be at most {_MAX_MIN_INTERVAL:g}, got {tomlcheck.number_text(seconds)}"
        raise ConfigError(path, f"{where}.{key}", problem)
    return seconds
