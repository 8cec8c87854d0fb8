"""HTTP channels: a generic webhook (signed), Slack, Discord and ntfy."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
import ssl
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from statuswatch.fetcherrors import describe
from statuswatch.http import USER_AGENT, parse_retry_after
from statuswatch.notify.channels import DeliveryError, headline, redact, subject
from statuswatch.notify.events import document
from statuswatch.notify.settings import ChannelSettings, Secret, SecretMissing
from statuswatch.truststore import CertificatesUnreadable, TrustStore

SIGNATURE_HEADER = "X-Statuswatch-Signature"
_SLACK_TEXT = 2900  # Slack refuses a section text over 3000 characters
_DISCORD_CONTENT = 2000
_DISCORD_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()<:-])")
_NTFY_PRIORITY = {"critical": 5, "major": 4, "minor": 3, "none": 3, "maintenance": 2}
_COLOURS = {"critical": 0xD0021B, "major": 0xF5A623, "minor": 0xF8E71C, "maintenance": 0x4A90E2}

# A plain-http channel never uses TLS (redirects are not followed): skip loading the CAs.
_NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

Render = Callable[[Mapping[str, Any]], tuple[bytes, dict[str, str]]]


class HttpChannel:
    """POSTs each event to one URL; 2xx is acceptance, 429 and 5xx are worth a retry."""

    def __init__(
        self, url: str, render: Render, timeout: float, secrets: tuple[str, ...] = ()
    ) -> None:
        self.url = url
        self.render = render
        self.secrets = (url, *secrets, *_url_parts(url))
        # No redirects: a webhook that moved should say so, not send our events elsewhere.
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
            verify=_tls_context() if url.lower().startswith("https:") else _NO_TLS,
        )

    def send(self, event: Mapping[str, Any]) -> None:
        """POST the event; DeliveryError unless the receiver answers 2xx."""
        body, headers = self.render(event)
        try:
            response = self._client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise DeliveryError("no answer in time") from None
        except httpx.HTTPError as exc:
            # httpx messages can quote the URL, which is often the secret itself.
            detail = redact(describe(exc), self.secrets)
            raise DeliveryError(f"request failed: {detail}") from None
        status = response.status_code
        if 200 <= status < 300:
            return
        retry_after = parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC))
        if retry_after is None and status == 429:
            retry_after = discord_retry_after(response)
        retryable = status == 429 or status >= 500 or status == 408
        message = f"HTTP {status}"
        if retry_after is not None:
            message += f" (retry after {retry_after:g} s)"
        raise DeliveryError(message, retryable=retryable, retry_after=retry_after)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying context for every https channel (loading the CAs costs ~30 ms)."""
    trust = TrustStore()
    try:
        trust.load()
    except CertificatesUnreadable as exc:  # it names the file: no secret in it
        raise DeliveryError(str(exc), retryable=False) from None
    return trust.context


def _url_parts(url: str) -> tuple[str, ...]:
    """The path and query of a URL: for Slack and Discord they are the token."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ()
    return tuple(p for p in (parts.path, parts.query, parts.path.lstrip("/")) if len(p) > 1)


def discord_retry_after(response: httpx.Response) -> float | None:
    """Discord puts the wait in the JSON body (`retry_after`, seconds)."""
    try:
        value = response.json().get("retry_after")
    except (ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) and value >= 0 else None


# --- payloads -------------------------------------------------------------------------------


def webhook_body(event: Mapping[str, Any], secret: str | None) -> tuple[bytes, dict[str, str]]:
    """The documented JSON document, and its headers (signed when a secret is set)."""
    body = json.dumps(document(dict(event)), ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "X-Statuswatch-Event": str(event.get("kind", "")),
        "X-Statuswatch-Delivery": str(event.get("id", "")),
    }
    if secret is not None:
        digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        headers[SIGNATURE_HEADER] = f"sha256={digest}"
    return body, headers


def slack_escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn reads as control (&, <, >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: object, label: str) -> str:
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return label
    # `|` and `>` would end the link early: percent-encode them (and escape the rest).
    safe = slack_escape(url.replace("|", "%7C").replace(">", "%3E"))
    return f"<{safe}|{label}>"


def slack_payload(event: Mapping[str, Any]) -> dict[str, Any]:
    """An incoming-webhook message: a fallback text and blocks, every page text escaped."""
    about = subject(event)
    title = slack_escape(str(about.get("title") or about.get("name") or ""))
    lines = [f"*{slack_escape(headline(event))}*"]
    if title:
        lines.append(_slack_link(about.get("url"), title))
    lines.append(slack_escape(str(event.get("text", ""))))
    text = "\n".join(lines)[:_SLACK_TEXT]
    context = [str(event.get("at", ""))]
    for key in ("impact", "phase", "status"):
        if about.get(key):
            context.append(f"{key}: {about[key]}")
    return {
        "text": slack_escape(str(event.get("text", "")))[:_SLACK_TEXT],
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": slack_escape(" · ".join(context))}],
            },
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def discord_escape(text: str) -> str:
    """Backslash Discord's Markdown characters so a title stays plain text."""
    return _DISCORD_MARKDOWN.sub(r"\\\1", text)


def discord_payload(event: Mapping[str, Any]) -> dict[str, Any]:
    """A webhook message whose mentions ping nobody, whatever the page's text says."""
    about = subject(event)
    content = discord_escape(str(event.get("text", "")))
    if len(content) > _DISCORD_CONTENT:
        content = content[: _DISCORD_CONTENT - 1] + "…"
    embed: dict[str, Any] = {
        "title": str(about.get("title") or about.get("name") or headline(event))[:256],
        "description": headline(event)[:4096],
        "timestamp": event.get("at"),
    }
    url = about.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        embed["url"] = url
    colour = _COLOURS.get(str(about.get("impact", "")))
    if colour is not None:
        embed["color"] = colour
    return {
        "username": "statuswatch",
        "content": content,
        "embeds": [embed],
        "allowed_mentions": {"parse": []},  # "@everyone" in a title must not ping anybody
    }


def ntfy_payload(event: Mapping[str, Any], topic: str) -> dict[str, Any]:
    """ntfy's JSON publishing form (no header encoding limits)."""
    about = subject(event)
    payload: dict[str, Any] = {
        "topic": topic,
        "title": headline(event),
        "message": str(event.get("text", "")),
        "priority": _NTFY_PRIORITY.get(str(about.get("impact", "none")), 3),
        "tags": [str(event.get("kind", ""))],
    }
    url = about.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        payload["click"] = url
    return payload


def _json(
    payload: Mapping[str, Any], extra: Mapping[str, str] | None = None
) -> tuple[bytes, dict[str, str]]:
    headers = {"Content-Type": "application/json", **(extra or {})}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8"), headers


# --- building -------------------------------------------------------------------------------


def _resolve(settings: ChannelSettings, key: str, environ: Mapping[str, str]) -> str | None:
    secret: Secret | None = settings.options.get(key)
    if secret is None:
        return None
    try:
        return secret.resolve(environ)
    except SecretMissing as exc:
        raise DeliveryError(str(exc), retryable=False) from None


def _checked_url(value: str) -> str:
    """Refuse a URL from the environment that is not http(s), without showing it."""
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise DeliveryError("the URL is not an http(s) URL (not shown)", retryable=False)
    return value


def build(settings: ChannelSettings, environ: Mapping[str, str]) -> HttpChannel:
    """The channel for a webhook, slack, discord or ntfy table."""
    kind = settings.type
    if kind == "ntfy":
        server = _checked_url(_resolve(settings, "url", environ) or "https://ntfy.sh")
        topic = _resolve(settings, "topic", environ) or ""
        token = _resolve(settings, "token", environ)
        auth = {"Authorization": f"Bearer {token}"} if token else {}

        def render_ntfy(event: Mapping[str, Any]) -> tuple[bytes, dict[str, str]]:
            return _json(ntfy_payload(event, topic), auth)

        secrets = tuple(s for s in (topic, token, quote(topic)) if s)
        return HttpChannel(server, render_ntfy, settings.timeout, secrets)
    url = _checked_url(_resolve(settings, "url", environ) or "")
    if kind == "webhook":
        secret = _resolve(settings, "secret", environ)
        extra: dict[str, str] = dict(settings.options.get("headers", {}))

        def render_webhook(event: Mapping[str, Any]) -> tuple[bytes, dict[str, str]]:
            body, headers = webhook_body(event, secret)
            return body, {**extra, **headers}

        hidden = tuple(extra.values()) + ((secret,) if secret else ())
        return HttpChannel(url, render_webhook, settings.timeout, hidden)
    if kind == "slack":
        return HttpChannel(url, lambda event: _json(slack_payload(event)), settings.timeout)
    return HttpChannel(url, lambda event: _json(discord_payload(event)), settings.timeout)
