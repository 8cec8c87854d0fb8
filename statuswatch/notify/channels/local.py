"""Channels on this machine: stdout, the desktop's notifications, a program of the user's."""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

from statuswatch.notify.channels import DeliveryError, headline, subject
from statuswatch.notify.events import document, line
from statuswatch.notify.settings import ChannelSettings

_APPLESCRIPT = (
    "on run argv\ndisplay notification (item 2 of argv) with title (item 1 of argv)\nend run"
)
_URGENCY = {"critical": "critical", "major": "critical", "minor": "normal"}


class Stdout:
    """One line per event on standard output (cron mails it)."""

    def send(self, event: Mapping[str, Any]) -> None:
        """Print the event's line."""
        try:
            sys.stdout.buffer.write((line(dict(event)) + "\n").encode("utf-8"))
            sys.stdout.flush()
        except (BrokenPipeError, ValueError, OSError, AttributeError) as exc:
            reason = "stdout is closed"
            if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError) and exc.strerror:
                reason = exc.strerror
            raise DeliveryError(f"cannot write to stdout: {reason}") from None

    def close(self) -> None:
        """Nothing to release."""


class Desktop:
    """A desktop notification through notify-send (Linux, BSD) or osascript (macOS)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    def send(self, event: Mapping[str, Any]) -> None:
        """Show the event as a notification."""
        title = headline(event)
        body = str(event.get("text", ""))
        impact = str(subject(event).get("impact", ""))
        notify_send = shutil.which("notify-send")
        osascript = shutil.which("osascript")
        if notify_send is not None:
            # The notification server may read the body as markup: escape it.
            body = html.escape(body, quote=False)
            urgency = _URGENCY.get(impact, "normal")
            args = [
                notify_send,
                "--app-name=statuswatch",
                f"--urgency={urgency}",
                "--",
                title,
                body,
            ]
        elif osascript is not None:
            # Texts go in as arguments, never spliced into the script: no AppleScript injection.
            args = [osascript, "-e", _APPLESCRIPT, title, body]
        else:
            raise DeliveryError(
                "no desktop notifier found: install notify-send (libnotify) or use another channel",
                retryable=False,
            )
        _run(args, b"", self.timeout, os.path.basename(args[0]))

    def close(self) -> None:
        """Nothing to release."""


class Command:
    """Runs a program (no shell) with the event document as JSON on its standard input."""

    def __init__(self, argv: tuple[str, ...], timeout: float) -> None:
        self.argv = argv
        self.timeout = timeout

    def send(self, event: Mapping[str, Any]) -> None:
        """Run the program; exit status 0 means accepted."""
        data = json.dumps(document(dict(event)), ensure_ascii=False).encode("utf-8")
        env = dict(
            os.environ,
            STATUSWATCH_EVENT_ID=str(event.get("id", "")),
            STATUSWATCH_EVENT_KIND=str(event.get("kind", "")),
        )
        _run(list(self.argv), data, self.timeout, os.path.basename(self.argv[0]), env)

    def close(self) -> None:
        """Nothing to release."""


def _run(
    args: list[str], data: bytes, timeout: float, label: str, env: dict[str, str] | None = None
) -> None:
    """Run `args`, feeding `data`; DeliveryError unless it exits 0 in time."""
    try:
        done = subprocess.run(
            args, input=data, capture_output=True, timeout=timeout, check=False, env=env
        )
    except FileNotFoundError:
        raise DeliveryError(f"program not found: {label}", retryable=False) from None
    except PermissionError:
        raise DeliveryError(f"program not executable: {label}", retryable=False) from None
    except subprocess.TimeoutExpired:
        raise DeliveryError(f"{label} did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise DeliveryError(f"cannot run {label}: {exc.strerror or type(exc).__name__}") from None
    if done.returncode != 0:
        # Its output is not repeated: the program may print what it was given (secrets too).
        raise DeliveryError(f"{label} exited with status {done.returncode}")


def build(settings: ChannelSettings, environ: Mapping[str, str]) -> Stdout | Desktop | Command:
    """The channel for a stdout, desktop or command table."""
    if settings.type == "stdout":
        return Stdout()
    if settings.type == "desktop":
        return Desktop(settings.timeout)
    return Command(tuple(settings.options["command"]), settings.timeout)
