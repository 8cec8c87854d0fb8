"""Expectations for the self-hosted platforms' and the Xbox network's real payloads.

Values read off each file by hand; the Xbox scenarios (108 of them) are read from the JSON
capture with a plain walk of its dictionaries and checked against the counts written here.
"""

from __future__ import annotations

import json
from pathlib import Path

from realworld_expect import MAJ, OP, PART, Expect, at

from statuswatch.model import Status

XBOX_CATEGORIES = (  # (Id, Name, number of scenarios), in document order
    ("CoreServices", 23, "Account & profile", 12),
    ("CoreServices", 13, "Online safety & family", 2),
    ("CoreServices", 22, "Store & subscriptions", 32),
    ("CoreServices", 24, "Friends & social activity", 17),
    ("CoreServices", 21, "Sharing & broadcasting", 4),
    ("CoreServices", 20, "Devices & networking", 9),
    ("CoreServices", 25, "Multiplayer gaming", 5),
    ("CoreServices", 14, "Cloud gaming & remote play", 3),
    ("CoreServices", 26, "Support & services", 7),
    ("Titles", 16, "Games & gaming", 10),
    ("Titles", 15, "Apps & mobile", 7),
)


def xbox_components(realworld: Path) -> tuple[tuple[str, Status], ...]:
    """Every category, each followed by its scenarios, all operational ("None")."""
    doc = json.loads((realworld / XBOX_JSON).read_text("utf-8"))
    found: list[tuple[str, Status]] = []
    for section, ident, name, count in XBOX_CATEGORIES:
        category = next(c for c in doc[section] if c["Id"] == ident)
        assert category["Name"] == name and len(category["Scenarios"]) == count
        found.append((name, OP))
        found += [(scenario["Name"], OP) for scenario in category["Scenarios"]]
    assert len(found) == 11 + 91 + 17
    return tuple(found)


XBOX_JSON = "xbox/xbox-servicestatusv6-us-en-us-ok-2026-09-19.json"
XBOX_XML = "xbox/xbox-servicestatusv6-us-en-us-ok-2026-09-19.xml"


def platforms(realworld: Path) -> dict[str, Expect]:
    """The expectations, keyed by file (the Xbox ones need the capture's scenario names)."""
    xbox = xbox_components(realworld)
    return {
        "cachet/yoti-v1-components-ok-2020-10-reformatted.json": Expect(
            status=OP,
            raw_status="",
            description="",
            updated_at=at("2020-10-12 12:20:02"),  # Yoti Doc Scan (CA), the newest change
            # In document order; "Yoti Doc Scan" twice (ids 9 and 6, groups 2 and 1).
            components=tuple(
                (name, OP)
                for name in (
                    "Yoti Website",
                    "Yoti Age Scan",
                    "Yoti App",
                    "Yoti Doc Scan",
                    "Yoti Doc Scan",
                    "Yoti Sign",
                    "Yoti Hub",
                )
            ),
        ),
        "gatus/SYNTHETIC-gatus-upstream-test-endpoints-statuses-one-failing.json": Expect(
            status=MAJ,  # its only endpoint's latest result failed
            raw_status="",
            description="",
            updated_at=None,  # Go's zero time, 0001-01-01: never timed
            components=(("name", MAJ),),
        ),
        "statuspal/glide-os-v1-status-ok-undated.json": Expect(
            status=OP,
            raw_status="",  # current_incident_type null
            description="",
            updated_at=None,
            components=(
                ("Platform", OP),
                ("Chat", OP),
                ("Agents", OP),
                ("Apps", OP),
                ("Dashboard", OP),
            ),
        ),
        "upptime/cliffe-datalab-history-summary-ok-2026-04-11.json": Expect(
            status=OP,
            raw_status="",
            description="",
            updated_at=None,  # the file carries no timestamp
            components=(("Cliffe Group Datalab", OP), ("Cliffe Group Datalab (API)", OP)),
        ),
        "upptime/upptime-template-sites-history-summary-two-down-2022-07-27.json": Expect(
            status=PART,  # two of five sites down
            raw_status="",
            description="",
            updated_at=None,
            components=(
                ("Google", OP),
                ("Wikipedia", OP),
                ("Hacker News", OP),
                ("Broken Site", MAJ),  # down, although its uptime says 100.00%
                ("Secret Site", MAJ),
            ),
        ),
        "uptimekuma/unraid-dashboard-status-page-ok-2026-09-30.json": Expect(
            # Read alone: the monitor is named but no beat says how it is.
            status=Status.UNKNOWN,
            raw_status="",
            description="",
            updated_at=None,
            components=(("Unraid", Status.UNKNOWN),),
        ),
        "uptimekuma/unraid-dashboard-heartbeat-ok-2026-09-30.json": Expect(
            status=OP,  # read alone: monitor 1's latest beat is up
            raw_status="",
            description="",
            updated_at=at("2026-09-30 20:15:16.689"),
            components=(("monitor 1", OP),),
        ),
        XBOX_JSON: Expect(
            status=OP,
            raw_status="None",
            description="",
            updated_at=at("2026-09-19 04:08:01.271016"),  # .2710164, to the microsecond
            components=xbox,
        ),
        XBOX_XML: Expect(
            status=OP,
            raw_status="None",
            description="",
            updated_at=at("2026-09-19 03:53:56.245284"),  # fetched 14 minutes earlier
            components=xbox,
        ),
    }
