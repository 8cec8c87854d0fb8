"""The catalog read entry by entry (statuswatch.catalog.Catalog) gives what reading it whole
gives, reads only what is asked for, and falls back to the whole reading for any other shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuswatch import catalog
from statuswatch.catalog import Catalog, default_watch, load_catalog, parse_catalog
from statuswatch.config import ConfigError, load_config
from statuswatch.model import ProviderSpec

SHIPPED = catalog.read_catalog()

A = '[providers.a]\nname = "A"\nkind = "statuspage"\nurl = "https://a.example"\n'
B = '[providers.b]\nname = "B"\nkind = "statuspage"\nurl = "https://b.example"\ndefault = true\n'
BROKEN = '[providers.c]\nname = "C"\nkind = "statuspag"\nurl = "https://c.example"\n'


def test_every_shipped_entry_read_alone_is_the_entry_read_whole() -> None:
    whole = parse_catalog(*SHIPPED)
    assert list(Catalog(*SHIPPED)) == list(whole)
    for provider_id, spec in whole.items():
        # A fresh Catalog each time: each entry is read from its own table's text.
        assert Catalog(*SHIPPED)[provider_id] == spec, provider_id


def test_the_shipped_catalog_is_indexed_not_read_whole() -> None:
    shipped = Catalog(*SHIPPED)
    assert shipped._tables is not None  # the fast path holds for the file we ship
    assert len(shipped) == len(load_catalog())
    assert "cloudflare" in shipped and "no-such-provider" not in shipped


def test_the_default_watch_set_is_found_without_reading_every_entry() -> None:
    shipped = Catalog(*SHIPPED)
    defaults = [spec.id for spec in load_catalog().values() if spec.default]
    assert default_watch(shipped, shipped) == tuple(defaults)
    assert len(shipped._specs) < len(shipped) // 10


def test_only_the_entries_asked_for_are_read() -> None:
    lazy = Catalog("cat.toml", (A + BROKEN + B).encode())
    assert list(lazy) == ["a", "c", "b"]
    assert lazy["a"] == ProviderSpec(id="a", name="A", kind="statuspage", url="https://a.example")
    assert lazy["b"].default
    with pytest.raises(ConfigError, match=r"^cat\.toml: providers\.c\.kind: unknown kind"):
        lazy["c"]  # the broken entry is refused as reading it whole would


def test_reading_the_values_reads_and_checks_the_whole_file() -> None:
    lazy = Catalog("cat.toml", (A + BROKEN).encode())
    with pytest.raises(ConfigError, match=r"providers\.c\.kind"):
        list(lazy.values())


def test_a_syntax_error_in_an_entry_names_its_line_in_the_file() -> None:
    data = (A + B + '[providers.d]\nname = "D\n').encode()
    with pytest.raises(ConfigError) as whole:
        parse_catalog("cat.toml", data)
    with pytest.raises(ConfigError) as alone:
        Catalog("cat.toml", data)["d"]
    assert str(alone.value) == str(whole.value)
    assert "line 11," in str(alone.value)  # A and B are 9 lines


def test_an_edge_of_an_entry_read_alone_is_checked() -> None:
    data = (A + B.replace("default = true", 'runs_on = ["nowhere"]')).encode()
    with pytest.raises(ConfigError, match=r"providers\.b\.runs_on\[0\]: unknown provider"):
        Catalog("cat.toml", data)["b"]
    assert (
        Catalog("cat.toml", (A + B + 'runs_on = ["a"]\n').encode())["b"].runs_on[0].provider == "a"
    )


@pytest.mark.parametrize(
    "text",
    [
        A + '[providers.b]\nname = """B"""\nkind = "statuspage"\nurl = "https://b.example"\n',
        A + '  [providers.b]\nname = "B"\nkind = "statuspage"\nurl = "https://b.example"\n',
        A + '[providers."b"]\nname = "B"\nkind = "statuspage"\nurl = "https://b.example"\n',
        '[providers]\n[providers.a]\nname = "A"\nkind = "statuspage"\nurl = "https://a.example"\n',
        A + "[providers.b] # a comment\n" + B.split("\n", 1)[1],
        A + "[providers.b]",
    ],
    ids=["multi-line string", "indented header", "quoted id", "parent table", "comment", "last"],
)
def test_any_other_shape_is_read_whole(text: str) -> None:
    try:
        whole: dict[str, ProviderSpec] | str = parse_catalog("cat.toml", text.encode())
    except ConfigError as exc:
        whole = str(exc)
    try:
        lazy = Catalog("cat.toml", text.encode())
    except ConfigError as exc:
        assert str(exc) == whole
        return
    assert lazy._tables is None
    assert dict(lazy.items()) == whole


def test_a_file_without_a_final_newline_is_read_alike() -> None:
    data = (A + B.rstrip("\n")).encode()
    assert Catalog("cat.toml", data)["b"] == parse_catalog("cat.toml", data)["b"]


@pytest.mark.parametrize(
    "text",
    [A + A, "x = 1\n" + A, A + "[notify]\n"],
    ids=["defined twice", "key before the tables", "another table"],
)
def test_a_file_the_whole_reading_refuses_is_refused(text: str) -> None:
    with pytest.raises(ConfigError) as whole:
        parse_catalog("cat.toml", text.encode())
    with pytest.raises(ConfigError) as lazy:
        Catalog("cat.toml", text.encode())
    assert str(lazy.value) == str(whole.value)


def test_a_config_overrides_and_adds_over_the_lazy_catalog(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[providers.zz-mine]\nkind = "statuspage"\nurl = "https://mine.example"\n'
        '[providers.github]\ndefault = false\n[providers.canva]\nname = "Canva (ours)"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    shipped = load_catalog()
    assert list(config.providers) == [*shipped, "zz-mine"]
    assert config.providers["canva"].name == "Canva (ours)"
    assert config.providers["canva"].url == shipped["canva"].url
    expected = [p for p, s in shipped.items() if s.default and p != "github"] + ["zz-mine"]
    assert list(config.watch) == expected
    assert dict(config.providers) == {
        **shipped,
        "canva": config.providers["canva"],
        "github": config.providers["github"],
        "zz-mine": config.providers["zz-mine"],
    }
