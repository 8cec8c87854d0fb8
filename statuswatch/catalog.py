"""The built-in catalog of status pages, shipped in the package as providers.toml."""

from __future__ import annotations

import functools
from importlib.resources import files
from pathlib import Path

from statuswatch.model import ProviderSpec

CATALOG_NAME = "providers.toml"


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
    # Imported here because config imports this module to merge the catalog into the user's config.
    from statuswatch.config import ConfigError, check_keys, parse_providers, read_toml

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
