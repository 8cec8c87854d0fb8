"""The live terminal UI (Textual). Import `statuswatch.tui.app` only on the TUI's path."""
