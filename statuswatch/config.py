"""The user's config file: validation, the merge with the built-in catalog, provider selection."""

from __future__ import annotations

import dataclasses
import difflib
import errno
import json
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from statuswatch import paths
from statuswatch.adapters import kinds
from statuswatch.atomic import atomic_write
from statuswatch.catalog import load_catalog
from statuswatch.model import ProviderSpec
from statuswatch.notify.settings import NotifySettings
from statuswatch.probes.settings import ProbeSettings
from statuswatch.settings import HttpSettings
from statuswatch.text import strip_controls

DEFAULT_INTERVAL = 60.0
# Status pages change on a scale of minutes and most are cached for about a minute by their CDN:
# polling more often than this only adds load on the providers.
MIN_INTERVAL = 10.0
# A config we create is the user's alone: notify channels may hold secrets (webhook URLs,
# tokens) inline. A file that exists keeps the bits its owner gave it.
PRIVATE = 0o600

TOP_KEYS = ("watch", "interval", "providers", "http", "notify", "probes")
PROVIDER_KEYS = ("name", "kind", "url", "feed", "category", "default", "probes")
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")

# Lower bound of each [http] setting; `retries`, `max_redirects` and `backoff` may be zero.
_HTTP_MINIMUM: dict[str, tuple[float, bool]] = {  # name -> (bound, bound allowed)
    "retries": (0, True),
    "max_redirects": (0, True),
    "backoff": (0, True),
    "retry_after_cap": (0, True),
}
_TOML_TYPES = {
    bool: "boolean",
    int: "integer",
    float: "float",
    str: "string",
    list: "array",
    dict: "table",
}


class ConfigError(Exception):
    """A config (or catalog) problem, told in one line: `path: key: problem`."""

    def __init__(self, path: Path | str, key: str, problem: str) -> None:
        self.path = path
        self.key = key
        self.problem = problem
        super().__init__(self.__str__())

    def __str__(self) -> str:
        # One line whatever the input: values are shown with repr(), so no newline gets through.
        if not self.key:
            return f"{self.path}: {self.problem}"
        return f"{self.path}: {self.key}: {self.problem}"


@dataclass(frozen=True)
class Config:
    """The user's settings, merged with the built-in catalog."""

    path: Path
    exists: bool
    watch: tuple[str, ...]
    interval: float
    providers: dict[str, ProviderSpec]
    http: HttpSettings
    notify: NotifySettings = field(default_factory=NotifySettings)
    probes: ProbeSettings = field(default_factory=ProbeSettings)


def _show(value: object, limit: int = 60) -> str:
    """Return `value` quoted for a message, on one line and cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _key(*parts: str) -> str:
    """Return a dotted key path, quoting the parts TOML could not write bare."""
    # json.dumps escapes newlines and control characters, keeping the message on one line.
    return ".".join(p if _BARE_KEY.fullmatch(p) else json.dumps(p) for p in parts)


def _type_name(value: object) -> str:
    """Return the TOML name of `value`'s type, for 'expected X, got Y'."""
    for kind, name in _TOML_TYPES.items():
        if isinstance(value, kind):
            return name
    return type(value).__name__  # dates and times


def _suggest(word: str, choices: Sequence[str]) -> str | None:
    """Return the closest of `choices` to `word`, if any is close enough."""
    matches = difflib.get_close_matches(word, choices, n=1)
    return matches[0] if matches else None


def unknown_provider(provider_id: str, known: Sequence[str]) -> str:
    """Return the problem text for an unknown provider id, with a suggestion when one is close."""
    close = _suggest(provider_id, known)
    hint = f" (did you mean {close!r}?)" if close else ""
    return f"unknown provider {_show(provider_id)}{hint}"


def check_keys(
    path: Path | str, table: Mapping[str, object], allowed: Sequence[str], *prefix: str
) -> None:
    """Refuse any key of `table` that is not in `allowed`."""
    for name in table:
        if name not in allowed:
            close = _suggest(name, allowed)
            hint = f"did you mean {close!r}?" if close else "expected one of: " + ", ".join(allowed)
            raise ConfigError(path, _key(*prefix, name), f"unknown key {_show(name)} ({hint})")


def _table(path: Path | str, value: object, *key: str) -> Mapping[str, object]:
    """Return `value` if it is a TOML table, else raise."""
    if not isinstance(value, dict):
        raise ConfigError(path, _key(*key), f"expected a table, got {_type_name(value)}")
    return value


def _string(path: Path | str, value: object, *key: str) -> str:
    """Return `value` if it is a non-empty one-line string without control characters."""
    if not isinstance(value, str):
        raise ConfigError(path, _key(*key), f"expected a string, got {_type_name(value)}")
    if not value.strip():
        raise ConfigError(path, _key(*key), "expected a non-empty string")
    if strip_controls(value) != value or "\n" in value or "\t" in value:
        raise ConfigError(
            path, _key(*key), f"expected one line without control characters, got {_show(value)}"
        )
    return value


def _url(path: Path | str, value: object, *key: str) -> str:
    """Return `value` if it is an http(s) URL with a host."""
    url = _string(path, value, *key)
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0  # .port raises on a bad port
    except ValueError:
        port_ok = False
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok or " " in url:
        raise ConfigError(
            path, _key(*key), f"expected an http or https URL with a host, got {_show(url)}"
        )
    return url


def _number(path: Path | str, value: object, *key: str) -> float:
    """Return `value` as a float if it is a finite TOML integer or float (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(path, _key(*key), f"expected a number, got {_type_name(value)}")
    if not math.isfinite(value):
        raise ConfigError(path, _key(*key), f"expected a finite number, got {value}")
    return float(value)


def _integer(path: Path | str, value: object, *key: str) -> int:
    """Return `value` if it is a TOML integer (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(path, _key(*key), f"expected an integer, got {_type_name(value)}")
    return value


def parse_providers(
    path: Path | str, table: object, base: Mapping[str, ProviderSpec]
) -> dict[str, ProviderSpec]:
    """Return `base` updated by a `[providers]` table: known ids are overridden, new ids added."""
    merged = dict(base)
    for provider_id, entry in _table(path, table, "providers").items():
        if not _ID.fullmatch(provider_id):
            raise ConfigError(
                path,
                _key("providers", provider_id),
                f"invalid provider id {_show(provider_id)} (expected lowercase "
                "letters, digits, '.', '_' or '-', starting with a letter or digit)",
            )
        fields = _table(path, entry, "providers", provider_id)
        check_keys(path, fields, PROVIDER_KEYS, "providers", provider_id)
        given = _provider_fields(path, provider_id, fields)
        if provider_id in merged:
            merged[provider_id] = dataclasses.replace(merged[provider_id], **given)
            continue
        for required in ("kind", "url"):
            if required not in given:
                raise ConfigError(
                    path,
                    _key("providers", provider_id, required),
                    "missing (required for a provider that is not in the catalog)",
                )
        merged[provider_id] = ProviderSpec(**{"id": provider_id, "name": provider_id, **given})
    return merged


def _provider_fields(
    path: Path | str, provider_id: str, fields: Mapping[str, object]
) -> dict[str, Any]:
    """Check the keys of one provider table and return them typed."""
    key = ("providers", provider_id)
    # Values are checked one by one below; Any lets them be passed on as keyword arguments.
    given: dict[str, Any] = {}
    for name in ("name", "category"):
        if name in fields:
            given[name] = _string(path, fields[name], *key, name)
    if "kind" in fields:
        kind = _string(path, fields["kind"], *key, "kind")
        known = kinds()
        if kind not in known:
            close = _suggest(kind, known)
            hint = f"did you mean {close!r}?; " if close else ""
            raise ConfigError(
                path,
                _key(*key, "kind"),
                f"unknown kind {_show(kind)} ({hint}known kinds: {', '.join(known)})",
            )
        given["kind"] = kind
    if "url" in fields:
        given["url"] = _url(path, fields["url"], *key, "url")
    if "feed" in fields:
        # feed = "" removes a catalog feed: TOML has no null to say so.
        feed = fields["feed"]
        given["feed"] = None if feed == "" else _url(path, feed, *key, "feed")
    if "default" in fields:
        default = fields["default"]
        if not isinstance(default, bool):
            raise ConfigError(
                path, _key(*key, "default"), f"expected a boolean, got {_type_name(default)}"
            )
        given["default"] = default
    if "probes" in fields:
        # Imported here: the parser uses this module's validators (a cycle at import time).
        from statuswatch.probes.configparse import parse_probes

        # Replaces the catalog's probes; `probes = []` turns them off for this provider.
        given["probes"] = parse_probes(path, fields["probes"], *key, "probes")
    return given


def _parse_watch(
    path: Path, value: object, providers: Mapping[str, ProviderSpec]
) -> tuple[str, ...]:
    """Return the watch list: known provider ids, in order, without duplicates."""
    if not isinstance(value, list):
        raise ConfigError(path, "watch", f"expected a list of strings, got {_type_name(value)}")
    known = list(providers)
    watch: dict[str, None] = {}
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise ConfigError(path, f"watch[{index}]", f"expected a string, got {_type_name(item)}")
        if item not in providers:
            raise ConfigError(path, f"watch[{index}]", unknown_provider(item, known))
        watch[item] = None
    return tuple(watch)


def _parse_interval(path: Path, value: object) -> float:
    """Return the poll interval in seconds (at least MIN_INTERVAL)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(
            path, "interval", f"expected a number of seconds, got {_type_name(value)}"
        )
    seconds = _number(path, value, "interval")
    if seconds < MIN_INTERVAL:
        raise ConfigError(
            path, "interval", f"must be at least {MIN_INTERVAL:g} seconds, got {seconds:g}"
        )
    return seconds


def _parse_http(path: Path, value: object) -> HttpSettings:
    """Return HttpSettings from the `[http]` table, types and bounds checked."""
    table = _table(path, value, "http")
    defaults = HttpSettings()
    names = [f.name for f in dataclasses.fields(HttpSettings)]
    check_keys(path, table, names, "http")
    given: dict[str, Any] = {}
    for name, raw in table.items():
        number: int | float
        # The type of each default says whether the field takes an integer or any number.
        if isinstance(getattr(defaults, name), int):
            number = _integer(path, raw, "http", name)
        else:
            number = _number(path, raw, "http", name)
        bound, inclusive = _HTTP_MINIMUM.get(name, (0, False))
        if number < bound or (number == bound and not inclusive):
            relation = "at least" if inclusive else "greater than"
            raise ConfigError(
                path, _key("http", name), f"must be {relation} {bound:g}, got {number:g}"
            )
        given[name] = number
    return dataclasses.replace(defaults, **given)


def read_toml(path: Path | str, data: bytes) -> dict[str, object]:
    """Parse TOML bytes; syntax errors become a ConfigError with the line and column."""
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "", f"not UTF-8 text (byte {exc.start})") from None
    except RecursionError:
        # tomllib recurses per nesting level: a file of "[[[[..." (a corrupt or hostile one)
        # must be a config error like any other, not a traceback.
        raise ConfigError(path, "", "invalid TOML: arrays or tables nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError has no lineno: the position is only in the message.
        message = str(exc)
        where = re.search(r"\s*\(at (line \d+, column \d+|end of document)\)$", message)
        if where:
            problem = message[: where.start()]
            key = where.group(1)
        else:
            problem, key = message, ""
        raise ConfigError(path, key, f"invalid TOML: {' '.join(problem.split())}") from None


def load_config(path: Path | None = None) -> Config:
    """Read the config file (default: paths.config_file()); a missing file gives the defaults."""
    path = paths.config_file() if path is None else path
    catalog = load_catalog()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
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
    notify = NotifySettings()
    if "notify" in doc:
        # Imported here: the parser uses this module's validators (a cycle at import time).
        from statuswatch.notify.configparse import parse_notify

        notify = parse_notify(path, doc["notify"], list(providers))
    probes = ProbeSettings()
    if "probes" in doc:
        from statuswatch.probes.configparse import parse_probe_settings

        probes = parse_probe_settings(path, doc["probes"])
    return Config(
        path=path,
        exists=data is not None,
        watch=watch,
        interval=_parse_interval(path, doc["interval"]) if "interval" in doc else DEFAULT_INTERVAL,
        providers=providers,
        http=_parse_http(path, doc["http"]) if "http" in doc else HttpSettings(),
        notify=notify,
        probes=probes,
    )


def select(config: Config, ids: Sequence[str] = (), all_: bool = False) -> list[ProviderSpec]:
    """Return the providers to poll: `ids` if given, else all when `all_`, else the watch list."""
    if ids:
        known = list(config.providers)
        for provider_id in ids:
            if provider_id not in config.providers:
                problem = unknown_provider(provider_id, known)
                raise ConfigError("command line", "--provider", problem)
        chosen: Sequence[str] = ids
    elif all_:
        chosen = list(config.providers)  # catalog order, then the user's additions
    else:
        chosen = config.watch
    return [config.providers[provider_id] for provider_id in dict.fromkeys(chosen)]


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
