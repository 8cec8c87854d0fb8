"""The `[notify]` table: defaults, channels, filters, secrets and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuswatch.config import ConfigError, load_config
from statuswatch.model import Impact
from statuswatch.notify.configparse import notify_settings
from statuswatch.notify.settings import (
    DEFAULT_EVENTS,
    OPT_IN,
    ChannelSettings,
    EventKind,
    NotifySettings,
    Secret,
    SecretMissing,
)
from statuswatch.paths import config_file

SECRET = "https://hooks.slack.com/services/T000/B000/Zq9TOPSECRETzz"


def load(tmp_path: Path, text: str) -> NotifySettings:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return notify_settings(load_config(path))


def problem(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    message = str(caught.value)
    assert "\n" not in message
    return message.split("config.toml: ", 1)[1]


def test_without_a_notify_table_one_stdout_channel_gets_the_default_events(tmp_path: Path) -> None:
    settings = load(tmp_path, "")
    assert settings == NotifySettings()
    assert settings.effective_channels() == (ChannelSettings(type="stdout", name="stdout"),)
    assert DEFAULT_EVENTS == (
        EventKind.INCIDENT_OPENED,
        EventKind.INCIDENT_UPDATED,
        EventKind.INCIDENT_RESOLVED,
        EventKind.MAINTENANCE_SCHEDULED,
        EventKind.MAINTENANCE_STARTED,
        EventKind.MAINTENANCE_COMPLETED,
        # A user who defines stacks wants to hear about them; a shared cause is told once.
        EventKind.STACK_DEGRADED,
        EventKind.STACK_RECOVERED,
        EventKind.CASCADE_SUSPECTED,
        EventKind.EARLY_WARNING_OPENED,
        EventKind.EARLY_WARNING_CLEARED,
    )
    assert not OPT_IN & set(DEFAULT_EVENTS)


def test_a_full_notify_table(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        """
[notify]
unreachable_after = 5
remind_before = 900
max_age = 3600
lock_timeout = 10
retries = 0
backoff = 0.5
retry_after_cap = 5

[[notify.channels]]
type = "webhook"
name = "ops"
url = "https://hooks.example/in"
secret_env = "HOOK_SECRET"
headers = { Authorization = "Bearer abc" }
providers = ["cloudflare", "github"]
components = ["API"]
min_impact = "major"
events = ["incident_opened", "provider_unreachable"]
timeout = 3
min_interval = 1.5

[[notify.channels]]
type = "slack"
url_env = "SLACK_URL"

[[notify.channels]]
type = "slack"
url_env = "SLACK_URL_2"

[[notify.channels]]
type = "email"
host = "smtp.example"
from = "statuswatch@example.org"
to = ["ops@example.org", "me@example.org"]
username_env = "SMTP_USER"
password_env = "SMTP_PASSWORD"

[[notify.channels]]
type = "command"
command = ["/usr/local/bin/page-me", "--urgent"]
""",
    )
    assert (settings.unreachable_after, settings.remind_before, settings.max_age) == (5, 900, 3600)
    assert (settings.lock_timeout, settings.retries, settings.backoff) == (10, 0, 0.5)
    ops, slack, slack2, email, command = settings.channels
    assert ops.name == "ops" and ops.type == "webhook"
    assert ops.options["url"] == Secret(value="https://hooks.example/in")
    assert ops.options["secret"] == Secret(env="HOOK_SECRET")
    assert ops.options["headers"] == {"Authorization": "Bearer abc"}
    assert ops.providers == ("cloudflare", "github") and ops.components == ("API",)
    assert ops.min_impact is Impact.MAJOR
    assert ops.events == (EventKind.INCIDENT_OPENED, EventKind.PROVIDER_UNREACHABLE)
    assert (ops.timeout, ops.min_interval) == (3.0, 1.5)
    assert (slack.name, slack2.name) == ("slack", "slack-2")
    assert (slack.min_interval, email.min_interval) == (1.0, 0.0)
    assert slack.events == DEFAULT_EVENTS
    assert email.options["port"] == 587 and email.options["tls"] == "starttls"
    assert email.options["to"] == ("ops@example.org", "me@example.org")
    assert email.options["password_env"] == "SMTP_PASSWORD"
    assert command.options["command"] == ("/usr/local/bin/page-me", "--urgent")


def test_secrets_resolve_from_the_environment_and_never_show_in_a_repr() -> None:
    secret = Secret(value=SECRET)
    assert SECRET not in repr(secret)
    channel = ChannelSettings(type="slack", name="s", options={"url": secret})
    assert SECRET not in repr(channel)
    assert Secret(env="X_URL").resolve({"X_URL": "https://x.example"}) == "https://x.example"
    with pytest.raises(SecretMissing, match=r"^environment variable X_URL is not set$"):
        Secret(env="X_URL").resolve({})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[notify]\nretry = 1\n", "notify.retry: unknown key 'retry' (did you mean 'retries'?)"),
        ("[notify]\nunreachable_after = 0\n",
         "notify.unreachable_after: must be at least 1, got 0"),
        ("[notify]\nmax_age = -1\n", "notify.max_age: must be greater than 0, got -1"),
        ("[notify]\nchannels = 3\n",
         "notify.channels: expected an array of tables ([[notify.channels]]), got integer"),
        ("[[notify.channels]]\nurl = 'https://x.example'\n",
         "notify.channels[0].type: missing (one of: stdout, webhook, slack, discord, ntfy, email, "
         "desktop, command, apprise)"),
        ("[[notify.channels]]\ntype = 'slak'\n",
         "notify.channels[0].type: unknown channel type 'slak' (did you mean 'slack'?; known "
         "types: stdout, webhook, slack, discord, ntfy, email, desktop, command, apprise)"),
        ("[[notify.channels]]\ntype = 'slack'\n",
         "notify.channels[0].url: missing: a slack channel needs url or url_env"),
        ("[[notify.channels]]\ntype = 'slack'\nurl_env = 'X'\nmin_impac = 'major'\n",
         "notify.channels[0].min_impac: unknown key 'min_impac' in a channel of type 'slack' "
         "(did you mean 'min_impact'?)"),
        ("[[notify.channels]]\ntype = 'stdout'\nmin_impact = 'majr'\n",
         "notify.channels[0].min_impact: unknown impact 'majr' (did you mean 'major'?; one of: "
         "none, minor, major, critical, maintenance)"),
        ("[[notify.channels]]\ntype = 'stdout'\nevents = ['incident_open']\n",
         "notify.channels[0].events[0]: unknown event 'incident_open' (did you mean "
         "'incident_opened'?; one of: incident_opened, incident_updated, incident_resolved, "
         "maintenance_scheduled, maintenance_started, maintenance_completed, component_changed, "
         "maintenance_reminder, provider_unreachable, provider_recovered, stack_degraded, "
         "stack_recovered, cascade_suspected, early_warning_opened, early_warning_cleared)"),
        ("[[notify.channels]]\ntype = 'stdout'\nproviders = ['cloudfare']\n",
         "notify.channels[0].providers[0]: unknown provider 'cloudfare' "
         "(did you mean 'cloudflare'?)"),
        ("[[notify.channels]]\ntype = 'stdout'\nname = 'a'\n[[notify.channels]]\ntype = 'desktop'\n"
         "name = 'a'\n", "notify.channels[1].name: duplicate channel name 'a'"),
        ("[[notify.channels]]\ntype = 'stdout'\nname = 'stdout-2'\n[[notify.channels]]\n"
         "type = 'stdout'\n[[notify.channels]]\ntype = 'stdout'\n",
         "notify.channels[2].name: default name 'stdout-2' is taken: give this one a name"),
        ("[[notify.channels]]\ntype = 'webhook'\nurl = 'x'\nurl_env = 'Y'\n",
         "notify.channels[0].url: give url or url_env, not both"),
        ("[[notify.channels]]\ntype = 'webhook'\nurl_env = 'NOT A NAME'\n",
         "notify.channels[0].url_env: expected an environment variable name, got 'NOT A NAME'"),
        ("[[notify.channels]]\ntype = 'email'\nhost = 'h'\nfrom = 'a@b.c'\nto = 'nobody'\n",
         "notify.channels[0].to[0]: expected an email address, got 'nobody'"),
        ("[[notify.channels]]\ntype = 'email'\nhost = 'h'\nfrom = 'a@b.c'\nto = 'x@y.z'\n"
         "tls = 'yes'\n", "notify.channels[0].tls: expected one of starttls, ssl, none, got 'yes'"),
        ("[[notify.channels]]\ntype = 'email'\nhost = 'h'\nfrom = 'a@b.c'\nto = 'x@y.z'\n"
         "password_env = 'P'\n",
         "notify.channels[0]: give both username_env and password_env, or neither"),
        ("[[notify.channels]]\ntype = 'email'\nhost = 'h'\nfrom = 'a@b.c'\nto = 'x@y.z'\n"
         "password = 'hunter2'\n",
         "notify.channels[0].password: unknown key 'password' in a channel of type 'email' "
         "(did you mean 'password_env'?)"),
        ("[[notify.channels]]\ntype = 'command'\ncommand = 'notify-me --now'\n",
         "notify.channels[0].command: expected a non-empty list of strings (program and "
         "arguments, no shell), got string"),
        ("[[notify.channels]]\ntype = 'stdout'\ntimeout = 0\n",
         "notify.channels[0].timeout: must be greater than 0, got 0"),
    ],
)  # fmt: skip
def test_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    assert problem(tmp_path, text) == message


@pytest.mark.parametrize(
    "text",
    [
        f"[[notify.channels]]\ntype = 'slack'\nurl = 'ftp:{SECRET[6:]}'\n",
        f"[[notify.channels]]\ntype = 'webhook'\nurl = '{SECRET} x'\n",
        f"[[notify.channels]]\ntype = 'webhook'\nurl = 'https://x.example'\n"
        f'headers = {{ Authorization = "{SECRET}\\n" }}\n',
        f"[[notify.channels]]\ntype = 'ntfy'\ntopic = ' {SECRET}'\n",
    ],
)
def test_a_bad_secret_is_never_echoed_in_the_error(tmp_path: Path, text: str) -> None:
    message = problem(tmp_path, text)
    assert "TOPSECRET" not in message
    assert "not shown" in message


def test_status_does_not_need_the_secrets_of_the_channels(tmp_path: Path) -> None:
    # Env secrets are read when a channel delivers, so other commands work without them.
    settings = load(tmp_path, "[[notify.channels]]\ntype = 'discord'\nurl_env = 'UNSET_VAR'\n")
    assert settings.channels[0].options["url"] == Secret(env="UNSET_VAR")


def test_a_bad_notify_table_stops_the_commands_that_read_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from statuswatch.cli import main

    config = config_file()
    config.write_text('watch = ["github"]\n[notify]\nretry = 1\n')
    for argv in (["notify", "--dry-run"], ["serve", "--bind", "127.0.0.1:0"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err == (
            f"statuswatch: error: {config}: notify.retry: unknown key 'retry' "
            "(did you mean 'retries'?)\n"
        )


def test_the_base_config_keeps_the_notify_table_for_its_owner(tmp_path: Path) -> None:
    # Commands that do not notify (status, the live view) do not validate [notify]...
    path = tmp_path / "config.toml"
    path.write_text("watch = []\n[notify]\nretry = 1\n", encoding="utf-8")
    config = load_config(path)
    assert config.sections == {"notify": {"retry": 1}}
    # ...but it must still be a table, and a misspelt section name is still refused.
    path.write_text("notify = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="notify: expected a table, got integer"):
        load_config(path)
    path.write_text("[notfy]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="did you mean 'notify'"):
        load_config(path)
