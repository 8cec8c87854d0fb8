"""End to end on 127.0.0.1: scoping, stacks, the blast radius and shared causes, as shipped.

Each test runs the real `statuswatch` command against pages served by a real HTTP server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from loopback import LoopbackServer
from schema_check import assert_valid
from scoping_pages import aws_event, aws_events, grouped_page, simple_page

HTTP = "\n[http]\nconnect_timeout = 2.0\nread_timeout = 3.0\ndeadline = 5.0\nretries = 0\n"


def run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, STATUSWATCH_CONFIG=str(config))
    return subprocess.run(
        [sys.executable, "-m", "statuswatch", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def document(config: Path, *args: str) -> dict[str, Any]:
    done = run(config, "--json", *args)
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    assert_valid(found)
    return found


def provider(doc: dict[str, Any], provider_id: str) -> dict[str, Any]:
    return next(p for p in doc["providers"] if p["id"] == provider_id)


def write(path: Path, text: str) -> Path:
    path.write_text(text + HTTP, encoding="utf-8")
    return path


# --- scoping ---------------------------------------------------------------------------------


def test_aws_scoped_to_us_east_1(loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.route("/aws/currentevents", aws_events(aws_event("ap-south-1", "ec2", "3")))
    config = write(
        tmp_path / "config.toml",
        f'watch = ["aws:us-east-1"]\n[providers.aws]\nurl = "{loopback.url("/aws/currentevents")}"',
    )
    aws = provider(document(config), "aws")
    assert aws["status"] == "operational"
    assert aws["scope"] == ["us-east-1"]
    assert aws["out_of_scope"] == {"components": 1, "incidents": 1}
    assert aws["components"] == [] and aws["incidents"] == []
    # The whole page, for comparison: the same event is an outage of AWS somewhere.
    assert provider(document(config, "-p", "aws"), "aws")["status"] == "partial_outage"
    # An event in us-east-1 makes the scoped entry non-operational.
    loopback.route(
        "/aws/currentevents",
        aws_events(aws_event("ap-south-1", "ec2", "3"), aws_event("us-east-1", "dynamodb", "2")),
    )
    aws = provider(document(config), "aws")
    assert aws["status"] == "partial_outage"
    assert [c["name"] for c in aws["components"]] == ["Amazon DYNAMODB (us-east-1)"]
    assert [i["in_scope"] for i in aws["incidents"]] == [True]
    assert aws["out_of_scope"] == {"components": 1, "incidents": 1}
    # -p takes the same syntax.
    assert provider(document(config, "-p", "aws:ap-south-1"), "aws")["status"] == "major_outage"


def test_statuspage_scoped_to_a_group_ignores_an_outage_in_another(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route("/sp/api/v2/summary.json", grouped_page("Americas"))
    config = write(
        tmp_path / "config.toml",
        f'watch = ["sp"]\n[providers.sp]\nkind = "statuspage"\nurl = "{loopback.url("/sp")}"\n'
        'components = ["Europe"]',
    )
    sp = provider(document(config), "sp")
    assert sp["status"] == "operational"
    assert sp["scope"] == ["Europe"]
    assert [(c["group"], c["name"]) for c in sp["components"]] == [
        ("Europe", "API"),
        ("Europe", "WEB"),
    ]
    assert sp["incidents"] == []
    assert sp["out_of_scope"] == {"components": 2, "incidents": 1}
    loopback.route("/sp/api/v2/summary.json", grouped_page("Europe"))
    assert provider(document(config), "sp")["status"] == "major_outage"


def test_a_scope_matching_nothing_warns_in_one_line(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route("/sp/api/v2/summary.json", grouped_page(None))
    config = write(
        tmp_path / "config.toml",
        'watch = ["sp:Eurpoe"]\n[providers.sp]\nkind = "statuspage"\n'
        f'url = "{loopback.url("/sp")}"',
    )
    done = run(config, "--json")
    assert done.returncode == 0
    warnings = done.stderr.splitlines()
    assert warnings == [
        "statuswatch: warning: sp: scope pattern 'Eurpoe' (did you mean 'Europe'?) matches no "
        "component (`statuswatch components sp` lists them)"
    ]


# --- stacks ----------------------------------------------------------------------------------


def _stack_config(
    loopback: LoopbackServer,
    tmp_path: Path,
    impact: str,
    *,
    watch: tuple[str, ...] = ("a",),
    a_keys: str = "",
    extra: str = "",
) -> Path:
    """Providers a, b and c (b with an incident of `impact`) and the stack checkout of all
    three; only `watch` watched."""
    loopback.route("/a/api/v2/summary.json", simple_page("a"))
    loopback.route("/b/api/v2/summary.json", simple_page("b", impact=impact))
    loopback.route("/c/api/v2/summary.json", simple_page("c"))
    lines = [f"watch = {json.dumps(list(watch))}"]
    for name in "abc":
        lines += [
            f"[providers.{name}]",
            'kind = "statuspage"',
            f'url = "{loopback.url("/" + name)}"',
        ]
        if name == "a" and a_keys:
            lines.append(a_keys)
    lines += ["[stacks.checkout]", 'name = "Checkout"', 'uses = ["a", "b", "c"]', extra]
    return write(tmp_path / "config.toml", "\n".join(lines))


def test_a_stack_of_three_with_one_degraded(loopback: LoopbackServer, tmp_path: Path) -> None:
    config = _stack_config(loopback, tmp_path, "minor")
    doc = document(config)
    (stack,) = doc["stacks"]
    assert (stack["id"], stack["name"], stack["status"]) == ("checkout", "Checkout", "degraded")
    assert stack["parts"] == [
        {"provider": "a", "scope": None, "status": "operational"},
        {"provider": "b", "scope": None, "status": "degraded"},
        {"provider": "c", "scope": None, "status": "operational"},
    ]
    assert stack["reasons"] == ["b: degraded: b has trouble"]
    # The stack's providers are polled though only `a` is watched.
    assert [p["id"] for p in doc["providers"]] == ["a", "b", "c"]
    done = run(config, "check", "--stack", "checkout")
    assert done.returncode == 1, done.stdout
    assert done.stdout.startswith("STATUSWATCH WARNING - stack Checkout degraded: b: degraded")
    table = run(config, "status", "--color", "never")
    assert table.stdout.splitlines()[1:3] == [
        "Stacks:",
        "degraded       Checkout  b: degraded: b has trouble",
    ]


def test_check_stack_is_critical_for_a_major_outage(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    config = _stack_config(loopback, tmp_path, "critical")
    assert document(config)["stacks"][0]["status"] == "major_outage"
    done = run(config, "check", "--stack", "checkout")
    assert done.returncode == 2, done.stdout
    assert done.stdout.startswith("STATUSWATCH CRITICAL - stack Checkout major outage")
    unknown = run(config, "check", "--stack", "chekout")
    assert unknown.returncode == 3
    assert "unknown stack 'chekout' (did you mean 'checkout'?" in unknown.stdout


def test_wait_for_a_stack(loopback: LoopbackServer, tmp_path: Path) -> None:
    config = _stack_config(loopback, tmp_path, "minor")
    done = run(config, "wait", "--stack", "checkout", "--timeout", "0")
    assert done.returncode == 1
    assert "stack checkout is degraded (b: degraded: b has trouble)" in done.stderr
    loopback.route("/b/api/v2/summary.json", simple_page("b"))
    done = run(config, "wait", "--stack", "checkout", "--timeout", "0")
    assert (done.returncode, done.stdout) == (0, "stack checkout: operational\n")


# --- the blast radius and shared causes ------------------------------------------------------


def test_a_cloudflare_incident_puts_its_watched_dependents_at_risk(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route("/cf/api/v2/summary.json", simple_page("cf", impact="critical"))
    for name in ("openai", "canva", "discord", "github"):
        loopback.route(f"/{name}/api/v2/summary.json", simple_page(name))
    # Only the URLs change: the catalog's runs_on edges stay as shipped.
    lines = ['watch = ["cloudflare", "openai", "canva", "discord", "github"]']
    lines += ["[providers.cloudflare]", f'url = "{loopback.url("/cf")}"']
    for name in ("openai", "canva", "discord", "github"):
        lines += [f"[providers.{name}]", f'url = "{loopback.url("/" + name)}"']
    config = write(tmp_path / "config.toml", "\n".join(lines))
    doc = document(config)
    cloudflare = provider(doc, "cloudflare")
    assert cloudflare["status"] == "major_outage"
    for name in ("openai", "canva", "discord"):
        entry = provider(doc, name)
        assert entry["status"] == "operational", name  # their own pages say nothing yet
        assert entry["at_risk_from"] == [
            {"provider": "cloudflare", "scope": None, "status": "major_outage"}
        ], name
    assert provider(doc, "github")["at_risk_from"] == []
    table = run(config, "status", "--color", "never").stdout
    assert "    ? may be affected by Cloudflare (MAJOR OUTAGE)" in table


def test_the_gcp_cloudflare_demo_links_the_two_incidents(tmp_path: Path) -> None:
    config = tmp_path / "absent.toml"
    doc = document(config, "demo", "gcp-cloudflare-2025-06-12", "--at", "18:30")
    (link,) = doc["correlations"]
    assert link["cause"] == "google-cloud"
    assert {m["provider"] for m in link["members"]} == {"google-cloud", "cloudflare"}
    assert link["text"] == (
        "likely common cause: Google Cloud (17:50 UTC), then Cloudflare (17:52 UTC)"
    )


def test_the_backbone_demos_mark_downstream_providers_before_their_own_posts(
    tmp_path: Path,
) -> None:
    config = tmp_path / "absent.toml"
    # Cloudflare posted at 11:48; OpenAI at 11:58, Canva at 12:02.
    doc = document(config, "demo", "cloudflare-2025-11-18", "--at", "11:50")
    for name in ("openai", "canva"):
        entry = provider(doc, name)
        assert entry["status"] == "operational" and entry["incidents"] == [], name
        assert [r["provider"] for r in entry["at_risk_from"]] == ["cloudflare"], name
    # AWS posted at 07:11; Epic Games at 07:20, Canva at 07:25.
    doc = document(config, "demo", "aws-us-east-1-2025-10-20", "--at", "07:15")
    for name in ("epic-games", "canva"):
        entry = provider(doc, name)
        assert entry["status"] == "operational" and entry["incidents"] == [], name
        assert entry["at_risk_from"] == [
            {"provider": "aws", "scope": ["us-east-1"], "status": "partial_outage"}
        ], name


# --- through a server ------------------------------------------------------------------------


@contextmanager
def serving(config: Path) -> Iterator[str]:
    """Run `statuswatch serve` on 127.0.0.1 with `config`; yield its base URL; stop it."""
    env = dict(os.environ, STATUSWATCH_CONFIG=str(config))
    command = [sys.executable, "-m", "statuswatch", "serve", "--bind", "127.0.0.1:0"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert " on http://127.0.0.1:" in line, line
        yield line.split(" on ", 1)[1].split(" ", 1)[0]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)


def test_a_server_carries_stacks_risks_and_scopes_to_its_clients(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route("/cf/api/v2/summary.json", simple_page("cf", impact="major"))
    config = _stack_config(
        loopback,
        tmp_path,
        "critical",
        watch=("a", "cf"),
        a_keys='runs_on = ["cf"]\ncomponents = ["Core"]',
        extra=f'[providers.cf]\nkind = "statuspage"\nurl = "{loopback.url("/cf")}"',
    )
    client = tmp_path / "client.toml"  # a client needs no config of its own
    with serving(config) as url:
        served = document(client, "--server", url)
        assert [s["status"] for s in served["stacks"]] == ["major_outage"]
        a = provider(served, "a")
        assert a["scope"] == ["Core"]
        assert a["at_risk_from"] == [{"provider": "cf", "scope": None, "status": "partial_outage"}]
        done = run(client, "check", "--stack", "checkout", "--server", url)
        assert done.returncode == 2, done.stdout
        table = run(client, "status", "--server", url, "--color", "never").stdout
        assert "MAJOR OUTAGE   Checkout  b: major outage: b has trouble" in table
        assert "    ? may be affected by cf (partial outage)" in table
        metrics = httpx.get(url + "/metrics").text
        assert 'statuswatch_stack_status{stack="checkout"} 4.0' in metrics
        scoped = run(client, "-p", "a:Core", "--server", url, "--json")
        assert scoped.returncode == 1
        assert "a server reads its pages in its own scopes" in scoped.stderr
        waited = run(client, "wait", "a", "--server", url, "--timeout", "0")
        assert (waited.returncode, waited.stdout) == (0, "a: operational\n")
        other = run(client, "wait", "a:Edge", "--server", url, "--timeout", "0")
        assert other.returncode == 2
        assert "the server watches a scoped to Core" in other.stderr


# --- components and wait ---------------------------------------------------------------------


def test_components_lists_what_to_scope_with(loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.route("/sp/api/v2/summary.json", grouped_page("Americas"))
    config = write(
        tmp_path / "config.toml",
        f'[providers.sp]\nkind = "statuspage"\nurl = "{loopback.url("/sp")}"\n'
        'components = ["Europe / API"]',
    )
    done = run(config, "components", "sp")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "sp (statuspage): 4 components",
        "* operational    Europe    API  [eu-api]",
        "  operational    Europe    WEB  [eu-web]",
        "  MAJOR OUTAGE   Americas  API  [am-api]",
        "  MAJOR OUTAGE   Americas  WEB  [am-web]",
        "* = in your scope: Europe / API",
    ]
    listed = json.loads(run(config, "components", "sp", "--json").stdout)
    assert [(c["id"], c["in_scope"]) for c in listed["components"]] == [
        ("eu-api", True),
        ("eu-web", False),
        ("am-api", False),
        ("am-web", False),
    ]
    assert listed["lists_every_component"] is True
    unknown = run(config, "components", "spp")
    assert (unknown.returncode, unknown.stderr) == (
        2,
        "statuswatch: error: unknown provider 'spp' (did you mean 'sp'?)\n",
    )


def test_components_of_a_page_of_unknown_platform_and_any_case(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    # A kind = "auto" provider was listed as "(auto)" and judged by "auto" (not a platform)
    # for whether its page lists every component; an id in capitals was unknown.
    loopback.route("/sp/api/v2/summary.json", grouped_page("Americas"))
    config = write(
        tmp_path / "config.toml",
        f'[providers.sp]\nname = "SP"\nkind = "auto"\nurl = "{loopback.url("/sp")}"',
    )
    done = run(config, "components", "SP")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "SP (incidentio): 4 components"  # no time_zone
    listed = json.loads(run(config, "components", "sp", "--json").stdout)
    assert listed["provider"] == "sp" and listed["lists_every_component"] is True


def test_wait_on_a_region_and_on_a_missing_component(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route("/aws/currentevents", aws_events(aws_event("ap-south-1", "ec2", "3")))
    loopback.route("/sp/api/v2/summary.json", grouped_page(None))
    config = write(
        tmp_path / "config.toml",
        f'[providers.aws]\nurl = "{loopback.url("/aws/currentevents")}"\n'
        f'[providers.sp]\nkind = "statuspage"\nurl = "{loopback.url("/sp")}"',
    )
    done = run(config, "wait", "aws:us-east-1", "--timeout", "0")
    assert (done.returncode, done.stdout) == (0, "aws:us-east-1: operational\n")
    done = run(config, "wait", "aws:ap-south-1", "--timeout", "0")
    assert done.returncode == 1
    # In words, as `check` and the stacks' reasons say it (it printed the enum, major_outage).
    assert "aws:ap-south-1 is major outage" in done.stderr
    assert "timed out after 0 s: aws:ap-south-1 is major outage" in done.stderr
    done = run(config, "wait", "sp:Eurpoe", "--timeout", "0")
    assert (done.returncode, done.stderr) == (
        2,
        "statuswatch: error: sp has no component 'Eurpoe' (did you mean 'Europe'?)\n",
    )
