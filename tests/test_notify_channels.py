"""Channels and the delivery loop against real receivers on 127.0.0.1 (HTTP and SMTP)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import ssl
import stat
import sys
import types
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx
import pytest
from loopback import make_certificate
from notify_helpers import Receiver

from statuswatch.model import Impact, Incident, Phase, ProviderSpec, Update
from statuswatch.notify.channels import DeliveryError, build
from statuswatch.notify.channels.apprise_channel import INSTALL_HINT
from statuswatch.notify.channels.web import (
    discord_payload,
    discord_retry_after,
    slack_escape,
    slack_payload,
)
from statuswatch.notify.deliver import Delivery
from statuswatch.notify.events import Event, payload
from statuswatch.notify.settings import ChannelSettings, EventKind, NotifySettings, Secret
from statuswatch.notify.store import Entry, Outbox, Store

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
SPEC = ProviderSpec(id="ex", name="Example", kind="statuspage", url="https://status.example.test")
TOKEN = "T0K3N-very-secret-9f8e7d"
HOSTILE = "@everyone <!channel> *bold* & <script> [x](http://evil.example)"


def make_event(n: int = 1, title: str = "API errors") -> dict[str, Any]:
    incident = Incident(
        id=f"i{n}",
        title=title,
        impact=Impact.MAJOR,
        phase=Phase.INVESTIGATING,
        started_at=T0,
        url="https://status.example.test/incidents/i1",
        components=("API",),
        updates=(Update(T0, Phase.INVESTIGATING, "Looking into it", "investigating"),),
    )
    event = Event(id=f"id-{n}", kind=EventKind.INCIDENT_OPENED, at=T0, provider=SPEC,
                  text=f"Example: new incident [major] {title}", incident=incident)  # fmt: skip
    return payload(event)


def channel(kind: str, name: str = "ch", **options: Any) -> ChannelSettings:
    return ChannelSettings(type=kind, name=name, options=options)


class Clock:
    """A settable clock and a sleep that only records (no test waits for real)."""

    def __init__(self) -> None:
        self.now = T0
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += timedelta(seconds=seconds)


def deliver(
    outbox: Outbox,
    channels: list[ChannelSettings],
    clock: Clock,
    settings: NotifySettings | None = None,
    environ: dict[str, str] | None = None,
) -> tuple[list[str], list[str]]:
    """Run one delivery pass; return (warnings, failed channel names)."""
    warnings: list[str] = []
    report = Delivery(
        outbox=outbox,
        channels={c.name: c for c in channels},
        settings=settings or NotifySettings(retries=2, backoff=0.5, retry_after_cap=5),
        save=lambda: None,
        warn=warnings.append,
        environ=environ or {},
        now=clock,
        sleep=clock.sleep,
    ).run()
    return warnings, report.failed_channels


def queued(*events: dict[str, Any], name: str = "ch", at: datetime = T0) -> Outbox:
    outbox = Outbox()
    for event in events:
        outbox.add(Entry(event_id=event["id"], channel=name, queued_at=at, event=event))
    return outbox


@pytest.fixture
def rx() -> Iterator[Receiver]:
    with Receiver() as receiver:
        yield receiver


# --- webhook --------------------------------------------------------------------------------------


def test_webhook_posts_the_documented_document_signed(rx: Receiver) -> None:
    hook = channel("webhook", url=Secret(rx.url("/hook")), secret=Secret(env="HOOK_SECRET"),
                   headers={"X-Team": "ops"})  # fmt: skip
    outbox = queued(make_event())
    warnings, failed = deliver(outbox, [hook], Clock(), environ={"HOOK_SECRET": TOKEN})
    assert (warnings, failed, outbox.pending) == ([], [], [])
    assert list(outbox.delivered) == ["id-1:ch"]
    [request] = rx.accepted("/hook")
    document = request.json()
    assert document == {"schema": "statuswatch/v1", "event": make_event()}
    event = document["event"]
    assert list(event) == ["id", "kind", "at", "provider", "incident", "text"]
    assert event["provider"] == {"id": "ex", "name": "Example",
                                 "page_url": "https://status.example.test"}  # fmt: skip
    assert event["incident"]["updates"] == [
        {"at": "2026-11-27T10:00:00Z", "phase": "investigating", "raw_status": "investigating",
         "text": "Looking into it"}
    ]  # fmt: skip
    expected = hmac.new(TOKEN.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-statuswatch-signature"] == f"sha256={expected}"
    assert request.headers["x-statuswatch-event"] == "incident_opened"
    assert request.headers["x-statuswatch-delivery"] == "id-1"
    assert request.headers["x-team"] == "ops"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("statuswatch/")


def test_without_a_secret_there_is_no_signature(rx: Receiver) -> None:
    outbox = queued(make_event())
    deliver(outbox, [channel("webhook", url=Secret(rx.url("/hook")))], Clock())
    assert "x-statuswatch-signature" not in rx.accepted("/hook")[0].headers


def test_a_failing_receiver_is_retried_with_backoff_within_the_run(rx: Receiver) -> None:
    rx.script("/hook", [500, 502])
    clock = Clock()
    outbox = queued(make_event(1), make_event(2))
    warnings, failed = deliver(outbox, [channel("webhook", url=Secret(rx.url("/hook")))], clock)
    assert (warnings, failed) == ([], [])
    assert [r.status for r in rx.received] == [500, 502, 200, 200]
    assert [b["event"]["id"] for b in rx.bodies("/hook")] == ["id-1", "id-2"]
    assert clock.slept == [0.5, 1.0]


def test_429_with_a_short_retry_after_is_waited_for(rx: Receiver) -> None:
    rx.script("/hook", [(429, "3")])
    clock = Clock()
    outbox = queued(make_event())
    warnings, _ = deliver(outbox, [channel("webhook", url=Secret(rx.url("/hook")))], clock)
    assert warnings == [] and clock.slept == [3.0]
    assert [r.status for r in rx.received] == [429, 200]


def test_429_with_a_long_retry_after_defers_the_channel_to_a_later_run(rx: Receiver) -> None:
    rx.script("/hook", [(429, "120")])
    clock = Clock()
    hook = channel("webhook", url=Secret(rx.url("/hook")))
    outbox = queued(make_event(1), make_event(2))
    warnings, failed = deliver(outbox, [hook], clock)
    assert failed == ["ch"] and clock.slept == []
    assert warnings == [
        "channel 'ch' (webhook): HTTP 429 (retry after 120 s); 2 events kept for the next run"
    ]
    assert outbox.not_before == {"ch": T0 + timedelta(seconds=120)}
    assert [e.attempts for e in outbox.pending] == [1, 0]
    # A run within the period sends nothing at all.
    clock.now = T0 + timedelta(seconds=60)
    warnings, failed = deliver(outbox, [hook], clock)
    assert len(rx.received) == 1 and failed == ["ch"]
    assert warnings == [
        "channel 'ch' (webhook): the receiver asked to wait until 2026-11-27T10:02:00+00:00: "
        "2 events kept for a later run"
    ]
    clock.now = T0 + timedelta(seconds=121)
    assert deliver(outbox, [hook], clock) == ([], [])
    assert [b["event"]["id"] for b in rx.bodies()] == ["id-1", "id-2"]


def test_a_receiver_that_fails_then_recovers_gets_everything_in_order(rx: Receiver) -> None:
    rx.down = True
    clock = Clock()
    hook = channel("webhook", url=Secret(rx.url("/hook")))
    outbox = queued(make_event(1), make_event(2), make_event(3))
    warnings, failed = deliver(outbox, [hook], clock)
    assert failed == ["ch"] and len(outbox.pending) == 3
    assert warnings == ["channel 'ch' (webhook): HTTP 503; 3 events kept for the next run"]
    assert len(rx.received) == 3  # one try and two retries, all on the first event
    rx.down = False
    assert deliver(outbox, [hook], clock) == ([], [])
    assert [b["event"]["id"] for b in rx.bodies()] == ["id-1", "id-2", "id-3"]


def test_a_rejection_is_not_retried_within_the_run(rx: Receiver) -> None:
    rx.script("/hook", [404])
    outbox = queued(make_event())
    warnings, _ = deliver(outbox, [channel("webhook", url=Secret(rx.url("/hook")))], Clock())
    assert warnings == ["channel 'ch' (webhook): HTTP 404; 1 event kept for the next run"]
    assert len(rx.received) == 1


def test_min_interval_spaces_deliveries_on_a_channel(rx: Receiver) -> None:
    clock = Clock()
    hook = ChannelSettings(type="webhook", name="ch", options={"url": Secret(rx.url("/h"))},
                           min_interval=30.0)  # fmt: skip
    deliver(queued(make_event(1), make_event(2), make_event(3)), [hook], clock)
    assert len(clock.slept) == 2 and all(29 < s <= 30 for s in clock.slept)
    assert len(rx.bodies("/h")) == 3


def test_too_old_events_are_given_up_and_gone_channels_dropped(rx: Receiver) -> None:
    clock = Clock()
    clock.now = T0 + timedelta(days=2)
    outbox = queued(make_event(1))
    outbox.add(Entry("id-2", "ch", clock.now, make_event(2)))
    outbox.add(Entry("id-3", "removed", clock.now, make_event(3)))
    warnings, _ = deliver(outbox, [channel("webhook", url=Secret(rx.url("/h")))], clock)
    assert warnings == [
        "channel 'ch' (webhook): gave up on 1 event not delivered within 86400 s",
        "channel 'removed' is no longer configured: 1 undelivered event dropped",
    ]
    assert [b["event"]["id"] for b in rx.bodies()] == ["id-2"] and outbox.pending == []


def test_secrets_never_appear_in_errors_nor_in_the_outbox(tmp_path: Path) -> None:
    # A closed port: the connection error must not quote the URL, whose path is the token.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/services/{TOKEN}"
    kinds = [channel("slack", "s", url=Secret(url)), channel("discord", "d", url=Secret(url)),
             channel("webhook", "w", url=Secret(url), secret=Secret(TOKEN + "x"),
                     headers={"Authorization": f"Bearer {TOKEN}"}),
             channel("ntfy", "n", url=Secret(f"http://127.0.0.1:{port}"), topic=Secret(TOKEN),
                     token=Secret(TOKEN)),
             channel("email", "e", host="127.0.0.1", port=port, tls="starttls", to=("a@b.c",),
                     username_env="U", password_env="P", **{"from": "x@y.z"})]  # fmt: skip
    store = Store(tmp_path / "state")
    outbox = Outbox()
    for c in kinds:
        outbox.add(Entry("id-1", c.name, T0, make_event()))
    warnings, failed = deliver(outbox, kinds, Clock(), environ={"U": "user", "P": TOKEN})
    assert sorted(failed) == ["d", "e", "n", "s", "w"]
    assert len(warnings) == 5
    for warning in warnings:
        assert TOKEN not in warning and "services" not in warning, warning
        # Words, not exception classes ("ConnectError: [Errno 111] Connection refused").
        assert "Error" not in warning and "Errno" not in warning, warning
        assert "connection refused" in warning.lower() or "SMTP failure" in warning, warning
    store.save_outbox(outbox)
    text = store.outbox_path.read_text()
    assert TOKEN not in text and "Connect" in text
    assert stat.S_IMODE(store.outbox_path.stat().st_mode) == 0o600


def test_a_missing_secret_names_its_variable_only() -> None:
    outbox = queued(make_event())
    warnings, _ = deliver(outbox, [channel("slack", url=Secret(env="SLACK_URL"))], Clock())
    assert warnings == [
        "channel 'ch' (slack): environment variable SLACK_URL is not set; "
        "1 event kept for the next run"
    ]


# --- slack, discord, ntfy -------------------------------------------------------------------------


def test_slack_gets_blocks_with_every_page_text_escaped(rx: Receiver) -> None:
    event = make_event(title=HOSTILE)
    deliver(queued(event), [channel("slack", url=Secret(rx.url("/slack")))], Clock())
    [body] = rx.bodies("/slack")
    assert body == slack_payload(event)
    section = body["blocks"][0]["text"]["text"]
    assert "<!channel>" not in section and "<script>" not in section
    assert "&lt;!channel&gt;" in section and "&amp;" in section
    assert section.startswith("*Example: incident opened*\n<https://status.example.test/")
    assert body["text"] == slack_escape(event["text"])
    assert body["blocks"][1]["elements"][0]["text"] == (
        "2026-11-27T10:00:00Z · impact: major · phase: investigating"
    )


def test_discord_pings_nobody(rx: Receiver) -> None:
    event = make_event(title=HOSTILE)
    deliver(queued(event), [channel("discord", url=Secret(rx.url("/discord")))], Clock())
    [body] = rx.bodies("/discord")
    assert body == discord_payload(event)
    assert body["allowed_mentions"] == {"parse": []}
    assert "\\*bold\\*" in body["content"] and "\\[x\\]\\(http" in body["content"]
    assert body["embeds"][0]["url"] == "https://status.example.test/incidents/i1"
    assert body["embeds"][0]["title"] == HOSTILE


def test_discord_retry_after_comes_from_its_json_body() -> None:
    response = httpx.Response(429, json={"retry_after": 1.5, "global": False})
    assert discord_retry_after(response) == 1.5
    assert discord_retry_after(httpx.Response(429, text="busy")) is None


def test_ntfy_publishes_json_with_a_token(rx: Receiver) -> None:
    ntfy = channel("ntfy", url=Secret(rx.url("/")), topic=Secret("alerts"), token=Secret(env="T"))
    deliver(queued(make_event()), [ntfy], Clock(), environ={"T": TOKEN})
    [request] = rx.accepted("/")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.json() == {
        "topic": "alerts",
        "title": "Example: incident opened",
        "message": "Example: new incident [major] API errors",
        "priority": 4,
        "tags": ["incident_opened"],
        "click": "https://status.example.test/incidents/i1",
    }


# --- email (a real SMTP server with STARTTLS and AUTH) --------------------------------------------


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, list[Any]]]:
    controller_module = pytest.importorskip("aiosmtpd.controller")
    smtp_module = pytest.importorskip("aiosmtpd.smtp")
    pair = make_certificate(tmp_path)
    if pair is None:
        pytest.skip("the openssl command is needed to make a certificate for STARTTLS")
    cert, key = pair
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts our certificate
    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope)
            return "250 OK"

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        good = data.login == b"robot" and data.password == TOKEN.encode()
        # handled=False: the server answers 535 itself (by default it leaves that to us).
        return smtp_module.AuthResult(success=good, handled=False)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = controller_module.Controller(
        Handler(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
        authenticator=authenticator, auth_require_tls=True,
    )  # fmt: skip
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def email_channel(port: int) -> ChannelSettings:
    return channel("email", host="127.0.0.1", port=port, tls="starttls", to=("ops@example.org",),
                   username_env="SMTP_USER", password_env="SMTP_PASSWORD",
                   **{"from": "statuswatch@example.org"})  # fmt: skip


def test_email_over_starttls_with_credentials_from_the_environment(
    smtp: tuple[int, list[Any]],
) -> None:
    port, received = smtp
    environ = {"SMTP_USER": "robot", "SMTP_PASSWORD": TOKEN}
    outbox = queued(make_event())
    assert deliver(outbox, [email_channel(port)], Clock(), environ=environ) == ([], [])
    [envelope] = received
    assert envelope.mail_from == "statuswatch@example.org"
    assert envelope.rcpt_tos == ["ops@example.org"]
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"] == "[statuswatch] Example: incident opened: API errors"
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Example: new incident [major] API errors\n\nLatest update")
    assert "Looking into it" in body and "https://status.example.test/incidents/i1" in body
    assert TOKEN not in envelope.content.decode()


def test_a_refused_login_says_so_without_the_password(smtp: tuple[int, list[Any]]) -> None:
    port, received = smtp
    environ = {"SMTP_USER": "robot", "SMTP_PASSWORD": "wrong-" + TOKEN}
    outbox = queued(make_event())
    warnings, _ = deliver(outbox, [email_channel(port)], Clock(), environ=environ)
    assert warnings == [
        "channel 'ch' (email): SMTP login refused (code 535); 1 event kept for the next run"
    ]
    assert received == [] and len(outbox.pending) == 1


# --- command, desktop, stdout, apprise ------------------------------------------------------------


def test_command_gets_the_document_on_stdin_without_a_shell(tmp_path: Path) -> None:
    script = tmp_path / "sink.py"
    out = tmp_path / "got.json"
    script.write_text(
        "import os, sys\n"
        f"data = sys.stdin.read()\nopen({str(out)!r}, 'w').write(data)\n"
        "sys.exit(0 if os.environ['STATUSWATCH_EVENT_KIND'] == 'incident_opened' else 4)\n"
    )
    argv = (sys.executable, str(script), "; touch pwned")  # a shell would run the second part
    event = make_event(title=HOSTILE)
    assert deliver(queued(event), [channel("command", command=argv)], Clock()) == ([], [])
    assert json.loads(out.read_text()) == {"schema": "statuswatch/v1", "event": event}
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_a_failing_command_keeps_the_event(tmp_path: Path) -> None:
    argv = (sys.executable, "-c", "import sys; sys.exit(3)")
    outbox = queued(make_event())
    settings = NotifySettings(retries=0)
    warnings, _ = deliver(outbox, [channel("command", command=argv)], Clock(), settings)
    label = os.path.basename(sys.executable)
    assert warnings == [
        f"channel 'ch' (command): {label} exited with status 3; 1 event kept for the next run"
    ]
    missing = channel("command", command=("/nonexistent/prog",))
    warnings, _ = deliver(outbox, [missing], Clock(), settings)
    assert warnings == [
        "channel 'ch' (command): program not found: prog; 1 event kept for the next run"
    ]


def test_desktop_without_a_notifier_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(DeliveryError, match=r"^no desktop notifier found: install notify-send"):
        build(channel("desktop"), {}).send(make_event())


def test_desktop_escapes_markup_for_notify_send(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "argv.json"
    fake = tmp_path / "notify-send"
    fake.write_text(
        f"#!{sys.executable}\nimport json, sys\njson.dump(sys.argv[1:], open({str(log)!r}, 'w'))\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    build(channel("desktop"), {}).send(make_event(title="<b>bold</b> & co"))
    assert json.loads(log.read_text()) == [
        "--app-name=statuswatch", "--urgency=critical", "--",
        "Example: incident opened",
        "Example: new incident [major] &lt;b&gt;bold&lt;/b&gt; &amp; co",
    ]  # fmt: skip


def test_stdout_prints_one_line_per_event(capfd: pytest.CaptureFixture[str]) -> None:
    assert deliver(queued(make_event(1), make_event(2)), [channel("stdout")], Clock()) == ([], [])
    assert capfd.readouterr().out == (
        "2026-11-27T10:00:00Z  Example: new incident [major] API errors\n" * 2
    )


def test_apprise_is_imported_only_when_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "apprise", None)  # as if not installed
    with pytest.raises(DeliveryError) as caught:
        build(channel("apprise", url=Secret("json://127.0.0.1/x")), {})
    assert str(caught.value) == INSTALL_HINT
    sent: list[dict[str, str]] = []

    class FakeApprise:
        def add(self, url: str) -> bool:
            return url == "json://127.0.0.1/x"

        def notify(self, title: str, body: str) -> bool:
            sent.append({"title": title, "body": body})
            return True

    monkeypatch.setitem(sys.modules, "apprise", types.SimpleNamespace(Apprise=FakeApprise))
    assert deliver(queued(make_event()), [channel("apprise", url=Secret("json://127.0.0.1/x"))],
                   Clock()) == ([], [])  # fmt: skip
    assert sent == [{"title": "Example: incident opened",
                     "body": "Example: new incident [major] API errors"}]  # fmt: skip


def test_an_unexpected_error_in_a_channel_is_reported_without_its_message(rx: Receiver) -> None:
    # Header values must be Latin-1: httpx raises a UnicodeEncodeError, not an httpx error.
    hook = channel("webhook", url=Secret(rx.url("/h")), headers={"X-Token": f"é{TOKEN}"})
    outbox = queued(make_event())
    warnings, failed = deliver(outbox, [hook, channel("stdout", "out")], Clock())
    assert failed == ["ch"] and len(outbox.pending) == 1
    assert warnings == [
        "channel 'ch' (webhook): unexpected UnicodeEncodeError; 1 event kept for the next run"
    ]
