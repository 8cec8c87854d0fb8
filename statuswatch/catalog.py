"""The built-in catalog of status pages (providers.toml, shipped in the package), and the
validation of `[providers]` tables, which the catalog and the user's config share.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

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
    suggest,
    table,
    type_name,
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


def parse_providers(
    path: Path | str, value: object, base: Mapping[str, ProviderSpec]
) -> dict[str, ProviderSpec]:
    """Return `base` updated by a `[providers]` table: known ids are overridden, new ids added."""
    merged = dict(base)
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
        given = _provider_fields(path, provider_id, fields)
        if provider_id in merged:
            merged[provider_id] = dataclasses.replace(merged[provider_id], **given)
            continue
        for required in ("kind", "url"):
            if required not in given:
                raise ConfigError(
                    path,
                    dotted_key("providers", provider_id, required),
                    "missing (required for a provider that is not in the catalog)",
                )
        merged[provider_id] = ProviderSpec(**{"id": provider_id, "name": provider_id, **given})
    check_edges(path, merged)
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
            given[name] = string(path, fields[name], *key, name)
    if "kind" in fields:
        kind = string(path, fields["kind"], *key, "kind")
        known = entry_kinds()
        if kind not in known:
            close = suggest(kind, known)
            hint = f"did you mean {close!r}?; " if close else ""
            raise ConfigError(
                path,
                dotted_key(*key, "kind"),
                f"unknown kind {show(kind)} ({hint}known kinds: {', '.join(known)})",
            )
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


def _read_catalog() -> tuple[str, bytes]:
    """Return where the catalog was read from and its bytes."""
    # A wheel carries the catalog inside the package (pyproject force-include); an editable
    # install does not, so fall back to the file at the top of the checkout.
    packaged = files("statuswatch") / CATALOG_NAME
    if packaged.is_file():
        return str(packaged), packaged.read_bytes()
    checkout = Path(__file__).resolve().parents[1] / CATALOG_NAME
    return str(checkout), checkout.read_bytes()


def parse_catalog(source: str | Path, data: bytes) -> dict[str, ProviderSpec]:
    """Parse and validate catalog bytes; ConfigError names `source` (a broken catalog is a bug)."""
    doc = read_toml(source, data)
    check_keys(source, doc, ("providers",))
    if "providers" not in doc:
        raise ConfigError(source, "providers", "missing: the catalog lists no provider")
    return parse_providers(source, doc["providers"], {})


@functools.cache
def _cached() -> dict[str, ProviderSpec]:
    """Read and parse the catalog once per process."""
    return parse_catalog(*_read_catalog())


def load_catalog() -> dict[str, ProviderSpec]:
    """Return the built-in providers by id, in catalog order, as a fresh dict."""
    return dict(_cached())
