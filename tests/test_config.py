"""The user's config: defaults, validation messages, the catalog merge, selection, paths, init."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from test_catalog import DEFAULT_IDS as CATALOG_DEFAULT_IDS

from statuswatch import paths
from statuswatch.adapters import entry_kinds
from statuswatch.catalog import load_catalog
from statuswatch.config import (
    DEFAULT_INTERVAL,
    Config,
    ConfigError,
    load_config,
    select,
    starter_config,
    starter_text,
    write_starter,
)
from statuswatch.model import ProviderSpec
from statuswatch.settings import HttpSettings

# The default watch set, written once in test_catalog.py.
DEFAULT_IDS = tuple(CATALOG_DEFAULT_IDS)
KNOWN_KINDS = ", ".join(entry_kinds())


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every location at tmp_path: no test reads or writes the real home directory."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    for name in (paths.CONFIG_ENV, paths.STATE_DIR_ENV, paths.CACHE_DIR_ENV):
        monkeypatch.delenv(name, raising=False)


def write(tmp_path: Path, text: str) -> Path:
    """Write a config file and return its path."""
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    """Return the one-line message load_config raises for `path`, without the path prefix."""
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message.removeprefix(f"{path}: ")


# --- defaults -------------------------------------------------------------------------------------


def test_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "config.toml"
    config = load_config(path)
    assert config == Config(
        path=path,
        exists=False,
        watch=DEFAULT_IDS,
        interval=60.0,
        providers=load_catalog(),
        http=HttpSettings(),
    )


def test_empty_file_gives_the_defaults_and_exists(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config.exists is True
    assert config.watch == DEFAULT_IDS
    assert config.interval == DEFAULT_INTERVAL == 60.0
    assert config.http == HttpSettings()


def test_default_path_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, 'watch = ["github"]\n')
    monkeypatch.setenv("STATUSWATCH_CONFIG", str(path))
    config = load_config()
    assert (config.path, config.exists, config.watch) == (path, True, ("github",))


# --- watch and interval ---------------------------------------------------------------------------


def test_watch_keeps_order_and_drops_duplicates(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'watch = ["openai", "github", "openai", "aiven"]\n'))
    assert config.watch == ("openai", "github", "aiven")


def test_an_empty_watch_list_is_said_not_polled(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "watch = []\n"))
    assert config.watch == ()
    with pytest.raises(ConfigError) as caught:
        select(config)
    assert str(caught.value) == (
        f"{config.path}: watch: the list is empty: nothing to poll (add provider ids from "
        "`statuswatch providers`, or use -p ID or --all)"
    )
    assert [s.id for s in select(config, ["github"])] == ["github"]
    assert len(select(config, all_=True)) == len(config.providers)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('watch = ["github", "openai", "cloudfare"]\n',
         "watch[2]: unknown provider 'cloudfare' (did you mean 'cloudflare'?)"),
        ('watch = ["no-such-thing-at-all"]\n', "watch[0]: unknown provider 'no-such-thing-at-all'"),
        ("watch = 3\n", "watch: expected a list of strings, got integer"),
        ('watch = "github"\n', "watch: expected a list of strings, got string"),
        ('watch = ["github", 4]\n', "watch[1]: expected a string, got integer"),
        ("interval = true\n", "interval: expected a number of seconds, got boolean"),
        ('interval = "60"\n', "interval: expected a number of seconds, got string"),
        ("interval = 1979-05-27\n", "interval: expected a number of seconds, got date"),
        ("interval = 5\n", "interval: must be from 10 to 86400 seconds, got 5"),
        ("interval = 9.5\n", "interval: must be from 10 to 86400 seconds, got 9.5"),
        ("interval = -60\n", "interval: must be from 10 to 86400 seconds, got -60"),
        ("interval = 1e300\n", "interval: must be from 10 to 86400 seconds, got 1e+300"),
        ("interval = nan\n", "interval: expected a finite number, got nan"),
        ("interval = inf\n", "interval: expected a finite number, got inf"),
    ],
)  # fmt: skip
def test_watch_and_interval_errors(tmp_path: Path, text: str, message: str) -> None:
    assert error_of(write(tmp_path, text)) == message


@pytest.mark.parametrize(
    ("text", "seconds"), [("interval = 10\n", 10.0), ("interval = 90.5\n", 90.5)]
)
def test_interval_accepts_integers_and_floats(tmp_path: Path, text: str, seconds: float) -> None:
    interval = load_config(write(tmp_path, text)).interval
    assert interval == seconds
    assert isinstance(interval, float)


# --- unknown keys and TOML syntax -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("intervall = 60\n", "intervall: unknown key 'intervall' (did you mean 'interval'?)"),
        ("zzz = 1\n",
         "zzz: unknown key 'zzz' "
         "(expected one of: watch, interval, providers, http, stacks, notify, history, "
         "probes)"),
        ('"a\\nb" = 1\n',
         "\"a\\nb\": unknown key 'a\\nb' "
         "(expected one of: watch, interval, providers, http, stacks, notify, history, "
         "probes)"),
        ('[providers.cloudflare]\nurll = "https://x.example"\n',
         "providers.cloudflare.urll: unknown key 'urll' (did you mean 'url'?)"),
        ("[http]\nretry = 3\n", "http.retry: unknown key 'retry' (did you mean 'retries'?)"),
        ('interval = 60\nwatch = ["github" "openai"]\n',
         "line 2, column 19: invalid TOML: Unclosed array"),
        ("interval = 60\ninterval = 70\n",
         "line 2, column 14: invalid TOML: Cannot overwrite a value"),
        ("watch = [\n", "end of document: invalid TOML: Invalid value"),
    ],
)  # fmt: skip
def test_key_and_syntax_errors(tmp_path: Path, text: str, message: str) -> None:
    assert error_of(write(tmp_path, text)) == message


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'watch = ["\xff"]\n')
    assert error_of(path) == "not UTF-8 text (byte 10)"


def test_config_path_that_is_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.mkdir()
    assert error_of(path) == "cannot read: Is a directory"


def test_config_error_carries_its_parts(tmp_path: Path) -> None:
    path = write(tmp_path, "intervall = 60\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    error = caught.value
    assert (error.path, error.key) == (path, "intervall")
    assert error.problem == "unknown key 'intervall' (did you mean 'interval'?)"


# --- providers: overrides and additions -----------------------------------------------------------


def test_override_changes_only_the_given_keys(tmp_path: Path) -> None:
    path = write(tmp_path, '[providers.cloudflare]\nurl = "http://127.0.0.1:8765/cf"\n')
    config = load_config(path)
    original = load_catalog()["cloudflare"]
    assert config.providers["cloudflare"] == dataclasses.replace(
        original, url="http://127.0.0.1:8765/cf"
    )
    assert load_catalog()["cloudflare"].url == "https://www.cloudflarestatus.com"
    assert list(config.providers) == list(load_catalog())


def test_override_of_every_key_and_feed_removal(tmp_path: Path) -> None:
    text = """
[providers.github]
name = "GH"
kind = "incidentio"
url = "https://gh.example/status"
feed = ""
category = "work"
default = false
runs_on = []
probes = []
"""
    config = load_config(write(tmp_path, text))
    assert config.providers["github"] == ProviderSpec(
        id="github",
        name="GH",
        kind="incidentio",
        url="https://gh.example/status",
        category="work",
        feed=None,
        default=False,
    )
    assert "github" not in config.watch


def test_new_provider_gets_defaults_and_can_be_watched(tmp_path: Path) -> None:
    text = """
watch = ["acme", "github"]

[providers.acme]
kind = "statuspage"
url = "http://127.0.0.1:9/base/path"
"""
    config = load_config(write(tmp_path, text))
    assert config.providers["acme"] == ProviderSpec(
        id="acme", name="acme", kind="statuspage", url="http://127.0.0.1:9/base/path",
        category="other", feed=None, default=False,
    )  # fmt: skip
    assert list(config.providers)[-1] == "acme"
    assert config.watch == ("acme", "github")


def test_new_default_provider_joins_the_default_watch_list(tmp_path: Path) -> None:
    text = """
[providers."zeta.internal"]
name = "Zeta internal"
kind = "incidentio"
url = "https://status.zeta.example"
feed = "https://status.zeta.example/feed.atom"
category = "cloud"
default = true

[providers.cloudflare]
default = false
"""
    config = load_config(write(tmp_path, text))
    assert config.watch == (*(i for i in DEFAULT_IDS if i != "cloudflare"), "zeta.internal")
    assert config.providers["zeta.internal"].feed == "https://status.zeta.example/feed.atom"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[providers.cloudflare]\nkind = "statuspag"\n',
         "providers.cloudflare.kind: unknown kind 'statuspag' "
         f"(did you mean 'statuspage'?; known kinds: {KNOWN_KINDS})"),
        ('[providers.cloudflare]\nkind = "ftp"\n',
         f"providers.cloudflare.kind: unknown kind 'ftp' (known kinds: {KNOWN_KINDS})"),
        ('[providers.cloudflare]\nkind = 1\n',
         "providers.cloudflare.kind: expected a string, got integer"),
        ('[providers.acme]\nkind = "statuspage"\n',
         "providers.acme.url: missing (required for a provider that is not in the catalog)"),
        ('[providers.acme]\nurl = "https://acme.example"\n',
         "providers.acme.kind: missing (required for a provider that is not in the catalog)"),
        ('[providers.acme]\nkind = "statuspage"\nurl = "ftp://acme.example"\n',
         "providers.acme.url: expected an http or https URL with a host, got 'ftp://acme.example'"),
        ('[providers.acme]\nkind = "statuspage"\nurl = "https://"\n',
         "providers.acme.url: expected an http or https URL with a host, got 'https://'"),
        ('[providers.acme]\nkind = "statuspage"\nurl = "status.acme.example"\n',
         "providers.acme.url: expected an http or https URL with a host, "
         "got 'status.acme.example'"),
        ('[providers.acme]\nkind = "statuspage"\nurl = "http://127.0.0.1:99999/"\n',
         "providers.acme.url: expected an http or https URL with a host, "
         "got 'http://127.0.0.1:99999/' (the port must be a number from 1 to 65535)"),
        ('[providers.acme]\nkind = "statuspage"\nurl = "http://[::1"\n',
         "providers.acme.url: expected an http or https URL with a host, "
         "got 'http://[::1' (invalid IPv6 URL)"),
        ('[providers.acme]\nkind = "statuspage"\nurl = "https://a b.example"\n',
         "providers.acme.url: expected an http or https URL with a host, "
         "got 'https://a b.example'"),
        ('[providers.acme]\nkind = "statuspage"\nurl = "https://status..acme.example"\n',
         "providers.acme.url: expected an http or https URL with a host, "
         "got 'https://status..acme.example' (not a host name: a part of it is empty "
         "or over 63 characters)"),
        ('[providers.acme]\nkind = "statuspage"\nurl = "https://me:s3cret@acme.example"\n',
         "providers.acme.url: a URL with user:password@ is refused: statuswatch sends no "
         "credentials (and the URL shows in --json and serve's documents)"),
        ('[providers.github]\nfeed = "javascript:alert(1)"\n',
         "providers.github.feed: expected an http or https URL with a host, "
         "got 'javascript:alert(1)'"),
        ('[providers.github]\nname = ""\n', "providers.github.name: expected a non-empty string"),
        ('[providers.github]\nname = "Git\\u001b[31mHub"\n',
         "providers.github.name: expected one line without control characters, "
         "got 'Git\\x1b[31mHub'"),
        ('[providers.github]\nname = "Git\\nHub"\n',
         "providers.github.name: expected one line without control characters, got 'Git\\nHub'"),
        ('[providers.github]\ndefault = "yes"\n',
         "providers.github.default: expected a boolean, got string"),
        ('[providers."Big Co"]\nkind = "statuspage"\nurl = "https://big.example"\n',
         "providers.\"Big Co\": invalid provider id 'Big Co' (expected lowercase letters, "
         "digits, '.', '_' or '-', starting with a letter or digit)"),
        ('[providers._x]\nkind = "statuspage"\nurl = "https://x.example"\n',
         "providers._x: invalid provider id '_x' (expected lowercase letters, "
         "digits, '.', '_' or '-', starting with a letter or digit)"),
        ("providers = 3\n", "providers: expected a table, got integer"),
        ("[providers]\ngithub = 1\n", "providers.github: expected a table, got integer"),
        ('watch = ["zzyzx"]\n', "watch[0]: unknown provider 'zzyzx'"),
    ],
)  # fmt: skip
def test_provider_errors(tmp_path: Path, text: str, message: str) -> None:
    assert error_of(write(tmp_path, text)) == message


# --- [http] ---------------------------------------------------------------------------------------


def test_http_settings_are_read_and_typed(tmp_path: Path) -> None:
    text = """
[http]
connect_timeout = 2
read_timeout = 3.5
deadline = 30
retries = 0
backoff = 0
retry_after_cap = 0.0
max_body = 1024
max_redirects = 0
max_connections = 8
max_per_host = 2
"""
    http = load_config(write(tmp_path, text)).http
    assert http == HttpSettings(
        connect_timeout=2.0, read_timeout=3.5, deadline=30.0, retries=0, backoff=0.0,
        retry_after_cap=0.0, max_body=1024, max_redirects=0, max_connections=8, max_per_host=2,
    )  # fmt: skip
    assert isinstance(http.connect_timeout, float)


def test_partial_http_table_keeps_other_defaults(tmp_path: Path) -> None:
    http = load_config(write(tmp_path, "[http]\nretries = 5\n")).http
    assert http == dataclasses.replace(HttpSettings(), retries=5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("http = 1\n", "http: expected a table, got integer"),
        ("[http]\nretries = -1\n", "http.retries: must be at least 0, got -1"),
        ("[http]\nretries = 1.5\n", "http.retries: expected an integer, got float"),
        ("[http]\nretries = true\n", "http.retries: expected an integer, got boolean"),
        ("[http]\nmax_body = 0\n", "http.max_body: must be greater than 0, got 0"),
        ("[http]\nmax_per_host = -2\n", "http.max_per_host: must be greater than 0, got -2"),
        ("[http]\nconnect_timeout = 0\n", "http.connect_timeout: must be greater than 0, got 0"),
        ('[http]\ndeadline = "15"\n', "http.deadline: expected a number, got string"),
        ("[http]\nread_timeout = false\n", "http.read_timeout: expected a number, got boolean"),
        ("[http]\nbackoff = -0.5\n", "http.backoff: must be at least 0, got -0.5"),
        ("[http]\ndeadline = inf\n", "http.deadline: expected a finite number, got inf"),
        ("[http]\ntimeout = 3\n",
         "http.timeout: unknown key 'timeout' (did you mean 'read_timeout'?)"),
    ],
)  # fmt: skip
def test_http_errors(tmp_path: Path, text: str, message: str) -> None:
    assert error_of(write(tmp_path, text)) == message


# --- select ---------------------------------------------------------------------------------------


def test_select_defaults_to_the_watch_list(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'watch = ["zoom", "github"]\n'))
    assert [spec.id for spec in select(config)] == ["zoom", "github"]


def test_select_explicit_ids_keep_order_drop_duplicates_and_win_over_all(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    chosen = select(config, ["openai", "aiven", "openai", "github"], all_=True)
    assert chosen == [config.providers[i] for i in ("openai", "aiven", "github")]


def test_select_all_gives_every_provider_catalog_first(tmp_path: Path) -> None:
    text = '[providers.acme]\nkind = "statuspage"\nurl = "https://acme.example"\n'
    config = load_config(write(tmp_path, text))
    chosen = select(config, all_=True)
    assert [spec.id for spec in chosen] == [*load_catalog(), "acme"]


def test_select_unknown_id_names_the_command_line(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    with pytest.raises(ConfigError) as caught:
        select(config, ["github", "githib"])
    assert str(caught.value) == (
        "command line: --provider: unknown provider 'githib' (did you mean 'github'?)"
    )
    assert (caught.value.path, caught.value.key) == ("command line", "--provider")


# --- paths ----------------------------------------------------------------------------------------


def test_paths_default_to_platformdirs_locations(tmp_path: Path) -> None:
    assert paths.config_file() == tmp_path / "xdg_config_home" / "statuswatch" / "config.toml"
    assert paths.state_dir() == tmp_path / "xdg_state_home" / "statuswatch"
    assert paths.cache_dir() == tmp_path / "xdg_cache_home" / "statuswatch"


def test_paths_follow_their_environment_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATUSWATCH_CONFIG", str(tmp_path / "elsewhere" / "my.toml"))
    monkeypatch.setenv("STATUSWATCH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("STATUSWATCH_CACHE_DIR", str(tmp_path / "cache"))
    assert paths.config_file() == tmp_path / "elsewhere" / "my.toml"
    assert paths.state_dir() == tmp_path / "state"
    assert paths.cache_dir() == tmp_path / "cache"


def test_empty_environment_variable_means_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATUSWATCH_CONFIG", "")
    assert paths.config_file() == tmp_path / "xdg_config_home" / "statuswatch" / "config.toml"


# --- starter config -------------------------------------------------------------------------------


def test_starter_config_content() -> None:
    assert starter_config() == {"watch": list(DEFAULT_IDS), "interval": 60}


def test_starter_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "config.toml"
    write_starter(path)
    text = path.read_text(encoding="utf-8")
    assert text == starter_text()
    assert text.startswith("# statuswatch config (TOML).")
    config = load_config(path)
    assert (config.exists, config.watch, config.interval) == (True, DEFAULT_IDS, 60.0)
    assert config.providers == load_catalog()
    assert config.http == HttpSettings()
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.toml"]  # no temp file left


def test_starter_examples_load_once_uncommented(tmp_path: Path) -> None:
    # Uncomment the example tables and settings, not the explanations.
    setting = re.compile(r"# (\[|[a-z_]+ = )")
    uncommented = [
        line.removeprefix("# ") if setting.match(line) else line
        for line in starter_text().splitlines()
    ]
    config = load_config(write(tmp_path, "\n".join(uncommented) + "\n"))
    assert config.providers["example"] == ProviderSpec(
        id="example", name="Example", kind="statuspage", url="https://status.example.com"
    )
    assert config.http == HttpSettings()
    assert config.providers["cloudflare"].scope == ("CDN/Cache",)
    assert [stack.id for stack in config.stacks] == ["checkout"]


def test_starter_never_overwrites(tmp_path: Path) -> None:
    path = write(tmp_path, "interval = 120\n")
    with pytest.raises(FileExistsError) as caught:
        write_starter(path)
    assert caught.value.filename == str(path)
    assert path.read_text(encoding="utf-8") == "interval = 120\n"


def test_without_a_watch_list_added_providers_are_watched_after_the_defaults(
    tmp_path: Path,
) -> None:
    path = tmp_path / "added.toml"
    path.write_text(
        '[providers.zeta]\nkind = "statuspage"\nurl = "http://127.0.0.1:8000/z"\n'
        '[providers.alpha]\nkind = "incidentio"\nurl = "http://127.0.0.1:8000/a"\n'
        '[providers.github]\nurl = "http://127.0.0.1:8000/gh"\n'
    )
    config = load_config(path)
    defaults = tuple(s.id for s in load_catalog().values() if s.default)
    assert config.watch == (*defaults, "zeta", "alpha")
