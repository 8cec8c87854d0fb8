"""No control byte from a status page reaches any output: properties, then the real commands.

The payloads come from tests/hostile.py: every kind's documents rewritten at test time so
that each text field holds ESC/CSI/OSC/DCS/APC/PM/SOS sequences, C0 and C1 controls (U+009B),
bidi overrides, zero-width characters, lone surrogates and markup ([bold], [link=..],
[@click=..], Slack's <!channel>, Discord's @everyone). Outputs checked: the `--json` document
(every decoded string, what `jq -r` would print), `status` (plain and coloured), the TUI's
screen, every notification channel's payload (stdout, webhook, Slack, Discord, ntfy, email,
command), the Prometheus metrics of `serve` and of `notify --prometheus-textfile`.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import reliability
from hostile import MARKUP, hostile_text, leaks, never_seen
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loopback import LoopbackServer
from notify_helpers import Receiver
from rich.console import Console
from test_fault_matrix import good_documents, page_path, source_urls

from statuswatch import adapters
from statuswatch.document.write import dumps, snapshot_document
from statuswatch.model import ProviderReport, ProviderSpec, Snapshot
from statuswatch.notify.channels.mail import Email
from statuswatch.notify.channels.web import (
    discord_payload,
    ntfy_payload,
    slack_payload,
    webhook_body,
)
from statuswatch.notify.derive import DeriveOptions, derive
from statuswatch.notify.events import document as event_document
from statuswatch.notify.events import line as event_line
from statuswatch.notify.events import payload
from statuswatch.notify.state import State
from statuswatch.serve.metrics import FetchStats, textfile
from statuswatch.table import status_table
from statuswatch.text import MAX_TITLE, one_line, plain_text, safe_url, strip_controls

NOW = datetime.now(UTC).replace(microsecond=0)
HEADERS = {"date": NOW.strftime("%a, %d %b %Y %H:%M:%S GMT")}
_SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colours statuswatch itself writes
LEAKS: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    """Record the payloads and outputs this module checked (tests/reliability.py)."""
    yield
    reliability.record("hostile", payloads=COUNTS["payloads"], outputs=COUNTS["outputs"],
                       leaks=len(LEAKS))  # fmt: skip


COUNTS = {"payloads": 0, "outputs": 0}


def clean(output: str, where: str, *, newline: bool = True) -> None:
    """Fail if `output` holds a character no output may hold."""
    COUNTS["outputs"] += 1
    found = leaks(output, newline=newline)
    if found:
        LEAKS.append(where)
    assert not found, f"{where}: {found[:5]!r} in {output[:300]!r}"


def json_strings(value: object) -> Iterator[str]:
    """Every string of a decoded JSON value, keys included: what `jq -r` would print."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def clean_json(text: str | bytes, where: str) -> Any:
    document = json.loads(text)
    for string in json_strings(document):
        clean(string, where)
    return document


# --- 1. the sanitiser itself ---------------------------------------------------------------

DANGEROUS = st.sampled_from(
    [chr(c) for c in range(0x20)] + [chr(c) for c in range(0x7F, 0xA0)]
    + list("\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d"
           "\u202e\u2060\u2066\u2067\u2068\u2069\ufeff\ud800\udfff\U000e0041")
)  # fmt: skip
HOSTILE_TEXT = st.lists(
    st.one_of(DANGEROUS, st.sampled_from(MARKUP), st.text(max_size=8), st.just("\x1b[")),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None, database=None)
@given(text=HOSTILE_TEXT, limit=st.integers(1, 600))
def test_one_line_and_plain_text_leave_no_control(text: str, limit: int) -> None:
    title = one_line(text, limit)
    body = plain_text(text, limit)
    assert not leaks(title, newline=False), repr(title)
    assert not leaks(body), repr(body)
    assert len(title) <= limit and len(body) <= limit
    # Markup is text: the sanitiser keeps it for the outputs to show literally.
    for tag in ("[bold]", "[@click=app.quit]"):
        if tag in text and not leaks(text) and not set(text) & set("<&"):
            assert tag in plain_text(text, 10**6)


@settings(max_examples=300, deadline=None, database=None)
@given(url=st.one_of(HOSTILE_TEXT, HOSTILE_TEXT.map(lambda t: "https://e.example/" + t)))
def test_links_are_http_or_https_without_controls_or_spaces(url: str) -> None:
    safe = safe_url(url)
    if safe is not None:
        assert safe.lower().startswith(("http://", "https://"))
        assert not leaks(safe, newline=False) and not any(c.isspace() for c in safe)


@settings(max_examples=300, deadline=None, database=None)
@given(
    url=st.one_of(
        HOSTILE_TEXT.map(lambda t: "https://e.example/" + t),
        st.text(max_size=30).map(lambda t: "http://e.example/" + t),
    )
)
def test_a_link_is_kept_exactly_when_stripping_would_not_change_it(url: str) -> None:
    # safe_url's quick acceptance (isprintable, no space) must never keep what the full check,
    # written out here, would refuse, nor refuse what it keeps.
    link = url.strip()
    kept = strip_controls(link) == link and not any(c.isspace() for c in link)
    assert safe_url(url) == (link if kept and len(link) <= 2048 else None)


@settings(max_examples=400, deadline=None, database=None)
@given(text=st.one_of(HOSTILE_TEXT, st.text(max_size=60)))
def test_text_printable_but_for_newlines_has_nothing_to_strip(text: str) -> None:
    # strip_controls returns such text as it is, unexamined; with a NUL added it takes its
    # full passes, which must leave the same text (the NUL removed).
    if text.replace("\n", "").isprintable():
        assert strip_controls(text) is text
        assert strip_controls(text + "\x00") == text


# --- 2. every output, in process, for generated payloads -----------------------------------


def hostile_snapshot(rng: random.Random) -> Snapshot:
    """Every kind's documents made hostile and parsed, as one snapshot."""
    reports = []
    for kind, documents in good_documents(NOW).items():
        spec = ProviderSpec(f"{kind}-x", kind.title(), kind, f"https://{kind}.example")
        bodies = [
            (body, {**HEADERS, "content-type": ct}) for body, ct in never_seen(kind, documents, rng)
        ]
        adapter = adapters.load(kind)
        several = adapters.multi(adapter)
        page = several.parse_many(bodies) if several else adapter.parse(*bodies[0])
        COUNTS["payloads"] += 1
        reports.append(ProviderReport(spec, page, fetched_at=NOW))
    return Snapshot(NOW, tuple(reports))


def channel_outputs(event: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(channel, text) of what each channel would send for one stored event."""
    yield "stdout", event_line(event)
    body, headers = webhook_body(event, "s3cret")
    yield "webhook", body.decode("utf-8")
    yield "webhook headers", " ".join(headers.values())
    yield "slack", json.dumps(slack_payload(event), ensure_ascii=False)
    yield "discord", json.dumps(discord_payload(event), ensure_ascii=False)
    yield "ntfy", json.dumps(ntfy_payload(event, "alerts"), ensure_ascii=False)
    yield "command", json.dumps(event_document(event), ensure_ascii=False)
    options = {"host": "127.0.0.1", "port": 25, "tls": "none", "from": "s@e.example",
               "to": ["ops@e.example"]}  # fmt: skip
    message = Email(options, None, 5.0).message(event)
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    yield "email subject", str(parsed["Subject"])
    yield "email body", parsed.get_content()  # type: ignore[attr-defined]


def render_tui(snapshot: Snapshot) -> Iterator[tuple[str, str]]:
    """Every cell and pane of the TUI as the terminal gets it (Rich's ANSI, our colours cut)."""
    from statuswatch.tui import render

    console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=120)
    texts = []
    for report in snapshot.reports:
        texts += [*render.provider_cells(report.spec, report, NOW)]
        texts.append(render.provider_detail(report.spec, report, NOW))
        assert report.page is not None
        for incident in report.page.incidents:
            texts += [*render.incident_cells(report, incident, NOW, None)]
            texts.append(render.incident_detail(report, incident, NOW))
        for item in report.page.maintenances:
            texts += [*render.maintenance_cells(report, item, NOW)]
            texts.append(render.maintenance_detail(report, item, NOW))
    for text in texts:
        console.file = io.StringIO()
        console.print(text)
        yield "tui", _SGR.sub("", console.file.getvalue())


def check_every_output(snapshot: Snapshot) -> int:
    """Check the JSON document, the table, the TUI, the channels and the metrics; return
    how many events the notifier derived."""
    for string in json_strings(json.loads(dumps(snapshot_document(snapshot)))):
        clean(string, "--json")
    clean(status_table(snapshot), "status")
    clean(_SGR.sub("", status_table(snapshot, colour=True)), "status --color always")
    for where, text in render_tui(snapshot):
        clean(text, where)
    events, _ = derive(State(), snapshot, DeriveOptions(send_existing=True, first_run=True))
    for event in events:
        for where, text in channel_outputs(payload(event)):
            clean(text, where)
    clean(textfile(snapshot, FetchStats()).decode("utf-8"), "metrics")
    return len(events)


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(seed=st.integers(0, 2**64 - 1))
def test_generated_payloads_leave_no_control_in_any_output(seed: int) -> None:
    snapshot = hostile_snapshot(random.Random(seed))
    # Each kind read its hostile page (nothing refused), and the pages have things to tell
    # (Upptime's and Gatus's documents carry no incidents: their components tell it).
    assert all(
        r.page is not None
        and (r.page.incidents or (r.spec.kind in ("upptime", "gatus") and r.page.components))
        for r in snapshot.reports
    )
    assert check_every_output(snapshot) >= len(snapshot.reports)
    titles = [i.title for r in snapshot.reports if r.page for i in r.page.incidents]
    assert all(len(t) <= MAX_TITLE for t in titles)
    # Markup is shown, not obeyed: some title still carries one of the tags as text.
    assert any(tag in title for title in titles for tag in MARKUP)


# --- 3. the real commands on a payload never seen by the project ---------------------------


def _serve(srv: LoopbackServer, rng: random.Random) -> dict[str, tuple[str, str]]:
    """Route every kind's never-seen documents; return id -> (kind, page URL)."""
    providers: dict[str, tuple[str, str]] = {}
    for kind, documents in good_documents(NOW).items():
        page_url = srv.url(page_path(kind, f"evil-{kind}"))
        hostile = never_seen(kind, documents, rng)
        for url, (body, content_type) in zip(source_urls(kind, page_url), hostile, strict=True):
            srv.route("/" + url.split("/", 3)[3].split("?", 1)[0], body, content_type=content_type)
        providers[f"evil-{kind}"] = (kind, page_url)
        COUNTS["payloads"] += 1
    return providers


CHANNELS = """
[notify]
retries = 0
[[notify.channels]]
type = "stdout"
[[notify.channels]]
type = "webhook"
url = "{rx}/webhook"
secret = "s3cret-for-signing"
[[notify.channels]]
type = "slack"
url = "{rx}/slack"
min_interval = 0
[[notify.channels]]
type = "discord"
url = "{rx}/discord"
min_interval = 0
[[notify.channels]]
type = "ntfy"
url = "{rx}"
topic = "alerts"
[[notify.channels]]
type = "email"
host = "127.0.0.1"
port = {smtp}
tls = "none"
from = "statuswatch@example.org"
to = "ops@example.org"
[[notify.channels]]
type = "command"
command = [{python}, "-c", {script}]
"""
# The command channel's program: keeps the document it gets on stdin, one file per event.
KEEP_STDIN = (
    "import os, sys; name = os.path.join(os.environ['EVENTS_DIR'], "
    "os.environ['STATUSWATCH_EVENT_ID']); open(name, 'wb').write(sys.stdin.buffer.read())"
)


def _config(path: Path, providers: dict[str, tuple[str, str]], channels: str) -> None:
    lines = [f"watch = {json.dumps(list(providers))}"]
    for pid, (kind, url) in providers.items():
        lines += [
            f'[providers."{pid}"]',
            f'name = "Evil {kind}"',
            f'kind = "{kind}"',
            f'url = "{url}"',
        ]
    lines += ["[http]", "retries = 0", "deadline = 10.0"]
    path.write_text("\n".join(lines) + "\n" + channels, encoding="utf-8")


def _run(env: dict[str, str], *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "statuswatch", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, encoding="utf-8",
                          errors="surrogateescape", timeout=60)  # fmt: skip
    assert done.returncode == code, done.stderr
    return done


class _Mailbox:
    """A plain SMTP server on 127.0.0.1 (aiosmtpd) keeping every message."""

    def __init__(self) -> None:
        controller = pytest.importorskip("aiosmtpd.controller")
        self.messages: list[bytes] = []
        mailbox = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                mailbox.messages.append(envelope.original_content or envelope.content)
                return "250 OK"

        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = controller.Controller(Handler(), hostname="127.0.0.1", port=self.port)


@pytest.fixture
def mailbox() -> Iterator[_Mailbox]:
    box = _Mailbox()
    box.controller.start()
    try:
        yield box
    finally:
        box.controller.stop()


def test_a_payload_never_seen_leaves_no_control_in_any_command_or_channel(
    loopback: LoopbackServer, mailbox: _Mailbox, tmp_path: Path
) -> None:
    seed = secrets.randbits(64)
    providers = _serve(loopback, random.Random(seed))
    events_dir = tmp_path / "events"
    events_dir.mkdir()
    with Receiver() as rx:
        channels = CHANNELS.format(
            rx=rx.url(""), smtp=mailbox.port, python=json.dumps(sys.executable),
            script=json.dumps(KEEP_STDIN),
        )  # fmt: skip
        config = tmp_path / "config.toml"
        _config(config, providers, channels)
        env = dict(os.environ, STATUSWATCH_CONFIG=str(config), EVENTS_DIR=str(events_dir),
                   STATUSWATCH_CACHE_DIR=str(tmp_path / "cache"),
                   STATUSWATCH_STATE_DIR=str(tmp_path / "state"))  # fmt: skip
        where = f"(payload seed {seed})"

        as_json = _run(env, "--json")
        document = clean_json(as_json.stdout, f"--json {where}")
        assert [p["error"] for p in document["providers"]] == [None] * len(providers), where
        titles = [i["title"] for p in document["providers"] for i in p["incidents"]]
        assert any(tag in title for title in titles for tag in MARKUP), where
        clean(as_json.stdout, f"--json raw {where}")  # and the raw bytes, escapes and all

        clean(_run(env, "status").stdout, f"status {where}")
        coloured = _run(env, "status", "--color", "always").stdout
        clean(_SGR.sub("", coloured), f"status --color always {where}")
        clean(_run(env, "check", code=2).stdout, f"check {where}")  # Nagios CRITICAL

        metrics = tmp_path / "metrics.prom"
        notified = _run(env, "notify", "--send-existing", "--prometheus-textfile", str(metrics))
        clean(notified.stdout, f"notify stdout channel {where}")
        clean(notified.stderr, f"notify stderr {where}")
        clean(metrics.read_text(encoding="utf-8"), f"notify --prometheus-textfile {where}")
        sent = len(notified.stdout.splitlines())
        assert sent >= len(providers), notified.stdout
        for path in ("/webhook", "/slack", "/discord", "/"):
            bodies = rx.accepted(path)
            assert len(bodies) == sent, (path, len(bodies), sent)
            for received in bodies:
                clean_json(received.body, f"{path or 'ntfy'} {where}")
        assert len(mailbox.messages) == sent
        for raw in mailbox.messages:
            message = email.message_from_bytes(raw, policy=email.policy.default)
            clean(str(message["Subject"]), f"email subject {where}", newline=False)
            # SMTP ends lines with CRLF on the wire: the message's own line breaks, not the page's.
            body = message.get_content().replace("\r\n", "\n")  # type: ignore[attr-defined]
            clean(body, f"email body {where}")
        commands = sorted(events_dir.iterdir())
        assert len(commands) == sent
        for path in commands:
            clean_json(path.read_bytes(), f"command {where}")

        with _serving(env) as url:
            clean(httpx.get(url + "/metrics").text, f"serve /metrics {where}")
            clean_json(httpx.get(url + "/v1/status").content, f"serve /v1/status {where}")
            remote = _run(env, "status", "--server", url)
            clean(remote.stdout, f"status --server {where}")


class _serving:
    """`statuswatch serve` on a free port, until the block ends."""

    def __init__(self, env: dict[str, str]) -> None:
        command = [sys.executable, "-m", "statuswatch", "serve", "--bind", "127.0.0.1:0"]
        self.process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)

    def __enter__(self) -> str:
        assert self.process.stderr is not None
        line = self.process.stderr.readline()
        assert " on http://127.0.0.1:" in line, line
        url = line.split(" on ", 1)[1].split(" ", 1)[0]
        for _ in range(100):  # the first poll done
            if "statuswatch_incident_info{" in httpx.get(url + "/metrics").text:
                break
            threading.Event().wait(0.05)
        return url

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.communicate(timeout=20)


@pytest.mark.anyio
async def test_the_tui_shows_a_never_seen_payload_literally(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    from tui_fakes import screen_text, settle

    from statuswatch.settings import HttpSettings
    from statuswatch.tui.app import build_app

    seed = secrets.randbits(64)
    providers = _serve(loopback, random.Random(seed))
    specs = [ProviderSpec(pid, f"Evil {kind}", kind, url) for pid, (kind, url) in providers.items()]
    app = build_app(specs, interval=3600, settings=HttpSettings(retries=0), cache_dir=tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot, app)
        screens = [screen_text(app)]
        for _ in range(12):  # walk the incident list, each in the detail pane
            await pilot.press("tab")
            await pilot.press("down")
            await pilot.pause(0.05)
            screens.append(screen_text(app))
        assert app.is_running
    for screen in screens:
        clean(screen, f"tui (payload seed {seed})")
    assert any(tag in screen for screen in screens for tag in MARKUP), "markup not shown literally"


def test_hostile_text_always_carries_the_sequences_it_promises() -> None:
    rng = random.Random(1)
    for _ in range(200):
        text = hostile_text(rng, "title")
        assert "\x1b[" in text or "\x9b" in text
        assert "\x1b]" in text or "\x9d" in text
        assert any(0x80 <= ord(c) <= 0x9F for c in text)
        assert any(tag in text for tag in MARKUP)
        assert "title" in text
