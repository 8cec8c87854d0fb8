"""Validation of TOML tables (the config, the catalog, `[notify]`): one-line errors that name
the file, the key and the problem, and suggest the word that was probably meant (stdlib only).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import tomli

from statuswatch.text import strip_controls

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "ConfigError",
    "at",
    "check_keys",
    "dotted_key",
    "integer",
    "match_id",
    "number",
    "number_text",
    "numbers_of",
    "read_toml",
    "show",
    "string",
    "suggest",
    "table",
    "type_name",
    "unknown_choice",
    "unknown_provider",
    "url",
    "url_problem",
]

T = TypeVar("T")
D = TypeVar("D", bound="DataclassInstance")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
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


def show(value: object, limit: int = 60) -> str:
    """Return `value` quoted for a message, on one line and cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def number_text(value: float) -> str:
    """A number in a message: `1073741824` and `9.5` as written, `1e+300` when huge."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}"


def dotted_key(*parts: str) -> str:
    """Return a dotted key path, quoting the parts TOML could not write bare."""
    # json.dumps escapes newlines and control characters, keeping the message on one line.
    return ".".join(p if _BARE_KEY.fullmatch(p) else json.dumps(p) for p in parts)


def type_name(value: object) -> str:
    """Return the TOML name of `value`'s type, for 'expected X, got Y'."""
    for kind, name in _TOML_TYPES.items():
        if isinstance(value, kind):
            return name
    return type(value).__name__  # dates and times


def suggest(word: str, choices: Sequence[str]) -> str | None:
    """Return the closest of `choices` to `word`, if any is close enough (case aside)."""
    import difflib  # only a word not known asks (~1.5 ms of imports kept off every start)

    folded = {choice.casefold(): choice for choice in reversed(choices)}  # the first one wins
    matches = difflib.get_close_matches(word.casefold(), list(folded), n=1)
    return folded[matches[0]] if matches else None


def match_id(wanted: str, known: Sequence[str]) -> str | None:
    """The id of `known` that `wanted` names on a command line: itself, or the only one equal
    to it but for case (`-p CLOUDFLARE`); None when there is none."""
    if wanted in known:
        return wanted
    folded = wanted.casefold()
    same = [name for name in known if name.casefold() == folded]
    return same[0] if len(same) == 1 else None


def unknown_choice(what: str, value: str, choices: Sequence[str], listed: str = "one of") -> str:
    """Return the problem text for `value`, not one of `choices`: `unknown WHAT 'value' (did
    you mean 'x'?; LISTED: a, b, c)`."""
    close = suggest(value, choices)
    hint = f"did you mean {close!r}?; " if close else ""
    return f"unknown {what} {show(value)} ({hint}{listed}: {', '.join(choices)})"


def unknown_provider(provider_id: str, known: Sequence[str]) -> str:
    """Return the problem text for an unknown provider id, with a suggestion when one is close."""
    close = suggest(provider_id, known)
    hint = f" (did you mean {close!r}?)" if close else ""
    return f"unknown provider {show(provider_id)}{hint}"


def check_keys(
    path: Path | str, table: Mapping[str, object], allowed: Sequence[str], *prefix: str
) -> None:
    """Refuse any key of `table` that is not in `allowed`."""
    for name in table:
        if name not in allowed:
            close = suggest(name, allowed)
            hint = f"did you mean {close!r}?" if close else "expected one of: " + ", ".join(allowed)
            raise ConfigError(path, dotted_key(*prefix, name), f"unknown key {show(name)} ({hint})")


def table(path: Path | str, value: object, *key: str) -> Mapping[str, object]:
    """Return `value` if it is a TOML table, else raise."""
    if not isinstance(value, dict):
        raise ConfigError(path, dotted_key(*key), f"expected a table, got {type_name(value)}")
    return value


def string(path: Path | str, value: object, *key: str) -> str:
    """Return `value` if it is a non-empty one-line string without control characters."""
    if not isinstance(value, str):
        raise ConfigError(path, dotted_key(*key), f"expected a string, got {type_name(value)}")
    if not value.strip():
        raise ConfigError(path, dotted_key(*key), "expected a non-empty string")
    # isprintable() is false for every control, line break, tab and format character.
    if not value.isprintable() and (
        strip_controls(value) != value or "\n" in value or "\t" in value
    ):
        raise ConfigError(
            path,
            dotted_key(*key),
            f"expected one line without control characters, got {show(value)}",
        )
    return value


def url_problem(text: str) -> str | None:
    """Why `text` is not an http(s) URL with a host and a valid port, or None when it is one.

    The one check of every URL a user gives (config, `add`, `--server`): `http://[::1`,
    `http://host:99999/`, a host name no resolver takes and a user:password@ are refused here
    rather than deep in the HTTP stack.
    """
    expected = f"expected an http or https URL with a host, got {show(text)}"
    # Printable text without a space has neither whitespace nor anything strip_controls
    # removes (both are Unicode "Other" or "Separator"): the character loop only for the rest.
    if (" " in text or not text.isprintable()) and (
        any(c.isspace() for c in text) or strip_controls(text) != text
    ):
        return expected
    bad_port = f"{expected} (the port must be a number from 1 to 65535)"
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError on a port that is not a number or out of range
    except ValueError as exc:
        reason = str(exc)
        if "port" in reason.lower():
            return bad_port
        return f"{expected} ({reason[:1].lower()}{reason[1:]})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return expected
    if port is not None and not 0 < port <= 65535:
        return bad_port
    if parts.username is not None or parts.password is not None:
        # Not echoed: the URL holds a password. The HTTP client refuses such a URL, and one in
        # a provider's url would be published by --json, serve and the metrics.
        return (
            "a URL with user:password@ is refused: statuswatch sends no credentials "
            "(and the URL shows in --json and serve's documents)"
        )
    try:
        parts.hostname.encode("idna")
    except UnicodeError:  # Python's words for it vary: say it once, in ours
        return f"{expected} (not a host name: a part of it is empty or over 63 characters)"
    return None


def url(path: Path | str, value: object, *key: str) -> str:
    """Return `value` if it is an http(s) URL with a host."""
    text = string(path, value, *key)
    problem = url_problem(text)
    if problem is not None:
        raise ConfigError(path, dotted_key(*key), problem)
    return text


def number(path: Path | str, value: object, *key: str) -> float:
    """Return `value` as a float if it is a finite TOML integer or float (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(path, dotted_key(*key), f"expected a number, got {type_name(value)}")
    if not math.isfinite(value):
        raise ConfigError(path, dotted_key(*key), f"expected a finite number, got {value}")
    return float(value)


def integer(path: Path | str, value: object, *key: str) -> int:
    """Return `value` if it is a TOML integer (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(path, dotted_key(*key), f"expected an integer, got {type_name(value)}")
    return value


def at(key: str, check: Callable[[Path | str, object], T], path: Path | str, value: object) -> T:
    """Run one of the validators above, naming `key` (a path with indexes) in its error."""
    try:
        return check(path, value)
    except ConfigError as exc:
        raise ConfigError(path, key, exc.problem) from None


def numbers_of(
    path: Path | str,
    given: Mapping[str, object],
    defaults: D,
    bounds: Mapping[str, tuple[float, bool]],
    maxima: Mapping[str, float],
    *prefix: str,
) -> D:
    """Return the dataclass `defaults` with the numbers in `given` put in, each one checked.

    The fields are the dataclass's own: any other key is refused. The type of a field's default
    says whether it takes an integer or any number; `bounds` gives a field's lower bound and
    whether the bound itself is allowed (a field not in it must be greater than 0); `maxima`
    its upper bound, allowed, which every field has (a million retries or a timeout of 1e300
    seconds is a typo, and would hang a run or overflow a clock).
    """
    names = [f.name for f in dataclasses.fields(defaults)]
    check_keys(path, given, names, *prefix)
    values: dict[str, Any] = {}
    for name, raw in given.items():
        value: int | float
        if isinstance(getattr(defaults, name), int):
            value = integer(path, raw, *prefix, name)
        else:
            value = number(path, raw, *prefix, name)
        bound, inclusive = bounds.get(name, (0, False))
        if value < bound or (value == bound and not inclusive):
            relation = "at least" if inclusive else "greater than"
            problem = f"must be {relation} {number_text(bound)}, got {number_text(value)}"
            raise ConfigError(path, dotted_key(*prefix, name), problem)
        if value > maxima[name]:
            problem = f"must be at most {number_text(maxima[name])}, got {number_text(value)}"
            raise ConfigError(path, dotted_key(*prefix, name), problem)
        values[name] = value
    return dataclasses.replace(defaults, **values)


def read_toml(path: Path | str, data: bytes) -> dict[str, object]:
    """Parse TOML bytes; syntax errors become a ConfigError with the line and column."""
    try:
        return tomli.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "", f"not UTF-8 text (byte {exc.start})") from None
    except RecursionError:
        # tomli refuses nesting past its limit with a RecursionError: a file of "[[[[..." (a
        # corrupt or hostile one) must be a config error like any other, not a traceback.
        raise ConfigError(path, "", "invalid TOML: arrays or tables nested too deeply") from None
    except tomli.TOMLDecodeError as exc:
        # tomli (2.1+) keeps the problem and its place apart; the end of the file is named so.
        at_end = exc.pos >= len(exc.doc)
        key = "end of document" if at_end else f"line {exc.lineno}, column {exc.colno}"
        problem = exc.msg
        raise ConfigError(path, key, f"invalid TOML: {' '.join(problem.split())}") from None
