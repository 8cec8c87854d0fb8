"""Finding providers by words: each word must appear in the id, the name or the page's host."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from statuswatch.model import ProviderSpec

__all__ = ["matches", "search"]


def _haystack(spec: ProviderSpec) -> str:
    hosts = [urlsplit(url).hostname or "" for url in (spec.url, spec.feed) if url]
    return " ".join([spec.id, spec.name, *hosts]).casefold()


def matches(spec: ProviderSpec, words: Iterable[str]) -> bool:
    """True if every word (any case) is part of the provider's id, name or host."""
    haystack = _haystack(spec)
    return all(word.casefold() in haystack for word in words)


def search(specs: Iterable[ProviderSpec], query: str) -> list[ProviderSpec]:
    """The providers matching every word of `query` (words split on spaces), in their order."""
    words = query.split()
    return [spec for spec in specs if matches(spec, words)]
