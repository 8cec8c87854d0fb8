"""The catalog's appended section: every row of more-status-pages.tsv accounted for, each entry
with its source, the seed services present, and `kind = "auto"` where no platform is known."""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from statuswatch.catalog import load_catalog

REPO = Path(__file__).resolve().parents[1]
CATALOG_FILE = REPO / "providers.toml"
MORE_TSV = REPO.parent / "shared" / "catalog" / "more-status-pages.tsv"
ORIGINAL = 372
SEEDS = ["cloudflare", "aws", "openai", "x-api", "canva", "roblox", "epic-games", "playstation"]
# Where the section reads a lead differently from the row (see the catalog's comments).
FIXED = {
    "https://status.qualitestgroup.com/Home/Privacy": "https://status.qualitestgroup.com",
    "https://status.enterprisemessaging-starhub.com/?start_date=2023-12-02": (
        "https://status.enterprisemessaging-starhub.com"
    ),
    "https://cloud.ibm.com/status?selected=status": "https://cloud.ibm.com/status",
    "https://status.glideapps.com": "https://statuspal.io/api/v1/status_pages/glideapps-com/status",
    "https://support.xbox.com/en-US/xbox-live-status": (
        "https://xnotify.xboxlive.com/servicestatusv6/US/en-US"
    ),
}
KIND_BY_HOST = {
    "statuspage.io": "statuspage",
    "instatus.com": "instatus",
    "betteruptime.com": "betterstack",
    "statuspal.io": "statuspal",
}


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def _section() -> str:
    text = CATALOG_FILE.read_text(encoding="utf-8")
    return text[text.index("# Added for issue 15") :]


def test_the_seed_services_are_all_there() -> None:
    specs = load_catalog()
    assert [seed for seed in SEEDS if seed not in specs] == []
    assert specs["playstation"].kind == "playstation"
    assert "snapchat" not in specs  # no official page: the README says so


@pytest.mark.skipif(not MORE_TSV.is_file(), reason=f"{MORE_TSV} is absent")
def test_every_row_of_more_status_pages_is_in_the_catalog_or_left_out_with_a_reason() -> None:
    with MORE_TSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    specs = load_catalog()
    added = {spec.url: spec for spec in list(specs.values())[ORIGINAL:]}
    original_hosts = {_host(spec.url) for spec in list(specs.values())[:ORIGINAL]}
    section = _section()
    found = left = copies = 0
    for row in rows:
        url = row["status_page_url"]
        if f"({url}): " in section:  # named in the list of rows left out, with its reason
            left += 1
            continue
        wanted = FIXED.get(url, url).replace("http://", "https://", 1).rstrip("/")
        if wanted not in added:
            assert _host(wanted) in original_hosts, row  # a copy of a page already listed
            copies += 1
            continue
        spec = added[wanted]
        if spec.id != "xbox":
            assert spec.name == row["name"].strip(), row
        stated = row["platform_if_stated"].removesuffix(" (from host)")
        by_host = next((k for h, k in KIND_BY_HOST.items() if _host(url).endswith("." + h)), None)
        if by_host is not None:
            assert spec.kind == by_host, row  # the host names the platform
        elif stated == "incidentio":
            assert spec.kind == "incidentio", row  # status.incident.io, incident.io's own page
        elif url not in FIXED:
            # No platform known (status.io's pages need their page id): detected on first poll.
            assert spec.kind == "auto", row
        found += 1
    assert (found, left, copies) == (933, 17, 1)  # Xbox Live counted once, as `xbox`
    assert len(specs) - ORIGINAL == found + 2  # and the two PlayStation regions


def test_every_added_entry_names_its_source() -> None:
    lines = _section().splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("[providers.")]
    for i in headers:
        # The comment block right above each table starts with its source.
        j = i - 1
        while j > 0 and lines[j - 1].startswith("#"):
            j -= 1
        assert lines[j].startswith("# source: "), lines[i]
    assert len(headers) == len(load_catalog()) - ORIGINAL
