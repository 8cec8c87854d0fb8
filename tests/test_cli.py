"""The command line: arguments, config errors (one line, exit 2), providers, config helpers."""

import argparse
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from statuswatch import __version__
from statuswatch.cli import main
from statuswatch.config import load_config
from statuswatch.paths import config_file

BAD_CONFIGS = [
    (
        'watch = ["cloudfare"]\n',
        "watch[0]: unknown provider 'cloudfare' (did you mean 'cloudflare'?)",
    ),
    ("intervall = 60\n", "intervall: unknown key 'intervall' (did you mean 'interval'?)"),
    ('watch = "github"\n', "watch: expected a list of strings, got string"),
    ('interval = "fast"\n', "interval: expected a number of seconds"),
    (
        '[providers.cloudflare]\nkind = "statuspag"\n',
        "providers.cloudflare.kind: unknown kind 'statuspag' (did you mean 'statuspage'?",
    ),
    (
        '[providers.mine]\nkind = "statuspage"\nurl = "ftp://status.example"\n',
        "providers.mine.url: expected an http or https URL with a host, got 'ftp://status.example'",
    ),
    ("watch = [\n", "invalid TOML"),
    ('[http]\nretries = "3"\n', "http.retries: expected an integer, got string"),
    ("[http]\ntimeout = 3\n", "http.timeout: unknown key 'timeout'"),
]


@pytest.mark.parametrize(("text", "problem"), BAD_CONFIGS)
def test_bad_config_is_one_line_naming_file_and_key_exit_2(
    text: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_file()
    config.write_text(text)
    for argv in (["--json"], ["status"], ["providers"]):
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        lines = captured.err.splitlines()
        assert len(lines) == 1, captured.err
        assert lines[0].startswith(f"statuswatch: error: {config}: ")
        assert problem in lines[0]


def test_unknown_provider_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-p", "githb", "--json"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "statuswatch: error: command line: --provider: unknown provider 'githb' "
        "(did you mean 'github'?)\n"
    )


def test_bad_config_from_the_real_command(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('watch = ["opneai"]\n')
    env = dict(os.environ, STATUSWATCH_CONFIG=str(config))
    done = subprocess.run(
        [sys.executable, "-m", "statuswatch", "--json"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"statuswatch: error: {config}: watch[0]: unknown provider 'opneai' "
        "(did you mean 'openai'?)\n"
    )


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"statuswatch {__version__}\n"


def test_help_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for word in ("status", "providers", "config path", "config init", "--json", "exit codes"):
        assert word in out


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-such-flag"]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_providers_json_lists_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["providers", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["schema"] == "statuswatch/v1"
    by_id = {p["id"]: p for p in document["providers"]}
    assert len(by_id) >= 60
    assert by_id["cloudflare"]["kind"] == "statuspage"
    assert by_id["openai"]["kind"] == "incidentio"
    assert by_id["github"]["url"] == "https://www.githubstatus.com"
    assert by_id["canva"]["url"] == "https://www.canvastatus.com"
    assert by_id["cloudflare"]["watched"] is True


def test_providers_category_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["providers", "--json", "--category", "ai"]) == 0
    providers = json.loads(capsys.readouterr().out)["providers"]
    assert providers and {p["category"] for p in providers} == {"ai"}
    assert "openai" in {p["id"] for p in providers}
    assert main(["providers", "--category", "aii"]) == 2
    assert "unknown category 'aii'" in capsys.readouterr().err


def test_providers_table_marks_the_watch_list(capsys: pytest.CaptureFixture[str]) -> None:
    config_file().write_text('watch = ["github"]\n')
    assert main(["providers", "--watched"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[1].split()[:4] == ["github", "statuspage", "devtools", "*"]
    assert lines[2] == "1 provider; * = in your watch list"


def test_config_path_is_the_default_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out == f"{config_file()}\n"


def test_config_init_writes_once_and_never_overwrites(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = config_file()
    assert main(["config", "init"]) == 0
    written = path.read_text()
    assert "cloudflare" in tomllib.loads(written)["watch"]
    assert main(["config", "init"]) == 2
    assert "already exists; not overwritten" in capsys.readouterr().err
    assert path.read_text() == written
    assert load_config().watch == tuple(tomllib.loads(written)["watch"])


def test_schema_command_prints_the_shipped_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["properties"]["schema"] == {"const": "statuswatch/v1"}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["-p", "github", "status"], (["github"], False)),
        (["status", "-p", "github", "--json"], (["github"], True)),
        (["--json", "-p", "a", "status", "-p", "b"], (["b"], True)),  # the later -p wins
        (["status"], ([], False)),
    ],
)
def test_options_before_or_after_the_status_command(
    argv: list[str], expected: tuple[list[str], bool]
) -> None:
    from statuswatch.cli import build_parser

    args = build_parser().parse_args(argv)
    assert (args.provider, args.json) == expected
    assert args.color == "auto" and args.all is False


@pytest.mark.parametrize(
    "command", ["status", "check", "wait", "notify", "serve", "config", "add", "remove", "demo"]
)
def test_help_of_each_command_has_examples_and_exit_codes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    examples = out.split("examples:\n", 1)[1]
    lines = [line for line in examples.splitlines() if f"statuswatch {command}" in line]
    assert len(lines) >= 2, out
    if command not in ("config", "demo"):
        assert "exit codes" in out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--json"],
        ["--json", "--no-probes", "--all"],
        ["--only-problems", "--bell"],
        ["--version"],
        ["--jso"],  # an abbreviation, as the full parser takes it
        ["--bogus"],
        ["--json", "--json"],
        ["-p", "github", "--json"],
        ["--config", "f.toml", "--json"],
        ["--config=f.toml", "-p", "aws:us-east-1"],
        ["-p", "status", "--json"],  # a value that is a command's name
        ["-p", "status", "check"],
        ["status", "-p", "github", "--json"],
        ["--json", "-p", "a", "status", "-p", "b"],
        ["check", "--stack", "checkout"],
        ["status", "--version"],  # not an option of `status`
        ["--version", "status"],
        ["bogus"],
        ["-p", "github", "bogus"],
        ["status", "bogus"],
        ["status", "check"],
        ["-p"],
        ["history", "--since", "30d", "-p", "github"],
        ["report", "--since", "nonsense"],
        ["config", "init"],  # a command with actions of its own
        ["config", "bogus"],
        ["config"],
        ["serve", "--interval", "x"],
        ["--he"],  # an abbreviation of --help: the help lists every command
        ["-h"],
        ["status", "--help"],
        ["wait", "-h"],
    ],
)
def test_a_line_parses_the_same_with_only_the_commands_it_names(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from statuswatch.cli import build_parser, parse_words

    def parsed(parse: Callable[[], argparse.Namespace]) -> tuple[object, str, str]:
        try:
            args = parse()
        except SystemExit as exc:
            out = capsys.readouterr()
            return exc.code, out.out, out.err
        return sorted(vars(args).items()), "", ""

    full = parsed(lambda: build_parser().parse_args(argv))
    assert parsed(lambda: parse_words(argv)) == full
    if argv and argv[0] in ("-h", "--he"):
        assert "COMMAND" in str(full[1]) and "history" in str(full[1])


def test_a_line_without_a_command_imports_no_command_module() -> None:
    script = (
        "import sys; from statuswatch.cli import parse_words; "
        "args = parse_words(['-p', 'github', '--config', 'f.toml', '--json']); "
        "loaded = sorted(m for m in sys.modules if m.startswith('statuswatch.commands.')); "
        "args = parse_words(['check', '-p', 'github']); "
        "then = sorted(m for m in sys.modules if m.startswith('statuswatch.commands.')); "
        "print(loaded, then, args.command)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    # `status` runs plain `statuswatch`, so the CLI imports it whatever the line.
    assert out.strip() == (
        "['statuswatch.commands.status'] "
        "['statuswatch.commands.check', 'statuswatch.commands.status'] check"
    )
