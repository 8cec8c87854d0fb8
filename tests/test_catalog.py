"""The built-in catalog: its content, its validation and where it is read from."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from statuswatch import catalog
from statuswatch.adapters import entry_kinds, kinds
from statuswatch.catalog import load_catalog, parse_catalog
from statuswatch.config import ConfigError
from statuswatch.model import ProviderSpec

REPO = Path(__file__).resolve().parents[1]
CATALOG_FILE = REPO / "providers.toml"
SHARED_TSV = REPO.parent / "shared" / "catalog" / "status-pages.tsv"

# The backbone: clouds, CDNs, AI, communication and the games that fall over with them.
DEFAULT_IDS = [
    "akamai",
    "anthropic",
    "aws",
    "azure",
    "canva",
    "cloudflare",
    "discord",
    "epic-games",
    "fastly",
    "github",
    "google-cloud",
    "openai",
    "roblox",
    "slack",
    "x-api",
]
ORIGINAL = 372  # the pages of status-pages.tsv; the section at the end adds the rest
TOTAL = 1307
# Entries of status-pages.tsv changed because their page moved in 2026 (see the catalog).
MOVED_2026 = {
    "perplexity": ("incidentio", "https://status.perplexity.com"),
    "mistral": ("auto", "https://status.mistral.ai"),
    "replicate": ("statuspage", "https://www.cloudflarestatus.com"),
}
READ_SINCE = {"playstation": "playstation"}  # rows of platform `other` read by an adapter now


def test_catalog_is_large_and_every_entry_is_well_formed() -> None:
    specs = load_catalog()
    assert len(specs) >= 1000
    assert len(specs) == TOTAL
    for provider_id, spec in specs.items():
        assert spec.id == provider_id
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*", provider_id)
        assert spec.kind in entry_kinds()
        assert spec.url.startswith("https://"), spec
        assert spec.name.strip() == spec.name != ""
        assert spec.category in {
            "ai", "cdn", "cloud", "communication", "devtools", "gaming", "other",
            "payments", "productivity", "security",
        }  # fmt: skip


def test_catalog_is_sorted_by_id() -> None:
    # Each section by itself: the appended one starts with the three entries added by hand.
    ids = list(load_catalog())
    original, added = ids[:ORIGINAL], ids[ORIGINAL:]
    assert original == sorted(original)
    assert added[:3] == ["playstation", "playstation-europe", "xbox"]
    assert added[3:] == sorted(added[3:])


@pytest.mark.parametrize(
    ("provider_id", "name", "kind", "url"),
    [
        ("cloudflare", "Cloudflare", "statuspage", "https://www.cloudflarestatus.com"),
        ("openai", "OpenAI (API & ChatGPT)", "incidentio", "https://status.openai.com"),
        ("github", "GitHub", "statuspage", "https://www.githubstatus.com"),
        ("discord", "Discord", "statuspage", "https://discordstatus.com"),
        ("anthropic", "Anthropic (Claude)", "statuspage", "https://status.claude.com"),
        ("atlassian", "Atlassian", "statuspage", "https://status.atlassian.com"),
        ("epic-games", "Epic Games (Fortnite, Epic Online Services)", "statuspage",
         "https://status.epicgames.com"),
        ("canva", "Canva", "statuspage", "https://www.canvastatus.com"),
        ("x-api", "X (Twitter) API", "statuspage", "https://api.twitterstat.us"),
        ("linear", "Linear", "incidentio", "https://linearstatus.com"),
        ("aws", "Amazon Web Services", "aws",
         "https://health.aws.amazon.com/public/currentevents"),
        ("google-cloud", "Google Cloud", "gcp", "https://status.cloud.google.com/incidents.json"),
        ("azure", "Microsoft Azure", "azure",
         "https://rssfeed.azure.status.microsoft/en-us/status/feed/"),
        ("slack", "Slack", "slack", "https://slack-status.com/api/v2.0.0/current"),
        ("fastly", "Fastly", "feed", "https://www.fastlystatus.com/rss"),
        ("akamai", "Akamai (Edge)", "feed", "https://www.akamaistatus.com/history.atom"),
        ("roblox", "Roblox", "statusio",
         "https://api.status.io/1.0/status/59db90dbcdeb2f04dadcf16d"),
        ("perplexity", "Perplexity", "incidentio", "https://status.perplexity.com"),
        ("playstation", "PlayStation Network", "playstation",
         "https://status.playstation.com/data/statuses/region/SCEA.json"),
        ("xbox", "Xbox network (Xbox Live)", "xbox",
         "https://xnotify.xboxlive.com/servicestatusv6/US/en-US"),
        ("together-ai", "Together AI", "betterstack", "https://status.together.ai"),
    ],
)  # fmt: skip
def test_required_providers(provider_id: str, name: str, kind: str, url: str) -> None:
    spec = load_catalog()[provider_id]
    assert (spec.name, spec.kind, spec.url) == (name, kind, url)


def test_feeds_and_categories_come_through() -> None:
    specs = load_catalog()
    assert specs["github"].feed == "https://www.githubstatus.com/history.atom"
    assert specs["github"].category == "devtools"
    assert specs["openai"].feed == "https://status.openai.com/feed.atom"
    assert specs["canva"].feed is None
    assert specs["canva"].category == "productivity"


def test_default_watch_set_is_exactly_the_chosen_one() -> None:
    defaults = [spec.id for spec in load_catalog().values() if spec.default]
    assert defaults == DEFAULT_IDS


def test_load_catalog_returns_a_fresh_dict() -> None:
    first = load_catalog()
    first.pop("github")
    first["zzz"] = ProviderSpec(id="zzz", name="Z", kind="statuspage", url="https://z.example")
    second = load_catalog()
    assert "github" in second
    assert "zzz" not in second


@pytest.mark.skipif(not SHARED_TSV.is_file(), reason=f"{SHARED_TSV} is absent")
def test_catalog_matches_the_shared_tsv() -> None:
    with SHARED_TSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    specs = load_catalog()
    expected_ids = {"canva"}
    for row in rows:
        platform, feed = row["platform"], row["feed_url"]
        if row["id"] in MOVED_2026 or row["id"] in READ_SINCE:
            spec = specs[row["id"]]
            moved = MOVED_2026.get(row["id"]) or (READ_SINCE[row["id"]], spec.url)
            assert (spec.kind, spec.url, spec.name) == (*moved, row["name"]), row
            expected_ids.add(row["id"])
            continue
        if platform == "other" and not feed:
            assert row["id"] not in specs, row  # nothing machine-readable to poll
            continue
        if row["id"] == "humanity":
            assert row["id"] not in specs  # a status.io page whose page id no source gives
            continue
        expected_ids.add(row["id"])
        spec = specs[row["id"]]
        assert (spec.name, spec.category) == (row["name"], row["category"])
        if platform in ("feed", "other"):
            # The feed is what is polled; http:// feeds are polled over https://.
            assert (spec.kind, spec.url, spec.feed) == (
                "feed",
                feed.replace("http://", "https://", 1),
                None,
            ), row
        elif platform == "statusio":
            page_id = feed.rsplit("/pages/", 1)[1].removesuffix("/rss")
            assert (spec.kind, spec.url, spec.feed) == (
                "statusio",
                f"https://api.status.io/1.0/status/{page_id}",
                feed,
            ), row
        else:
            assert (spec.kind, spec.url) == (platform, row["base_url"]), row
            assert spec.feed == (None if feed in ("", row["base_url"]) else feed), row
    assert set(list(specs)[:ORIGINAL]) | {"playstation"} == expected_ids


@pytest.mark.skipif(not SHARED_TSV.is_file(), reason=f"{SHARED_TSV} is absent")
def test_every_kind_of_the_tsv_is_in_the_catalog() -> None:
    kinds_seen = {spec.kind for spec in load_catalog().values()}
    assert kinds_seen <= set(entry_kinds())
    # Every platform the sources name and an adapter reads has pages in the catalog.
    with SHARED_TSV.open(newline="", encoding="utf-8") as handle:
        stated = {row["platform"] for row in csv.DictReader(handle, delimiter="\t")}
    assert stated & set(kinds()) <= kinds_seen
    assert {"playstation", "xbox", "statuspal", "auto"} <= kinds_seen


def test_catalog_file_comments_name_its_sources() -> None:
    text = CATALOG_FILE.read_text(encoding="utf-8")
    assert "status-pages.tsv" in text
    assert "# Reported as Statuspage by public repositories" in text
    assert len(tomllib.loads(text)["providers"]) == TOTAL
    assert "more-status-pages.tsv" in text


def test_broken_catalog_names_the_catalog_file() -> None:
    source = "/pkg/statuswatch/providers.toml"
    data = b'[providers.acme]\nname = "Acme"\nkind = "statuspag"\nurl = "https://status.acme.io"\n'
    with pytest.raises(ConfigError) as caught:
        parse_catalog(source, data)
    known = ", ".join(entry_kinds())
    assert str(caught.value) == (
        f"{source}: providers.acme.kind: unknown kind 'statuspag' "
        f"(did you mean 'statuspage'?; known kinds: {known})"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[providers.a\n",
         "line 1, column 13: invalid TOML: Expected ']' at the end of a table declaration"),
        (b"providers = {}\nextra = 1\n", "extra: unknown key 'extra' (expected one of: providers)"),
        (b"", "providers: missing: the catalog lists no provider"),
        (b'[providers.a]\nname = "A"\nkind = "statuspage"\n',
         "providers.a.url: missing (required for a provider that is not in the catalog)"),
        (b'[providers.a]\nkind = "statuspage"\nurl = "https://a.example"\ndefualt = true\n',
         "providers.a.defualt: unknown key 'defualt' (did you mean 'default'?)"),
    ],
)  # fmt: skip
def test_catalog_validation_errors(data: bytes, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_catalog("cat.toml", data)
    assert str(caught.value) == f"cat.toml: {message}"


def test_parse_catalog_accepts_a_minimal_catalog() -> None:
    data = b'[providers.a]\nname = "A"\nkind = "incidentio"\nurl = "https://a.example"\n'
    assert parse_catalog("cat.toml", data) == {
        "a": ProviderSpec(id="a", name="A", kind="incidentio", url="https://a.example")
    }


def test_packaged_catalog_is_read_before_the_checkout_one(tmp_path: Path) -> None:
    (tmp_path / "providers.toml").write_bytes(b"# packaged copy\n")
    source, data = catalog.read_catalog(tmp_path, CATALOG_FILE.parent)
    assert (source, data) == (str(tmp_path / "providers.toml"), b"# packaged copy\n")


def test_checkout_catalog_is_the_fallback(tmp_path: Path) -> None:
    source, data = catalog.read_catalog(tmp_path, CATALOG_FILE.parent)  # no copy in tmp_path
    assert source == str(CATALOG_FILE)
    assert data == CATALOG_FILE.read_bytes()


def test_catalog_is_found_beside_the_code_without_importlib_resources() -> None:
    # The default places are the package's directory and the checkout's top; finding the file
    # there leaves importlib.resources (and the zipfile and tempfile it imports) unimported.
    code = (
        "import sys; from statuswatch import catalog; source, _ = catalog.read_catalog(); "
        "print(source); print('importlib.resources' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [str(CATALOG_FILE), "False"]


def test_a_catalog_not_on_disk_is_read_through_importlib_resources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A package inside a zip archive: no place on disk has the file.
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "providers.toml").write_bytes(b"# from the archive\n")
    monkeypatch.setattr("importlib.resources.files", lambda package: archive)
    source, data = catalog.read_catalog(tmp_path / "nowhere")
    assert (source, data) == (str(archive / "providers.toml"), b"# from the archive\n")
