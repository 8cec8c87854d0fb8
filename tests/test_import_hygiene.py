"""The headless paths never import Textual (nor feedparser): proved in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from loopback import LoopbackServer

PROBE = """
import sys
from statuswatch.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'feedparser', 'rich'))
print('HEAVY=' + ','.join(heavy), file=sys.stderr)
server_only = ('statuswatch.serverclient', 'statuswatch.document.read')
reader = sorted(m for m in server_only if m in sys.modules)
print('READER=' + ','.join(reader), file=sys.stderr)
print('CODE=' + str(code), file=sys.stderr)
"""


def _run(args: list[str], config: Path, tmp_path: Path) -> tuple[str, str]:
    env = dict(os.environ)
    env.update(
        STATUSWATCH_CONFIG=str(config),
        STATUSWATCH_CACHE_DIR=str(tmp_path / "cache"),
        STATUSWATCH_STATE_DIR=str(tmp_path / "state"),
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return done.stdout, done.stderr


def _offline_config(tmp_path: Path, extra: str = "") -> Path:
    """A config whose one provider is on a closed loopback port: the poll really runs, fails
    fast, and stays offline."""
    config = tmp_path / "config.toml"
    config.write_text(
        'watch = ["local"]\n'
        "[providers.local]\n"
        'kind = "statuspage"\n'
        'url = "http://127.0.0.1:9/page"\n'
        "[http]\nretries = 0\nconnect_timeout = 1.0\n" + extra
    )
    return config


@pytest.mark.parametrize(
    "args",
    [
        [],  # plain `statuswatch` with stdout not a terminal: the table, never the TUI
        ["--json"],
        ["status"],
        ["status", "--json"],
        ["providers", "--json"],
        ["demo", "--json"],
        ["demo", "status"],
        ["demo", "list"],
    ],
)
def test_headless_commands_never_import_textual(args: list[str], tmp_path: Path) -> None:
    config = _offline_config(tmp_path)
    stdout, stderr = _run(args, config, tmp_path)
    assert "CODE=0" in stderr, stderr
    heavy = [line for line in stderr.splitlines() if line.startswith("HEAVY=")]
    assert heavy == ["HEAVY="], stderr
    if "--json" in args:
        document = json.loads(stdout)
        assert document["schema"] == "statuswatch/v1"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["notify"], 0),
        (["notify", "--dry-run"], 0),
        (["check"], 3),  # nothing could be read: UNKNOWN
        (["wait", "local", "--timeout", "0"], 1),
    ],
)
def test_notify_check_and_wait_never_import_textual(
    args: list[str], code: int, tmp_path: Path
) -> None:
    config = _offline_config(
        tmp_path, '[[notify.channels]]\ntype = "webhook"\nurl = "http://127.0.0.1:9/hook"\n'
    )
    _, stderr = _run(args, config, tmp_path)
    assert f"CODE={code}" in stderr, stderr
    heavy = [line for line in stderr.splitlines() if line.startswith("HEAVY=")]
    assert heavy == ["HEAVY="], stderr


@pytest.mark.parametrize(
    "args", [["--json"], ["status"], ["notify", "--dry-run"], ["check"], ["--version"]]
)
def test_a_poll_of_the_pages_never_imports_the_server_reader(
    args: list[str], tmp_path: Path
) -> None:
    # The server's client and the document reader are `--server`'s alone: a start-up saved.
    config = _offline_config(tmp_path)
    _, stderr = _run(args, config, tmp_path)
    assert "CODE=" in stderr, stderr
    reader = [line for line in stderr.splitlines() if line.startswith("READER=")]
    assert reader == ["READER="], stderr


def test_add_never_imports_textual_nor_feedparser_for_a_json_page(
    tmp_path: Path, loopback: LoopbackServer
) -> None:
    html = b"<!DOCTYPE html><html><body>status</body></html>"
    loopback.route("/sp", html, content_type="text/html")
    summary = Path(__file__).parent / "fixtures" / "statuspage" / "summary-chicago.json"
    loopback.route("/sp/api/v2/summary.json", summary.read_bytes())
    config = tmp_path / "config.toml"
    _, stderr = _run(["add", loopback.url("/sp")], config, tmp_path)
    assert "CODE=0" in stderr, stderr
    heavy = [line for line in stderr.splitlines() if line.startswith("HEAVY=")]
    assert heavy == ["HEAVY="], stderr
    assert "[providers.example-chicago]" in config.read_text()


def test_server_clients_never_import_textual(tmp_path: Path, loopback: LoopbackServer) -> None:
    from notify_helpers import summary
    from serve_helpers import ServedPages

    config = tmp_path / "config.toml"
    config.write_text("")  # a client needs no providers of its own
    with ServedPages(loopback, ["ex"], tmp_path / "served-cache") as served:
        served.page("ex", summary())
        served.poll()
        for args, code in (
            (["--server", served.url, "--json"], 0),
            (["--server", served.url, "status"], 0),
            (["check", "--server", served.url], 0),
            (["wait", "ex", "--server", served.url], 0),
        ):
            _, stderr = _run(args, config, tmp_path)
            assert f"CODE={code}" in stderr, (args, stderr)
            heavy = [line for line in stderr.splitlines() if line.startswith("HEAVY=")]
            assert heavy == ["HEAVY="], (args, stderr)
            # and the reader the poll of the pages leaves out is there when it is needed
            assert "READER=statuswatch.document.read,statuswatch.serverclient" in stderr


def test_serve_never_imports_textual(tmp_path: Path, loopback: LoopbackServer) -> None:
    import signal
    import urllib.request

    loopback.route("/sp/api/v2/summary.json", {"page": {}, "status": {}})
    config = tmp_path / "config.toml"
    config.write_text(
        'watch = ["local"]\n[providers.local]\nkind = "statuspage"\n'
        f'url = "{loopback.url("/sp")}"\n'
    )
    env = dict(os.environ)
    env.update(
        STATUSWATCH_CONFIG=str(config),
        STATUSWATCH_CACHE_DIR=str(tmp_path / "cache"),
        STATUSWATCH_STATE_DIR=str(tmp_path / "state"),
    )
    process = subprocess.Popen(
        [sys.executable, "-c", PROBE, "serve", "--bind", "127.0.0.1:0"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        url = line.split(" on ", 1)[1].split(" ", 1)[0]
        # Every endpoint once, so whatever each one imports is imported.
        for path in ("/v1/status", "/metrics", "/healthz", "/"):
            with urllib.request.urlopen(url + path, timeout=10) as response:
                assert response.status == 200, path
        with urllib.request.urlopen(url + "/v1/events", timeout=10) as response:
            assert response.readline() == b"retry: 3000\n"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert "CODE=0" in stderr, stderr
    heavy = [line for line in stderr.splitlines() if line.startswith("HEAVY=")]
    assert heavy == ["HEAVY="], stderr
