"""What `statuswatch history` and `statuswatch report` share: options, and the answer read
from the local history or from a `statuswatch serve` (`--server`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from statuswatch.cliargs import server_url
from statuswatch.history.answers import Ask
from statuswatch.history.window import parse_moment

__all__ = ["ask_from_args", "fetch_from_server", "window_options"]


def window_options(
    parser: argparse.ArgumentParser, *, since_help: str, defaults: bool = True
) -> None:
    """`-p`, `--since`, `--until` and `--server` (without defaults in a nested parser, so the
    values given before the subcommand stay)."""
    missing = argparse.SUPPRESS
    parser.add_argument(
        "-p",
        "--provider",
        action="append",
        default=[] if defaults else missing,
        metavar="ID",
        help="only this provider (repeatable)",
    )
    parser.add_argument(
        "--since",
        default=None if defaults else missing,
        metavar="WHEN",
        help=since_help,
    )
    parser.add_argument(
        "--until",
        default=None if defaults else missing,
        metavar="WHEN",
        help="end of the window (default: now); same forms as --since",
    )
    parser.add_argument(
        "--server",
        type=server_url,
        default=None if defaults else missing,
        metavar="URL",
        help="read the history that a `statuswatch serve` at URL records (its token, if any, "
        "from $STATUSWATCH_TOKEN)",
    )


def ask_from_args(
    args: argparse.Namespace, providers: Sequence[str], now: datetime, *, daily: bool = False
) -> Ask:
    """The Ask of the options; ValueError names the option at fault."""
    try:
        since = parse_moment(args.since, now) if args.since else None
    except ValueError as exc:
        raise ValueError(f"--since: {exc}") from None
    try:
        until = parse_moment(args.until, now) if args.until else None
    except ValueError as exc:
        raise ValueError(f"--until: {exc}") from None
    if since is not None and until is not None and since >= until:
        raise ValueError("--since must come before --until")
    limit = getattr(args, "limit", None)
    return Ask(since=since, until=until, providers=tuple(providers), limit=limit, daily=daily)


def fetch_from_server(url: str, path: str, ask: Ask, schema: str) -> tuple[bytes, dict[str, Any]]:
    """The server's answer to `ask` at `path`: its bytes (re-serialised if they carried control
    sequences) and the document. ServerError or DocumentError when it cannot be had."""
    from statuswatch.document.history_read import parse_history_document
    from statuswatch.document.read import clean_strings
    from statuswatch.document.write import dumps
    from statuswatch.serverclient import ServerClient
    from statuswatch.timefmt import rfc3339

    params: list[tuple[str, str]] = []
    for name, moment in (("since", ask.since), ("until", ask.until)):
        if moment is not None:
            params.append((name, rfc3339(moment.astimezone(UTC)) or ""))
    params += [("provider", provider) for provider in ask.providers]
    if ask.limit is not None:
        params.append(("limit", str(ask.limit)))
    if ask.daily:
        params.append(("daily", "1"))
    with ServerClient(url) as client:
        body = client.document_bytes(path, params)
    document = parse_history_document(body, schema, url)
    document, tampered = clean_strings(document)
    if tampered:
        body = dumps(document).encode("utf-8")
    return body, document
