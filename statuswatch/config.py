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
from statuswatch.adapters import kinds
from statuswatch.atomic import atomic_write
from statuswatch.catalog import load_catalog, parse_providers
from statuswatch.model import ProviderSpec
from statuswatch.settings import MAX_INTERVAL, MIN_INTERVAL, HttpSettings
from statuswatch.tomlcheck import (
    ConfigError,
    check_keys,
    match_id,
    number,
    number_text,
    numbers_of,
    read_toml,
    table,
    type_name,
    unknown_provider,
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
    "select",
    "starter_config",
    "starter_text",
    "write_starter",
]

DEFAULT_INTERVAL = 60.0
# A config we create is the user's alone: notify channels may hold secrets (webhook URLs,
# tokens) inline. A file that exists keeps the bits its owner gave it.
PRIVATE = 0o600

# Tables owned by a front end: kept as written, validated by their owner (see the docstring).
SECTIONS = ("notify",)
TOP_KEYS = ("watch", "interval", "providers", "http", *SECTIONS)

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
    providers: dict[str, ProviderSpec]
    http: HttpSettings
    # The front ends' own tables (SECTIONS) as written, by name; absent ones are left out.
    sections: Mapping[str, Mapping[str, object]] = field(default_factory=dict)


def _parse_watch(
    path: Path, value: object, providers: Mapping[str, ProviderSpec]
) -> tuple[str, ...]:
    """Return the watch list: known provider ids, in order, without duplicates."""
    if not isinstance(value, list):
        raise ConfigError(path, "watch", f"expected a list of strings, got {type_name(value)}")
    known = list(providers)
    watch: dict[str, None] = {}
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise ConfigError(path, f"watch[{index}]", f"expected a string, got {type_name(item)}")
        if item not in providers:
            raise ConfigError(path, f"watch[{index}]", unknown_provider(item, known))
        watch[item] = None
    return tuple(watch)


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
    catalog = load_catalog()
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
    providers = parse_providers(path, doc["providers"], catalog) if "providers" in doc else catalog
    if "watch" in doc:
        watch = _parse_watch(path, doc["watch"], providers)
    else:
        # No watch list: the default set, plus every provider the user added (they added it
        # to see it), in file order after the catalog's.
        watch = tuple(
            spec.id for spec in providers.values() if spec.default or spec.id not in catalog
        )
    sections = {name: table(path, doc[name], name) for name in SECTIONS if name in doc}
    return Config(
        path=path,
        exists=data is not None,
        watch=watch,
        interval=_parse_interval(path, doc["interval"]) if "interval" in doc else DEFAULT_INTERVAL,
        providers=providers,
        http=_parse_http(path, doc["http"]) if "http" in doc else HttpSettings(),
        sections=sections,
    )


def select(config: Config, ids: Sequence[str] = (), all_: bool = False) -> list[ProviderSpec]:
    """Return the providers to poll: `ids` if given, else all when `all_`, else the watch list.

    ConfigError when that is nothing: an empty watch list (and no -p or --all).
    """
    if ids:
        known = list(config.providers)
        chosen: Sequence[str] = [_command_line_id(provider_id, known) for provider_id in ids]
    elif all_:
        chosen = list(config.providers)  # catalog order, then the user's additions
    else:
        chosen = config.watch
        if not chosen:
            # Polling nothing would print "all operational" about nothing at all.
            raise ConfigError(
                config.path,
                "watch",
                "the list is empty: nothing to poll (add provider ids from `statuswatch "
                "providers`, or use -p ID or --all)",
            )
    return [config.providers[provider_id] for provider_id in dict.fromkeys(chosen)]


def _command_line_id(provider_id: str, known: Sequence[str]) -> str:
    """The provider `-p` names (case aside); ConfigError with a suggestion when none."""
    found = match_id(provider_id, known)
    if found is None:
        raise ConfigError("command line", "--provider", unknown_provider(provider_id, known))
    return found


def starter_config() -> dict[str, object]:
    """Return the settings `config init` writes: the default watch list and interval."""
    watch = [spec.id for spec in load_catalog().values() if spec.default]
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
# kind = "statuspage"  # one of: {", ".join(kinds())}
# url = "https://status.example.com"
# category = "other"

# HTTP limits, shown with their defaults (timeouts in seconds, max_body in bytes):
"""
    http = tomli_w.dumps({"http": dataclasses.asdict(HttpSettings())}).strip().splitlines()
    commented = "".join(f"# {line}\n" for line in http)
    return header + tomli_w.dumps(starter_config()) + example + commented


def write_starter(path: Path) -> None:
    """Write the starter config to `path`, creating its directory; FileExistsError if it exists."""
    if path.exists():
        raise FileExistsError(errno.EEXIST, "config file already exists", str(path))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(path, starter_text().encode("utf-8"), mode=PRIVATE)
