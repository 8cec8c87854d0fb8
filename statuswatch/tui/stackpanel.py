"""The stacks list that heads the live view: shown only when the config has stacks."""

from __future__ import annotations

from statuswatch.tui.board import Board
from statuswatch.tui.render import stack_cells
from statuswatch.tui.widgets import Column, ListTable

__all__ = ["STACK_COLUMNS", "show_stacks"]

STACK_COLUMNS = (
    Column("status", "Status", 14),
    Column("name", "Stack", 22, least=10),
    Column("note", "Why", least=16, drop=1),
)

_MAX_STACK_ROWS = 6  # the list grows to this many rows, then scrolls


def show_stacks(table: ListTable, board: Board) -> None:
    """Fill the stacks list (shown only when the config has stacks), worst first."""
    stacks = sorted(board.stacks, key=lambda s: -s.status.urgency)
    table.display = bool(stacks)
    if not stacks:
        return
    table.styles.height = min(len(stacks), _MAX_STACK_ROWS) + 3  # header and borders
    title = f"Stacks ({len(stacks)})"
    if table.border_title != title:
        table.border_title = title
    table.show([f"stack:{s.id}" for s in stacks], lambda i: stack_cells(stacks[i]))
