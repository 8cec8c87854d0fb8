"""One module per subcommand; the CLI discovers them, so adding a command touches no other file.

Each module defines:

* ``NAME``: the subcommand (``"providers"``), ``HELP``: one line for ``--help``, ``ORDER``: where
  it is listed;
* ``configure(parser: argparse.ArgumentParser) -> None``: adds its arguments;
* ``run(args: argparse.Namespace) -> int``: runs it and returns the exit code.

A module imports only the standard library and light statuswatch modules at the top; whatever
is heavy (httpx, Textual, feedparser) is imported inside ``run``, so ``--help`` and the headless
commands stay fast and never load the TUI.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from types import ModuleType
from typing import Protocol, cast


class Command(Protocol):
    """What the CLI needs of a command module."""

    NAME: str
    HELP: str
    ORDER: int

    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def command_names() -> list[str]:
    """Return every command's name, without importing them (each module is named after it)."""
    return [info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]


def named(name: str) -> Command:
    """Return the command module `name` (one of `command_names()`)."""
    module: ModuleType = importlib.import_module(f"{__name__}.{name}")
    command = cast(Command, module)
    if name != command.NAME:  # the convention `command_names` relies on
        raise LookupError(f"{module.__name__} names its command {command.NAME!r}, not {name!r}")
    return command


def discover() -> list[Command]:
    """Return every command module of this package, in listing order."""
    return sorted((named(name) for name in command_names()), key=lambda c: (c.ORDER, c.NAME))
