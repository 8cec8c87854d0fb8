"""Hostile text, and status payloads carrying it in every text field, built at test time.

`hostile_text(rng, original)` wraps a text in terminal escapes (CSI, OSC, DCS, APC, PM, SOS,
8-bit C1 such as U+009B), other C0/C1 controls, bidi overrides and isolates, zero-width and
other invisible characters, lone surrogates and markup of every kind we know to be read
somewhere (Rich/Textual, Slack, Discord, HTML). `never_seen(kind, documents, rng)` rewrites
each of a kind's documents so that every text field holds such a text (timestamps, enum
values and numeric ids are kept, so the page still reads as a page). The random generator
is seeded by the caller: a payload the project has never seen, reproducible from its seed.

`leaks(text)` lists the characters of `text` that must never reach an output.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["LEAK", "MARKUP", "hostile_text", "leaks", "never_seen"]

CSI = ["\x1b[31m", "\x1b[2J\x1b[H", "\x1b[?1049h", "\x1b[6n", "\x1b[38;2;255;0;0m", "\x9b31m"]
OSC = [
    "\x1b]8;;https://evil.example/\x07",
    "\x1b]8;;\x1b\\",
    "\x1b]0;pwned title\x07",
    "\x1b]52;c;ZWNobyBwd25lZA==\x07",  # writes the clipboard in some terminals
    "\x9d0;c1 osc\x9c",
]
OTHER_ESCAPES = [
    "\x1bP+q544e\x1b\\",  # DCS
    "\x1b_apc payload\x1b\\",
    "\x1b^pm payload\x1b\\",
    "\x1bXsos payload\x1b\\",
    "\x90dcs\x9c",
    "\x1bc",  # full reset
    "\x1b",  # a lone ESC
]
C1 = ["\x9b", "\x85", "\x8d", "\x9c", "\x9f", "\x80"]
INVISIBLE = [
    "\u202e", "\u202d", "\u202a", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f",
    "\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\u2063", "\ufeff", "\u180e",
    "\U000e0041\U000e0042", "\u2028", "\u2029", "\ud800", "\udfff",
]  # fmt: skip
C0 = ["\x00", "\x07", "\x08", "\x0b", "\x0c", "\r", "\x7f", "\x1a"]
MARKUP = [
    "[bold]", "[/bold]", "[link=https://evil.example]", "[/link]", "[@click=app.quit]",
    "[/]", "[red on white]", "[blink]", "<b>", "</b>", "<!channel>", "<!here>", "@everyone",
    "<@U123>", "*bold*", "~strike~", "`code`", "||spoiler||", "# heading", "[x](https://e.example)",
]  # fmt: skip
# Never in an output: C0 but newline, DEL, C1, bidi and invisible formatting, lone surrogates.
LEAK = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e"
    "\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d|$)|^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4}")
_TOKEN = re.compile(r"^([a-z][a-z_]*|[A-Z][A-Z_]{4,}|\d+(\.\d+)?)$")  # enum values, numeric ids


def leaks(text: str, *, newline: bool = True) -> list[str]:
    """The characters of `text` no output may hold (newline allowed unless `newline` is False)."""
    found = [m.group() for m in LEAK.finditer(text)]
    if not newline and "\n" in text:
        found.append("\n")
    return found


def hostile_text(rng: random.Random, original: str = "") -> str:
    """`original` with an ESC sequence, an OSC, a C1 control, markup and random extras."""
    parts = [rng.choice(CSI), original, rng.choice(OSC), rng.choice(C1) + "x", rng.choice(MARKUP)]
    pools = [CSI, OSC, OTHER_ESCAPES, C1, INVISIBLE, C0, MARKUP]
    for _ in range(rng.randint(2, 6)):
        parts.insert(rng.randint(0, len(parts)), rng.choice(rng.choice(pools)))
    if rng.random() < 0.3:
        parts.append(chr(rng.randint(0x80, 0x9F)) + chr(rng.randint(0, 0x1F)))
    return "".join(parts)


def _hostile_url(rng: random.Random, url: str) -> str:
    """A link variant: markup kept (a valid URL), or a control or a scheme that must be refused."""
    return rng.choice(
        [
            url.rstrip("/") + "/[bold]x[/bold]?a=<b>&c=@everyone",
            url + "\x1b]8;;https://evil.example/\x07",
            "javascript:alert(document.cookie)",
            url + "\u202e",
        ]
    )


def _rewrite(value: Any, rng: random.Random, seen: dict[str, str]) -> Any:
    """Every text of a decoded JSON document made hostile (the same text the same way)."""
    if isinstance(value, dict):
        return {key: _rewrite(item, rng, seen) for key, item in value.items()}
    if isinstance(value, list):
        return [_rewrite(item, rng, seen) for item in value]
    if not isinstance(value, str) or _TIMESTAMP.match(value) or _TOKEN.match(value):
        return value
    if value not in seen:  # ids reused across the document keep pointing at each other
        if value.startswith(("http://", "https://")):
            seen[value] = _hostile_url(rng, value)
        else:
            seen[value] = hostile_text(rng, value)
    return seen[value]


def _xml_text(text: str) -> str:
    """A hostile text as XML character data: what XML forbids raw (C0, surrogates) goes in as
    an escaped character reference that the feed's HTML layer decodes again."""
    out = []
    for ch in text:
        code = ord(ch)
        if (code < 0x20 and ch not in "\t\n") or 0xD800 <= code <= 0xDFFF or ch == "\r":
            out.append(f"&#x{code:x};")
        else:
            out.append(ch)
    return escape("".join(out))


_XML_TEXT = re.compile(r">([^<>]+)<")


def _rewrite_xml(body: bytes, rng: random.Random) -> bytes:
    """Every text node of a feed made hostile, but dates and links."""
    text = body.decode("utf-8")

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        stripped = inner.strip()
        if not stripped or _TIMESTAMP.match(stripped) or stripped.startswith("http"):
            return match.group(0)
        return ">" + _xml_text(hostile_text(rng, stripped)) + "<"

    return _XML_TEXT.sub(replace, text).encode("utf-8")


def never_seen(
    kind: str, documents: list[tuple[bytes, str]], rng: random.Random
) -> list[tuple[bytes, str]]:
    """`documents` of `kind` (body, content type) with every text field hostile."""
    out: list[tuple[bytes, str]] = []
    seen: dict[str, str] = {}
    for body, content_type in documents:
        if "xml" in content_type:
            out.append((_rewrite_xml(body, rng), content_type))
            continue
        document = json.loads(body.decode("utf-8-sig"))
        hostile = json.dumps(_rewrite(document, rng, seen))  # \u escapes: valid JSON text
        out.append((hostile.encode("ascii"), content_type))
    return out
