"""`statuswatch serve`: one poller for a team; status, events and metrics over HTTP."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from statuswatch.cliargs import add_probe_option, add_selection, interval
from statuswatch.console import PROG, error
from statuswatch.exitcodes import ExitCode
from statuswatch.paths import TOKEN_ENV
from statuswatch.wording import plural

if TYPE_CHECKING:
    import ssl

    from statuswatch.serve.server import StatusServer

NAME = "serve"
HELP = (
    "poll for everyone: serve /v1/status, /v1/events (SSE), /v1/history, /v1/report, /metrics "
    "and /healthz over HTTP"
)
ORDER = 60
DEFAULT_BIND = "127.0.0.1:8787"
MIN_TOKEN = 16

EPILOG = """\
examples:
  statuswatch serve                           # on 127.0.0.1:8787, polling every `interval`
  STATUSWATCH_TOKEN=$(openssl rand -hex 16) statuswatch serve --bind 0.0.0.0:8787
  statuswatch serve --bind '[::1]:8787' --interval 30 -p github -p openai
  curl -s localhost:8787/v1/status | jq .     # or: statuswatch --server http://HOST:8787

exit codes: 0 stopped by SIGINT or SIGTERM; 1 the address could not be bound; 2 bad
arguments or config, or an address other than loopback without a token.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the serve options."""
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    add_selection(parser)
    add_probe_option(parser, defaults=False)
    parser.add_argument(
        "--bind",
        default=DEFAULT_BIND,
        metavar="HOST:PORT",
        help=f"where to listen (default {DEFAULT_BIND}; [::1]:PORT for IPv6; port 0 picks one); "
        "an address other than loopback needs a token",
    )
    parser.add_argument(
        "--interval",
        type=interval,
        default=None,
        metavar="S",
        help="seconds between polls (default: `interval` in the config, 60; at least 10)",
    )
    parser.add_argument(
        "--token",
        default=None,
        help=f"require `Authorization: Bearer TOKEN` on everything but /healthz (at least "
        f"{MIN_TOKEN} characters; prefer ${TOKEN_ENV}, which `ps` does not show)",
    )
    parser.add_argument("--tls-cert", type=Path, metavar="PEM", help="serve https: certificate")
    parser.add_argument("--tls-key", type=Path, metavar="PEM", help="serve https: private key")


def parse_bind(value: str) -> tuple[str, int]:
    """`HOST:PORT` (or `[V6]:PORT`) as a pair; ValueError with the reason."""
    host, sep, port_text = value.rpartition(":")
    if not sep:
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if "[" in host or "]" in host:  # `[::1:8787`: not a name to refuse for want of a token
        raise ValueError(f"expected HOST:PORT or [IPv6]:PORT, got {value!r}")
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f"bad port in {value!r}")
    if not host:
        raise ValueError(f"no host in {value!r} (0.0.0.0 listens on every interface)")
    return host, int(port_text)


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses; a name is not trusted to resolve there."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_token(token: str) -> str | None:
    """The problem with a token, or None."""
    if len(token) < MIN_TOKEN:
        return f"the token must be at least {MIN_TOKEN} characters"
    if not token.isascii() or not token.isprintable() or any(c.isspace() for c in token):
        return "the token must be printable ASCII without spaces"
    return None


def _tls(cert: Path | None, key: Path | None) -> ssl.SSLContext | None:
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise ValueError("--tls-cert and --tls-key go together")
    import ssl

    from statuswatch.truststore import tls_reason

    for option, path in (("--tls-cert", cert), ("--tls-key", key)):
        if not path.is_file():
            raise ValueError(f"{option} {path}: no such file")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(
            f"cannot load the certificate {cert} with the key {key}: {tls_reason(exc)}"
        ) from None
    return context


def run(args: argparse.Namespace) -> int:
    """Poll on the interval and serve until SIGINT or SIGTERM."""
    import asyncio

    from statuswatch.config import ConfigError, load_config, plan
    from statuswatch.notify.configparse import notify_settings
    from statuswatch.notify.derive import DeriveOptions
    from statuswatch.paths import usable_cache_dir
    from statuswatch.serve.server import ServeSettings, StatusServer

    try:
        host, port = parse_bind(args.bind)
        tls = _tls(args.tls_cert, args.tls_key)
    except ValueError as exc:
        return error(f"--bind/--tls: {exc}")
    token = args.token or os.environ.get(TOKEN_ENV) or None
    if token is not None and (problem := check_token(token)):
        return error(problem)
    if token is None and not is_loopback(host):
        return error(
            f"refusing to listen on {host} without a token: set ${TOKEN_ENV} (or --token); "
            "clients send it as `Authorization: Bearer TOKEN`"
        )
    try:
        config = load_config()
        specs, stacks = plan(config, args.provider, args.all)
        notify = notify_settings(config)  # serve derives the notifier's events too
    except ConfigError as exc:
        return error(str(exc))
    every = config.interval if args.interval is None else args.interval
    settings = ServeSettings(
        interval=every,
        token=token,
        derive=DeriveOptions(
            unreachable_after=notify.unreachable_after,
            remind_before=notify.remind_before,
        ),
    )

    def warn(message: str) -> None:
        print(f"{PROG}: serve: {message}", file=sys.stderr, flush=True)

    from statuswatch.serve.history_routes import HistoryRoutes
    from statuswatch.source import probe_settings, recorder, state_counts

    names = {spec.id: spec.name for spec in config.providers.values()}
    scopes = {spec.id: spec.scope for spec in specs if spec.scope}
    history = HistoryRoutes(None, names, [spec.id for spec in specs], stacks=stacks, scopes=scopes)
    cache = usable_cache_dir()
    record = recorder(config, cache, warn, background=True)  # once, for everyone
    server = StatusServer(
        specs,
        config.http,
        cache,
        settings,
        warn=warn,
        record=record,
        history=history,
        stacks=stacks,
        probes=probe_settings(config.probes, args.no_probes),
        counts=state_counts(),
    )
    return asyncio.run(_serve(server, host, port, tls))


async def _serve(
    server: StatusServer,
    host: str,
    port: int,
    tls: ssl.SSLContext | None,
) -> int:
    import asyncio
    import contextlib
    import signal

    try:
        bound_host, bound_port = await server.start(host, port, tls=tls)
    except OSError as exc:
        return error(f"cannot listen on {host}:{port}: {exc.strerror or exc}", ExitCode.FAILURE)
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    scheme = "https" if tls is not None else "http"
    interval = server.settings.interval or 0
    print(
        f"{PROG}: serving {plural(len(server.specs), 'provider')} "
        f"on {scheme}://{shown}:{bound_port} "
        f"(polling every {interval:g} s{', token required' if server.settings.token else ''})",
        file=sys.stderr,
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    poller = asyncio.create_task(server.run())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({poller, stopping}, return_when=asyncio.FIRST_COMPLETED)
    for task in (poller, stopping):
        task.cancel()
    await asyncio.gather(poller, stopping, return_exceptions=True)
    await server.close()
    return ExitCode.OK
