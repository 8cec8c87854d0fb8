"""`statuswatch notify --test`: one test event through every channel, each result told."""

from __future__ import annotations

from pathlib import Path

from notify_helpers import Receiver, notify_env, statuswatch, write_config


def _channels(receiver: Receiver) -> str:
    return f"""
[[notify.channels]]
type = "webhook"
name = "hook"
url = "{receiver.url("/hook")}"
providers = ["ex"]
min_impact = "critical"

[[notify.channels]]
type = "slack"
name = "team"
url = "{receiver.url("/slack")}"

[[notify.channels]]
type = "webhook"
name = "gone"
url = "http://127.0.0.1:9/nothing-listens"
"""


def test_every_channel_gets_one_test_event_and_says_how_it_went(tmp_path: Path) -> None:
    with Receiver() as receiver:
        receiver.script("/slack", [404])
        config = write_config(tmp_path / "config.toml", {"ex": "http://127.0.0.1:9/ex"},
                              _channels(receiver))  # fmt: skip
        done = statuswatch(notify_env(tmp_path, config), "notify", "--test")
        hooked = receiver.bodies("/hook")
    assert done.returncode == 1, done.stderr  # one channel failed
    assert done.stdout.splitlines() == [
        "channel 'hook' (webhook): sent",
        "channel 'team' (slack): FAILED: HTTP 404",
        "channel 'gone' (webhook): FAILED: request failed: connection refused "
        "(nothing listens on that port)",
        "3 channels tried: 1 sent, 2 failed",
    ]
    # Filters aside (min_impact critical, providers ex): it is a test of the channel.
    (document,) = hooked
    event = document["event"]
    assert event["kind"] == "incident_opened"
    assert event["provider"]["id"] == "statuswatch-test"
    assert "statuswatch notify --test" in event["incident"]["title"]
    # Nothing polled, nothing of the notifier's files written.
    assert not (tmp_path / "state").exists() or not any((tmp_path / "state").iterdir())
    assert not (tmp_path / "cache").exists()


def test_without_channels_the_default_stdout_one_prints_the_test(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", {"ex": "http://127.0.0.1:9/ex"})
    done = statuswatch(notify_env(tmp_path, config), "notify", "--test")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "statuswatch: new incident [minor] Test notification" in lines[0]
    assert lines[1:] == ["channel 'stdout' (stdout): sent", "1 channel tried: 1 sent, 0 failed"]


def test_test_goes_alone(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", {"ex": "http://127.0.0.1:9/ex"})
    done = statuswatch(notify_env(tmp_path, config), "notify", "--test", "--dry-run")
    assert done.returncode == 2
    assert done.stderr == (
        "statuswatch: error: --test: it sends a test event only (leave the other options out)\n"
    )
