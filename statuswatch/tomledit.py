"""Edits of the user's config file as text, so its comments and layout stay (stdlib only).

`add` appends a `[providers.<id>]` table and an id to `watch = [...]`; `remove` takes them
out again. Each edit finds what it changes by reading TOML's own syntax (strings, comments,
brackets), and returns None when the text is not written plainly enough to edit with
confidence; the commands then check that the new text loads as the config they meant.
"""

from __future__ import annotations

import json
import re

__all__ = [
    "ADDED_BY",
    "add_to_watch",
    "append_table",
    "bare_key",
    "basic_string",
    "remove_from_watch",
    "remove_table",
]

# The comment `add` writes above a table it appends; `remove` takes it away with the table.
ADDED_BY = "# Added by `statuswatch add"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_HEADER = re.compile(r"(?m)^[ \t]*\[")


def basic_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL must be escaped too)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def bare_key(key: str) -> str:
    """A TOML key: bare when it can be, else quoted ("my.page")."""
    return key if _BARE_KEY.fullmatch(key) else basic_string(key)


def append_table(text: str, table: str) -> str:
    """`text` with `table` appended after a blank line."""
    if not text.strip():
        return table
    return text.rstrip("\n") + "\n\n" + table


def add_to_watch(text: str, provider_id: str) -> str | None:
    """`text` with `provider_id` appended to its top-level `watch = [...]`, or None.

    None when there is no such list (before the first table) or it is not written plainly
    enough to edit with confidence; the caller then leaves `watch` alone.
    """
    span = watch_span(text)
    if span is None:
        return None
    opening, closing = span
    last = _last_significant(text, opening + 1, closing)
    entry = basic_string(provider_id)
    if last is None:  # an empty list
        return text[: opening + 1] + entry + text[opening + 1 :]
    glue = " " if text[last] == "," else ", "
    return text[: last + 1] + glue + entry + text[last + 1 :]


def remove_from_watch(text: str, provider_id: str) -> str | None:
    """`text` without the string `provider_id` in its top-level `watch = [...]`, or None.

    An element alone on its line goes with the line (and the comment on it); otherwise it
    goes with the comma after it, or for the last one in a one-line list the comma before
    it. None when the list or the element cannot be found plainly.
    """
    span = watch_span(text)
    if span is None:
        return None
    opening, closing = span
    elements = _elements(text, opening + 1, closing)
    for index, (start, end) in enumerate(elements):
        if _string_value(text, start, end) != provider_id:
            continue
        line_start = text.rfind("\n", 0, start) + 1
        comma = _comma_after(text, end, closing)
        after = comma + 1 if comma is not None else end
        line_end = text.find("\n", after)
        rest = text[after : len(text) if line_end < 0 else line_end].strip()
        alone = not text[line_start:start].strip() and (not rest or rest.startswith("#"))
        if alone and line_end >= 0 and (comma is not None or index > 0):
            return text[:line_start] + text[line_end + 1 :]  # the whole line
        if comma is not None:  # through the comma and the blanks after it
            stop = comma + 1
            while stop < closing and text[stop] in " \t":
                stop += 1
            return text[:start] + text[stop:]
        if index > 0:  # the last element, on a line with others
            previous_end = elements[index - 1][1]
            before = _comma_after(text, previous_end, start)
            if before is not None:
                closes_here = text[end:closing].strip() == ""
                # `["a", "b"]` -> `["a"]`; `"a", "b"  # note` on a line of a longer list
                # keeps its comma, as `add` left it.
                cut = before if closes_here and "\n" not in text[end:closing] else before + 1
                return text[:cut] + text[end:]
        return text[:start] + text[end:]
    return None


def _string_value(text: str, start: int, end: int) -> str | None:
    """The value of the TOML string text[start:end] (basic or literal), or None."""
    if text[start] == "'":
        return text[start + 1 : end - 1]
    try:
        value = json.loads(text[start:end])
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def remove_table(text: str, dotted: str) -> str | None:
    """`text` without the table whose header is `[dotted]`, or None if there is none.

    The table goes from its header to the next header (or the end), with the blank lines
    after it and the `# Added by` comment `add` wrote right above it; every other comment
    and line stays. None when the header appears more than once (not plain enough).
    """
    header = re.compile(rf"(?m)^[ \t]*\[[ \t]*{re.escape(dotted)}[ \t]*\][ \t]*(?:#.*)?$")
    found = [m for m in header.finditer(text) if _outside_strings(text, m.start())]
    if len(found) != 1:
        return None
    start = found[0].start()
    following = [
        m.start()
        for m in _HEADER.finditer(text, found[0].end())
        if _outside_strings(text, m.start())
    ]
    end = following[0] if following else len(text)
    # A comment block right before the next header describes that table: it stays.
    end = _before_comments(text, start, end)
    lines_before = text[:start].splitlines(keepends=True)
    if lines_before and lines_before[-1].startswith(ADDED_BY):
        start -= len(lines_before[-1])
    head, tail = text[:start], text[end:]
    if not tail.strip():
        return head.rstrip("\n") + "\n" if head.strip() else ""
    if not head.strip():
        return tail.lstrip("\n")
    return head.rstrip("\n") + "\n\n" + tail.lstrip("\n")  # one blank line, as `add` leaves


def watch_span(text: str) -> tuple[int, int] | None:
    """Where the top-level `watch` array opens and closes, or None."""
    for match in re.finditer(r"(?m)^[ \t]*(\[|watch[ \t]*=[ \t]*\[)", text):
        if match.group(1) == "[":
            return None  # a table header: `watch` cannot follow it at the top level
        opening = match.end() - 1
        closing = _closing_bracket(text, opening)
        return (opening, closing) if closing is not None else None
    return None


def _closing_bracket(text: str, opening: int) -> int | None:
    """The index of the `]` closing the array opened at `opening`, skipping strings/comments."""
    depth = 0
    index = opening
    while index < len(text):
        char = text[index]
        if char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
            continue
        if char in "\"'":
            end = _string_end(text, index)
            if end is None:
                return None
            index = end
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def _string_end(text: str, start: int) -> int | None:
    """The index just past the TOML string starting at `start`."""
    quote = text[start]
    triple = text.startswith(quote * 3, start)
    delimiter = quote * 3 if triple else quote
    index = start + len(delimiter)
    while index < len(text):
        if quote == '"' and text[index] == "\\":
            index += 2
            continue
        if text.startswith(delimiter, index):
            return index + len(delimiter)
        if not triple and text[index] == "\n":
            return None
        index += 1
    return None


def _last_significant(text: str, start: int, end: int) -> int | None:
    """The index of the last character in text[start:end] outside comments and whitespace."""
    last: int | None = None
    index = start
    while index < end:
        char = text[index]
        if char == "#":
            newline = text.find("\n", index, end)
            index = end if newline < 0 else newline
            continue
        if char in "\"'":
            stop = _string_end(text, index) or end
            last = stop - 1
            index = stop
            continue
        if not char.isspace():
            last = index
        index += 1
    return last


def _elements(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The (start, end) of each string element of the array between `start` and `end`."""
    found: list[tuple[int, int]] = []
    index = start
    while index < end:
        char = text[index]
        if char == "#":
            newline = text.find("\n", index, end)
            index = end if newline < 0 else newline
            continue
        if char in "\"'":
            stop = _string_end(text, index)
            if stop is None:
                return found
            found.append((index, stop))
            index = stop
            continue
        index += 1
    return found


def _comma_after(text: str, start: int, end: int) -> int | None:
    """The index of the comma after an element (only blanks between), or None."""
    index = start
    while index < end and text[index] in " \t\r\n":
        index += 1
    return index if index < end and text[index] == "," else None


def _outside_strings(text: str, position: int) -> bool:
    """True if `position` is not inside a multi-line string (the only kind a line can start in)."""
    return text.count('"""', 0, position) % 2 == 0 and text.count("'''", 0, position) % 2 == 0


def _before_comments(text: str, start: int, end: int) -> int:
    """`end`, moved back over the comment lines (and blanks) just before it, within the table."""
    lines = text[start:end].splitlines(keepends=True)
    keep = len(lines)
    while keep > 1 and (lines[keep - 1].lstrip().startswith("#") or not lines[keep - 1].strip()):
        keep -= 1
    # Blank lines between the table and those comments go with the table.
    cut = start + sum(len(line) for line in lines[:keep])
    while cut < end and text[cut] == "\n":
        cut += 1
    return cut if any(line.lstrip().startswith("#") for line in lines[keep:]) else end
