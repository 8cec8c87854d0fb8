"""`statuswatch providers --search WORDS` and the 1,000+ catalog through `providers --json`."""

from __future__ import annotations

import json

import pytest

from statuswatch.cli import main
from statuswatch.model import ProviderSpec
from statuswatch.search import search

SEEDS = ["cloudflare", "aws", "openai", "x-api", "canva", "roblox", "epic-games", "playstation"]


def _ids(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(["providers", "--json", *argv]) == 0
    return [p["id"] for p in json.loads(capsys.readouterr().out)["providers"]]


def test_providers_json_lists_over_a_thousand_with_the_seeds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = _ids(capsys)
    assert len(ids) >= 1000
    assert [seed for seed in SEEDS if seed not in ids] == []


def test_search_finds_playstation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["providers", "--search", "playstation"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines[1:-1]] == [
        ["playstation", "playstation"],
        ["playstation-europe", "playstation"],
    ]
    assert lines[-1] == "2 providers; * = in your watch list"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["PlayStation", "EUROPE"], ["playstation-europe"]),  # every word, any case
        (["githubstatus"], ["github"]),  # the page's host
        (["xbox", "live"], ["xbox"]),  # the name
        (["snapchat"], []),  # no official page: nothing to find
    ],
)
def test_search_words(
    words: list[str], expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _ids(capsys, "--search", *words) == expected


def test_search_reads_id_name_and_every_host() -> None:
    spec = ProviderSpec("acme", "Acme Cloud", "statuspage", "https://status.acme.io", feed=None)
    fed = ProviderSpec("b", "B", "feed", "https://b.example/x", feed="https://feeds.acme.net/b")
    assert search([spec, fed], "acme") == [spec, fed]
    assert search([spec, fed], "cloud acme") == [spec]
    assert search([spec, fed], "   ") == [spec, fed]
