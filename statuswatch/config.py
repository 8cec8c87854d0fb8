"""The user's config file: the base settings, the merge with the built-in catalog, selection.

The tables a front end owns (`[notify]`) are kept here as they were written, checked only to be
tables; their owner validates them (`statuswatch.notify.configparse.notify_settings`), so the
base config depends on no front end.
"""

from __future__ import annotations

import dataclasses
import errno
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from statuswatch import paths
from statuswatch.adapters import entry_kinds
from statuswatch.atomic import atomic_write
from statuswatch.catalog import catalog as builtin_catalog
from statuswatch.catalog import default_watch, parse_providers
from statuswatch.model import ProviderSpec, Target
from statuswatch.probes.configparse import parse_probe_settings
from statuswatch.probes.settings import ProbeSettings
from statuswatch.scopeconfig import parse_stacks, parse_targets
from statuswatch.settings import MAX_INTERVAL, MIN_INTERVAL, HttpSettings
from statuswatch.stacks import Stack
from statuswatch.tomlcheck import (
    ConfigError,
    check_keys,
    match_id,
    number,
    number_text,
    numbers_of,
    read_toml,
    suggest,
    table,
    type_name,
)

__all__ = [
    "DEFAULT_INTERVAL",
    "HTTP_MAXIMUM",
    "MAX_INTERVAL",
    "MIN_INTERVAL",
    "PRIVATE",
    "SECTIONS",
    "TOP_KEYS",
    "Config",
    "ConfigError",
    "load_config",
    "plan",
    "select",
    "stack_plan",
    "starter_config",
    "starter_text",
    "write_starter",
]

DEFAULT_INTERVAL = 60.0
# A config we create is the user's alone: notify channels may hold secrets (webhook URLs,
# tokens) inline. A file that exists keeps the bits its owner gave it.
PRIVATE = 0o600

# Tables owned by a front end: kept as written, validated by their owner (see the docstring).
SECTIONS = ("notify", "history")
TOP_KEYS = ("watch", "interval", "providers", "http", "stacks", *SECTIONS, "probes")

# Lower bound of each [http] setting; `retries`, `max_redirects` and `backoff` may be zero.
HTTP_MINIMUM: dict[str, tuple[float, bool]] = {  # name -> (bound, bound allowed)
    "retries": (0, True),
    "max_redirects": (0, True),
    "backoff": (0, True),
    "retry_after_cap": (0, True),
}
# Upper bound of each: with them one provider's fetch ends within attempts x deadline plus
# retries x retry_after_cap (no wait between attempts is longer), whatever the file says.
HTTP_MAXIMUM: dict[str, float] = {
    "connect_timeout": 300,
    "read_timeout": 300,
    "deadline": 600,
    "retries": 10,
    "backoff": 60,
    "retry_after_cap": 600,
    "max_body": 1024 * 1024 * 1024,
    "max_redirects": 30,
    "max_connections": 4096,
    "max_per_host": 4096,
}


@dataclass(frozen=True)
class Config:
    """The user's settings, merged with the built-in catalog."""

    path: Path
    exists: bool
    watch: tuple[str, ...]
    interval: float
    # The catalog's entries are read on first use (statuswatch.catalog.Catalog).
    providers: Mapping[str, ProviderSpec]
    http: HttpSettings
    # The front ends' own tables (SECTIONS) as written, by name; absent ones are left out.
    sections: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    probes: ProbeSettings = field(default_factory=ProbeSettings)  # [probes]: statuswatch.probes
    # Scoping (issue 13): the scope a watch entry gives (`aws:us-east-1`), by provider id, and
    # the user's stacks.
    scopes: Mapping[str, tuple[str, ...] | None] = field(default_factory=dict)
    stacks: tuple[Stack, ...] = ()


def _parse_watch(
    path: Path, value: object, providers: Mapping[str, ProviderSpec]
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...] | None]]:
    """Return the watch list (known ids, in order, once each) and the scopes entries give."""
    if not isinstance(value, list):
        raise ConfigError(path, "watch", f"expected a list of strings, got {type_name(value)}")
    targets = parse_targets(path, value, providers, "watch")
    return _one_scope_each(path, "watch", targets)


def _one_scope_each(
    path: Path | str, key: str, targets: Sequence[Target], *, indexed: bool = True
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...] | None]]:
    """Ids in order and their scopes; a provider given twice with two scopes is refused."""
    scopes: dict[str, tuple[str, ...] | None] = {}
    for index, target in enumerate(targets):
        if target.provider in scopes and scopes[target.provider] != target.scope:
            first = Target(target.provider, scopes[target.provider])
            raise ConfigError(
                path,
                f"{key}[{index}]" if indexed else key,
                f"{target.provider!r} is already there as {str(first)!r}: one scope per "
                "provider (list its components together: id:a,b)",
            )
        scopes[target.provider] = target.scope
    return tuple(scopes), scopes


def _parse_interval(path: Path, value: object) -> float:
    """Return the poll interval in seconds (at least MIN_INTERVAL)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(path, "interval", f"expected a number of seconds, got {type_name(value)}")
    seconds = number(path, value, "interval")
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise ConfigError(
            path,
            "interval",
            f"must be from {MIN_INTERVAL:g} to {MAX_INTERVAL:g} seconds, "
            f"got {number_text(seconds)}",
        )
    return seconds


def _parse_http(path: Path, value: object) -> HttpSettings:
    """Return HttpSettings from the `[http]` table, types and bounds checked."""
    given = table(path, value, "http")
    return numbers_of(path, given, HttpSettings(), HTTP_MINIMUM, HTTP_MAXIMUM, "http")


def load_config(path: Path | None = None, *, must_exist: bool | None = None) -> Config:
    """Read the config file (default: paths.config_file()); a missing file gives the defaults.

    Unless `must_exist`, which defaults to whether the file was named (--config or
    $STATUSWATCH_CONFIG) when no `path` is given: a file named by hand that is not there is a
    typo to report, not an empty config to run on.
    """
    if path is None:
        path = paths.config_file()
        must_exist = paths.config_named() if must_exist is None else must_exist
    catalog = builtin_catalog()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if must_exist:
            raise ConfigError(
                path,
                "",
                f"no such file (named by --config or {paths.CONFIG_ENV}; "
                "`statuswatch config init` writes a starter one there)",
            ) from None
        data = None
    except OSError as exc:
        raise ConfigError(path, "", f"cannot read: {exc.strerror or exc}") from None
    doc: Mapping[str, object] = {} if data is None else read_toml(path, data)
    check_keys(path, doc, TOP_KEYS)
    providers: Mapping[str, ProviderSpec] = (
        parse_providers(path, doc["providers"], catalog) if "providers" in doc else catalog
    )
    scopes: dict[str, tuple[str, ...] | None] = {}
    if "watch" in doc:
        watch, scopes = _parse_watch(path, doc["watch"], providers)
    else:
        watch = default_watch(providers, catalog)
    sections = {name: table(path, doc[name], name) for name in SECTIONS if name in doc}
    return Config(
        path=path,
        exists=data is not None,
        watch=watch,
        interval=_parse_interval(path, doc["interval"]) if "interval" in doc else DEFAULT_INTERVAL,
        providers=providers,
        http=_parse_http(path, doc["http"]) if "http" in doc else HttpSettings(),
        sections=sections,
        probes=parse_probe_settings(path, doc["probes"]) if "probes" in doc else ProbeSettings(),
        scopes=scopes,
        stacks=parse_stacks(path, doc["stacks"], providers) if "stacks" in doc else (),
    )


def select(config: Config, ids: Sequence[str] = (), all_: bool = False) -> list[ProviderSpec]:
    """Return the providers to poll: `ids` if given, else all when `all_`, else the watch list.

    An id may carry a scope (`aws:us-east-1`); without one, a watch entry's scope applies, else
    the provider table's `components`. Each spec comes back with its scope set. ConfigError
    when that is nothing: an empty watch list (and no -p or --all).
    """
    if ids:
        # `-p CLOUDFLARE` names cloudflare: ids on a command line match whatever their case.
        ids = [_command_line_id(value, list(config.providers)) for value in ids]
        targets = parse_targets(
            "command line", list(ids), config.providers, "--provider", indexed=False
        )
        chosen, scopes = _one_scope_each("command line", "--provider", targets, indexed=False)
        return [dataclasses.replace(config.providers[i], scope=scopes[i]) for i in chosen]
    # --all: catalog order, then the user's additions.
    chosen = tuple(config.providers) if all_ else config.watch
    if not chosen:
        # Polling nothing would print "all operational" about nothing at all.
        raise ConfigError(
            config.path,
            "watch",
            "the list is empty: nothing to poll (add provider ids from `statuswatch "
            "providers`, or use -p ID or --all)",
        )
    return [_scoped(config, provider_id) for provider_id in dict.fromkeys(chosen)]


def _scoped(config: Config, provider_id: str) -> ProviderSpec:
    """The provider's spec with the watch entry's scope, if it gave one."""
    spec = config.providers[provider_id]
    if provider_id in config.scopes:
        return dataclasses.replace(spec, scope=config.scopes[provider_id])
    return spec


def plan(
    config: Config, ids: Sequence[str] = (), all_: bool = False
) -> tuple[list[ProviderSpec], tuple[Stack, ...]]:
    """The providers to poll and the stacks to rate: the stacks come with the watch list (or
    `--all`), never with chosen ids; a provider a stack uses but nobody watches is polled too,
    after the others, in the scope of the first part that uses it."""
    specs = select(config, ids, all_)
    if ids or not config.stacks:
        return specs, ()
    polled = {spec.id for spec in specs}
    for stack in config.stacks:
        for target in stack.uses:
            if target.provider not in polled:
                polled.add(target.provider)
                specs.append(
                    dataclasses.replace(config.providers[target.provider], scope=target.scope)
                )
    return specs, config.stacks


def stack_plan(config: Config, stack_id: str) -> tuple[list[ProviderSpec], Stack]:
    """The providers one stack uses (each with its table's scope) and the stack itself."""
    stacks = {stack.id: stack for stack in config.stacks}
    if stack_id not in stacks:
        known = ", ".join(stacks) or "none: add [stacks.ID] tables to the config"
        close = suggest(stack_id, list(stacks))
        hint = f"did you mean {close!r}? " if close else ""
        raise ConfigError(
            "command line", "--stack", f"unknown stack {stack_id!r} ({hint}known: {known})"
        )
    stack = stacks[stack_id]
    ids = dict.fromkeys(target.provider for target in stack.uses)
    return [config.providers[provider_id] for provider_id in ids], stack


def _command_line_id(value: str, known: Sequence[str]) -> str:
    """`value` (`ID` or `ID:SCOPE`) with the id as the catalog spells it, case aside; as given
    when no id matches (parse_targets then says so, with a suggestion)."""
    provider_id, sep, scope = value.partition(":")
    found = match_id(provider_id, known)
    return value if found is None else found + sep + scope


def starter_config() -> dict[str, object]:
    """Return the settings `config init` writes: the default watch list and interval."""
    catalog = builtin_catalog()
    watch = list(default_watch(catalog, catalog))
    return {"watch": watch, "interval": int(DEFAULT_INTERVAL)}


def starter_text() -> str:
    """Return the starter config file: a comment header, the settings, commented examples."""
    import tomli_w  # only `config init` writes TOML: keep it off every other path

    # tomli-w writes no comments, so the header and the examples are plain text around its output.
    header = f"""\
# statuswatch config (TOML). Every key is optional: delete one to get its default.
# watch: ids of the providers to poll (`statuswatch providers` lists them).
# interval: seconds between two polls when watching (at least {MIN_INTERVAL:g}).

"""
    example = f"""
# Add a provider of your own, or override a catalog entry (only the keys given change):
# [providers.example]
# name = "Example"
# kind = "statuspage"  # one of: {", ".join(entry_kinds())}
# url = "https://status.example.com"
# category = "other"

# Watch only the components you use (`statuswatch components ID` lists them; a watch entry
# may name them too, as "aws:us-east-1"), and rate a stack of providers as one. A provider
# of your own may also say what it runs on, as in: runs_on = ["aws:us-east-1", "cloudflare"]
# [providers.cloudflare]
# components = ["CDN/Cache"]
# [stacks.checkout]
# name = "Checkout"
# uses = ["stripe", "aws:us-east-1", "cloudflare"]

# HTTP limits, shown with their defaults (timeouts in seconds, max_body in bytes):
"""
    http = tomli_w.dumps({"http": dataclasses.asdict(HttpSettings())}).strip().splitlines()
    commented = "".join(f"# {line}\n" for line in http)
    probes = """
# Probes of the providers' own endpoints, for early warnings (defaults shown; `enabled =
# false` or --no-probes sends none; `probes = []` in a provider table turns off its own):
# [probes]
# enabled = true
# timeout = 5.0
# consecutive = 2
"""
    return header + tomli_w.dumps(starter_config()) + example + commented + probes


def write_starter(path: Path) -> None:
    """Write the starter config to `path`, creating its directory; FileExistsError if it exists."""
    if path.exists():
        raise FileExistsError(errno.EEXIST, "config file already exists", str(path))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(path, starter_text().encode("utf-8"), mode=PRIVATE)
