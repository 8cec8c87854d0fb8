"""`statuswatch add URL`: recognise a status page's platform and add it to the user's config.

The config file is edited as text, never re-serialised (that would drop the user's comments and
layout): a `[providers.<id>]` table is appended, and the id is appended to a top-level `watch`
list when there is one and the edit can be made safely. The new text must then load, differ
from the old only by that entry (and that id in `watch`), and it replaces the file atomically;
otherwise nothing is written.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from statuswatch.console import error, warn, write
from statuswatch.exitcodes import ExitCode
from statuswatch.records import record
from statuswatch.tomledit import ADDED_BY, add_to_watch, append_table, bare_key, basic_string
from statuswatch.wording import plural

if TYPE_CHECKING:
    from statuswatch.model import ProviderSpec

NAME = "add"
HELP = "recognise the platform of a status page and add it to your config"
ORDER = 30

EPILOG = """\
examples:
  statuswatch add https://www.githubstatus.com
  statuswatch add https://status.example.com --id example --name "Example Cloud"
  statuswatch add https://status.example.com/history.atom     # any RSS or Atom feed

exit codes: 0 added; 1 not a page statuswatch can read, or the config could not be written
(nothing is written); 2 bad arguments, a bad config file, or an id that already exists.
"""
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")


class AddError(Exception):
    """The entry could not be added to the config file; nothing was written."""


@record
class Added:
    """What the edit did to the config file."""

    path: Path
    created: bool  # the file did not exist before
    has_watch: bool  # the file has a `watch` list
    watched: bool  # the id was appended to it


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the URL and the naming options."""
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("url", metavar="URL", help="the status page (or its API document, or feed)")
    parser.add_argument("--id", dest="provider_id", metavar="ID", help="the provider id to use")
    parser.add_argument("--name", metavar="NAME", help="the display name (default: the page's)")


def run(args: argparse.Namespace) -> int:
    """Detect the platform, print what was found and write the entry."""
    from statuswatch.config import ConfigError, load_config
    from statuswatch.detect import PLATFORMS, NotRecognised, detect_sync, slug
    from statuswatch.paths import config_file
    from statuswatch.text import one_line
    from statuswatch.tomlcheck import url_problem

    url = str(args.url).strip()
    problem = url_problem(url)  # the config's own check: what is added must load
    if problem is not None:
        return error(f"URL: {problem}")
    parts = urlsplit(url)
    if args.provider_id is not None and not _ID.fullmatch(args.provider_id):
        return error(
            f"--id: invalid provider id {args.provider_id!r} (expected lowercase letters, "
            "digits, '.', '_' or '-', starting with a letter or digit)"
        )
    name_given = one_line(args.name or "", 200)
    if args.name is not None and (not name_given or name_given != args.name.strip()):
        return error(f"--name: expected one line of text, got {args.name!r}")
    path = config_file()
    try:
        config = load_config(path)
    except ConfigError as exc:
        return error(str(exc))
    if args.provider_id is not None and args.provider_id in config.providers:
        return error(_exists(args.provider_id, config.providers[args.provider_id].url))
    try:
        found = detect_sync(url, config.http)
    except NotRecognised as exc:
        return error(f"{exc}; nothing written", ExitCode.FAILURE)
    provider_id = args.provider_id or slug(found.name) or slug(parts.hostname or "")
    if provider_id in config.providers:
        return error(_exists(provider_id, config.providers[provider_id].url) + " (use --id)")
    name = name_given or found.name
    page = found.page
    open_incidents = sum(not i.phase.is_closed for i in page.incidents)
    write(
        f"found: {PLATFORMS.get(found.kind, found.kind)} page {name!r} "
        f"({found.evidence})\n"
        f"  read {', '.join(found.documents)}\n"
        f"  now {page.status.label}: {plural(len(page.components), 'component')}, "
        f"{plural(open_incidents, 'open incident')}, "
        f"{plural(len(page.maintenances), 'maintenance')}\n"
    )
    for twin in _same_page(config.providers.values(), found.kind, found.url):
        watched = " (in your watch list)" if twin.id in config.watch else ""
        warn(
            f"warning: this page is already known as {twin.id!r}{watched}: "
            f"adding {provider_id!r} polls it twice"
        )
    try:
        added = add_provider(path, provider_id, name, found.kind, found.url, source=url)
    except AddError as exc:
        return error(f"{path}: {exc}; nothing written", ExitCode.FAILURE)
    verb = "created" if added.created else "updated"
    table = f"[providers.{bare_key(provider_id)}]"
    lines = [f'added {table} (kind = "{found.kind}") to {path} ({verb})']
    if added.watched:
        lines.append(f'  "{provider_id}" appended to your watch list')
    elif added.has_watch:
        lines.append(f'  not watched yet: add "{provider_id}" to `watch` in {path} to poll it')
    else:
        lines.append("  no `watch` list in your config: it is polled with the default set")
    write("\n".join(lines) + "\n")
    return ExitCode.OK


def _same_page(specs: Iterable[ProviderSpec], kind: str, url: str) -> list[ProviderSpec]:
    """The providers that read the same document as a new `kind` entry at `url`.

    Only the new entry's own adapter is asked for its documents (the one detection loaded):
    loading the others would import feedparser for a JSON page.
    """
    from statuswatch.adapters import load, multi

    def documents(spec_kind: str, spec_url: str) -> set[str]:
        urls: tuple[str, ...] = (spec_url,)
        if spec_kind == kind:
            try:
                adapter = load(spec_kind)
                several = multi(adapter)
                if several is not None:
                    urls += tuple(several.source_urls(spec_url))
                else:
                    urls += (adapter.source_url(spec_url),)
            except Exception:  # a URL the adapter cannot place: compare the URL alone
                pass
        return {_normal(u) for u in urls}

    mine = documents(kind, url)
    return [spec for spec in specs if mine & documents(spec.kind, spec.url)]


def _normal(url: str) -> str:
    """A URL as compared for sameness: scheme and host in lower case, no trailing slash."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}{query}"


def _exists(provider_id: str, url: str) -> str:
    return f"provider id {provider_id!r} already exists ({url})"


def add_provider(
    path: Path, provider_id: str, name: str, kind: str, url: str, *, source: str = ""
) -> Added:
    """Append a provider table to the config at `path` (and its id to `watch`), atomically.

    Raises:
        AddError: the file cannot be read or written, or the edited text would not load as
            the same config plus this one entry.
    """
    from statuswatch.atomic import atomic_write
    from statuswatch.config import PRIVATE
    from statuswatch.tomlcheck import ConfigError, read_toml

    try:
        before = path.read_text(encoding="utf-8")
        created = False
    except FileNotFoundError:
        before, created = "", True
    except (OSError, UnicodeDecodeError) as exc:
        raise AddError(f"cannot read: {exc}") from None
    table = provider_table(provider_id, name, kind, url, source=source)
    text = append_table(before, table)
    watched_text = add_to_watch(text, provider_id)
    try:
        old = read_toml(path, before.encode("utf-8"))
        has_watch = isinstance(old.get("watch"), list)
        expected = _expected(old, provider_id, name, kind, url)
        if watched_text is not None and _check(path, watched_text, _watched(expected, provider_id)):
            text, watched = watched_text, True
        elif _check(path, text, expected):
            watched = False
        else:
            raise AddError("the file cannot take a new [providers] table safely; edit it by hand")
    except ConfigError as exc:
        raise AddError(f"the edited file would not load ({exc.problem})") from None
    try:
        # Someone may have edited the file while we were detecting: never overwrite that.
        now = path.read_text(encoding="utf-8") if not created else None
        if (now if now is not None else "") != before or (created and path.exists()):
            raise AddError("the file changed while statuswatch was adding to it")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # A new file is private (it may get secrets later); an existing one keeps its bits.
        atomic_write(path, text.encode("utf-8"), mode=PRIVATE if created else None)
    except OSError as exc:
        raise AddError(f"cannot write: {exc.strerror or exc}") from None
    return Added(path=path, created=created, has_watch=has_watch, watched=watched)


def provider_table(provider_id: str, name: str, kind: str, url: str, *, source: str = "") -> str:
    """The TOML text of one provider table, with a comment saying where it came from."""
    comment = f"{ADDED_BY} {source}`\n" if source else ""
    return (
        f"{comment}[providers.{bare_key(provider_id)}]\n"
        f"name = {basic_string(name)}\n"
        f"kind = {basic_string(kind)}\n"
        f"url = {basic_string(url)}\n"
        'category = "other"\n'
    )


def _expected(
    old: dict[str, object], provider_id: str, name: str, kind: str, url: str
) -> dict[str, object]:
    """The document the edited file must parse to."""
    doc = dict(old)
    providers = old.get("providers")
    table = dict(providers) if isinstance(providers, dict) else {}
    table[provider_id] = {"name": name, "kind": kind, "url": url, "category": "other"}
    doc["providers"] = table
    return doc


def _watched(expected: dict[str, object], provider_id: str) -> dict[str, object]:
    doc = dict(expected)
    watch = expected.get("watch")
    doc["watch"] = [*watch, provider_id] if isinstance(watch, list) else watch
    return doc


def _check(path: Path, text: str, expected: dict[str, object]) -> bool:
    """True if `text` parses to `expected` and loads as a valid config."""
    from statuswatch.config import load_config
    from statuswatch.tomlcheck import ConfigError, read_toml

    try:
        if read_toml(path, text.encode("utf-8")) != expected:
            return False
    except ConfigError:
        return False
    with tempfile.TemporaryDirectory() as directory:
        trial = Path(directory) / "config.toml"
        trial.write_text(text, encoding="utf-8")
        try:
            load_config(trial)
        except ConfigError as exc:
            raise ConfigError(path, exc.key, exc.problem) from None
    return True
