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


def discover() -> list[Command]:
    """Return every command module of this package, in listing order."""
    found: list[Command] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module: ModuleType = importlib.import_module(f"{__name__}.{info.name}")
        found.append(cast(Command, module))
    return sorted(found, key=lambda c: (c.ORDER, c.NAME))
