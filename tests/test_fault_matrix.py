"""The fault matrix: every adapter kind x every fault, through the real `statuswatch --json`.

One provider per (kind, fault) cell, plus one healthy provider per kind, all in one config.
The first run reads a good page for every cell (each then has last known data in the cache);
then every cell's page turns to its fault and the cells are read again, in two runs:

* the faults about time (a server that never answers, headers or a body dripping) with tight
  limits, which are what ends them: a read timeout of seconds against drips every 0.3 s, a
  deadline well past it;
* every other fault, with the healthy providers, with limits far beyond what any machine's
  load adds (a minute): each of those cells must give its own error (too large, too many
  redirects, a parse error), never a timeout. On a loaded single core the client, and the
  test's own server threads, can wait seconds for the CPU: with the tight limits those cells
  used to time out instead, and the test failed on slow machines only.

Asserted of those two runs:

* each faulty provider is `unknown` with the exact error type and a message naming its fault;
* it keeps its last known data (the first run's incidents, components and maintenances),
  marked stale, with the first run's fetched_at;
* every healthy provider is complete: the same entry as in the first run;
* each run ends within the bound its [http] settings give (attempts x deadline + waits);
* the process's peak RSS stays far below the 1 GiB body and the 1 GiB gzip bomb it was sent.

Faults the server plays are in tests/loopback.py; three come from the address instead: a port
nothing listens on any more (refused), a host in the .invalid domain (DNS), and TLS (a server
whose self-signed certificate the first run trusted through SSL_CERT_FILE and the second does
not; a TLS server replaced by a plain HTTP one on the same port).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import reliability
from loopback import MIB, UNRESOLVABLE, LoopbackServer, make_certificate
from schema_check import assert_valid

from statuswatch import adapters
from statuswatch.cache import Cache, CacheEntry

FIXTURES = Path(__file__).parent / "fixtures"
GIB = 1024 * MIB
# JSON kinds read JSON; these read XML (RSS/Atom), so some faults read differently to them.
XML_KINDS = frozenset({"feed", "azure"})

# The faults that are about time, read with TIMED limits; every other one with PATIENT ones.
TIME_FAULTS = frozenset({"hang", "slow_headers", "slow_drip"})


@dataclass(frozen=True)
class Limits:
    """The [http] timeouts of one run."""

    connect: float
    read: float
    deadline: float


# The faults about time end by these: a read timeout of 4 s against drips every 0.3 s (a
# server thread would have to wait 4 s for the CPU to trip it), a deadline 6 s past it.
TIMED = Limits(connect=5.0, read=4.0, deadline=10.0)
# Far beyond any machine's noise: a cell read with these ends with its own error.
PATIENT = Limits(connect=30.0, read=30.0, deadline=60.0)
RETRIES, BACKOFF, RETRY_AFTER_CAP = 1, 0.05, 0.5
ATTEMPTS = 1 + RETRIES
STARTUP_ALLOWANCE = 6.0  # interpreter, imports, 270 providers' parsing and the JSON output


def http_table(limits: Limits) -> str:
    """The [http] table of a run."""
    return f"""
[http]
connect_timeout = {limits.connect}
read_timeout = {limits.read}
deadline = {limits.deadline}
retries = {RETRIES}
backoff = {BACKOFF}
retry_after_cap = {RETRY_AFTER_CAP}
max_body = {MIB}
max_redirects = 5
max_connections = 1024
max_per_host = 1024
"""


def poll_bound(limits: Limits) -> float:
    """Worst case of one provider: every attempt uses the whole deadline, plus the waits."""
    return ATTEMPTS * limits.deadline + RETRIES * BACKOFF + RETRY_AFTER_CAP


# Far below what holding the 1 GiB body (or inflating the gzip bomb) would take; the run's
# usual peak is ~60 MiB.
MEMORY_BOUND = 200 * MIB

# Loopback faults: matrix name -> (loopback mode, its options).
SERVER_FAULTS: dict[str, tuple[str, dict[str, Any]]] = {
    "hang": ("hang", {}),
    # 20 header lines, 0.75 s apart: they would all be in after the timed deadline (10 s).
    "slow_headers": ("slow_headers", {"interval": 0.75}),
    "slow_drip": ("drip", {"interval": 0.3}),
    "reset": ("reset", {}),
    "truncated": ("truncated", {}),
    "500": ("500", {}),
    "503_retry_after": ("503", {"retry_after": 30}),
    "429": ("429", {}),
    "401": ("401", {}),
    "403": ("403", {}),
    "404": ("404", {}),
    "redirect_loop": ("redirect_loop", {}),
    "html_200": ("html", {}),
    "wrong_content_type": ("wrong_content_type", {}),
    "invalid_utf8": ("invalid_utf8", {}),
    "invalid_json": ("invalid_json", {}),
    "invalid_xml": ("invalid_xml", {}),
    "empty_body": ("empty", {}),
    "body_1gib": ("huge", {"size": GIB, "content_length": False}),
    "deep_json": ("deep_json", {"depth": 100_000}),
    "xml_bomb": ("xml_bomb", {}),
    "gzip_bomb_1gib": ("gzip_bomb", {"size": GIB}),
}
ADDRESS_FAULTS = ("refused", "dns", "tls_untrusted", "tls_plain")
FAULTS = (*ADDRESS_FAULTS, *SERVER_FAULTS)


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fresh_feed(now: datetime) -> bytes:
    """A UTF-8 RSS feed written relative to `now`: one open incident, one resolved yesterday."""

    def when(delta: timedelta) -> str:
        return format_datetime(now - delta)

    items = [
        ("Zürich region: elevated latency", "/i/7", when(timedelta(minutes=20)), "We look."),
        ("[RESOLVED] Login errors", "/i/6", when(timedelta(days=1)), "Fixed."),
        ("Login errors", "/i/6", when(timedelta(days=1, hours=1)), "Errors."),
    ]
    body = "".join(
        f"<item><title>{title}</title><link>https://fm.example{link}</link>"
        f"<guid>https://fm.example{link}#{i}</guid><pubDate>{date}</pubDate>"
        f"<description>{text}</description></item>"
        for i, (title, link, date, text) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Fault matrix notices</title><link>https://fm.example/</link>"
        f"{body}</channel></rss>"
    ).encode()


def fresh_playstation(now: datetime) -> bytes:
    """The documented-shape PlayStation fixture moved in time: its "now" (2026-10-20 08:00
    UTC) becomes `now`, so its outage and degradation are current."""
    shift = now - datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
    document = json.loads(_read("playstation/documented-shape-SCEA-issues.json"))

    def move(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: (
                    (datetime.fromisoformat(item) + shift).isoformat()
                    if key.endswith("Date") and isinstance(item, str)
                    else move(item)
                )
                for key, item in value.items()
            }
        return [move(item) for item in value] if isinstance(value, list) else value

    return json.dumps(move(document)).encode()


def good_documents(now: datetime) -> dict[str, list[tuple[bytes, str]]]:
    """Each kind's documents (body, content type), in the order of its source URLs."""
    json_type = "application/json"
    return {
        "statuspage": [(_read("statuspage/summary-chicago.json"), json_type)],
        "incidentio": [(_read("incidentio/summary-active.json"), json_type)],
        "aws": [(_read("aws/currentevents-active.json"), json_type)],
        "gcp": [(_read("gcp/incidents-mixed.json"), json_type)],
        "azure": [(_read("azure/feed-with-items.xml"), "application/rss+xml")],
        "slack": [(_read("slack/current-outage.json"), json_type)],
        "feed": [(fresh_feed(now), "application/rss+xml")],
        "instatus": [
            (_read("instatus/summary-issues.json"), json_type),
            (_read("instatus/components-issues.json"), json_type),
        ],
        "statusio": [(_read("statusio/status-incident.json"), json_type)],
        "betterstack": [(_read("betterstack/index-downtime.json"), json_type)],
        "cachet": [
            (_read("cachet/derived-components-issues.json"), json_type),
            (_read("cachet/documented-incidents.json"), json_type),
        ],
        "gatus": [(_read("gatus/derived-statuses-mixed.json"), json_type)],
        "playstation": [(fresh_playstation(now), json_type)],
        "statuspal": [(_read("statuspal/derived-status-major-incident.json"), json_type)],
        "upptime": [(_read("upptime/derived-summary-degraded-and-down.json"), json_type)],
        "uptimekuma": [
            (_read("uptimekuma/derived-page-incident-maintenance.json"), json_type),
            (_read("uptimekuma/derived-heartbeat-one-down.json"), json_type),
        ],
        "xbox": [(_read("xbox/derived-impacted.json"), json_type)],
    }


def page_path(kind: str, prefix: str) -> str:
    """The page URL path a provider of `kind` is configured with."""
    if kind == "statusio":
        return f"/{prefix}/1.0/status/5b36dc6502d06804c08349f7"
    if kind == "azure":
        return f"/{prefix}/feed/"
    if kind == "feed":
        return f"/{prefix}/history.rss"
    if kind == "uptimekuma":
        return f"/{prefix}/status/main"
    if kind == "statuspal":
        return f"/{prefix}/api/v1/status_pages/demo/status"
    if kind == "playstation":
        return f"/{prefix}/data/statuses/region/SCEA.json"
    if kind == "xbox":
        return f"/{prefix}/servicestatusv6/US/en-US"
    return f"/{prefix}"


def source_urls(kind: str, page_url: str) -> tuple[str, ...]:
    """The documents the engine fetches for a page of `kind`."""
    adapter = adapters.load(kind)
    several = adapters.multi(adapter)
    return several.source_urls(page_url) if several else (adapter.source_url(page_url),)


def expected_error(kind: str, fault: str, url: str, page_url: str) -> tuple[str, str]:
    """(error type, a regex the whole message must match) for `fault` on a provider of `kind`."""
    u = re.escape(url)
    retried = rf" \(after {ATTEMPTS} attempts\)"
    read = rf"could not read {u}: "
    moved = rf"; if the provider moved, `statuswatch add {re.escape(page_url)}` detects its format"
    xml = kind in XML_KINDS
    if fault in ("500", "401", "403", "404"):
        return "http_status", rf"HTTP {fault} from {u}"
    table: dict[str, tuple[str, str]] = {
        "refused": (
            "connection",
            rf"could not connect to {u}: connection refused \(nothing listens on that port\)"
            + retried,
        ),
        "dns": (
            "connection",
            rf"could not connect to {u}: the host name does not resolve \(DNS: .+\)" + retried,
        ),
        "tls_untrusted": ("tls", rf"TLS failure with {u}: .*certificate verify failed.*"),
        "tls_plain": ("tls", rf"TLS failure with {u}: .*(record layer failure|wrong version).*"),
        "hang": ("timeout", rf"no answer from {u} within {TIMED.read:g} s"),
        "slow_headers": ("timeout", rf"no answer from {u} within {TIMED.deadline:g} s"),
        "slow_drip": (
            "timeout",
            rf"the body from {u} took longer than the {TIMED.deadline:g} s deadline",
        ),
        "reset": (
            "connection",
            rf"the connection to {u} failed before an answer: .*reset by peer.*" + retried,
        ),
        "truncated": (
            "connection",
            rf"the body from {u} was truncated: peer closed connection without sending complete"
            rf" message body \(received (\d+) bytes, expected \d+\)" + retried,
        ),
        "503_retry_after": (
            "http_status",
            rf"HTTP 503 from {u} \(Retry-After 30\): the server asks to retry after 30 s,"
            rf" longer than the {RETRY_AFTER_CAP:g} s we wait",
        ),
        "429": ("http_status", rf"HTTP 429 from {u}" + retried),
        "redirect_loop": ("too_many_redirects", rf"more than 5 redirects from {u}"),
        "html_200": (
            "format_changed",
            read + r"the (page|server) answered with (an )?HTML.*" + moved,
        ),
        "wrong_content_type": (
            "parse_error",
            read
            + (
                r"not .+: .*not well-formed \(invalid token\)"
                if xml
                else r".+ document is not UTF-8 text \(invalid start byte\)"
            )
            + r" \(the server sent image/png\)",
        ),
        "invalid_utf8": (
            "parse_error",
            read
            + (
                r".+ is not text in the encoding it declares \(document declared as utf-8,"
                r" but parsed as windows-1252\)"
                if xml
                else r".+ document is not UTF-8 text \(invalid continuation byte\)"
            ),
        ),
        "invalid_json": (
            "parse_error",
            read
            + (
                r"a JSON document where .+ was expected"
                if xml
                else r"invalid JSON in .+ document: Expecting value: line 1 column 17 \(char 16\)"
            ),
        ),
        "invalid_xml": (
            (
                "parse_error",
                read + r".+ is not well-formed XML \(mismatched tag at line 1, column 108\)",
            )
            if xml
            else (
                "format_changed",
                read + r"the (page|server) answered with .+ was expected.*" + moved,
            )
        ),
        "empty_body": ("parse_error", read + r"empty body where .+ was expected"),
        "body_1gib": ("too_large", rf"the body from {u} is larger than the 1 MiB cap"),
        "gzip_bomb_1gib": ("too_large", rf"the body from {u} is larger than the 1 MiB cap"),
        "deep_json": (
            "parse_error",
            read
            + (
                r"a JSON document where .+ was expected"
                if xml
                else r".+ document is nested too deeply to read"
            ),
        ),
        "xml_bomb": (
            ("parse_error", read + r".+ declares its own XML entities \(<!ENTITY>\): refused")
            if xml
            else (
                "format_changed",
                read + r"the (page|server) answered with .+ was expected.*" + moved,
            )
        ),
    }
    return table[fault]


@dataclass
class Run:
    """One finished `statuswatch` process."""

    returncode: int
    stdout: str
    stderr: str
    elapsed: float
    peak_rss: int  # bytes

    def document(self) -> dict[str, Any]:
        assert self.returncode == 0, self.stderr
        document: dict[str, Any] = json.loads(self.stdout)
        assert_valid(document)
        return document


def run_statuswatch(env: dict[str, str], *args: str, timeout: float = 300) -> Run:
    """Run `python -m statuswatch ARGS`; wait4 gives this child's own peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "statuswatch", *args], stdout=out, stderr=err, env=env
        )
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        elapsed = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        # ru_maxrss is in KiB on Linux, in bytes on macOS.
        scale = 1 if sys.platform == "darwin" else 1024
        return Run(
            returncode=process.returncode,
            stdout=out.read().decode("utf-8"),
            stderr=err.read().decode("utf-8", "replace"),
            elapsed=elapsed,
            peak_rss=usage.ru_maxrss * scale,
        )


@dataclass
class Cell:
    """One provider of the matrix: a kind, a fault (or "ok"), its page and documents."""

    kind: str
    fault: str
    page_url: str
    urls: tuple[str, ...]

    @property
    def pid(self) -> str:
        return f"{self.kind}-{self.fault}".replace("_", "-")


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3].split("?", 1)[0]


@dataclass
class Matrix:
    """The servers, the cells and the config of one matrix."""

    main: LoopbackServer
    gone: LoopbackServer
    tls_keep: LoopbackServer | None
    tls_swap: LoopbackServer | None
    certificate: tuple[Path, Path] | None
    cells: list[Cell]
    documents: dict[str, list[tuple[bytes, str]]]

    def server_for(self, fault: str) -> LoopbackServer | None:
        if fault == "refused":
            return self.gone
        if fault == "tls_untrusted":
            return self.tls_keep
        if fault == "tls_plain":
            return self.tls_swap
        return self.main


# The kinds split in three runs: 27 cells of every kind at once overload a loopback server on
# a shared two-core machine (hangs and drips hold their connections, and their slots among the
# 64 requests in flight, for the whole deadline).
KIND_GROUPS = tuple(adapters.kinds()[start::3] for start in range(3))


@pytest.fixture(params=range(len(KIND_GROUPS)), ids=lambda index: f"kinds{index + 1}")
def matrix(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Matrix]:
    """Every cell of a group of kinds routed with good documents on its server (TLS cells
    only with openssl)."""
    certificate = make_certificate(tmp_path)
    main, gone = LoopbackServer().start(), LoopbackServer().start()
    tls_keep = LoopbackServer(tls=certificate).start() if certificate else None
    tls_swap = LoopbackServer(tls=certificate).start() if certificate else None
    built = Matrix(
        main, gone, tls_keep, tls_swap, certificate, [], good_documents(datetime.now(UTC))
    )
    assert sorted(built.documents) == adapters.kinds(), "a new kind needs its documents here"
    faults = [f for f in FAULTS if certificate or not f.startswith("tls")]
    for kind in KIND_GROUPS[request.param]:
        for fault in ("ok", *faults):
            server = built.server_for(fault)
            assert server is not None
            page_url = server.url(page_path(kind, f"{kind}-{fault}"))
            if fault == "dns":
                page_url = page_url.replace("127.0.0.1", UNRESOLVABLE)
            urls = source_urls(kind, page_url)
            for url, (body, content_type) in zip(urls, built.documents[kind], strict=True):
                server.route(_path(url), body, content_type=content_type)
            built.cells.append(Cell(kind, fault, page_url, urls))
    try:
        yield built
    finally:
        for server in (main, gone, tls_keep, tls_swap):
            if server is not None:
                server.stop()


def _write_config(path: Path, cells: list[Cell], watched: list[Cell], limits: Limits) -> Path:
    """A config with every cell as a provider, watching `watched`, with `limits`."""
    lines = [f"watch = {json.dumps([c.pid for c in watched])}"]
    for cell in cells:
        lines += [f'[providers."{cell.pid}"]', f'kind = "{cell.kind}"', f'url = "{cell.page_url}"']
    path.write_text("\n".join(lines) + "\n" + http_table(limits), encoding="utf-8")
    return path


def _data(entry: dict[str, Any]) -> dict[str, Any]:
    """What a provider knows of its page: kept as it was when the page fails."""
    return {k: entry[k] for k in ("components", "incidents", "maintenances", "source_updated_at")}


def _without_fetch_time(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != "fetched_at"}


def _seed_dns_cells(matrix: Matrix, cache_dir: Path, when: datetime) -> None:
    """What an earlier run would have left for the DNS cells (a .invalid host never answered)."""
    cache = Cache(cache_dir)
    for cell in matrix.cells:
        if cell.fault != "dns":
            continue
        for url, (body, content_type) in zip(cell.urls, matrix.documents[cell.kind], strict=True):
            headers = {"content-type": content_type, "date": format_datetime(when, usegmt=True)}
            assert cache.store(CacheEntry(url=url, body=body, fetched_at=when, headers=headers))


def _apply_faults(matrix: Matrix) -> None:
    """Turn every cell's page to its fault (the TLS swap and the refusal included)."""
    for cell in matrix.cells:
        if cell.fault in SERVER_FAULTS:
            mode, options = SERVER_FAULTS[cell.fault]
            for url in cell.urls:
                matrix.main.fault(_path(url), mode, **options)
    matrix.gone.stop()  # its port refuses from now on
    if matrix.tls_swap is not None:
        port = matrix.tls_swap.port
        matrix.tls_swap.stop()
        plain = LoopbackServer(port=port).start()  # same address, no TLS any more
        for cell in matrix.cells:
            if cell.fault == "tls_plain":
                for url, (body, kind) in zip(cell.urls, matrix.documents[cell.kind], strict=True):
                    plain.route(_path(url), body, content_type=kind)
        matrix.tls_swap = plain


def test_every_fault_on_every_kind_is_unknown_stale_precise_and_bounded(
    matrix: Matrix, tmp_path: Path
) -> None:
    cells = matrix.cells
    timed = [c for c in cells if c.fault in TIME_FAULTS]
    patient = [c for c in cells if c.fault not in TIME_FAULTS]
    first_config = _write_config(tmp_path / "first.toml", cells, cells, PATIENT)
    timed_config = _write_config(tmp_path / "timed.toml", cells, timed, TIMED)
    patient_config = _write_config(tmp_path / "patient.toml", cells, patient, PATIENT)
    cache_dir = tmp_path / "cache"
    env = dict(
        os.environ,
        STATUSWATCH_CACHE_DIR=str(cache_dir),
        STATUSWATCH_STATE_DIR=str(tmp_path / "state"),
    )
    env.pop("SSL_CERT_FILE", None)
    env.pop("SSL_CERT_DIR", None)
    # Offline, a resolver that cannot reach its server waits 5 s x 2 by default; glibc reads
    # this, so the .invalid lookup fails within the connect timeout wherever the suite runs.
    env["RES_OPTIONS"] = "timeout:1 attempts:1"
    first_env = dict(env)
    if matrix.certificate is not None:
        first_env["SSL_CERT_FILE"] = str(matrix.certificate[0])  # the first run trusts it

    first = run_statuswatch(first_env, "--config", str(first_config), "--json")
    before = {entry["id"]: entry for entry in first.document()["providers"]}
    seeded_at = datetime.now(UTC).replace(microsecond=0)
    _seed_dns_cells(matrix, cache_dir, seeded_at)
    _apply_faults(matrix)
    runs = {
        "timed": run_statuswatch(env, "--config", str(timed_config), "--json"),
        "patient": run_statuswatch(env, "--config", str(patient_config), "--json"),
    }
    read = {name: run.document()["providers"] for name, run in runs.items()}
    after = {entry["id"]: entry for entries in read.values() for entry in entries}

    kinds = sorted({c.kind for c in matrix.cells})
    faults = sorted({c.fault for c in matrix.cells} - {"ok"})
    internal = sum(
        1
        for e in [*before.values(), *after.values()]
        if (e["error"] or {}).get("type") == "internal"
    )
    every_run = (first, *runs.values())
    crashes = internal + sum(run.returncode != 0 for run in every_run)
    crashes += sum("Traceback" in run.stderr for run in every_run)
    # `kinds` is the matrix's (a maximum over the runs); each run takes one group of them.
    reliability.record(
        "faults", faults=len(faults), kinds=len(adapters.kinds()),
        cells=len(faults) * len(kinds), runs=len(every_run), crashes=crashes,
    )  # fmt: skip

    # Watch-list order, nobody lost.
    assert [entry["id"] for entry in read["timed"]] == [c.pid for c in timed]
    assert [entry["id"] for entry in read["patient"]] == [c.pid for c in patient]
    controls = {c.kind: before[c.pid] for c in matrix.cells if c.fault == "ok"}
    failures: list[str] = []
    for cell in matrix.cells:
        now, then, healthy = after[cell.pid], before[cell.pid], controls[cell.kind]
        if cell.fault == "ok":
            # Complete: exactly what it was, while every fault of the matrix happened around it.
            if now["error"] is not None or now["stale"]:
                failures.append(f"{cell.pid}: healthy provider not complete: {now['error']}")
            elif _without_fetch_time(now) != _without_fetch_time(then):
                failures.append(f"{cell.pid}: healthy provider changed")
            continue
        if cell.fault == "dns":
            # Never read, so nothing to fall back on: the cache is seeded after this run.
            assert (then["status"], then["stale"], then["incidents"]) == ("unknown", False, [])
        elif then["error"] is not None or _data(then) != _data(healthy):
            failures.append(
                f"{cell.pid}: the first run did not read the good page: {then['error']}"
            )
            continue
        error_type, pattern = expected_error(cell.kind, cell.fault, cell.urls[0], cell.page_url)
        error = now["error"] or {}
        problems = []
        if now["status"] != "unknown":
            problems.append(f"status {now['status']}")
        if error.get("type") != error_type:
            problems.append(f"error type {error.get('type')} (expected {error_type})")
        if not re.fullmatch(pattern, error.get("message", ""), re.DOTALL):
            problems.append(f"message {error.get('message')!r} does not match {pattern!r}")
        if now["description"] != error.get("message"):
            problems.append("description is not the error")
        if now["stale"] is not True or _data(now) != _data(healthy):
            problems.append("last known data not kept as stale")
        fetched = (
            then["fetched_at"] if cell.fault != "dns" else seeded_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        )
        if now["fetched_at"] != fetched:
            problems.append(f"fetched_at {now['fetched_at']} (expected {fetched})")
        if problems:
            failures.append(f"{cell.pid}: " + "; ".join(problems))
    assert not failures, "\n".join(failures)

    # Bounded in time: every provider polled at once, none longer than its own worst case (the
    # timed run is the one whose limits, not the faults, end it: about its deadline).
    for name, limits in (("timed", TIMED), ("patient", PATIENT)):
        elapsed = runs[name].elapsed
        assert elapsed < poll_bound(limits) + STARTUP_ALLOWANCE, f"{name}: {elapsed:.1f} s"
    # Bounded in memory: a 1 GiB body and a 1 GiB gzip bomb per kind, a few dozen MiB held.
    peak = runs["patient"].peak_rss
    assert peak < MEMORY_BOUND, f"peak RSS {peak / MIB:.0f} MiB"
    assert [run.stderr for run in runs.values()] == ["", ""]
    assert crashes == 0
