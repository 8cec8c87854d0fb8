"""The Xbox network adapter: categories and scenarios, in XML and in JSON.

The real captures (both forms) are all "None"; tests/fixtures/xbox/derived-impacted.json and
.xml are derived from them (same names and forms, three core categories and one title
category kept; Sign-in and Matchmaking "Impacted" with incidents shaped as the clients read
them: Id, Begin, Stage.Message, LevelOfImpact.Name).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, ParseError, xbox
from statuswatch.model import Impact, Phase, Status

FIXTURES = Path(__file__).parent / "fixtures" / "xbox"
JSON = (FIXTURES / "derived-impacted.json").read_bytes()
XML = (FIXTURES / "derived-impacted.xml").read_bytes()


@pytest.mark.parametrize("body", [JSON, XML], ids=["json", "xml"])
def test_impacted_scenarios_and_their_incidents(body: bytes) -> None:
    page = xbox.parse(body, {})
    assert (page.status, page.raw_status) == (Status.PARTIAL_OUTAGE, "Impacted")
    assert page.updated_at == datetime(2026, 10, 1, 9, 25, 1, 271016, tzinfo=UTC)
    states = {(c.group, c.name): c.status for c in page.components}
    assert states[("Account & profile", "Sign-in")] is Status.MAJOR_OUTAGE  # "Major"
    assert states[("Multiplayer gaming", "Matchmaking")] is Status.DEGRADED  # "Limited"
    assert states[(None, "Account & profile")] is Status.MAJOR_OUTAGE
    assert states[(None, "Store & subscriptions")] is Status.OPERATIONAL
    sign_in, matchmaking = page.incidents
    assert (sign_in.id, sign_in.title, sign_in.impact, sign_in.phase) == (
        "71001",
        "Sign-in",
        Impact.MAJOR,
        Phase.INVESTIGATING,
    )
    assert sign_in.updates[0].text == "You may have trouble signing in. We're working on it."
    assert (matchmaking.impact, matchmaking.components) == (Impact.MINOR, ("Matchmaking",))


def test_an_unknown_overall_state_is_unknown_not_operational() -> None:
    body = JSON.replace(b'"State": "Impacted"', b'"State": "Degraded"').replace(
        b'"Impacted"', b'"None"'
    )
    body = body.replace(b'"Name": "Major"', b'"Name": "x"').replace(b'"Limited"', b'"x"')
    assert xbox.parse(body, {}).status is Status.UNKNOWN


def test_a_single_incident_element_in_xml() -> None:
    page = xbox.parse(XML, {})
    assert [i.id for i in page.incidents] == ["71001", "71002"]


def test_other_shapes_are_format_changes_and_entities_are_refused() -> None:
    with pytest.raises(FormatChanged, match="Xbox"):
        xbox.parse(b'{"Overall": "None"}', {})
    with pytest.raises(FormatChanged, match="Xbox"):
        xbox.parse(b'<?xml version="1.0"?><ServiceStatus><Other/></ServiceStatus>', {})
    with pytest.raises(FormatChanged, match="feed"):
        xbox.parse(b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', {})
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b"<ServiceStatus><Status><Overall><State>&a;</State></Overall></Status></ServiceStatus>"
    )
    with pytest.raises(ParseError, match="DOCTYPE"):
        xbox.parse(bomb, {})
    with pytest.raises(ParseError, match="well-formed"):
        xbox.parse(XML[: len(XML) // 2], {})


def test_the_older_v4_form() -> None:
    # servicestatusv4 (as a C# client of it declares it): the state sits in Status itself, and
    # Website is one category on its own, beside lists of categories.
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><ServiceStatus><Status><State>Impacted</State>'
        b"<Id>2</Id><LastUpdated>2021-11-13T10:00:00.1234567+00:00</LastUpdated></Status>"
        b"<CoreServices><Category><Id>1</Id><Name>Xbox Live Core Services</Name><Status><Name>"
        b"Impacted</Name><Id>2</Id></Status><Scenarios><Scenario><Id>5</Id><Name>Sign-in</Name>"
        b"<Status><Name>Impacted</Name><Id>2</Id></Status><Incidents><Incident><Id>9</Id>"
        b"<Begin>2021-11-13T09:00:00Z</Begin><Stage><Id>1</Id><Message>Looking into it"
        b"</Message></Stage></Incident></Incidents></Scenario></Scenarios></Category>"
        b"<Category><Id>2</Id><Name>Purchase and content usage</Name><Status><Name>None</Name>"
        b"</Status><Scenarios /></Category></CoreServices><Website><Id>3</Id><Name>Xbox.com"
        b"</Name><Status><Name>None</Name></Status><Scenarios /></Website></ServiceStatus>"
    )
    page = xbox.parse(body, {})
    assert (page.status, page.raw_status) == (Status.PARTIAL_OUTAGE, "Impacted")
    assert [(c.name, c.status) for c in page.components] == [
        ("Xbox Live Core Services", Status.PARTIAL_OUTAGE),
        ("Sign-in", Status.PARTIAL_OUTAGE),
        ("Purchase and content usage", Status.OPERATIONAL),
        ("Xbox.com", Status.OPERATIONAL),
    ]
    assert [(i.id, i.title, i.updates[0].text) for i in page.incidents] == [
        ("9", "Sign-in", "Looking into it")
    ]
