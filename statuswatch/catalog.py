"""The built-in catalog of status pages (providers.toml, shipped in the package), and the
validation of `[providers]` tables, which the catalog and the user's config share.

Every command starts by reading the catalog, and all 1,307 entries cost ~50 ms to parse and
check, more than a poll of 200 pages costs in CPU past its start-up: `catalog()` finds where
each entry's table starts in the file (a fraction of a millisecond) and reads an entry only
when it is asked for. The shipped file's every entry is checked by the tests (`load_catalog`).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import ItemsView, Iterator, Mapping, ValuesView
from pathlib import Path
from typing import Any

import tomli

from statuswatch.adapters import entry_kinds
from statuswatch.model import ProviderSpec
from statuswatch.probes.configparse import parse_probes
from statuswatch.scopeconfig import check_edges, parse_components, parse_runs_on
from statuswatch.tomlcheck import (
    ConfigError,
    check_keys,
    dotted_key,
    read_toml,
    show,
    string,
    table,
    type_name,
    unknown_choice,
    url,
)

CATALOG_NAME = "providers.toml"
PROVIDER_KEYS = (
    "name",
    "kind",
    "url",
    "feed",
    "category",
    "default",
    "components",
    "runs_on",
    "probes",
)
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
# The shape of the shipped file: `[providers.<id>]` tables, one after another. A file of any
# other shape (another header, a multi-line string) is read whole, as before.
_HEADER = re.compile(r"providers\.([a-z0-9][a-z0-9._-]*)\]\n")
_INDENTED_HEADER = re.compile(r"\n[ \t]+\[")
# Past this many entries read one by one, the rest are read in one pass of the whole file.
_ONE_BY_ONE = 64


def parse_providers(path: Path | str, value: object, base: Mapping[str, ProviderSpec]) -> Providers:
    """Return `base` updated by a `[providers]` table: known ids are overridden, new ids added.

    The entries of `base` are read only where the table overrides them; the `runs_on` edges
    checked are the table's own (each of `base`'s was checked when it was read).
    """
    changed: dict[str, ProviderSpec] = {}
    for provider_id, entry in table(path, value, "providers").items():
        if not _ID.fullmatch(provider_id):
            raise ConfigError(
                path,
                dotted_key("providers", provider_id),
                f"invalid provider id {show(provider_id)} (expected lowercase "
                "letters, digits, '.', '_' or '-', starting with a letter or digit)",
            )
        fields = table(path, entry, "providers", provider_id)
        check_keys(path, fields, PROVIDER_KEYS, "providers", provider_id)
        if provider_id in changed or provider_id in base:
            known = changed.get(provider_id) or base[provider_id]
            given = _provider_fields(path, provider_id, fields)
            changed[provider_id] = dataclasses.replace(known, **given)
            continue
        changed[provider_id] = _new_entry(path, provider_id, fields)
    merged = Providers(base, changed)
    check_edges(path, merged, changed.values())
    return merged


def _new_entry(path: Path | str, provider_id: str, fields: Mapping[str, object]) -> ProviderSpec:
    """The spec of a provider that is not in the catalog (its `kind` and `url` required)."""
    given = _provider_fields(path, provider_id, fields)
    for required in ("kind", "url"):
        if required not in given:
            raise ConfigError(
                path,
                dotted_key("providers", provider_id, required),
                "missing (required for a provider that is not in the catalog)",
            )
    return ProviderSpec(**{"id": provider_id, "name": provider_id, **given})


def _provider_fields(
    path: Path | str, provider_id: str, fields: Mapping[str, object]
) -> dict[str, Any]:
    """Check the keys of one provider table and return them typed."""
    key = ("providers", provider_id)
    # Values are checked one by one below; Any lets them be passed on as keyword arguments.
    given: dict[str, Any] = {}
    for name in ("name", "category"):
        if name in fields:
            given[name] = string(path, fields[name], *key, name)
    if "kind" in fields:
        kind = string(path, fields["kind"], *key, "kind")
        known = entry_kinds()
        if kind not in known:
            problem = unknown_choice("kind", kind, known, "known kinds")
            raise ConfigError(path, dotted_key(*key, "kind"), problem)
        given["kind"] = kind
    if "url" in fields:
        given["url"] = url(path, fields["url"], *key, "url")
    if "feed" in fields:
        # feed = "" removes a catalog feed: TOML has no null to say so.
        feed = fields["feed"]
        given["feed"] = None if feed == "" else url(path, feed, *key, "feed")
    if "default" in fields:
        default = fields["default"]
        if not isinstance(default, bool):
            raise ConfigError(
                path, dotted_key(*key, "default"), f"expected a boolean, got {type_name(default)}"
            )
        given["default"] = default
    if "probes" in fields:
        # Replaces the catalog's probes; `probes = []` turns them off for this provider.
        given["probes"] = parse_probes(path, fields["probes"], *key, "probes")
    # Scoping and the blast radius (issue 13): the scope watched and what the provider runs on.
    if "components" in fields:
        given["scope"] = parse_components(path, fields["components"], *key, "components")
    if "runs_on" in fields:
        given["runs_on"] = parse_runs_on(path, fields["runs_on"], *key, "runs_on")
    return given


def parse_catalog(source: str | Path, data: bytes) -> dict[str, ProviderSpec]:
    """Parse and validate catalog bytes; ConfigError names `source` (a broken catalog is a bug)."""
    doc = read_toml(source, data)
    check_keys(source, doc, ("providers",))
    if "providers" not in doc:
        raise ConfigError(source, "providers", "missing: the catalog lists no provider")
    return dict(parse_providers(source, doc["providers"], {}))


class Catalog(Mapping[str, ProviderSpec]):
    """The built-in providers by id, in catalog order; each entry read and checked on first use.

    Iterating over ids or asking whether one exists reads no entry. An entry is read from its
    own table's text, with the checks `parse_catalog` makes; reading the values (or more than
    `_ONE_BY_ONE` entries) reads the whole file at once, as `parse_catalog`.
    """

    def __init__(self, source: str | Path, data: bytes) -> None:
        self.source = source
        self._data = data
        self._specs: dict[str, ProviderSpec] = {}
        self._whole = False
        self._tables = _tables(data)
        if self._tables is None:
            self._read_whole()

    def __getitem__(self, provider_id: str) -> ProviderSpec:
        spec = self._specs.get(provider_id)
        if spec is not None:
            return spec
        if self._tables is None or self._whole:
            raise KeyError(provider_id)
        text = self._tables[provider_id]  # KeyError: not in the catalog
        if len(self._specs) >= _ONE_BY_ONE:
            self._read_whole()
            return self._specs[provider_id]
        spec = self._specs[provider_id] = self._read_entry(provider_id, text)
        return spec

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables if self._tables is not None else self._specs)

    def __len__(self) -> int:
        return len(self._tables if self._tables is not None else self._specs)

    def __contains__(self, provider_id: object) -> bool:
        return provider_id in (self._tables if self._tables is not None else self._specs)

    def values(self) -> ValuesView[ProviderSpec]:
        """Every entry, read in one pass."""
        self._read_whole()
        return self._specs.values()

    def items(self) -> ItemsView[str, ProviderSpec]:
        """Every id and entry, read in one pass."""
        self._read_whole()
        return self._specs.items()

    def may_be_default(self, provider_id: str) -> bool:
        """False only when the entry cannot be in the default watch set (it never says so)."""
        return self._tables is None or "default" in self._tables[provider_id]

    def _read_whole(self) -> None:
        if not self._whole:
            self._specs = parse_catalog(self.source, self._data)
            self._whole = True

    def _read_entry(self, provider_id: str, text: str) -> ProviderSpec:
        """One entry from its table's text; a syntax error is told as the whole file's."""
        try:
            doc = tomli.loads("[" + text)
        except tomli.TOMLDecodeError:
            self._read_whole()  # raises, naming the line in the file
            return self._specs[provider_id]
        fields = table(self.source, doc["providers"][provider_id], "providers", provider_id)
        check_keys(self.source, fields, PROVIDER_KEYS, "providers", provider_id)
        spec = _new_entry(self.source, provider_id, fields)
        check_edges(self.source, self, [spec])
        return spec


def _tables(data: bytes) -> dict[str, str] | None:
    """Each entry's table as text, by id, if the file has the shape shipped; else None."""
    try:
        text = "\n" + data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if '"""' in text or "'''" in text or _INDENTED_HEADER.search(text):
        return None  # a multi-line string may hold a line that looks like a table header
    preamble, *parts = text.split("\n[")
    try:
        if not parts or tomli.loads(preamble):
            return None  # keys before the first table: not the shipped shape
    except tomli.TOMLDecodeError:
        return None
    tables: dict[str, str] = {}
    for part in parts:
        head = _HEADER.match(part)
        if head is None or head.group(1) in tables:
            return None  # another kind of table, or one defined twice: read the whole file
        tables[head.group(1)] = part
    return tables


class Providers(Mapping[str, ProviderSpec]):
    """A base set of providers (the catalog) with a config's `[providers]` tables applied: the
    base's ids in order, some entries replaced, then the added ones in the order given."""

    def __init__(self, base: Mapping[str, ProviderSpec], changed: dict[str, ProviderSpec]) -> None:
        self._base = base
        self._changed = changed
        self._added = [provider_id for provider_id in changed if provider_id not in base]

    def __getitem__(self, provider_id: str) -> ProviderSpec:
        spec = self._changed.get(provider_id)
        return spec if spec is not None else self._base[provider_id]

    def __iter__(self) -> Iterator[str]:
        yield from self._base
        yield from self._added

    def __len__(self) -> int:
        return len(self._base) + len(self._added)

    def __contains__(self, provider_id: object) -> bool:
        return provider_id in self._changed or provider_id in self._base

    def may_be_default(self, provider_id: str) -> bool:
        """False only when the entry cannot be in the default watch set."""
        if provider_id in self._changed:
            return True
        return may_be_default(self._base, provider_id)


def may_be_default(providers: Mapping[str, ProviderSpec], provider_id: str) -> bool:
    """False only when `provider_id` cannot be a default of `providers` (without reading it)."""
    if isinstance(providers, Catalog | Providers):
        return providers.may_be_default(provider_id)
    return True


def default_watch(
    providers: Mapping[str, ProviderSpec], catalog: Mapping[str, ProviderSpec]
) -> tuple[str, ...]:
    """The watch list of a config without one: the default set, then every provider the user
    added (they added it to see it), in file order after the catalog's."""
    return tuple(
        provider_id
        for provider_id in providers
        if provider_id not in catalog
        or (may_be_default(providers, provider_id) and providers[provider_id].default)
    )


def read_catalog(*places: Path) -> tuple[str, bytes]:
    """Return where the catalog was read from and its bytes: from the first of `places` that
    has it (by default the package's directory, then the checkout's top)."""
    # A wheel carries the catalog inside the package (pyproject force-include); an editable
    # install does not, so fall back to the file at the top of the checkout.
    package = Path(__file__).resolve().parent
    for place in places or (package, package.parent):
        candidate = place / CATALOG_NAME
        if candidate.is_file():
            return str(candidate), candidate.read_bytes()
    # A package that is not files on disk (a zip archive): only importlib.resources reads it.
    # Imported here: with what it brings (zipfile, tempfile) it costs ~2 ms of every start.
    from importlib.resources import files

    packaged = files("statuswatch") / CATALOG_NAME
    return str(packaged), packaged.read_bytes()


@functools.cache
def catalog() -> Catalog:
    """The built-in providers, each read on first use (one Catalog per process)."""
    return Catalog(*read_catalog())


def load_catalog() -> dict[str, ProviderSpec]:
    """Return the built-in providers by id, in catalog order, as a fresh dict (all read)."""
    return dict(catalog().items())
