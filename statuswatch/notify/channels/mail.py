"""The email channel: smtplib with STARTTLS (or TLS), credentials from the environment."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from statuswatch.notify.channels import DeliveryError, headline, redact, subject
from statuswatch.notify.settings import ChannelSettings
from statuswatch.wording import plural

_SUBJECT = 200


class Email:
    """Sends one message per event to the configured recipients."""

    def __init__(
        self,
        options: Mapping[str, Any],
        credentials: tuple[str, str] | None,
        timeout: float,
    ) -> None:
        self.host: str = options["host"]
        self.port: int = options["port"]
        self.tls: str = options["tls"]
        self.sender: str = options["from"]
        self.to: tuple[str, ...] = tuple(options["to"])
        self.credentials = credentials
        self.timeout = timeout

    def message(self, event: Mapping[str, Any]) -> EmailMessage:
        """The message for one event (plain text; page texts are plain already)."""
        about = subject(event)
        title = str(about.get("title") or about.get("name") or "")
        topic = f"[statuswatch] {headline(event)}" + (f": {title}" if title else "")
        message = EmailMessage()
        # Titles are one line already; the cut keeps a hostile one from a huge header.
        message["Subject"] = " ".join(topic.split())[:_SUBJECT]
        message["From"] = self.sender
        message["To"] = ", ".join(self.to)
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = make_msgid("statuswatch")
        lines = [str(event.get("text", "")), ""]
        updates = about.get("updates") or []
        if updates and isinstance(updates, list) and isinstance(updates[0], Mapping):
            lines += [
                f"Latest update ({updates[0].get('at')}):",
                str(updates[0].get("text", "")),
                "",
            ]
        if about.get("url"):
            lines.append(str(about["url"]))
        lines.append(f"Event {event.get('id')} ({event.get('kind')}) at {event.get('at')}")
        message.set_content("\n".join(lines))
        return message

    def send(self, event: Mapping[str, Any]) -> None:
        """Deliver the message; the server's acceptance of every recipient is acceptance."""
        message = self.message(event)
        context = ssl.create_default_context()
        secrets = self.credentials or ()
        try:
            if self.tls == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.tls == "starttls":
                    client.starttls(context=context)
                if self.credentials is not None:
                    client.login(*self.credentials)
                refused = client.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"SMTP login refused (code {exc.smtp_code})", retryable=False
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(
                "the SMTP server does not support STARTTLS", retryable=False
            ) from None
        except smtplib.SMTPResponseException as exc:
            retryable = 400 <= exc.smtp_code < 500
            raise DeliveryError(f"SMTP error {exc.smtp_code}", retryable=retryable) from None
        except (smtplib.SMTPException, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            detail = redact(reason, secrets) or "the connection failed"
            raise DeliveryError(f"SMTP failure: {detail}") from None
        if refused:
            raise DeliveryError(f"the SMTP server refused {plural(len(refused), 'recipient')}")

    def close(self) -> None:
        """Nothing to release: each message uses its own connection."""


def build(settings: ChannelSettings, environ: Mapping[str, str]) -> Email:
    """The channel for an email table; DeliveryError if its credentials are not set."""
    options = settings.options
    credentials = None
    if "username_env" in options:
        names = (options["username_env"], options["password_env"])
        values = [environ.get(name, "") for name in names]
        missing = [name for name, value in zip(names, values, strict=True) if not value]
        if missing:
            raise DeliveryError(f"environment variable {missing[0]} is not set", retryable=False)
        credentials = (values[0], values[1])
    return Email(options, credentials, settings.timeout)
