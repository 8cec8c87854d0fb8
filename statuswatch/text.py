"""Turns untrusted text from a status page into inert plain text, once, at parse time."""

from __future__ import annotations

import html
import re
import unicodedata

MAX_TEXT = 20_000  # an update body longer than this is cut: no page needs more, a hostile one might
MAX_TITLE = 500

# Terminal escape sequences: CSI (ESC [ ... final), OSC/DCS/APC/PM/SOS (ESC ] ... BEL or ST),
# and the 8-bit C1 forms (U+009B CSI, U+009D OSC, ...). Removed whole so no parameters leak through.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]                          # CSI
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])   # OSC DCS SOS PM APC, up to BEL or ST
      [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?
    | \x1b[ -/]*[0-~]?                                        # other ESC sequences, lone ESC
    """,
    re.VERBOSE,
)
# Remaining C0 (but tab and newline), DEL, C1, bidi controls (U+061C and U+200E/F, embeddings,
# overrides, isolates), invisible formatting characters (zero-width ones, U+180E, invisible
# operators, the BOM, interlinear annotations, the U+E00xx tags that spell hidden ASCII) and
# lone surrogates, which a JSON "\ud800" escape can produce and no UTF-8 output can encode.
_INVISIBLE = (
    "\x7f-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ud800-\udfff\ufeff\ufff9-\ufffb\U000e0000-\U000e007f"
)
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f{_INVISIBLE}]")
# Anything that plain_text would change: most titles and names have none of it.
_NEEDS_WORK = re.compile(
    f"[<&\x00-\x09\x0b-\x1f\u2028\u2029{_INVISIBLE}]|  |^\\s|\\s$|[^\\S\n]\n|\n[^\\S\n]|\n\n\n"
)
# Only real tags (a name then space, "/" or ">") and comments: a Markdown autolink such as
# <https://example.com> and a lone "<" are text.
_TAG = re.compile(r"<!--.*?-->|</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^>]*)?/?>", re.DOTALL)
_BREAK = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6])\s*/?\s*>", re.IGNORECASE)
# A Markdown link, `[text](url)` or `[text](url "title")` (incident.io's and Google Cloud's
# bodies are Markdown; Statuspage's may be): shown as `text (url)`, the way a mail client would.
_MARKDOWN_LINK = re.compile(
    r"""\[([^\[\]\n]{1,500})\]\(\s*<?([^\s()<>]{1,2048})>?(?:\s+"[^"\n]*")?\s*\)"""
)
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t]+")


def strip_controls(value: str) -> str:
    """Remove terminal escape sequences, control characters and bidi overrides."""
    if value.replace("\n", "").isprintable():
        # Nothing to strip (every escape, control and format character is unprintable): the
        # usual case, a body of several lines or a string read back from our own document,
        # checked in C rather than by two passes of the expressions below (35 against 151 us
        # for a 3.5 KB body).
        return value
    # U+2028/U+2029 separate lines too: a terminal must not get to decide what they do.
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", value))


def _clean_line(text: str, limit: int) -> bool:
    """True when `text` is already one line of plain text within `limit`: nothing to change.

    Most names, ids and titles are; a page has a hundred of them, so this check is in C:
    `isprintable` is false for every control, format (bidi, zero-width, tag), surrogate and
    separator character but the ASCII space, which leaves markup, Markdown links and spacing
    to look for.
    """
    return (
        len(text) <= limit
        and text.isprintable()
        and "<" not in text
        and "&" not in text
        and "](" not in text  # a Markdown link, read as `text (url)`
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
    )


def plain_text(value: object, limit: int = MAX_TEXT) -> str:
    """Return a body as plain text: no HTML tags, no controls, Markdown links as `text (url)`,
    trimmed and capped at `limit`."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if "](" in text:
        text = _MARKDOWN_LINK.sub(_link_as_text, text)
    if _clean_line(text, limit) or (len(text) <= limit and not _NEEDS_WORK.search(text)):
        return text
    if "<" in text:
        text = _TAG.sub("", _BREAK.sub("\n", text))
    if "&" in text:
        text = html.unescape(text)
    text = strip_controls(text)
    lines = text.split("\n")
    if "  " in text or "\t" in text:  # else every run of spaces is one space already
        lines = [_SPACES.sub(" ", line) for line in lines]
    text = "\n".join(line.strip() for line in lines)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    text = text.strip()
    return text[: limit - 1] + "…" if len(text) > limit else text


def _link_as_text(match: re.Match[str]) -> str:
    """`[text](url)` as `text (url)`; just `text` when the URL says nothing more (an address
    given as its own text) or is not a web or mail link."""
    label, url = match.group(1), match.group(2)
    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https", "mailto"):
        return label
    if url.removeprefix("mailto:") == label or url == label:
        return label
    return f"{label} ({url})"


def one_line(value: object, limit: int = MAX_TITLE) -> str:
    """Return a title or a name as one line of plain text."""
    if (
        # _clean_line, written out: a page has a hundred names and ids, and a call each costs.
        isinstance(value, str)
        and len(value) <= limit
        and value.isprintable()
        and "<" not in value
        and "&" not in value
        and "  " not in value
        and not value.startswith(" ")
        and not value.endswith(" ")
    ):
        return value
    return " ".join(plain_text(value, limit).split())


def safe_url(value: object) -> str | None:
    """Return `value` if it is an http(s) URL without controls or spaces, else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url.lower().startswith(("http://", "https://")) or len(url) > 2048:
        return None
    if url.isprintable() and " " not in url:
        # In C: no control, format, surrogate or separator character and no space, so nothing
        # below could refuse it (a page links every incident and component).
        return url
    if strip_controls(url) != url or any(c.isspace() for c in url):
        return None
    return url


def cell_width(text: str) -> int:
    """The columns `text` takes on a terminal: CJK and emoji take two, combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` columns: cut with "…" when longer, padded when shorter."""
    if cell_width(text) > width:
        kept: list[str] = []
        used = 0
        for char in text:
            size = cell_width(char)
            if used + size > width - 1:
                break
            kept.append(char)
            used += size
        text = "".join(kept) + "…"
    return text + " " * (width - cell_width(text))
