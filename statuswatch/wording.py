"""How statuswatch says counts in English: `1 provider`, `2 providers` (stdlib only)."""

from __future__ import annotations

__all__ = ["plural"]


def plural(count: int, singular: str, many: str | None = None) -> str:
    """`count` and the noun that agrees with it: `plural(1, "provider")` is `1 provider`."""
    noun = singular if count == 1 else (many or singular + "s")
    return f"{count} {noun}"
