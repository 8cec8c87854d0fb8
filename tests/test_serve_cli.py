"""The real commands: `serve`, the `--server` clients, `notify --prometheus-textfile`."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from loopback import LoopbackServer, make_certificate
from notify_helpers import incident_stages, notify_env, statuswatch, summary, write_config
from prometheus_client.parser import text_string_to_metric_families
from schema_check import assert_valid

TOKEN = "team-token-0123456789"
STAGES = incident_stages()
SUMMARY = "/api/v2/summary.json"
PLAIN = {"Accept-Encoding": "identity"}


@contextmanager
def serving(env: dict[str, str], *args: str, scheme: str = "http") -> Iterator[str]:
    """Run `statuswatch serve --bind 127.0.0.1:0 ARGS`; yield its base URL; stop it (exit 0)."""
    command = [sys.executable, "-m", "statuswatch", "serve", "--bind", "127.0.0.1:0", *args]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert f" on {scheme}://127.0.0.1:" in line, line
        yield line.split(" on ", 1)[1].split(" ", 1)[0]
    finally:
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=20)
    assert (process.returncode, rest) == (0, "")


@pytest.fixture
def env(tmp_path: Path, loopback: LoopbackServer) -> dict[str, str]:
    loopback.route(f"/ex{SUMMARY}", STAGES[1])
    loopback.route(f"/ok{SUMMARY}", summary())
    config = write_config(
        tmp_path / "config.toml", {"ex": loopback.url("/ex"), "ok": loopback.url("/ok")}
    )
    # The clients get a config of their own: they must not need the server's.
    environment = notify_env(tmp_path, config)
    environment.pop("STATUSWATCH_TOKEN", None)
    return environment


def client_env(tmp_path: Path, env: dict[str, str], **extra: str) -> dict[str, str]:
    """A client's environment: no config file at all, its own cache and state."""
    return {
        **env,
        "STATUSWATCH_CONFIG": str(tmp_path / "client-config.toml"),
        "STATUSWATCH_CACHE_DIR": str(tmp_path / "client-cache"),
        "STATUSWATCH_STATE_DIR": str(tmp_path / "client-state"),
        **extra,
    }


def test_serve_and_the_server_clients(tmp_path: Path, env: dict[str, str]) -> None:
    with serving(env) as url:
        body = httpx.get(url + "/v1/status", headers=PLAIN).content
        metrics = httpx.get(url + "/metrics").text
        client = client_env(tmp_path, env)
        as_json = statuswatch(client, "--server", url, "--json")
        subcommand = statuswatch(client, "status", "--server", url, "--json")
        before = statuswatch(client, "--server", url, "status", "--json")
        one = statuswatch(client, "--server", url, "-p", "ok", "--json")
        table = statuswatch(client, "--server", url, "--color", "never")
        check = statuswatch(client, "--server", url, "check")
        check_ok = statuswatch(client, "check", "--server", url, "-p", "ok")
        wait_ok = statuswatch(client, "--server", url, "wait", "ok")
        wait_api = statuswatch(client, "wait", "ex:API", "--server", url, "--timeout", "0")
        wait_who = statuswatch(client, "wait", "nope", "--server", url)
        not_watched = statuswatch(client, "--server", url, "-p", "nope")
        with_all = statuswatch(client, "--server", url, "--all")
    document = json.loads(body)
    assert_valid(document)
    assert [p["id"] for p in document["providers"]] == ["ex", "ok"]
    assert as_json.returncode == 0
    assert as_json.stdout.encode() == body  # the server's document, byte for byte
    assert subcommand.stdout.encode() == body
    assert before.stdout.encode() == body
    assert json.loads(one.stdout)["providers"] == [document["providers"][1]]
    names = {f.name for f in text_string_to_metric_families(metrics)}
    assert {"statuswatch_provider_status", "statuswatch_incident_info"} <= names
    lines = table.stdout.splitlines()
    assert lines[0].endswith(" · 2 providers: 1 with problems, 0 unknown")
    assert lines[1:3] == [
        "partial outage EX  as given",
        "    ! [major] API errors (investigating, since 2026-11-27 10:00 UTC "
        + lines[2].split("UTC ", 1)[1],
    ]
    assert check.returncode == 1
    assert check.stdout.startswith("STATUSWATCH WARNING - 1 of 2 providers with problems: EX ")
    assert (check_ok.returncode, check_ok.stdout.split(" | ")[0]) == (
        0,
        "STATUSWATCH OK - 1 of 1 provider operational",
    )
    assert (wait_ok.returncode, wait_ok.stdout) == (0, "ok: operational\n")
    assert (wait_api.returncode, wait_api.stderr.splitlines()) == (
        1,
        [
            "statuswatch: wait: ex:API is partial outage",
            "statuswatch: wait: timed out after 0 s: ex:API is partial outage",
        ],
    )
    assert wait_who.returncode == 2
    assert wait_who.stderr == "statuswatch: error: the server: unknown provider 'nope'\n"
    assert (not_watched.returncode, not_watched.stderr) == (
        2,
        "statuswatch: error: the server does not watch 'nope'\n",
    )
    assert with_all.returncode == 2


def test_a_token_protects_the_server(tmp_path: Path, env: dict[str, str]) -> None:
    with serving({**env, "STATUSWATCH_TOKEN": TOKEN}) as url:
        body = httpx.get(
            url + "/v1/status", headers={**PLAIN, "Authorization": f"Bearer {TOKEN}"}
        ).content
        health = httpx.get(url + "/healthz")  # no token needed
        anonymous = statuswatch(client_env(tmp_path, env), "--server", url, "--json")
        wrong = statuswatch(
            client_env(tmp_path, env, STATUSWATCH_TOKEN="x" * 20), "--server", url, "--json"
        )
        right = statuswatch(
            client_env(tmp_path, env, STATUSWATCH_TOKEN=TOKEN), "--server", url, "--json"
        )
        check = statuswatch(client_env(tmp_path, env), "--server", url, "check")
    assert health.status_code == 200
    assert (anonymous.returncode, anonymous.stdout) == (1, "")
    assert anonymous.stderr == (
        f"statuswatch: error: {url} wants a token: set $STATUSWATCH_TOKEN\n"
    )
    assert wrong.stderr == f"statuswatch: error: {url} refused the token in $STATUSWATCH_TOKEN\n"
    assert (right.returncode, right.stdout.encode()) == (0, body)
    assert (check.returncode, check.stdout) == (
        3,
        f"STATUSWATCH UNKNOWN - {url} wants a token: set $STATUSWATCH_TOKEN\n",
    )


def test_serve_refuses_to_expose_itself_without_a_token(env: dict[str, str]) -> None:
    exposed = statuswatch(env, "serve", "--bind", "0.0.0.0:8787")
    short = statuswatch({**env, "STATUSWATCH_TOKEN": "short"}, "serve", "--bind", "0.0.0.0:0")
    bad = statuswatch(env, "serve", "--bind", "8787")
    slow = statuswatch(env, "serve", "--interval", "1")
    assert (exposed.returncode, exposed.stderr) == (
        2,
        "statuswatch: error: refusing to listen on 0.0.0.0 without a token: set "
        "$STATUSWATCH_TOKEN (or --token); clients send it as `Authorization: Bearer TOKEN`\n",
    )
    assert short.stderr == "statuswatch: error: the token must be at least 16 characters\n"
    assert bad.stderr == "statuswatch: error: --bind/--tls: expected HOST:PORT, got '8787'\n"
    # An unclosed bracket was taken for a host name: "refusing to listen on [::1 without a token".
    bracket = statuswatch(env, "serve", "--bind", "[::1:8787")
    assert (bracket.returncode, bracket.stderr) == (
        2,
        "statuswatch: error: --bind/--tls: expected HOST:PORT or [IPv6]:PORT, got '[::1:8787'\n",
    )
    assert slow.stderr.startswith(
        "statuswatch: error: argument --interval: expected a number of seconds from 10 to 86400, "
        "got '1'"
    )
    assert {exposed.returncode, short.returncode, bad.returncode, slow.returncode} == {2}


def test_serve_over_tls(tmp_path: Path, env: dict[str, str]) -> None:
    pair = make_certificate(tmp_path)
    if pair is None:
        pytest.skip("no openssl command to make a certificate")
    cert, key = pair
    half = statuswatch(env, "serve", "--tls-cert", str(cert))
    assert (half.returncode, half.stderr) == (
        2,
        "statuswatch: error: --bind/--tls: --tls-cert and --tls-key go together\n",
    )
    with serving(env, "--tls-cert", str(cert), "--tls-key", str(key), scheme="https") as url:
        context = ssl.create_default_context(cafile=str(cert))
        body = httpx.get(url + "/v1/status", headers=PLAIN, verify=context).content
        trusted = client_env(tmp_path, env, SSL_CERT_FILE=str(cert))
        as_json = statuswatch(trusted, "--server", url, "--json")
        untrusted = statuswatch(client_env(tmp_path, env), "--server", url, "--json")
    assert url.startswith("https://127.0.0.1:")
    assert (as_json.returncode, as_json.stdout.encode()) == (0, body)
    assert untrusted.returncode == 1
    assert untrusted.stderr.startswith(f"statuswatch: error: cannot reach {url}: ")
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr


def test_a_port_in_use_is_an_error(env: dict[str, str]) -> None:
    with serving(env) as url:
        port = url.rsplit(":", 1)[1]
        taken = statuswatch(env, "serve", "--bind", f"127.0.0.1:{port}")
    assert taken.returncode == 1
    assert taken.stderr.startswith(f"statuswatch: error: cannot listen on 127.0.0.1:{port}: ")


def test_clients_of_a_server_that_is_not_there(tmp_path: Path, env: dict[str, str]) -> None:
    client = client_env(tmp_path, env)
    url = "http://127.0.0.1:9"
    as_json = statuswatch(client, "--server", url, "--json")
    check = statuswatch(client, "--server", url, "check")
    wait = statuswatch(client, "--server", url, "wait", "ex", "--timeout", "0")
    bad_url = statuswatch(client, "--server", "ftp://x", "--json")
    assert (as_json.returncode, as_json.stdout) == (1, "")
    assert as_json.stderr.startswith(f"statuswatch: error: cannot reach {url}: ")
    assert check.returncode == 3
    assert check.stdout.startswith(f"STATUSWATCH UNKNOWN - cannot reach {url}: ")
    assert wait.returncode == 1
    assert wait.stderr.startswith(f"statuswatch: wait: ex is unknown (cannot reach {url}: ")
    assert bad_url.returncode == 2
    assert "--server: expected an http or https URL with a host, got 'ftp://x'" in bad_url.stderr


def test_a_url_that_is_not_a_statuswatch_server(
    tmp_path: Path, env: dict[str, str], loopback: LoopbackServer
) -> None:
    loopback.route("/other/v1/status", {"hello": "world"})
    done = statuswatch(client_env(tmp_path, env), "--server", loopback.url("/other"), "--json")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"statuswatch: error: {loopback.url('/other')} did not send a statuswatch/v1 document\n"
    )


# --- notify --prometheus-textfile ------------------------------------------------------------


def _metrics(path: Path) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    found: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(path.read_text(encoding="utf-8")):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_notify_writes_the_metrics_textfile(
    tmp_path: Path, env: dict[str, str], loopback: LoopbackServer
) -> None:
    textfile = tmp_path / "collector" / "statuswatch.prom"
    textfile.parent.mkdir()
    first = statuswatch(env, "notify", "--prometheus-textfile", str(textfile))
    metrics = _metrics(textfile)
    assert first.returncode == 0
    assert metrics["statuswatch_provider_status"] == {
        (("provider", "ex"),): 3.0,
        (("provider", "ok"),): 0.0,
    }
    assert metrics["statuswatch_incident_info"] == {
        (("impact", "major"), ("incident_id", "inc-1"), ("provider", "ex")): 1.0
    }
    assert metrics["statuswatch_source_up"] == {
        (("provider", "ex"),): 1.0,
        (("provider", "ok"),): 1.0,
    }
    assert metrics["statuswatch_fetches_total"] == {
        (("provider", "ex"), ("result", "ok")): 1.0,
        (("provider", "ok"), ("result", "ok")): 1.0,
    }
    assert set(metrics["statuswatch_fetch_duration_seconds"]) == {
        (("provider", "ex"),),
        (("provider", "ok"),),
    }
    assert [p.name for p in textfile.parent.iterdir()] == ["statuswatch.prom"]  # no temp left
    loopback.fault(f"/ok{SUMMARY}", "500")
    dry = statuswatch(env, "notify", "--dry-run", "--prometheus-textfile", str(textfile))
    assert dry.returncode == 0
    assert _metrics(textfile) == metrics  # a dry run changes nothing
    second = statuswatch(env, "notify", "--prometheus-textfile", str(textfile))
    assert second.returncode == 0
    assert _metrics(textfile)["statuswatch_source_up"] == {
        (("provider", "ex"),): 1.0,
        (("provider", "ok"),): 0.0,
    }


def test_a_textfile_that_cannot_be_written_fails_the_run(
    tmp_path: Path, env: dict[str, str]
) -> None:
    path = tmp_path / "missing-dir" / "statuswatch.prom"
    done = statuswatch(env, "notify", "--prometheus-textfile", str(path))
    assert done.returncode == 1
    assert (
        f"statuswatch: notify: --prometheus-textfile: cannot write {path}: "
        "No such file or directory\n"
    ) in done.stderr
    assert os.path.exists(tmp_path / "state")  # the notifier's own run still happened


def test_a_tampered_server_document_is_cleaned_not_passed_through(tmp_path: Path) -> None:
    document = {
        "schema": "statuswatch/v1",
        "generated_at": "2026-11-27T10:00:00Z",
        "providers": [
            {
                "id": "x",
                "name": "X\x1b]0;pwned\x07",
                "kind": "statuspage",
                "page_url": "https://x.example",
                "status": "degraded",
                "raw_status": "minor",
                "description": "\x1b[31mred\x1b[0m \u009b1m",
                "fetched_at": "2026-11-27T10:00:00Z",
                "source_updated_at": None,
                "stale": False,
                "error": None,
                "components": [],
                "incidents": [],
                "maintenances": [],
            }
        ],
    }
    with LoopbackServer() as srv:
        srv.route("/v1/status", document)
        env = dict(os.environ, STATUSWATCH_CONFIG=str(tmp_path / "none.toml"))
        done = subprocess.run(
            [sys.executable, "-m", "statuswatch", "--server", srv.url(""), "--json"],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["providers"][0]["name"] == "X"
    assert printed["providers"][0]["description"] == "red "  # the C1 CSI went whole
    assert "\\u001b" not in done.stdout and "\x1b" not in done.stdout
