"""The catalog's `runs_on` edges: each with its source beside it, all valid, and put to use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from assess_helpers import T0, open_incident

from statuswatch.assess import assess
from statuswatch.catalog import load_catalog, parse_catalog
from statuswatch.config import ConfigError, load_config
from statuswatch.model import Impact, Page, ProviderReport, Snapshot, Status, Target

CATALOG_FILE = Path(__file__).resolve().parents[1] / "providers.toml"
_EDGE_LINE = re.compile(r'^\s+"(?P<edge>[^"]+)",\s+#\s+(?P<what>.+?):\s+(?P<url>https://\S+)')


def edge_lines() -> list[tuple[str, str, str]]:
    """(provider, edge, source URL) for every edge line of providers.toml."""
    found = []
    provider = ""
    inside = False
    for line in CATALOG_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("[providers."):
            provider = line[len("[providers.") : -1]
        elif line.startswith("runs_on = ["):
            inside = True
        elif inside and line == "]":
            inside = False
        elif inside:
            match = _EDGE_LINE.match(line)
            assert match, f"{provider}: an edge without its source beside it: {line!r}"
            found.append((provider, match["edge"], match["url"]))
    return found


def test_every_catalog_edge_has_its_source_beside_it() -> None:
    lines = edge_lines()
    parsed = [(p, str(edge)) for p, spec in load_catalog().items() for edge in spec.runs_on]
    assert [(p, e) for p, e, _url in lines] == parsed
    assert len(parsed) >= 25


def test_the_backbone_dependents_are_in_the_catalog() -> None:
    catalog = load_catalog()
    on = {p: {str(e) for e in s.runs_on} for p, s in catalog.items()}
    assert "cloudflare" in on["openai"]
    assert {"cloudflare", "aws:us-east-1"} <= on["canva"]
    assert "google-cloud" in on["cloudflare"]
    assert "aws:us-east-1" in on["epic-games"]
    assert "aws:us-east-1" in on["roblox"]


def test_an_edge_to_an_unknown_provider_or_to_itself_is_refused(tmp_path: Path) -> None:
    base = '[providers.a]\nname = "A"\nkind = "statuspage"\nurl = "https://a.example"\n'
    with pytest.raises(ConfigError, match=r"providers\.a\.runs_on\[0\]: unknown provider 'b'"):
        parse_catalog("c.toml", (base + 'runs_on = ["b"]\n').encode())
    with pytest.raises(ConfigError, match=r"runs_on\[0\]: 'a' cannot run on itself"):
        parse_catalog("c.toml", (base + 'runs_on = ["a:x"]\n').encode())
    with pytest.raises(ConfigError, match=r"runs_on: expected a list of strings, got string"):
        parse_catalog("c.toml", (base + 'runs_on = "a"\n').encode())


def test_the_user_adds_and_replaces_edges(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[providers.mine]\nkind = "statuspage"\nurl = "https://mine.example"\n'
        'runs_on = ["aws:us-east-1,us-west-2", "cloudflare"]\n'
        "[providers.canva]\nruns_on = []\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.providers["mine"].runs_on == (
        Target("aws", ("us-east-1", "us-west-2")),
        Target("cloudflare"),
    )
    assert config.providers["canva"].runs_on == ()
    path.write_text(
        '[providers.mine]\nkind = "statuspage"\nurl = "https://m.example"\n'
        'runs_on = ["cloudfare"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"did you mean 'cloudflare'\?"):
        load_config(path)


def test_with_the_catalog_edges_a_cloudflare_incident_puts_its_dependents_at_risk() -> None:
    catalog = load_catalog()
    watched = ["cloudflare", "openai", "canva", "discord", "github", "slack"]
    down = Page(
        Status.MAJOR_OUTAGE,
        incidents=(open_incident("cf", T0, "CDN/Cache", impact=Impact.CRITICAL),),
    )
    reports = tuple(
        ProviderReport(catalog[p], down if p == "cloudflare" else Page(Status.OPERATIONAL), T0)
        for p in watched
    )
    seen = {r.spec.id: r for r in assess(Snapshot(T0, reports)).reports}
    at_risk = {p for p, r in seen.items() if r.at_risk_from}
    assert at_risk == {"openai", "canva", "discord"}
    assert all(seen[p].status is Status.OPERATIONAL for p in at_risk)


def test_the_readme_lists_every_catalog_edge_with_its_source() -> None:
    readme = (CATALOG_FILE.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- edges:")
    table = readme[start : readme.index("<!-- /edges -->", start)]
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| .+ \| (https://\S+) \|$", table, re.M)
    assert rows == edge_lines()
    catalog = load_catalog()
    assert sum(1 for spec in catalog.values() if spec.runs_on) == len({p for p, _e, _u in rows})
    assert f"{len({p for p, _e, _u in rows})} entries also carry `runs_on` edges" in readme
