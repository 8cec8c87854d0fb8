"""Finds which platform a status page runs on, through the engine's own HTTP client.

Given any URL (a page, an API document, a feed), `detect` reads it and, when it is an HTML
page, asks the page's host for each platform's document in turn: Statuspage's and incident.io's
/api/v2/summary.json (told apart by `page.time_zone`, which only Atlassian sends), Instatus's
/summary.json, Better Stack's /index.json, status.io's /1.0/status/<page id> (the id is in the
page), then the feeds the page links to. A candidate is accepted only once its adapter has read
it, so what `statuswatch add` writes is known to work.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import unescape
from urllib.parse import urljoin, urlsplit

import httpx

from statuswatch import adapters
from statuswatch.adapters import ParseError, sniff
from statuswatch.adapters.common import decode_text, markup_head
from statuswatch.http import Fetcher, FetchFailed, FetchResult
from statuswatch.model import ErrorType, Page
from statuswatch.settings import HttpSettings
from statuswatch.text import one_line

__all__ = ["PLATFORMS", "Detection", "NotRecognised", "detect", "detect_sync", "slug"]

PLATFORMS: dict[str, str] = {
    "statuspage": "Atlassian Statuspage",
    "incidentio": "incident.io",
    "aws": "AWS Health Dashboard",
    "gcp": "Google Cloud status",
    "azure": "Azure status feed",
    "slack": "Slack status API",
    "feed": "RSS/Atom feed",
    "instatus": "Instatus",
    "statusio": "status.io",
    "betterstack": "Better Stack",
}
# Names of the pages whose documents do not carry one.
_KNOWN_NAMES = {
    "aws": "Amazon Web Services",
    "gcp": "Google Cloud",
    "azure": "Microsoft Azure",
    "slack": "Slack",
}
_FEED_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_STATUSIO_ID = re.compile(r"/pages/([0-9a-f]{24})\b|statuspage_id\W{1,4}([0-9a-f]{24})\b")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_FEED_TITLE_NOISE = re.compile(
    r"\s*(?:[-–|:]\s*)?(?:incident history|status(?: page)?|service status)\s*$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Detection:
    """A recognised page: the provider entry to write and what it read like."""

    kind: str
    url: str  # the provider's `url` (what the adapter expects)
    name: str  # the page's own name, else its host
    evidence: str  # what gave it away, in a few words
    documents: tuple[str, ...]  # the URLs read to check it
    page: Page


class NotRecognised(Exception):
    """No platform statuswatch reads answered at this URL; the message says what was tried."""


@dataclass(frozen=True, slots=True)
class _Candidate:
    kind: str
    url: str
    evidence: str
    name: str = ""


def slug(text: str) -> str:
    """A provider id made from a name or a host: lowercase letters, digits and dashes."""
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return value[:40].rstrip("-")


def detect_sync(
    url: str, settings: HttpSettings, *, transport: httpx.AsyncBaseTransport | None = None
) -> Detection:
    """Run :func:`detect` in a fresh event loop."""
    return asyncio.run(detect(url, settings, transport=transport))


async def detect(
    url: str, settings: HttpSettings, *, transport: httpx.AsyncBaseTransport | None = None
) -> Detection:
    """Find the platform of the status page at `url`.

    Args:
        url: a status page, one of its API documents or a feed (http or https).
        settings: the HTTP limits (timeouts, body cap, redirects) of every request.
        transport: replaces the network (tests).

    Returns:
        The first candidate whose adapter reads what the page serves.

    Raises:
        NotRecognised: nothing there is a status document statuswatch can read.
    """
    fetcher = Fetcher(settings, transport=transport, clients=1)
    tried: list[str] = []
    async with fetcher:
        reader = _Reader(fetcher, tried)
        root = await reader.get(url)
        for candidate in _candidates(url, root):
            found = await _confirm(reader, candidate)
            if found is not None:
                return found
        # An HTML page: ask its host for each platform's document, then its linked feeds.
        html = _html(root)
        title = _title(html or "")
        # Probe the host only if it answered: one that cannot be reached will not answer those.
        if html is not None or (root is None and reader.answered(url)):
            base = url.strip().rstrip("/")
            for probe, check in _probes(base, html or ""):
                probed = check(probe, await reader.get(probe))
                found = await _confirm(reader, probed, title) if probed is not None else None
                if found is not None:
                    return found
    raise NotRecognised(f"{url} is not a status page statuswatch can read (tried {_list(tried)})")


class _Reader:
    """Fetches each URL once and remembers what every request gave."""

    def __init__(self, fetcher: Fetcher, tried: list[str]) -> None:
        self._fetcher = fetcher
        self._seen: dict[str, FetchResult | None] = {}
        self._errors: dict[str, ErrorType] = {}
        self._tried = tried

    def answered(self, url: str) -> bool:
        """True if the server at `url` answered, even with an error status."""
        return url in self._seen and self._errors.get(url) in (None, ErrorType.HTTP_STATUS)

    async def get(self, url: str) -> FetchResult | None:
        if url in self._seen:
            return self._seen[url]
        try:
            result: FetchResult | None = await self._fetcher.fetch(url)
            self._tried.append(f"{url}: {_what(result)}")
        except FetchFailed as exc:
            result = None
            self._errors[url] = exc.error.type
            # "HTTP 404 from <url>" -> "HTTP 404": the URL is already at the start.
            self._tried.append(f"{url}: {exc.error.message.replace(f' from {url}', '')}")
        self._seen[url] = result
        return result


def _what(result: FetchResult | None) -> str:
    """What a response was, in a word or two (for the "tried" list)."""
    if result is None:
        return "no answer"
    head = markup_head(result.body)
    if head is not None:
        return sniff.identify_markup(head).phrase.removeprefix("with ")
    doc = _json(result)
    found = sniff.identify_document(doc) if doc is not None else None
    if found is not None:
        return found.phrase.removeprefix("in ").removeprefix("with ")
    return "JSON of no known platform" if doc is not None else "not a status document"


def _json(result: FetchResult | None) -> object | None:
    """The body as JSON (UTF-8 or UTF-16), or None."""
    if result is None or not result.body.strip():
        return None
    try:
        doc: object = json.loads(decode_text(result.body, "status"))
    except (ParseError, ValueError, RecursionError):
        return None
    return doc


def _html(result: FetchResult | None) -> str | None:
    """The body if it is an HTML page."""
    if result is None:
        return None
    head = markup_head(result.body)
    if head is None or sniff.identify_markup(head) is not sniff.HTML:
        return None
    return result.body.decode("utf-8", "replace")


def _candidates(url: str, result: FetchResult | None) -> Iterator[_Candidate]:
    """What the URL itself is, when it names a document or a feed."""
    if result is None:
        return
    head = markup_head(result.body)
    if head is not None:
        feed = sniff.identify_markup(head)
        if feed.kind is not None:
            yield _Candidate(feed.kind, url, feed.phrase.removeprefix("with "))
        return
    doc = _json(result)
    found = sniff.identify_document(doc) if doc is not None else None
    if found is None and isinstance(doc, list) and url.rstrip("/").endswith("/currentevents"):
        found = sniff.AWS  # an empty event list says nothing by itself; its address does
    if found is None or found.kind is None:
        return
    yield _Candidate(found.kind, _provider_url(found.kind, url), _evidence(found, doc), _name(doc))


def _provider_url(kind: str, url: str) -> str:
    """The provider `url` for a document URL: the page's base where the adapter derives it."""
    stripped = url.strip().rstrip("/")
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


def _evidence(found: sniff.Found, doc: object) -> str:
    """Why a JSON document was taken for its platform."""
    page = doc.get("page") if isinstance(doc, dict) else None
    if found is sniff.STATUSPAGE and isinstance(page, dict) and "time_zone" in page:
        return f"a summary with page.time_zone {one_line(page.get('time_zone'), 40)}"
    if found is sniff.INCIDENTIO:
        return "a Statuspage-compatible summary with ULID ids and no page.time_zone"
    return found.phrase.removeprefix("in ").removeprefix("with ")


def _name(doc: object) -> str:
    """The page's own name in a JSON document, if it gives one."""
    if not isinstance(doc, dict):
        return ""
    page = doc.get("page")
    if isinstance(page, dict) and isinstance(page.get("name"), str):
        return one_line(page["name"], 100)
    data = doc.get("data")
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if isinstance(attributes, dict) and isinstance(attributes.get("company_name"), str):
        return one_line(attributes["company_name"], 100)
    return ""


_Check = Callable[[str, FetchResult | None], _Candidate | None]


def _probes(base: str, html: str) -> Iterator[tuple[str, _Check]]:
    """The documents to ask an HTML page's host for, in order, each with its acceptance test."""
    yield f"{base}/api/v2/summary.json", _expect(sniff.STATUSPAGE, sniff.INCIDENTIO)
    yield f"{base}/summary.json", _expect(sniff.INSTATUS)
    yield f"{base}/index.json", _expect(sniff.BETTERSTACK)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    for page_id in dict.fromkeys(_statusio_ids(html)):
        yield f"{origin}/1.0/status/{page_id}", _expect(sniff.STATUSIO)
    for feed in dict.fromkeys(_feed_links(base, html)):
        yield feed, _expect_feed


def _expect(*accepted: sniff.Found) -> _Check:
    """Accept a JSON answer identified as one of `accepted`."""

    def check(url: str, result: FetchResult | None) -> _Candidate | None:
        doc = _json(result)
        found = sniff.identify_document(doc) if doc is not None else None
        if found is None or found not in accepted or found.kind is None:
            return None
        return _Candidate(
            found.kind, _provider_url(found.kind, url), _evidence(found, doc), _name(doc)
        )

    return check


def _expect_feed(url: str, result: FetchResult | None) -> _Candidate | None:
    """Accept a feed linked from the page."""
    head = markup_head(result.body) if result is not None else None
    if head is None:
        return None
    found = sniff.identify_markup(head)
    if found.kind is None:
        return None
    return _Candidate(found.kind, url, "a feed linked from the page")


def _statusio_ids(html: str) -> Iterator[str]:
    """status.io page ids named in a page (its feed link is /pages/<id>/rss)."""
    for match in _STATUSIO_ID.finditer(html):
        yield (match.group(1) or match.group(2)).lower()


def _feed_links(base: str, html: str) -> Iterator[str]:
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


async def _confirm(reader: _Reader, candidate: _Candidate, title: str = "") -> Detection | None:
    """Read the candidate through its adapter, as a poll would; None if it does not read."""
    adapter = adapters.load(candidate.kind)
    several = adapters.multi(adapter)
    urls = several.source_urls(candidate.url) if several else (adapter.source_url(candidate.url),)
    results = [await reader.get(url) for url in urls]
    bodies = [(r.body, r.headers) for r in results if r is not None]
    if len(bodies) != len(urls):
        return None
    try:
        page = several.parse_many(bodies) if several else adapter.parse(*bodies[0])
    except ParseError:
        return None
    name = (
        candidate.name
        or _KNOWN_NAMES.get(candidate.kind)
        or _title(markup_head(results[0].body) or "" if results[0] is not None else "")
        or title
    )
    return Detection(
        kind=candidate.kind,
        url=candidate.url,
        name=name or (urlsplit(candidate.url).hostname or candidate.url),
        evidence=candidate.evidence,
        documents=tuple(urls),
        page=page,
    )


def _title(markup: str) -> str:
    """A page's or a feed's own title without "- Incident History", "Status" and the like."""
    match = _TITLE.search(markup[:65536])
    if match is None:
        return ""
    title = one_line(unescape(re.sub(r"<!\[CDATA\[|\]\]>", "", match.group(1))), 100)
    while (shorter := _FEED_TITLE_NOISE.sub("", title).strip()) not in ("", title):
        title = shorter  # "GitHub Status - Incident History" -> "GitHub"
    return title


def _list(tried: list[str]) -> str:
    return "; ".join(tried) if tried else "nothing"
