"""The files statuswatch owns: private when they may hold secrets, whole after a kill at any
instant, and a corrupt one detected and recovered from with a warning (or, for the config,
refused with one line)."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import cacherows
import pytest
import reliability
from loopback import LoopbackServer

from statuswatch.cache import Cache
from statuswatch.cli import main
from statuswatch.config import load_config
from statuswatch.notify.state import to_json
from statuswatch.notify.store import Entry, Store, outbox_to_json
from statuswatch.paths import config_file

FIXTURES = Path(__file__).parent / "fixtures"
SUMMARY = (FIXTURES / "statuspage" / "summary-chicago.json").read_bytes()
KILLS = 25


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- permissions ---------------------------------------------------------------------------


def test_config_init_creates_a_private_file_in_a_private_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "new" / "config.toml"
    monkeypatch.setenv("STATUSWATCH_CONFIG", str(config))
    os.umask(0o022)
    assert main(["config", "init"]) == 0
    assert (_mode(config), _mode(config.parent)) == (0o600, 0o700)


def _statuspage(srv: LoopbackServer) -> str:
    srv.route("/sp", b"<html><head><title>Example Status</title></head></html>",
              content_type="text/html")  # fmt: skip
    srv.route("/sp/api/v2/summary.json", SUMMARY)
    return srv.url("/sp")


def test_add_creates_a_private_config_and_keeps_the_bits_of_an_existing_one(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _statuspage(loopback)
    created = tmp_path / "made-by-add" / "config.toml"
    monkeypatch.setenv("STATUSWATCH_CONFIG", str(created))
    os.umask(0o022)
    assert main(["add", url]) == 0
    assert _mode(created) == 0o600
    assert load_config(created).watch[-1] == "example-chicago"  # after the default set

    existing = tmp_path / "existing.toml"
    existing.write_text("watch = []\n[http]\nretries = 0\n", encoding="utf-8")
    existing.chmod(0o640)  # the owner's choice, shared with a group on purpose
    monkeypatch.setenv("STATUSWATCH_CONFIG", str(existing))
    assert main(["add", url, "--id", "other"]) == 0
    assert _mode(existing) == 0o640
    assert list(load_config(existing).watch) == ["other"]


def test_the_notifier_files_are_private(tmp_path: Path) -> None:
    from statuswatch.notify.state import State
    from statuswatch.notify.store import Outbox

    os.umask(0o022)
    store = Store(tmp_path / "state")
    store.save_state(State(), datetime.now(UTC))
    store.save_outbox(Outbox())
    with store.lock(1.0):
        pass
    modes = [_mode(p) for p in (store.state_path, store.outbox_path, store.lock_path)]
    assert (modes, _mode(store.directory)) == ([0o600] * 3, 0o700)


# --- a kill at any instant -----------------------------------------------------------------

# The child writes two versions of every file in turn, through the real writers, forever.
WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from statuswatch.atomic import atomic_write
    from statuswatch.cache import Cache, CacheEntry
    from statuswatch.notify.state import IncidentMemory, ProviderMemory, State
    from statuswatch.notify.store import Entry, Outbox, Store

    root = Path(sys.argv[1])
    T0 = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)

    def entry(v):
        body = bytes([65 + v]) * (1024 * 1024)  # 1 MiB: long enough to be killed mid-write
        return CacheEntry("https://x.example/api", body, T0 + timedelta(seconds=v),
                          etag=f'"v{v}"', headers={"content-type": "application/json"})

    def state(v):
        memory = ProviderMemory(baseline=True, failures=v)
        for i in range(2000):
            memory.incidents[f"i{i}"] = IncidentMemory(title=f"incident {i} version {v}")
        return State({"p": memory})

    def outbox(v):
        box = Outbox()
        for i in range(2000):
            box.pending.append(Entry(f"e{i}", "hook", T0, {"text": f"event {i} v{v}"}, v))
        return box

    def config(v):
        rows = "".join(f'[providers.p{i}]\\nkind = "statuspage"\\nurl = "https://p{i}.example"\\n'
                       for i in range(2000))
        return f'watch = ["p{v}"]\\n' + rows

    cache, store = Cache(root / "cache"), Store(root / "state")
    for i in range(1 << 62):
        v = i % 2
        cache.store(entry(v))
        for n in range(50):  # a batch of the writer thread's: one transaction
            cache.store_soon(CacheEntry(f"https://x.example/{n}", b"%d" % v * 5000, T0))
        cache.settle()
        store.save_state(state(v), T0)
        store.save_outbox(outbox(v))
        atomic_write(root / "config.toml", config(v))
        if i == 1:
            print("ready", flush=True)
    """
)


def _versions(root: Path) -> dict[str, Callable[[], object]]:
    """Readers of each file, through the real loaders, giving something comparable."""
    store = Store(root / "state")
    now = datetime.now(UTC)

    def cache() -> object:
        with Cache(root / "cache") as cache:
            entry = cache.load("https://x.example/api")
            assert entry is not None, "the cache entry is unreadable"
            body = entry.body
            assert body == body[:1] * len(body) and len(body) == 1024 * 1024
            # Every row of the batches is whole too, and the file passes SQLite's own check.
            for n in range(50):
                row = cache.load(f"https://x.example/{n}")
                assert row is None or row.body in (b"0" * 5000, b"1" * 5000), n
        conn = sqlite3.connect(cache.database)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()
        return (entry.etag, body[:1])

    def state() -> object:
        loaded, warning = store.load_state(now, set_aside=False)
        assert warning is None and loaded is not None, warning
        return json.dumps(to_json(loaded, now)["providers"], sort_keys=True)

    def outbox() -> object:
        loaded, warning = store.load_outbox(now, set_aside=False)
        assert warning is None, warning
        return json.dumps(outbox_to_json(loaded), sort_keys=True)

    def config() -> object:
        return load_config(root / "config.toml").watch

    return {"cache": cache, "state": state, "outbox": outbox, "config": config}


def test_a_kill_at_any_instant_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    rng = random.Random()
    torn: list[str] = []
    seen: dict[str, set[object]] = {}
    mid_write = 0  # kills that left a temp file behind: they hit a write in progress
    attempt = 0
    # KILLS kills, and more (up to three times as many) until one has landed mid-write: where
    # a kill lands is chance, and a run whose kills all fell between writes proves too little.
    while attempt < KILLS or (mid_write == 0 and attempt < 3 * KILLS):
        attempt += 1
        root = tmp_path / f"run{attempt}"
        root.mkdir()
        child = subprocess.Popen([sys.executable, str(script), str(root)], stdout=subprocess.PIPE)
        assert child.stdout is not None
        assert child.stdout.readline() == b"ready\n"  # both versions written once
        time.sleep(rng.uniform(0, 0.08))
        child.kill()  # SIGKILL: no handler, no cleanup
        child.wait()
        mid_write += any(root.rglob(".*.tmp"))
        for name, read in _versions(root).items():
            try:
                seen.setdefault(name, set()).add(read())
            except Exception as exc:  # a torn or unreadable file
                torn.append(f"kill {attempt}: {name}: {type(exc).__name__}: {exc}")
        shutil.rmtree(root)
    reliability.record("files", kills=attempt, torn=len(torn))
    assert not torn, "\n".join(torn)
    assert mid_write > 0
    # Only ever the two versions written, and the kills did land on both.
    assert {name: len(values) for name, values in seen.items()} == dict.fromkeys(seen, 2)


# --- corrupt files -------------------------------------------------------------------------

CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda data: data[: len(data) // 2],
    "garbage": lambda data: bytes(random.Random(7).randrange(256) for _ in range(3000)),
    "empty": lambda data: b"",
    "nested": lambda data: b"[" * 100_000,
    "wrong_type": lambda data: b'"a string where an object belongs"',
}


def _env(tmp_path: Path, config: Path) -> dict[str, str]:
    return dict(os.environ, STATUSWATCH_CONFIG=str(config),
                STATUSWATCH_CACHE_DIR=str(tmp_path / "cache"),
                STATUSWATCH_STATE_DIR=str(tmp_path / "state"))  # fmt: skip


def _statuswatch(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "statuswatch", *args], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def _one_provider(tmp_path: Path, srv: LoopbackServer) -> Path:
    srv.route("/sp/api/v2/summary.json", SUMMARY, etag=True)
    config = tmp_path / "config.toml"
    config.write_text(
        'watch = ["sp"]\n[providers.sp]\nkind = "statuspage"\n'
        f'url = "{srv.url("/sp")}"\n[http]\nretries = 0\n'
        '[[notify.channels]]\ntype = "stdout"\n',
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize("corruption", [*CORRUPTIONS, "damaged_row"])
def test_a_corrupt_cache_is_ignored_with_a_warning_and_replaced(
    corruption: str, loopback: LoopbackServer, tmp_path: Path
) -> None:
    env = _env(tmp_path, _one_provider(tmp_path, loopback))
    first = _statuswatch(env, "--json")
    path = cacherows.database(tmp_path / "cache")
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # closed: no WAL left
    url = loopback.url("/sp/api/v2/summary.json")
    if corruption == "damaged_row":
        cacherows.tamper(path.parent, "UPDATE entries SET body = substr(body, 1, 10)")
    else:
        path.write_bytes(CORRUPTIONS[corruption](path.read_bytes()))
    second = _statuswatch(env, "--json")
    assert second.returncode == 0

    def entry(run: subprocess.CompletedProcess[str]) -> dict[str, object]:
        (provider,) = json.loads(run.stdout)["providers"]
        return {k: v for k, v in provider.items() if k != "fetched_at"}

    assert entry(second) == entry(first) and entry(second)["error"] is None
    warnings = second.stderr.splitlines()
    if corruption == "damaged_row":
        (warning,) = warnings
        assert warning.startswith(
            f"statuswatch: warning: the cache entry in {path} for {url} is unreadable ("
        )
        assert warning.endswith("); fetching afresh")
    elif corruption == "empty":
        assert warnings == []  # an empty file is an empty database: nothing was lost to it
    else:
        (warning,) = warnings
        assert warning.startswith(f"statuswatch: warning: the cache database {path} could not ")
        assert warning.endswith("; a new one is started")
    assert loopback.hits("/sp/api/v2/summary.json") == (2, 0)  # no validator from a bad file
    with Cache(tmp_path / "cache") as cache:
        assert cache.load(url) is not None  # replaced by a good one
    assert _statuswatch(env, "--json").stderr == ""


@pytest.mark.parametrize("corruption", CORRUPTIONS)
@pytest.mark.parametrize("which", ["state", "outbox"])
def test_a_corrupt_notifier_file_is_set_aside_with_a_warning(
    which: str,
    corruption: str,
    loopback: LoopbackServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _one_provider(tmp_path, loopback)  # the private_paths fixture points statuswatch here
    assert main(["notify"]) == 0  # the baseline
    store = Store(tmp_path / "state")
    now = datetime.now(UTC)
    # What a run leaves when a channel is down: an event waiting in the outbox.
    outbox, _ = store.load_outbox(now)
    outbox.add(Entry("e1", "stdout", now, {"id": "e1", "kind": "incident_opened", "text": "x"}))
    store.save_outbox(outbox)
    path = store.state_path if which == "state" else store.outbox_path
    corrupted = CORRUPTIONS[corruption](path.read_bytes())
    path.write_bytes(corrupted)
    capsys.readouterr()
    assert main(["notify"]) == 0
    stderr = capsys.readouterr().err
    (aside,) = tmp_path.joinpath("state").glob(f"{path.name}.corrupt-*")
    warnings = [w for w in stderr.splitlines() if "could not be read" in w]
    assert len(warnings) == 1, stderr
    if which == "state":
        prefix = f"statuswatch: notify: the notifier state {path} could not be read ("
        assert warnings[0].startswith(prefix)
        assert warnings[0].endswith(
            f"); moved to {aside.name}; a new baseline is recorded and nothing old is sent"
        )
    else:
        assert warnings == [
            f"statuswatch: notify: the notifier outbox {path} could not be read; moved to "
            f"{aside.name}; events it held were not delivered"
        ]
    assert aside.read_bytes() == corrupted  # kept for a person to look at
    assert main(["notify"]) == 0
    assert capsys.readouterr().err == ""  # recovered: a good file again


CONFIG_CORRUPTIONS = {
    "truncated": "not UTF-8|invalid TOML",
    "garbage": "not UTF-8 text",
    "nested": "invalid TOML: arrays or tables nested too deeply",
    "wrong_type": "invalid TOML",
}


@pytest.mark.parametrize("corruption", CONFIG_CORRUPTIONS)
def test_a_corrupt_config_is_one_line_of_error_not_a_crash(
    corruption: str, loopback: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _one_provider(tmp_path, loopback)
    data = config.read_bytes()
    if corruption == "nested":
        config.write_bytes(b"watch = " + CORRUPTIONS["nested"](data))
    else:
        config.write_bytes(CORRUPTIONS[corruption](data))
    for args in (["--json"], ["status"], ["notify"], ["add", loopback.url("/sp")]):
        assert main(args) == 2, args
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith(f"statuswatch: error: {config_file()}: "), line
        assert re.search(CONFIG_CORRUPTIONS[corruption], line), line
    assert main(["check"]) == 3  # Nagios' UNKNOWN, its one line on stdout
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"STATUSWATCH UNKNOWN - {config_file()}: "), line
    assert re.search(CONFIG_CORRUPTIONS[corruption], line), line
    assert config.read_bytes() != data  # and nothing rewrote it
