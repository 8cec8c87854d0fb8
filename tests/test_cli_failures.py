"""What goes wrong around a command (its files, its output, its arguments) is one line.

Each case runs the real `statuswatch` in a subprocess, as a user (or cron) would: the error is
one line starting `statuswatch:`, no traceback, the right exit code, and within a minute.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from loopback import LoopbackServer

SUMMARY = (Path(__file__).parent / "fixtures" / "statuspage" / "summary-chicago.json").read_bytes()


def _run(env: dict[str, str], *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run(
        [sys.executable, "-m", "statuswatch", *args],
        env=env,
        text=True,
        timeout=60,
        check=False,
        **streams,  # type: ignore[arg-type]
    )


def _one_error_line(done: subprocess.CompletedProcess[str], stream: str = "stderr") -> str:
    text = done.stderr if stream == "stderr" else done.stdout
    assert "Traceback" not in (done.stderr or "") + (done.stdout or "")
    lines = text.splitlines()
    assert len(lines) == 1, text
    return lines[0]


@pytest.fixture
def env(tmp_path: Path, loopback: LoopbackServer) -> dict[str, str]:
    """One provider on 127.0.0.1, the cache and state in tmp_path."""
    loopback.route("/ex/api/v2/summary.json", SUMMARY)
    config = tmp_path / "config.toml"
    config.write_text(
        'watch = ["ex"]\n[providers.ex]\nname = "Example"\nkind = "statuspage"\n'
        f'url = "{loopback.url("/ex")}"\n'
    )
    return dict(
        os.environ,
        STATUSWATCH_CONFIG=str(config),
        STATUSWATCH_CACHE_DIR=str(tmp_path / "cache"),
        STATUSWATCH_STATE_DIR=str(tmp_path / "state"),
    )


def test_a_state_directory_that_cannot_be_created(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "f").touch()
    env["STATUSWATCH_STATE_DIR"] = str(tmp_path / "f" / "state")
    done = _run(env, "notify")
    assert done.returncode == 1
    assert _one_error_line(done) == (
        f"statuswatch: error: cannot use {tmp_path / 'f' / 'state'} as the state directory: "
        "Not a directory (set STATUSWATCH_STATE_DIR to another directory)"
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["status"], 1),
        (["--json"], 1),
        (["notify"], 1),
        (["notify", "--dry-run"], 1),
        (["wait", "ex", "--timeout", "1"], 1),
        (["serve", "--bind", "127.0.0.1:0"], 1),
    ],
)
def test_a_cache_directory_that_cannot_be_created(
    args: list[str], code: int, env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "f").touch()
    env["STATUSWATCH_CACHE_DIR"] = str(tmp_path / "f" / "cache")
    done = _run(env, *args)
    assert done.returncode == code
    assert _one_error_line(done) == (
        f"statuswatch: error: cannot use {tmp_path / 'f' / 'cache'} as the cache directory: "
        "Not a directory (set STATUSWATCH_CACHE_DIR to another directory)"
    )


@pytest.mark.parametrize("args", [["status"], ["--json"]])
def test_a_state_directory_is_checked_by_every_command_that_writes_there(
    args: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    # The probes' counts and the history live in the state directory: status writes there too.
    (tmp_path / "f").touch()
    env["STATUSWATCH_STATE_DIR"] = str(tmp_path / "f" / "state")
    done = _run(env, *args)
    assert done.returncode == 1
    assert _one_error_line(done).startswith(
        f"statuswatch: error: cannot use {tmp_path / 'f' / 'state'} as the state directory"
    )


def test_wait_says_once_that_its_polls_are_not_recorded(
    env: dict[str, str], tmp_path: Path
) -> None:
    # wait reads the page alone (no probes' counts), so it waits on (the page is degraded); but
    # each poll repeated the history's warning, "... polls are not recorded", a line a poll.
    (tmp_path / "f").touch()
    env["STATUSWATCH_STATE_DIR"] = str(tmp_path / "f" / "state")
    done = _run(env, "wait", "ex", "--interval", "1", "--timeout", "3")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert sum("polls are not recorded" in line for line in done.stderr.splitlines()) == 1


def test_check_says_unknown_for_an_unusable_state_directory(
    env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "f").touch()
    env["STATUSWATCH_STATE_DIR"] = str(tmp_path / "f" / "state")
    done = _run(env, "check")
    assert done.returncode == 3  # UNKNOWN, never 1 (WARNING) for a plugin
    assert _one_error_line(done, "stdout").startswith("STATUSWATCH UNKNOWN - cannot use ")


def test_check_says_unknown_for_an_unusable_cache(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "f").touch()
    env["STATUSWATCH_CACHE_DIR"] = str(tmp_path / "f" / "cache")
    done = _run(env, "check")
    assert done.returncode == 3  # Nagios' UNKNOWN: the plugin could not tell
    line = _one_error_line(done, "stdout")
    assert line.startswith("STATUSWATCH UNKNOWN - cannot use ")
    assert done.stderr == ""


def test_a_state_file_that_cannot_be_read(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "state" / "notify-state.json").mkdir(parents=True)  # a directory in its place
    done = _run(env, "notify")
    assert done.returncode == 1
    line = _one_error_line(done)
    assert line == (
        f"statuswatch: error: {tmp_path / 'state' / 'notify-state.json'}: Is a directory"
    )


def test_a_full_output_is_one_line(env: dict[str, str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    for args in (["status"], ["--json"], ["providers"], ["schema"], ["demo", "list"]):
        with open("/dev/full", "w") as full:
            done = _run(env, *args, stdout=full, stderr=subprocess.PIPE)
        assert done.returncode == 1, args
        assert _one_error_line(done) == (
            "statuswatch: error: cannot write the output: No space left on device"
        )


def test_a_closed_output_is_one_line(env: dict[str, str]) -> None:
    # The shell's `statuswatch status >&-`: the process starts without a stdout at all.
    for script in (
        'exec "$0" -m statuswatch status >&-',  # no stdout at all
        'exec "$0" -c \'import os, sys; os.close(1); from statuswatch.cli import '
        'main; sys.exit(main(["status"]))\'',
    ):  # closed once running
        done = subprocess.run(
            ["sh", "-c", script, sys.executable],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 1, script
        assert done.stderr == "statuswatch: error: cannot write the output: stdout is closed\n"
    # A server writes nothing on stdout: it runs without one (and stops on SIGTERM).
    server = subprocess.Popen(
        ["sh", "-c", 'exec "$0" -m statuswatch serve --bind 127.0.0.1:0 >&-', sys.executable],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stderr is not None
    line = server.stderr.readline()
    assert "serving 1 provider on http://127.0.0.1:" in line
    # Once it answers, its signal handlers are in place (set before its loop ran anything).
    address = line.split(" on ", 1)[1].split()[0]
    try:
        urllib.request.urlopen(f"{address}/healthz", timeout=30).close()
    except urllib.error.HTTPError as answer:
        assert answer.code == 503  # before its first poll: the answer is all that matters
    server.terminate()
    assert server.wait(timeout=30) == 0


def test_a_reader_that_leaves_is_not_an_error(env: dict[str, str]) -> None:
    # `statuswatch --json | head -c 1`: quiet, like other Unix tools.
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL)  # fmt: skip
    done = _run(env, "providers", stdout=reader.stdin, stderr=subprocess.PIPE)
    assert reader.stdin is not None
    reader.stdin.close()
    reader.wait(timeout=10)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", "invalid IPv6 URL"),
        ("http://127.0.0.1:99999/", "the port must be a number from 1 to 65535"),
        ("http://127.0.0.1:0/", "the port must be a number from 1 to 65535"),
        ("http://status.example.com:http/", "the port must be a number from 1 to 65535"),
        # A host name no resolver takes (an empty label here, one over 63 characters below)
        # failed deep in the HTTP stack with a traceback (`add`, `--server`).
        ("http://status..example/", "not a host name: a part of it is empty or over 63 characters"),
    ],
)
def test_add_and_server_share_the_config_url_check(
    url: str, reason: str, env: dict[str, str]
) -> None:
    for args in (["add", url], ["--server", url, "status"], ["check", "--server", url]):
        done = _run(env, *args)
        assert done.returncode == 2, args
        line = _one_error_line(done)
        assert line.startswith("statuswatch: ")
        assert f"expected an http or https URL with a host, got {url!r} ({reason})" in line


def test_a_host_name_with_a_label_over_63_characters_is_refused(env: dict[str, str]) -> None:
    url = "http://" + "a" * 64 + ".example/"
    for args in (["add", url], ["--server", url, "status"], ["check", "--server", url]):
        done = _run(env, *args)
        assert done.returncode == 2, args
        line = _one_error_line(done)
        assert "(not a host name: a part of it is empty or over 63 characters)" in line


def test_demo_at_far_from_the_scenario_is_one_line(env: dict[str, str]) -> None:
    # The probes are replayed a minute at a time up to --at: year 9999 never ended.
    done = _run(env, "demo", "--json", "--at", "9999-12-31T23:59")
    assert done.returncode == 2
    assert _one_error_line(done) == (
        "statuswatch: error: --at: 9999-12-31 23:59 UTC is not within a day of the scenario "
        "(2025-11-18 11:15 to 2025-11-18 17:15 UTC)"
    )


def test_a_url_with_credentials_is_refused_without_showing_them(env: dict[str, str]) -> None:
    # `add` crashed on one (the HTTP stack refuses credentials in a URL), and a provider's
    # would have shown its password in --json, serve's documents and the metrics' labels.
    url = "http://me:s3cret@127.0.0.1:1/"
    for args in (["add", url], ["--server", url, "status"], ["check", "--server", url]):
        done = _run(env, *args)
        assert done.returncode == 2, args
        line = _one_error_line(done)
        assert "a URL with user:password@ is refused: statuswatch sends no credentials" in line
        assert "s3cret" not in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "--speed", "1e12"],
         "argument --speed: expected a number from 0 to 100000, got '1e12'"),
        (["demo", "--speed", "nan"], "argument --speed: expected a number from 0 to 100000"),
        (["wait", "ex", "--interval", "1e300"],
         "argument --interval: expected a number of seconds from 0 to 604800, got '1e300'"),
        (["wait", "ex", "--timeout", "inf"],
         "argument --timeout: expected a number of seconds from 0 to 604800, got 'inf'"),
        (["notify", "--lock-timeout", "1e300"],
         "argument --lock-timeout: expected a number of seconds from 0 to 604800"),
        (["--interval", "1e300"],
         "argument --interval: expected a number of seconds from 10 to 86400, got '1e300'"),
        (["serve", "--interval", "1e300"],
         "argument --interval: expected a number of seconds from 10 to 86400, got '1e300'"),
        (["demo", "--interval", "1e300"],
         "argument --interval: expected a number of seconds from 0.2 to 86400, got '1e300'"),
    ],
)  # fmt: skip
def test_numbers_on_the_command_line_have_a_range(
    args: list[str], message: str, env: dict[str, str]
) -> None:
    done = _run(env, *args)
    assert done.returncode == 2, done.stderr
    assert _one_error_line(done).startswith(f"statuswatch: error: {message}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("interval = 1e300", "interval: must be from 10 to 86400 seconds, got 1e+300"),
        ("[http]\nretries = 1000000", "http.retries: must be at most 10, got 1000000"),
        ("[http]\ndeadline = 1e300", "http.deadline: must be at most 600, got 1e+300"),
        ("[http]\nmax_body = 1e300", "http.max_body: expected an integer, got float"),
        ("[http]\nmax_body = 100000000000", "http.max_body: must be at most 1073741824"),
        ("[notify]\nlock_timeout = 1e300", "notify.lock_timeout: must be at most 86400"),
        ("[notify]\nremind_before = 1e12", "notify.remind_before: must be at most 2592000"),
        ('[[notify.channels]]\ntype = "stdout"\ntimeout = 1e9',
         "notify.channels[0].timeout: must be at most 300"),
    ],
)  # fmt: skip
def test_numbers_in_the_config_have_a_range(text: str, message: str, env: dict[str, str]) -> None:
    config = Path(env["STATUSWATCH_CONFIG"])
    config.write_text(
        config.read_text().replace("watch =", f"{text}\nwatch =", 1)
        if text.startswith("interval")
        else config.read_text() + text + "\n"
    )
    done = _run(env, "notify")
    assert done.returncode == 2
    assert _one_error_line(done).startswith(f"statuswatch: error: {config}: {message}")
