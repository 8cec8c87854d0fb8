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
from datetime import datetime
from html import unescape
from urllib.parse import urlsplit

import httpx

from statuswatch import adapters
from statuswatch.adapters import ParseError, sniff
from statuswatch.adapters.common import decode_text, markup_head
from statuswatch.detect_probes import Probe, known_document, probes, provider_url
from statuswatch.http import Fetcher, FetchFailed, FetchResult
from statuswatch.model import ErrorType, Page
from statuswatch.records import record
from statuswatch.settings import HttpSettings
from statuswatch.text import one_line

__all__ = [
    "PLATFORMS",
    "Detection",
    "NotRecognised",
    "detect",
    "detect_sync",
    "detect_with",
    "slug",
]

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
    "cachet": "Cachet",
    "gatus": "Gatus",
    "playstation": "PlayStation Network status",
    "statuspal": "Statuspal",
    "upptime": "Upptime",
    "uptimekuma": "Uptime Kuma",
    "xbox": "Xbox network status",
}
# Names of the pages whose documents do not carry one.
_KNOWN_NAMES = {
    "aws": "Amazon Web Services",
    "gcp": "Google Cloud",
    "azure": "Microsoft Azure",
    "slack": "Slack",
    "playstation": "PlayStation Network",
    "xbox": "Xbox network",
}
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_FEED_TITLE_NOISE = re.compile(
    r"\s*(?:[-–|:]\s*)?(?:incident history|status(?: page)?|service status)\s*$", re.IGNORECASE
)


@record
class Detection:
    """A recognised page: the provider entry to write and what it read like."""

    kind: str
    url: str  # the provider's `url` (what the adapter expects)
    name: str  # the page's own name, else its host
    evidence: str  # what gave it away, in a few words
    documents: tuple[str, ...]  # the URLs read to check it
    page: Page
    fetched_at: datetime | None = None  # when the first of those was fetched


class NotRecognised(Exception):
    """No platform statuswatch reads answered at this URL; the message says what was tried."""

    def __init__(self, message: str, cause: ErrorType | None = None) -> None:
        super().__init__(message)
        self.cause = cause  # why the URL itself could not be read, if it could not


@record
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
    async with Fetcher(settings, transport=transport, clients=1) as fetcher:
        return await detect_with(fetcher, url)


async def detect_with(fetcher: Fetcher, url: str) -> Detection:
    """:func:`detect` through a fetcher the caller already has open (the engine's).

    Raises:
        NotRecognised: nothing there is a status document statuswatch can read.
    """
    tried: list[str] = []
    reader = _Reader(fetcher, tried)
    known = known_document(url)
    if known is not None:  # PlayStation's and Xbox's pages: the host names the document
        probed = _expect(known)(known.url, await reader.get(known.url))
        found = await _confirm(reader, probed) if probed is not None else None
        if found is not None:
            return found
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
        # Where the page now is: a page that moved redirects there.
        final = root.final_url if root is not None else url
        base = final.strip().rstrip("/")
        for probe in probes(base, final, html or ""):
            probed = _expect(probe)(probe.url, await reader.get(probe.url))
            found = await _confirm(reader, probed, title) if probed is not None else None
            if found is not None:
                return found
    raise NotRecognised(
        f"{url} is not a status page statuswatch can read (tried {_list(tried)})",
        reader.error(url),
    )


class _Reader:
    """Fetches each URL once and remembers what every request gave."""

    def __init__(self, fetcher: Fetcher, tried: list[str]) -> None:
        self._fetcher = fetcher
        self._seen: dict[str, FetchResult | None] = {}
        self._errors: dict[str, ErrorType] = {}
        self._tried = tried

    def error(self, url: str) -> ErrorType | None:
        """Why the request for `url` failed, if it did."""
        return self._errors.get(url)

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
    yield _Candidate(found.kind, provider_url(found.kind, url), _evidence(found, doc), _name(doc))


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
    for key, name in (("config", "title"), ("status_page", "name")):  # Uptime Kuma, Statuspal
        section = doc.get(key)
        if isinstance(section, dict) and isinstance(section.get(name), str):
            return one_line(section[name], 100)
    data = doc.get("data")
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if isinstance(attributes, dict) and isinstance(attributes.get("company_name"), str):
        return one_line(attributes["company_name"], 100)
    return ""


_Check = Callable[[str, FetchResult | None], _Candidate | None]


def _expect(probe: Probe) -> _Check:
    """Accept an answer identified as one of the probe's shapes (a feed: any readable one)."""

    def check(url: str, result: FetchResult | None) -> _Candidate | None:
        head = markup_head(result.body) if result is not None else None
        if head is not None:
            markup = sniff.identify_markup(head)
            if markup.kind is None or (probe.accepts is not None and markup not in probe.accepts):
                return None
            evidence = "a feed linked from the page" if probe.accepts is None else markup.phrase
            return _Candidate(markup.kind, url, evidence.removeprefix("in ").removeprefix("with "))
        doc = _json(result)
        found = sniff.identify_document(doc) if doc is not None else None
        if found is None or found.kind is None or not probe.accepts or found not in probe.accepts:
            return None
        where = provider_url(found.kind, url)
        return _Candidate(found.kind, where, _evidence(found, doc), _name(doc))

    return check


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
        fetched_at=min(r.fetched_at for r in results if r is not None),
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
