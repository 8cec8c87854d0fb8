"""Helpers shared by the adapters: body decoding, typed access to decoded JSON, status roll-ups."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import NoReturn, cast

from statuswatch.adapters import FormatChanged, ParseError
from statuswatch.adapters.sniff import refuse, refuse_markup
from statuswatch.model import Impact, Phase, Status
from statuswatch.text import one_line

# How long a closed incident stays on a page built from a history (GCP, feeds, AWS RSS).
RECENT = timedelta(days=7)

# The mapping lives with the model (Impact.status); scoping reads it there too.
IMPACT_STATUS: dict[Impact, Status] = {impact: impact.status for impact in Impact}
PHASES: dict[str, Phase] = {phase.value: phase for phase in Phase if phase is not Phase.UNKNOWN}

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
)


def detect_encoding(body: bytes) -> tuple[str, int, str]:
    """Return (codec, BOM length, name) for a JSON body: a BOM decides, else the NUL pattern.

    JSON text starts with an ASCII character, so UTF-16 without a BOM shows a NUL byte in the
    first or the second position (big- or little-endian); anything else is read as UTF-8.
    """
    for bom, codec, name in _BOMS:
        if body.startswith(bom):
            return codec, len(bom), name
    if len(body) >= 2 and body[0] == 0 and body[1] != 0:
        return "utf-16-be", 0, "UTF-16"
    if len(body) >= 2 and body[0] != 0 and body[1] == 0:
        return "utf-16-le", 0, "UTF-16"
    return "utf-8", 0, "UTF-8"


def decode_text(body: bytes, platform: str) -> str:
    """Decode a JSON body to text whatever its Unicode encoding; ParseError if it is not text."""
    codec, skip, name = detect_encoding(body)
    try:
        return body[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        raise ParseError(f"{platform} document is not {name} text ({exc.reason})") from exc


def markup_head(body: bytes) -> str | None:
    """The first characters of a body that starts with "<" (HTML, XML, a feed), else None."""
    codec, skip, _name = detect_encoding(body)
    head = body[skip : skip + 8192].decode(codec, "replace").lstrip()
    return head if head.startswith("<") else None


def load_json(body: bytes, platform: str) -> object:
    """Decode a JSON document; HTML and XML bodies become FormatChanged, the rest ParseError."""
    text = decode_text(body, platform)
    head = text.lstrip()
    if not head:
        raise ParseError(f"empty body where {platform} JSON was expected")
    if head.startswith("<"):
        refuse_markup(head[:4096], platform)
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ParseError(f"{platform} document is nested too deeply to read") from exc
    except ValueError as exc:  # JSONDecodeError, or an integer past the digit limit
        raise ParseError(f"invalid JSON in {platform} document: {one_line(str(exc), 200)}") from exc


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def obj(value: object) -> dict[str, object] | None:
    """`value` if it is a JSON object."""
    return cast(dict[str, object], value) if isinstance(value, dict) else None


def items(value: object) -> list[object]:
    """`value` if it is a JSON array, else an empty list."""
    return cast(list[object], value) if isinstance(value, list) else []


def objs(value: object) -> Iterator[dict[str, object]]:
    """The objects of a JSON array, skipping anything else in it."""
    for item in items(value):
        if isinstance(item, dict):
            yield cast(dict[str, object], item)


def text(value: object, limit: int = 500) -> str:
    """A name or a title, sanitised to one line; anything but a string is empty."""
    return one_line(value, limit) if isinstance(value, str) else ""


def raw(value: object) -> str:
    """A raw enum value as sent (strings, or integers for numeric codes), short and sanitised."""
    if isinstance(value, str):
        return one_line(value, 64)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def ident(value: object) -> str:
    """An identifier as text: strings and integers are both seen in the wild."""
    if isinstance(value, str):
        return one_line(value, 200)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def epoch(value: object) -> datetime | None:
    """A Unix timestamp (seconds, as a number or a numeric string) as a UTC datetime."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int | float) or value != value:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def http_date(headers: Mapping[str, str]) -> datetime | None:
    """The response's Date header (the server's clock when it answered), if it is readable."""
    value = headers.get("date") or headers.get("Date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def reference_time(
    headers: Mapping[str, str], candidates: Iterable[datetime | None]
) -> datetime | None:
    """The "now" a history document is read against: the Date header, else its newest stamp.

    The Date header is the server's clock when it answered, so a cached body read again later
    keeps the window it was fetched with, and parsing stays pure (no clock read here). Without
    the header the document's own newest timestamp stands in.
    """
    date = http_date(headers)
    if date is not None:
        return date
    known = [when for when in candidates if when is not None]
    return max(known) if known else None


def worst(statuses: Iterable[Status], default: Status = Status.OPERATIONAL) -> Status:
    """The most severe known status of `statuses`, else `default`."""
    known = [status for status in statuses if status is not Status.UNKNOWN]
    return max(known, key=lambda status: status.severity) if known else default


def worst_impact(impacts: Iterable[Impact], default: Impact = Impact.NONE) -> Impact:
    """The most severe of `impacts`, else `default`."""
    found = list(impacts)
    return max(found, key=lambda impact: impact.severity) if found else default


def drifted(doc: object, platform: str, own: frozenset[str], expected: str) -> NoReturn:
    """Raise FormatChanged for a JSON document that is not `platform`'s shape (any more).

    Another platform's document is named as such; any other shape is reported as a format
    change too: a page that changed what it serves is never read as operational.
    """
    refuse(doc, platform, own)
    raise FormatChanged(
        f"the page answered with a JSON {json_type(doc)} of another shape where {platform} "
        f"JSON was expected ({expected})"
    )


def monitors_status(statuses: Iterable[Status]) -> Status:
    """A page of independent checks: every one down is a major outage, some down a partial one.

    Checks no beat or result rates are unknown and left out; when every check is unknown the
    page is unknown too (never operational, never an outage).
    """
    seen = list(statuses)
    known = [status for status in seen if status is not Status.UNKNOWN]
    if not known:
        return Status.UNKNOWN if seen else Status.OPERATIONAL
    found = worst(known)
    if found is Status.MAJOR_OUTAGE and any(s is not Status.MAJOR_OUTAGE for s in known):
        return Status.PARTIAL_OUTAGE
    return found
