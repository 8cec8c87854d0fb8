"""The widgets of the main screen: a header, three lists and a detail pane.

`ListTable` draws only the rows on screen (the Line API): replacing all its rows costs a list
assignment, so a refresh of hundreds of providers never holds up a keypress. (Textual's
DataTable measures every cell of every row it is given, tens of milliseconds per refill.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from statuswatch.records import record

__all__ = [
    "INCIDENT_COLUMNS",
    "MAINTENANCE_COLUMNS",
    "PROVIDER_COLUMNS",
    "Column",
    "DetailPane",
    "ListTable",
    "StatusHeader",
    "fit_columns",
    "set_title",
]

CellsAt = Callable[[int], Sequence[Text]]


@record
class Column:
    """One column of a ListTable and how it gives way when the list is narrow.

    A column without a `width` takes the room left; with `least`, a column may shrink to that
    many cells (the flexible one needs that many); with `drop`, it is left out when the row is
    too narrow, the highest `drop` first: at 2 or more before any column shrinks, at 1 only
    once shrinking is not enough. A column with neither always shows.
    """

    key: str
    label: str
    width: int | None = None
    least: int = 0
    drop: int = 0


# The main screen's lists. Narrow, each keeps what matters most: a provider's status and name;
# an incident's provider, title and since when (the phase goes first, then the impact).
PROVIDER_COLUMNS = (
    Column("status", "Status", 14),
    Column("name", "Provider", 22, least=10),
    Column("note", "Note", least=16, drop=1),
)
INCIDENT_COLUMNS = (
    Column("impact", "Impact", 8, drop=1),
    Column("provider", "Provider", 18, least=10),
    Column("title", "Incident", least=16),
    Column("phase", "Phase", 13, drop=2),
    Column("since", "Since", 11),
)
MAINTENANCE_COLUMNS = (
    Column("when", "When", 12),
    Column("provider", "Provider", 18, least=10),
    Column("title", "Title", least=12),
)


def fit_columns(columns: Sequence[Column], total: int, gap: int = 2) -> list[tuple[int, int]]:
    """The columns to show in `total` cells and their widths: [(index, width), ...].

    The most important columns survive: first the shrinkable ones give way (down to their
    `least`), then the droppable ones go, highest `drop` first; the flexible column gets what
    is left (a shrinkable one does when the flexible column is dropped).
    """
    droppable = sorted((c.drop, i) for i, c in enumerate(columns) if c.drop)
    droppable.reverse()
    # (columns dropped, may shrink), in the order they are tried.
    attempts: list[tuple[int, bool]] = [(0, False)]
    for dropped, (drop, _) in enumerate(droppable, start=1):
        if drop < 2:
            attempts.append((dropped - 1, True))
        attempts.append((dropped, False))
    attempts.append((len(droppable), True))
    for dropped, shrink in attempts:
        gone = {index for _, index in droppable[:dropped]}
        shown = [i for i in range(len(columns)) if i not in gone]
        fitted = _fit(columns, shown, total, gap, shrink)
        if fitted:
            return fitted
    # Nothing fits (a very narrow terminal): what never drops, at its least, the rest cut.
    shown = [i for i, c in enumerate(columns) if not c.drop]
    widths = [columns[i].least or columns[i].width or 1 for i in shown]
    return [(i, w) for i, w in zip(shown, widths, strict=True)]


def _fit(
    columns: Sequence[Column], shown: list[int], total: int, gap: int, shrink: bool
) -> list[tuple[int, int]]:
    """Widths for the columns `shown` in `total` cells, or [] when they cannot fit."""
    room = total - 1 - gap * (len(shown) - 1) - 1  # a blank cell at each end
    flex = next((i for i in shown if columns[i].width is None), None)
    widths = {i: columns[i].width or 0 for i in shown if i != flex}
    need = columns[flex].least if flex is not None else 0
    spare = room - sum(widths.values()) - need
    for i in shown:  # shrink the shrinkable columns, in order, just as much as needed
        if spare >= 0 or not shrink:
            break
        column = columns[i]
        if i != flex and column.least and widths[i] > column.least:
            give = min(widths[i] - column.least, -spare)
            widths[i] -= give
            spare += give
    if spare < 0:
        return []
    if flex is not None:
        widths[flex] = need + spare
    else:  # the flexible column was dropped: the first shrinkable one takes the rest
        grower = next((i for i in shown if columns[i].least), None)
        if grower is not None:
            widths[grower] += spare
    return [(i, widths[i]) for i in shown]


class ListTable(ScrollView, can_focus=True):
    """Rows under a header line, a row cursor that keeps to its row across refills."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Move", key_display="↑↓ j k"),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        # Not in the footer (at 80 columns it needs the room for `? Help` and `q Quit`); `?` has it.
        Binding("enter", "select", "Details", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "listtable--header",
        "listtable--cursor",
        "listtable--cursor-blurred",
    }
    PADDING = 1  # blank columns on each side of a cell

    class Highlighted(Message):
        """The cursor is on another row (`key` None when the list is empty)."""

        def __init__(self, table: ListTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

    class Selected(Message):
        """A row was chosen: enter, or a click on the row under the cursor."""

        def __init__(self, table: ListTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

    def __init__(self, columns: Sequence[Column], *, id: str) -> None:
        """`columns` in order; the one without a width takes the rest (see Column)."""
        super().__init__(id=id)
        self.columns = tuple(columns)
        self._layout: tuple[int, list[tuple[int, int]]] = (-1, [])  # width -> fitted
        self.keys: list[str] = []
        self._cells_at: CellsAt = lambda index: ()
        self.cursor_row = 0
        self._armed = False  # a click on the cursor row opens it (after a first click)
        self._drawn: dict[int, tuple[str, tuple[object, ...]]] = {}  # row -> key, cells drawn
        self._fresh: dict[int, tuple[Text, ...]] = {}  # cells built by redraw_changed, to draw
        self._strips: dict[int, tuple[tuple[object, ...], Strip]] = {}  # row -> last strip
        self._styles: dict[str, Style] | None = None

    # --- data ----------------------------------------------------------------------------------

    def show(self, keys: Sequence[str], cells_at: CellsAt) -> None:
        """Replace the rows: `keys` in order, `cells_at(i)` the cells of row i (built when drawn).

        The cursor stays on the row with the same key when there still is one.
        """
        before = self.selected_key
        cursor, top = self.cursor_row, round(self.scroll_y)
        self.keys = list(keys)
        self._cells_at = cells_at
        if before in self.keys:
            self.cursor_row = self.keys.index(before)
        else:
            self.cursor_row = max(0, min(self.cursor_row, len(self.keys) - 1))
        self._size_to_rows()
        self._keep_cursor_visible()
        if (self.cursor_row, round(self.scroll_y)) != (cursor, top):
            self.refresh()
        else:
            self.redraw_changed()
        if self.selected_key != before:
            self.post_message(self.Highlighted(self, self.selected_key))

    def redraw_changed(self) -> None:
        """Repaint only the rows on screen whose content differs from what is drawn.

        A poll changes a few rows at a time: repainting the whole list for each would cost
        the UI thread a frame per report.
        """
        top = round(self.scroll_y)
        for row in range(top, min(top + self._page(), len(self.keys) + self._page())):
            drawn = self._drawn.get(row)
            if row >= len(self.keys):
                if drawn is not None:
                    self.refresh_lines(row + 1)
                continue
            cells = tuple(self._cells_at(row))
            if drawn is None or drawn[:2] != (self.keys[row], _signature(cells)):
                self._fresh[row] = cells
                self.refresh_lines(row + 1)

    @property
    def row_count(self) -> int:
        """How many rows there are."""
        return len(self.keys)

    @property
    def selected_key(self) -> str | None:
        """The key of the row under the cursor, if any."""
        return self.keys[self.cursor_row] if self.keys else None

    def row_cells(self, index: int) -> list[Text]:
        """The cells of row `index`, as drawn."""
        return list(self._cells_at(index))

    # --- cursor --------------------------------------------------------------------------------

    def move_cursor(self, row: int) -> None:
        """Put the cursor on row `row` (clamped) and tell the app."""
        if not self.keys:
            return
        row = max(0, min(row, len(self.keys) - 1))
        if row != self.cursor_row:
            self.cursor_row = row
            self._keep_cursor_visible()
            self.refresh()
            self.post_message(self.Highlighted(self, self.selected_key))

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        """One row down."""
        self.move_cursor(self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        """One row up."""
        self.move_cursor(self.cursor_row - 1)

    def action_page_down(self) -> None:
        """One page down."""
        self.move_cursor(self.cursor_row + self._page())

    def action_page_up(self) -> None:
        """One page up."""
        self.move_cursor(self.cursor_row - self._page())

    def action_first(self) -> None:
        """The first row."""
        self.move_cursor(0)

    def action_last(self) -> None:
        """The last row."""
        self.move_cursor(len(self.keys) - 1)

    def action_select(self) -> None:
        """Choose the row under the cursor."""
        if self.selected_key is not None:
            self.post_message(self.Selected(self, self.selected_key))

    def _keep_cursor_visible(self) -> None:
        visible = self._page()
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def on_click(self, event: events.Click) -> None:
        """A click selects a row; another click on it (or a double click) chooses it."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return  # the border or the header
        row = round(self.scroll_y) + offset.y - 1
        if not 0 <= row < len(self.keys):
            return
        # The first click into a list only selects, even on the row already under the cursor.
        if row == self.cursor_row and (self._armed or event.chain > 1):
            self.action_select()
        else:
            self.move_cursor(row)
        self._armed = True

    def on_resize(self) -> None:
        """Keep the virtual size in step with the width."""
        self._size_to_rows()

    def _size_to_rows(self) -> None:
        size = Size(self.size.width, len(self.keys) + 1)
        if size != self.virtual_size:  # a new virtual size lays out (and repaints) the screen
            self.virtual_size = size

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self._armed = False
        self.refresh()

    # --- drawing -------------------------------------------------------------------------------

    def fitted(self, total: int) -> list[tuple[int, int]]:
        """The columns shown in `total` cells and their widths (see fit_columns)."""
        if self._layout[0] != total:
            self._layout = (total, fit_columns(self.columns, total, 2 * self.PADDING))
        return self._layout[1]

    def shown_labels(self) -> list[str]:
        """The labels of the columns shown at the list's current width."""
        width = self.scrollable_content_region.width
        return [self.columns[i].label for i, _ in self.fitted(width)]

    def notify_style_update(self) -> None:
        """Styles changed (theme, focus): drop what was drawn with the old ones."""
        super().notify_style_update()
        self._styles = None
        self._strips.clear()

    def _style(self, name: str) -> Style:
        """The widget's style (`base`) or a component's, computed once per style change."""
        # Looking styles up walks the DOM: far too slow to do for every line drawn.
        if self._styles is None:
            base = self.rich_style
            self._styles = {
                "base": base,
                "header": base + self.get_component_rich_style("listtable--header"),
                "cursor": base + self.get_component_rich_style("listtable--cursor"),
                "blurred": base + self.get_component_rich_style("listtable--cursor-blurred"),
            }
        return self._styles[name]

    def render_line(self, y: int) -> Strip:
        """Line `y` of the view: the header, or the row under it at the scroll position."""
        width = self.scrollable_content_region.width
        if y == 0:
            labels = tuple(Text(column.label) for column in self.columns)
            return self._cached(-1, ("header", width), labels, width, self._style("header"))
        row = round(self.scroll_y) + y - 1
        if row >= len(self.keys):
            self._drawn.pop(row, None)
            return Strip.blank(width, self._style("base"))
        style = "base"
        if row == self.cursor_row:
            style = "cursor" if self.has_focus else "blurred"
        cells = self._fresh.pop(row, None) or tuple(self._cells_at(row))
        signature = (self.keys[row], _signature(cells))
        self._drawn[row] = signature
        return self._cached(row, (*signature, style, width), cells, width, self._style(style))

    def _cached(
        self,
        row: int,
        signature: tuple[object, ...],
        cells: Sequence[Text],
        width: int,
        style: Style,
    ) -> Strip:
        """The row's strip: from the cache when it looks the same as when last drawn."""
        cached = self._strips.get(row)
        if cached is not None and cached[0] == signature:
            return cached[1]
        strip = self._strip(cells, width, style)
        self._strips[row] = (signature, strip)
        return strip

    def _strip(self, cells: Sequence[Text], width: int, style: Style) -> Strip:
        pad = " " * self.PADDING
        line = Text(pad)
        for index, size in self.fitted(width):
            if index >= len(cells):
                continue
            piece = cells[index].copy()
            # Too long ends in "…" (a name cut without one reads as a different name).
            piece.truncate(size, overflow="ellipsis", pad=True)
            line.append_text(piece)
            line.append(pad + pad)
        segments = list(line.render(self.app.console))
        return Strip(segments).crop_extend(0, width, None).apply_style(style)


def _signature(cells: Sequence[Text]) -> tuple[object, ...]:
    """What a row looks like: text, base style and spans (Text equality ignores the style)."""
    return tuple((cell.plain, str(cell.style), tuple(cell.spans)) for cell in cells)


class StatusHeader(Static):
    """Last refresh, next refresh and the count of providers in each status."""

    _shown: Text | None = None

    def show(self, text: Text, *, outage: bool, degraded: bool) -> None:
        """Show `text` (only when it changed) and colour the bar for an outage or degradation."""
        if text != self._shown:
            self._shown = text
            # Its height is fixed: no layout pass, which would repaint the whole screen.
            self.update(text, layout=False)
        self.set_class(outage, "-outage")
        self.set_class(degraded, "-degraded")


class DetailPane(ScrollView, can_focus=True):
    """The selected incident, maintenance or provider, in full, wrapped to the pane's width.

    Drawn with the Line API and a virtual height of at least the pane's own: moving from one
    short text to another changes no size, so it costs no layout of the screen (a `Static`
    would lay out, and repaint, the whole screen for every row the cursor passes).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Scroll", show=False),
        Binding("k", "scroll_up", "Scroll", show=False),
    ]

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.text = Text()
        self._key: object = None
        self._lines: list[Strip] = []
        self._width = 0

    def show(self, text: Text, key: object = None) -> None:
        """Show `text`; a new `key` (another item) scrolls back to the top."""
        self.text = text
        if key != self._key:
            self._key = key
            self.scroll_to(y=0, animate=False, immediate=True)
        self._wrap()
        self.refresh()

    def _wrap(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            self._lines = []
            return
        self._width = width
        console = self.app.console
        options = console.options.update(width=width, height=None)
        lines = console.render_lines(self.text, options, pad=False, new_lines=False)
        self._lines = [Strip(line) for line in lines]
        size = Size(width, max(len(self._lines), self.scrollable_content_region.height))
        if size != self.virtual_size:
            self.virtual_size = size

    def on_resize(self) -> None:
        """Wrap again at the new width."""
        self._wrap()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """Line `y` of the view, at the scroll position."""
        width = self.scrollable_content_region.width
        if width != self._width:
            self._wrap()
        row = round(self.scroll_y) + y
        style = self.rich_style
        if row >= len(self._lines):
            return Strip.blank(width, style)
        return self._lines[row].crop_extend(0, width, None).apply_style(style)


def set_title(widget: Widget, title: str) -> None:
    """Set a border title only when it changes (each set repaints the widget)."""
    if widget.border_title != title:
        widget.border_title = title
