"""Adapter registry: lists the platform kinds and imports an adapter only when it is used.

Every adapter module provides:

* ``source_url(url: str) -> str``: the document to fetch for a provider whose page is ``url``
  (a base URL such as ``https://www.githubstatus.com``; a URL that already names the
  document is returned unchanged);
* ``parse(body: bytes, headers: Mapping[str, str]) -> Page``: pure, no I/O; raises
  :class:`ParseError` (or its subclass :class:`FormatChanged`) and nothing else.

and, when its ``parse`` never reads the headers (no Date header taken for "now"):

* ``BODY_ONLY = True``: the engine keeps the page a body gave beside it in the cache, and a
  304 for that body reuses it instead of parsing the body again.

A platform whose state is spread over several documents (Instatus: ``/summary.json`` and
``/v2/components.json``) also provides, and the engine then uses instead:

* ``source_urls(url: str) -> tuple[str, ...]``: every document to fetch, in a fixed order;
* ``parse_many(bodies: Sequence[tuple[bytes, Mapping[str, str]]]) -> Page``: pure, given
  each document's body and headers in the order of ``source_urls``; same errors as ``parse``.

A platform that publishes its own incident history (for `statuswatch history backfill`) also
provides, in its module or in the module HISTORY names for its kind:

* ``history_url(url: str) -> str``: the history document of the page at ``url``;
* ``parse_history(body: bytes, headers: Mapping[str, str]) -> Page``: pure, every incident and
  maintenance the document holds, however old; same errors as ``parse``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Protocol, cast

from statuswatch.model import Page

# kind -> module; importing is deferred so `--json` pays only for the adapters it uses.
KINDS: dict[str, str] = {
    "statuspage": "statuswatch.adapters.statuspage",
    "incidentio": "statuswatch.adapters.incidentio",
    "aws": "statuswatch.adapters.aws",
    "gcp": "statuswatch.adapters.gcp",
    "azure": "statuswatch.adapters.azure",
    "slack": "statuswatch.adapters.slack",
    "feed": "statuswatch.adapters.feed",
    "instatus": "statuswatch.adapters.instatus",
    "statusio": "statuswatch.adapters.statusio",
    "betterstack": "statuswatch.adapters.betterstack",
    "cachet": "statuswatch.adapters.cachet",
    "gatus": "statuswatch.adapters.gatus",
    "playstation": "statuswatch.adapters.playstation",
    "statuspal": "statuswatch.adapters.statuspal",
    "upptime": "statuswatch.adapters.upptime",
    "uptimekuma": "statuswatch.adapters.uptimekuma",
    "xbox": "statuswatch.adapters.xbox",
}


# Not an adapter: a provider of kind "auto" is read by whichever adapter detection finds for its
# page on the first poll (see statuswatch/auto.py).
AUTO = "auto"


class ParseError(Exception):
    """The document could not be read as this platform's format."""


class FormatChanged(ParseError):
    """The page answered with HTML or another platform's document: the provider moved."""


class Adapter(Protocol):
    """What the engine needs of an adapter module."""

    def source_url(self, url: str) -> str: ...

    def parse(self, body: bytes, headers: Mapping[str, str]) -> Page: ...


class MultiAdapter(Adapter, Protocol):
    """An adapter that reads several documents per page (see the module docstring)."""

    def source_urls(self, url: str) -> tuple[str, ...]: ...

    def parse_many(self, bodies: Sequence[tuple[bytes, Mapping[str, str]]]) -> Page: ...


def multi(adapter: Adapter) -> MultiAdapter | None:
    """Return `adapter` as a several-document adapter if it is one, else None."""
    if callable(getattr(adapter, "source_urls", None)) and callable(
        getattr(adapter, "parse_many", None)
    ):
        return cast(MultiAdapter, adapter)
    return None


def kinds() -> list[str]:
    """Return every known kind, without importing any adapter."""
    return sorted(KINDS)


def entry_kinds() -> list[str]:
    """Every kind a provider entry may name: the adapters' and "auto"."""
    return sorted([*KINDS, AUTO])


def load(kind: str) -> Adapter:
    """Import and return the adapter module for `kind`; KeyError if there is none."""
    module: ModuleType = importlib.import_module(KINDS[kind])
    return cast(Adapter, module)


class HistoryAdapter(Protocol):
    """An adapter that reads the page's own incident history (see the module docstring)."""

    def history_url(self, url: str) -> str: ...

    def parse_history(self, body: bytes, headers: Mapping[str, str]) -> Page: ...


# kind -> the module that reads its history, where that is not the adapter module itself.
HISTORY: dict[str, str] = {"statuspage": "statuswatch.adapters.statuspage_history"}


def history(kind: str) -> HistoryAdapter | None:
    """The history reader of `kind`, or None when its pages publish no history we read."""
    try:
        module: object = importlib.import_module(HISTORY[kind]) if kind in HISTORY else load(kind)
    except KeyError:
        return None
    if callable(getattr(module, "history_url", None)) and callable(
        getattr(module, "parse_history", None)
    ):
        return cast(HistoryAdapter, module)
    return None
