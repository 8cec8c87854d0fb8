"""Which config and which providers a command uses: `--config`, a named file, ids, `watch`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from loopback import LoopbackServer
from test_add import serve

from statuswatch.cli import main
from statuswatch.config import load_config

WATCH_GITHUB = 'watch = ["github"]\n'


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert captured.out == ""
    return line


# --- a config file named by hand --------------------------------------------------------------


@pytest.mark.parametrize("how", ["option", "option after the command", "environment"])
def test_a_named_config_that_does_not_exist_exits_2(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.toml"
    for command in (["status"], ["--json"], ["providers"], ["notify"], ["serve"], ["wait", "x"]):
        if how == "environment":
            monkeypatch.setenv("STATUSWATCH_CONFIG", str(missing))
            argv = command
        elif how == "option":
            argv = ["--config", str(missing), *command]
        else:
            argv = [*command, "--config", str(missing)]
        assert main(argv) == 2, argv
        assert _error(capsys) == (
            f"statuswatch: error: {missing}: no such file (named by --config or "
            "STATUSWATCH_CONFIG; `statuswatch config init` writes a starter one there)"
        )
    assert main(["--config", str(missing), "check"]) == 3  # Nagios' UNKNOWN, on stdout
    assert capsys.readouterr().out.startswith(f"STATUSWATCH UNKNOWN - {missing}: no such file")
    assert not missing.exists()


def test_the_default_config_may_be_missing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["providers", "--watched"]) == 0  # the catalog's default watch set
    assert "15 providers; * = in your watch list" in capsys.readouterr().out


def test_config_option_is_read_and_given_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named = tmp_path / "team.toml"
    named.write_text(WATCH_GITHUB)
    assert main(["--config", str(named), "providers", "--watched", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in document["providers"]] == ["github"]
    assert main(["config", "--config", str(named), "path"]) == 0
    assert capsys.readouterr().out == f"{named}\n"
    # Only that command: the next one reads the default file again.
    assert main(["providers", "--watched", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["providers"]) == 15


def test_config_init_and_add_create_a_named_file(
    tmp_path: Path, loopback: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    named = tmp_path / "new" / "config.toml"
    assert main(["--config", str(named), "config", "init"]) == 0
    assert "cloudflare" in load_config(named).watch
    other = tmp_path / "other.toml"
    assert main(["--config", str(other), "add", serve(loopback, "statuspage")]) == 0
    assert "example-chicago" in load_config(other).providers
    capsys.readouterr()


# --- ids and the watch list ---------------------------------------------------------------------


def test_ids_on_the_command_line_ignore_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["providers", "--json"]) == 0
    capsys.readouterr()
    for argv in (["-p", "CLOUDFLARE", "-p", "GitHub", "serve", "--interval", "5"],):
        assert main(argv) == 2  # gets as far as the interval: the ids were found
        assert "argument --interval: expected a number of seconds from 10 to 86400" in _error(
            capsys
        )
    assert main(["-p", "CLOUDFLAR", "--json"]) == 2
    assert _error(capsys) == (
        "statuswatch: error: command line: --provider: unknown provider 'CLOUDFLAR' "
        "(did you mean 'cloudflare'?)"
    )


def test_a_config_id_in_the_wrong_case_gets_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named = tmp_path / "c.toml"
    named.write_text('watch = ["CLOUDFLARE"]\n')
    assert main(["--config", str(named), "--json"]) == 2
    assert _error(capsys) == (
        f"statuswatch: error: {named}: watch[0]: unknown provider 'CLOUDFLARE' "
        "(did you mean 'cloudflare'?)"
    )


def test_an_empty_watch_list_says_nothing_is_watched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named = tmp_path / "c.toml"
    named.write_text("watch = []\n")
    message = (
        f"statuswatch: error: {named}: watch: the list is empty: nothing to poll (add provider "
        "ids from `statuswatch providers`, or use -p ID or --all)"
    )
    for command in (["status"], ["--json"], ["notify"], ["serve"]):
        assert main(["--config", str(named), *command]) == 2
        assert _error(capsys) == message
    assert main(["--config", str(named), "check"]) == 3
    assert capsys.readouterr().out.startswith(f"STATUSWATCH UNKNOWN - {named}: watch: the list")
