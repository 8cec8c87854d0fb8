"""Where each platform keeps its document: what detection asks a status page's host for.

Given a page's URL, where redirects led and its HTML, `probes` lists the documents to try in
order, each with the shapes (see `adapters.sniff`) that would identify it; `provider_url`
turns a document's URL back into the `url` a provider entry is written with.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import urljoin, urlsplit, urlunsplit

from statuswatch.adapters import cachet, gatus, sniff, statuspal, upptime, uptimekuma
from statuswatch.records import record

__all__ = ["Probe", "known_document", "probes", "provider_url"]

_FEED_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_STATUSIO_ID = re.compile(r"/pages/([0-9a-f]{24})\b|statuspage_id\W{1,4}([0-9a-f]{24})\b")
_KUMA_SLUG = re.compile(r"/status/([A-Za-z0-9_-]+)/?$")
_STATUSPAL = re.compile(
    r"statuspal\.(io|eu)/api/v1/status_pages/([A-Za-z0-9_-]+)|//([a-z0-9-]+)\.statuspal\.(io|eu)\b"
)
_GITHUB_REPO = re.compile(r"github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)")
# Pages whose document sits on another host, by the page's host.
_KNOWN: dict[str, str] = {
    "status.playstation.com": "https://status.playstation.com/data/statuses/region/SCEA.json",
    "support.xbox.com": "https://xnotify.xboxlive.com/servicestatusv6/US/en-US",
}


@record
class Probe:
    """A document to ask for, and what it must turn out to be (None: any readable feed)."""

    url: str
    accepts: tuple[sniff.Found, ...] | None


def known_document(url: str) -> Probe | None:
    """The document of a page whose platform its host alone names (PlayStation, Xbox)."""
    host = (urlsplit(url.strip()).hostname or "").lower().removeprefix("www.")
    document = _KNOWN.get(host)
    if document is None:
        return None
    found = sniff.PLAYSTATION if "playstation" in host else sniff.XBOX
    return Probe(document, (found,))


def probes(base: str, final_url: str, html: str) -> Iterator[Probe]:
    """The documents to ask an HTML page's host for, in order (`base`: the URL as given)."""
    yield Probe(f"{base}/api/v2/summary.json", (sniff.STATUSPAGE, sniff.INCIDENTIO))
    yield Probe(f"{base}/summary.json", (sniff.INSTATUS,))
    yield Probe(f"{base}/index.json", (sniff.BETTERSTACK,))
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    for page_id in dict.fromkeys(statusio_ids(html)):
        yield Probe(f"{origin}/1.0/status/{page_id}", (sniff.STATUSIO,))
    # An Uptime Kuma page is /status/<slug> (the server's root may redirect to one).
    for url in dict.fromkeys((base, final_url)):
        if _KUMA_SLUG.search(urlsplit(url).path.rstrip("/") + "/"):
            yield Probe(uptimekuma.source_url(url), (sniff.UPTIMEKUMA,))
    for found in dict.fromkeys(statuspal_subdomains(html)):
        yield Probe(found, (sniff.STATUSPAL,))
    yield Probe(cachet.source_url(base), (sniff.CACHET,))
    yield Probe(gatus.source_url(base), (sniff.GATUS,))
    yield Probe(upptime.source_url(base), (sniff.UPPTIME,))
    if "upptime" in html.lower():
        for owner, repo in dict.fromkeys(_GITHUB_REPO.findall(html)):
            yield Probe(upptime.source_url(f"https://github.com/{owner}/{repo}"), (sniff.UPPTIME,))
    for feed in dict.fromkeys(feed_links(base, html)):
        yield Probe(feed, None)


def provider_url(kind: str, url: str) -> str:
    """The provider `url` for a document URL: the page's base where the adapter derives it."""
    stripped = url.strip().rstrip("/")
    if kind == "uptimekuma":
        return uptimekuma.page_url(stripped)
    if kind in ("cachet", "gatus"):
        parts = urlsplit(stripped)
        cut = parts.path.find("/api/v1/")
        if cut >= 0:
            return urlunsplit((parts.scheme, parts.netloc, parts.path[:cut], "", ""))
    suffixes = {
        "statuspage": ("/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json"),
        "incidentio": ("/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json"),
        "instatus": ("/summary.json", "/v2/components.json"),
        "betterstack": ("/index.json",),
    }.get(kind, ())
    for suffix in suffixes:
        if stripped.endswith(suffix):
            return stripped[: -len(suffix)]
    return url.strip()


def statusio_ids(html: str) -> Iterator[str]:
    """status.io page ids named in a page (its feed link is /pages/<id>/rss)."""
    for match in _STATUSIO_ID.finditer(html):
        yield (match.group(1) or match.group(2)).lower()


def statuspal_subdomains(html: str) -> Iterator[str]:
    """Statuspal status documents a page names (its API URL, or a <sub>.statuspal.io link)."""
    for match in _STATUSPAL.finditer(html[:1_000_000]):
        if match.group(2):
            yield f"https://statuspal.{match.group(1)}/api/v1/status_pages/{match.group(2)}/status"
        elif match.group(3) not in ("www", "api", "app", "cdn"):
            yield statuspal.source_url(f"https://{match.group(3)}.statuspal.{match.group(4)}")


def feed_links(base: str, html: str) -> Iterator[str]:
    """Absolute URLs of the RSS/Atom feeds an HTML page declares with <link rel="alternate">."""
    for tag in _FEED_LINK.findall(html):
        attributes = {
            name.lower(): unescape(value.strip("\"'")) for name, value in _ATTR.findall(tag)
        }
        kind = attributes.get("type", "").lower()
        if "alternate" in attributes.get("rel", "").lower() and kind in (
            "application/rss+xml",
            "application/atom+xml",
        ):
            href = attributes.get("href", "")
            if href:
                absolute = urljoin(base + "/", href)
                if absolute.startswith(("http://", "https://")):
                    yield absolute
