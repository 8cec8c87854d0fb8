"""Config for scoping, stacks and the blast radius: provider `components` and `runs_on`, watch
entries `ID:COMPONENT[,...]` and `[stacks.X]` tables, each problem a one-line ConfigError."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from statuswatch.model import ProviderSpec, Target
from statuswatch.scope import parse_patterns, parse_target
from statuswatch.stacks import Stack
from statuswatch.tomlcheck import (
    ConfigError,
    at,
    check_keys,
    dotted_key,
    show,
    string,
    table,
    type_name,
    unknown_provider,
)

__all__ = [
    "STACK_KEYS",
    "check_edges",
    "parse_components",
    "parse_runs_on",
    "parse_stacks",
    "parse_targets",
]

STACK_KEYS = ("name", "uses")
_STACK_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")


def _strings(path: Path | str, value: object, *key: str) -> list[str]:
    """A TOML array of one-line strings."""
    where = dotted_key(*key)
    if not isinstance(value, list):
        raise ConfigError(path, where, f"expected a list of strings, got {type_name(value)}")
    return [at(f"{where}[{index}]", string, path, item) for index, item in enumerate(value)]


def parse_components(path: Path | str, value: object, *key: str) -> tuple[str, ...] | None:
    """`components = ["us-east-1", "EC2*"]`: the provider's scope; `[]` means the whole page."""
    items = _strings(path, value, *key)
    if not items:
        return None
    try:
        return parse_patterns(items)
    except ValueError as exc:
        raise ConfigError(path, dotted_key(*key), str(exc)) from None


def _target(path: Path | str, text: str, where: str) -> Target:
    try:
        return parse_target(text)
    except ValueError as exc:
        raise ConfigError(path, where, str(exc)) from None


def parse_runs_on(path: Path | str, value: object, *key: str) -> tuple[Target, ...]:
    """`runs_on = ["cloudflare", "aws:us-east-1"]` as targets (their ids are checked later)."""
    items = _strings(path, value, *key)
    where = dotted_key(*key)
    edges = [_target(path, item, f"{where}[{index}]") for index, item in enumerate(items)]
    return tuple(dict.fromkeys(edges))


def check_edges(
    path: Path | str,
    providers: Mapping[str, ProviderSpec],
    specs: Iterable[ProviderSpec] | None = None,
) -> None:
    """Refuse an edge of `specs` (default: every provider) to an unknown provider or to the
    provider itself."""
    for spec in providers.values() if specs is None else specs:
        for index, edge in enumerate(spec.runs_on):
            where = f"{dotted_key('providers', spec.id, 'runs_on')}[{index}]"
            if edge.provider not in providers:
                raise ConfigError(path, where, unknown_provider(edge.provider, list(providers)))
            if edge.provider == spec.id:
                raise ConfigError(path, where, f"{spec.id!r} cannot run on itself")


def parse_targets(
    path: Path | str,
    items: Sequence[object],
    providers: Mapping[str, ProviderSpec],
    key: str,
    *,
    indexed: bool = True,
) -> list[Target]:
    """Watch entries or a stack's `uses`: `ID` or `ID:COMPONENT[,...]`, ids known.

    A target without components takes its provider's own `components` (its table's scope).
    """
    known = list(providers)
    out: list[Target] = []
    for index, item in enumerate(items):
        where = f"{key}[{index}]" if indexed else key
        if not isinstance(item, str):
            raise ConfigError(path, where, f"expected a string, got {type_name(item)}")
        target = _target(path, item, where)
        if target.provider not in providers:
            raise ConfigError(path, where, unknown_provider(target.provider, known))
        if target.scope is None:
            target = Target(target.provider, providers[target.provider].scope)
        out.append(target)
    return out


def parse_stacks(
    path: Path | str, value: object, providers: Mapping[str, ProviderSpec]
) -> tuple[Stack, ...]:
    """The `[stacks.X]` tables: `name` (default: the id) and a non-empty `uses` list."""
    stacks: list[Stack] = []
    for stack_id, entry in table(path, value, "stacks").items():
        if not _STACK_ID.fullmatch(stack_id):
            raise ConfigError(
                path,
                dotted_key("stacks", stack_id),
                f"invalid stack id {show(stack_id)} (expected lowercase letters, digits, "
                "'.', '_' or '-', starting with a letter or digit)",
            )
        fields = table(path, entry, "stacks", stack_id)
        check_keys(path, fields, STACK_KEYS, "stacks", stack_id)
        name = (
            string(path, fields["name"], "stacks", stack_id, "name")
            if "name" in fields
            else stack_id
        )
        key = dotted_key("stacks", stack_id, "uses")
        if "uses" not in fields:
            raise ConfigError(
                path, key, 'missing (the providers the stack uses, e.g. ["aws:us-east-1"])'
            )
        uses = fields["uses"]
        if not isinstance(uses, list):
            raise ConfigError(path, key, f"expected a list of strings, got {type_name(uses)}")
        if not uses:
            raise ConfigError(path, key, "expected at least one provider")
        targets = parse_targets(path, uses, providers, key)
        stacks.append(Stack(stack_id, name, tuple(dict.fromkeys(targets))))
    return tuple(stacks)
