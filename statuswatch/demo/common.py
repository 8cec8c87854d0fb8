"""What the demo's document writers share: the document type, ids and timestamp formats."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from statuswatch.records import record

__all__ = [
    "Document",
    "epoch",
    "gcp_time",
    "io_time",
    "json_document",
    "short_id",
    "sp_time",
    "ulid",
]

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@record
class Document:
    """A body and its content type, as the demo server sends them."""

    body: bytes
    content_type: str


def json_document(document: object) -> Document:
    return Document(json.dumps(document, indent=1, ensure_ascii=False).encode(), "application/json")


def short_id(*parts: str) -> str:
    """A stable 12-character id like Statuspage's, derived from `parts`."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    return "".join(alphabet[b % 36] for b in digest[:12])


def ulid(moment: datetime, *parts: str) -> str:
    """A stable ULID (48-bit milliseconds, 80 bits from a hash), as incident.io uses."""
    millis = int(moment.timestamp() * 1000)
    random = int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:10], "big")
    value = (millis << 80) | random
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def sp_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def io_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gcp_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())
