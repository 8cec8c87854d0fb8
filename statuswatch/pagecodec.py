"""A Page as compact JSON and back, every field kept: what the cache keeps beside a body so
that a 304 does not parse the same body again (statuswatch.cache, `load_page`).

Not the public document (statuswatch.document): this form is ours alone, written and read by
one build of statuswatch (`build_identity`). Decoding checks every value's type and that every
string is as inert as the sanitiser leaves it, so a damaged or altered file is refused, never
shown.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from statuswatch import __version__
from statuswatch.model import Component, Impact, Incident, Maintenance, Page, Phase, Status, Update

__all__ = ["PageDecodeError", "build_identity", "decode_page", "encode_page", "package_identity"]

_STATUS = {status.value: status for status in Status}
_IMPACT = {impact.value: impact for impact in Impact}
_PHASE = {phase.value: phase for phase in Phase}
# What the sanitiser (statuswatch.text) never leaves in a string: controls but the newline of
# a multi-line text, escapes, bidi and invisible characters, lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)


class PageDecodeError(ValueError):
    """The JSON is not a page this build wrote."""


@functools.cache
def build_identity() -> str:
    """This build of statuswatch: its version and every module's size and modification time.

    A page parsed by one build is only reused by the same one: an upgrade, or an edit of an
    adapter in a checkout (the version does not change there), makes every kept page stale.
    """
    return package_identity(Path(__file__).resolve().parent, __version__)


def package_identity(package: Path, version: str) -> str:
    """A digest of `version` and the name, size and modification time of each module of
    `package` and its `adapters` (what parses a page); a stat of each, no read."""
    digest = hashlib.sha256(version.encode())
    for directory in (package, package / "adapters"):
        with os.scandir(directory) as found:
            for entry in sorted(found, key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    stat = entry.stat()
                    digest.update(f"{entry.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


# --- encoding: positional lists, in each dataclass's field order --------------------------------


def encode_page(page: Page) -> list[Any]:
    """`page` as JSON-ready lists (see `decode_page`)."""
    return [
        page.status.value,
        page.description,
        page.raw_status,
        _time(page.updated_at),
        [[c.id, c.name, c.status.value, c.raw_status, c.group] for c in page.components],
        [_incident(i) for i in page.incidents],
        [_maintenance(m) for m in page.maintenances],
    ]


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _updates(updates: tuple[Update, ...]) -> list[Any]:
    return [[u.at.isoformat(), u.phase.value, u.text, u.raw_status] for u in updates]


def _incident(i: Incident) -> list[Any]:
    return [
        i.id,
        i.title,
        i.impact.value,
        i.phase.value,
        _time(i.started_at),
        _time(i.updated_at),
        _time(i.resolved_at),
        i.url,
        list(i.components),
        _updates(i.updates),
        i.raw_status,
        i.raw_impact,
        i.detected_lead_s,
        list(i.component_ids),
    ]


def _maintenance(m: Maintenance) -> list[Any]:
    return [
        m.id,
        m.title,
        m.phase.value,
        _time(m.scheduled_for),
        _time(m.scheduled_until),
        m.url,
        list(m.components),
        _updates(m.updates),
        m.raw_status,
        list(m.component_ids),
    ]


# --- decoding: every value checked --------------------------------------------------------------


def decode_page(value: object) -> Page:
    """The Page `encode_page` gave `value` for; PageDecodeError when it is not one."""
    try:
        status, description, raw_status, updated_at, components, incidents, maintenances = _list(
            value
        )
        return Page(
            _STATUS[status],
            _text(description),
            _text(raw_status),
            _when(updated_at),
            tuple(_component(c) for c in _list(components)),
            tuple(_incident_of(i) for i in _list(incidents)),
            tuple(_maintenance_of(m) for m in _list(maintenances)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PageDecodeError(f"not a kept page ({type(exc).__name__}: {exc})") from None


def _list(value: object) -> list[Any]:
    if type(value) is not list:
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return value


def _text(value: object) -> str:
    if type(value) is not str:
        raise TypeError(f"expected a string, got {type(value).__name__}")
    if not value.isprintable() and _UNSAFE.search(value):
        raise ValueError("a string the sanitiser would not have left")
    return value


def _maybe_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _texts(value: object) -> tuple[str, ...]:
    return tuple(_text(item) for item in _list(value))


def _when(value: object) -> datetime | None:
    if value is None:
        return None
    when = datetime.fromisoformat(_text(value))
    if when.utcoffset() is None:
        raise ValueError("a naive timestamp")
    return when


def _at(value: object) -> datetime:
    when = _when(value)
    if when is None:
        raise TypeError("a missing timestamp")
    return when


def _component(value: object) -> Component:
    cid, name, status, raw_status, group = _list(value)
    return Component(
        _text(cid), _text(name), _STATUS[status], _text(raw_status), _maybe_text(group)
    )


def _update_list(value: object) -> tuple[Update, ...]:
    updates = []
    for item in _list(value):
        at, phase, text, raw_status = _list(item)
        updates.append(Update(_at(at), _PHASE[phase], _text(text), _text(raw_status)))
    return tuple(updates)


def _incident_of(value: object) -> Incident:
    (
        iid,
        title,
        impact,
        phase,
        started,
        updated,
        resolved,
        url,
        components,
        updates,
        raw_status,
        raw_impact,
        lead,
        component_ids,
    ) = _list(value)
    if lead is not None and type(lead) is not int:
        raise TypeError("detected_lead_s is not an integer")
    return Incident(
        _text(iid),
        _text(title),
        _IMPACT[impact],
        _PHASE[phase],
        _when(started),
        _when(updated),
        _when(resolved),
        _maybe_text(url),
        _texts(components),
        _update_list(updates),
        _text(raw_status),
        _text(raw_impact),
        lead,
        _texts(component_ids),
    )


def _maintenance_of(value: object) -> Maintenance:
    (
        mid,
        title,
        phase,
        scheduled_for,
        scheduled_until,
        url,
        components,
        updates,
        raw_status,
        component_ids,
    ) = _list(value)
    return Maintenance(
        _text(mid),
        _text(title),
        _PHASE[phase],
        _when(scheduled_for),
        _when(scheduled_until),
        _maybe_text(url),
        _texts(components),
        _update_list(updates),
        _text(raw_status),
        _texts(component_ids),
    )
