"""The catalog's probes: the default watch set and 40 more providers, each with its source."""

from __future__ import annotations

from urllib.parse import urlsplit

from statuswatch.catalog import load_catalog
from statuswatch.probes.settings import Expect


def test_every_default_provider_and_40_more_have_probes() -> None:
    catalog = load_catalog()
    assert [s.id for s in catalog.values() if s.default and not s.probes] == []
    assert len([s for s in catalog.values() if s.probes and not s.default]) >= 40


def test_each_probe_is_a_public_https_endpoint_of_the_service_with_its_source() -> None:
    for spec in load_catalog().values():
        page_host = urlsplit(spec.url).hostname
        for probe in spec.probes:
            parts = urlsplit(probe.url)
            where = f"{spec.id}: {probe.url}"
            assert parts.scheme == "https" and parts.hostname, where
            assert parts.username is None and parts.password is None, where
            assert parts.hostname != page_host, f"{where} is the status page itself"
            assert "status" not in parts.hostname.split(".")[0], where
            assert probe.source and len(probe.source) > 20, f"{where} has no source"
            assert probe.region, where
            Expect(probe.expect)
            assert probe.method in ("HEAD", "GET"), where


def test_aws_probes_us_east_1_where_dynamodb_failed() -> None:
    urls = [p.url for p in load_catalog()["aws"].probes]
    assert "https://dynamodb.us-east-1.amazonaws.com/" in urls
    assert {p.region for p in load_catalog()["aws"].probes} == {"us-east-1"}
