"""`[probes]` and a provider's `probes = [...]`: defaults, overrides, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuswatch.config import ConfigError, load_config
from statuswatch.model import ProbeSpec
from statuswatch.probes.settings import ProbeSettings


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_defaults_without_a_probes_table(tmp_path: Path) -> None:
    config = _load(tmp_path, "")
    assert config.probes == ProbeSettings(enabled=True, timeout=5.0, consecutive=2)


def test_the_probes_table(tmp_path: Path) -> None:
    config = _load(tmp_path, "[probes]\nenabled = false\ntimeout = 2.5\nconsecutive = 3\n")
    assert config.probes == ProbeSettings(enabled=False, timeout=2.5, consecutive=3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[probes]\nenabled = 1\n", "probes.enabled: expected a boolean, got integer"),
        ("[probes]\ntimeout = 0\n", "probes.timeout: must be more than 0"),
        ("[probes]\ntimeout = 61\n", "probes.timeout: must be more than 0 and at most 60"),
        ('[probes]\ntimeout = "5"\n', "probes.timeout: expected a number, got string"),
        ("[probes]\nconsecutive = 0\n", "probes.consecutive: must be from 1 to 100, got 0"),
        ("[probes]\nconsecutive = 2.0\n", "probes.consecutive: expected an integer, got float"),
        ("[probes]\nconsecutiv = 2\n", "did you mean 'consecutive'?"),
        ("probes = 3\n", "probes: expected a table, got integer"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _error(tmp_path, text)


def test_a_provider_probes_replace_the_catalogs(tmp_path: Path) -> None:
    catalog = load_config(tmp_path / "none.toml").providers["openai"].probes
    assert catalog, "the catalog ships probes for openai"
    config = _load(
        tmp_path,
        '[providers.openai]\nprobes = [{url = "https://api.openai.com/v1/models",'
        ' expect = "401", region = "global"}]\n',
    )
    assert config.providers["openai"].probes == (
        ProbeSpec(url="https://api.openai.com/v1/models", expect="401", region="global"),
    )
    # Everything else of the catalog entry stays.
    assert (
        config.providers["openai"].url
        == load_config(tmp_path / "none.toml").providers["openai"].url
    )


def test_an_empty_list_turns_a_providers_probes_off(tmp_path: Path) -> None:
    config = _load(tmp_path, "[providers.openai]\nprobes = []\n")
    assert config.providers["openai"].probes == ()


def test_a_new_provider_may_have_probes(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        '[providers.mine]\nkind = "statuspage"\nurl = "https://status.example.com"\n'
        '[[providers.mine.probes]]\nurl = "https://api.example.com/health"\nmethod = "get"\n'
        'source = "our runbook"\n',
    )
    assert config.providers["mine"].probes == (
        ProbeSpec(url="https://api.example.com/health", method="GET", source="our runbook"),
    )


@pytest.mark.parametrize(
    ("probes", "expected"),
    [
        ('"https://x.example"', "providers.openai.probes: expected a list of tables, got string"),
        ('["https://x.example"]', "providers.openai.probes[0]: expected a table, got string"),
        ("[{}]", "providers.openai.probes[0].url: missing"),
        ('[{url = "ftp://x.example"}]', "probes[0].url: expected an http or https URL"),
        (
            '[{url = "https://user:pw@x.example"}]',
            "probes[0].url: a URL with user:password@ is refused: statuswatch sends no credentials",
        ),
        ('[{url = "https://x.example", expect = "5xx"}]', "probes[0].expect: accepts no status"),
        ('[{url = "https://x.example", expect = "ok"}]', "probes[0].expect: cannot read 'ok'"),
        ('[{url = "https://x.example", method = "POST"}]', "probes[0].method: expected one of"),
        ('[{url = "https://x.example", regoin = "eu"}]', "did you mean 'region'?"),
        (
            '[{url = "https://x.example"}, {url = "https://x.example"}]',
            "probes[1].url: 'https://x.example' is listed twice",
        ),
        (
            "[" + ", ".join(f'{{url = "https://x{n}.example"}}' for n in range(11)) + "]",
            "at most 10 probes, got 11",
        ),
    ],
)
def test_bad_probes_are_named(tmp_path: Path, probes: str, expected: str) -> None:
    message = _error(tmp_path, f"[providers.openai]\nprobes = {probes}\n")
    assert expected in message
    assert message.startswith(str(tmp_path / "config.toml"))
