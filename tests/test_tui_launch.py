"""Plain `statuswatch`: the TUI on a terminal, the table or JSON anywhere else."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from statuswatch import liveview
from statuswatch.cli import main
from statuswatch.tui.app import StatusApp

CONFIG = """\
watch = ["local", "other"]
interval = 45
[providers.local]
kind = "statuspage"
url = "http://127.0.0.1:9/page"
[providers.other]
kind = "statuspage"
url = "http://127.0.0.1:9/other"
[http]
retries = 0
connect_timeout = 1.0
"""


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch, private_paths: Path) -> list[StatusApp]:
    (private_paths / "config.toml").write_text(CONFIG)
    apps: list[StatusApp] = []
    # Records the app instead of taking over the terminal.
    monkeypatch.setattr(StatusApp, "run", lambda app, *args, **kwargs: apps.append(app))
    monkeypatch.setattr(liveview, "wants_tui", lambda args: not args.json)
    return apps


def test_plain_statuswatch_on_a_terminal_runs_the_tui(launched: list[StatusApp]) -> None:
    assert main([]) == 0
    (app,) = launched
    assert [s.id for s in app.board.specs] == ["local", "other"]
    assert app.interval == 45
    assert (app.bell_on_change, app.only_problems, app.banner) == (False, False, None)


def test_tui_options(launched: list[StatusApp]) -> None:
    assert main(["--interval", "30", "--bell", "--only-problems", "-p", "other"]) == 0
    (app,) = launched
    assert [s.id for s in app.board.specs] == ["other"]
    assert (app.interval, app.bell_on_change, app.only_problems) == (30, True, True)


def test_interval_below_the_minimum_is_refused(
    launched: list[StatusApp], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--interval", "5"]) == 2
    assert capsys.readouterr().err == (
        "statuswatch: error: argument --interval: expected a number of seconds from 10 to 86400, "
        "got '5' (see `statuswatch --help`)\n"
    )
    assert launched == []


def test_json_never_opens_the_tui(
    launched: list[StatusApp], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--json"]) == 0
    assert launched == []
    assert '"schema": "statuswatch/v1"' in capsys.readouterr().out


def test_bad_config_is_one_line(
    launched: list[StatusApp], private_paths: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (private_paths / "config.toml").write_text('watch = ["nope"]\n')
    assert main([]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert launched == []


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("stdout", "stdin", "term", "json_flag", "expected"),
    [
        (True, True, "xterm-256color", False, True),
        (False, True, "xterm-256color", False, False),  # piped: the table
        (True, False, "xterm-256color", False, False),  # no keyboard
        (True, True, "dumb", False, False),
        (True, True, "xterm-256color", True, False),
    ],
)
def test_wants_tui(
    monkeypatch: pytest.MonkeyPatch,
    stdout: bool,
    stdin: bool,
    term: str,
    json_flag: bool,
    expected: bool,
) -> None:
    monkeypatch.setattr("sys.stdout", Stream(stdout))
    monkeypatch.setattr("sys.stdin", Stream(stdin))
    monkeypatch.setenv("TERM", term)
    assert liveview.wants_tui(argparse.Namespace(json=json_flag)) is expected


def test_the_cli_app_tunes_the_garbage_collector(launched: list[StatusApp]) -> None:
    assert main([]) == 0
    assert launched[0].tune_gc is True


def test_a_live_view_that_crashes_never_exits_0(
    monkeypatch: pytest.MonkeyPatch, private_paths: Path
) -> None:
    (private_paths / "config.toml").write_text(CONFIG)
    real_run = StatusApp.run

    def headless(app: StatusApp, *args: object, **kwargs: object) -> object:
        return real_run(app, headless=True, size=(80, 24))

    def broken(**kwargs: object) -> object:
        raise OverflowError("date value out of range")  # what a runaway clock raised

    monkeypatch.setattr(StatusApp, "run", headless)
    monkeypatch.setattr(liveview, "wants_tui", lambda args: True)
    monkeypatch.setattr("statuswatch.tui.header.header_text", broken)
    assert main([]) == 1
