"""Scoping: a provider cut down to the components, regions and groups a user runs on.

A pattern is matched, case-insensitively, against a component's name, id, group and
`Group / Name`: with a `*` it is a glob over the whole of one of them, without one it matches a
whole word or phrase inside one (`us-east-1` matches `EC2 (us-east-1)`, not `us-east-10`). A
group's name therefore matches every member of the group. Patterns are alternatives: a
component is in scope when any of them matches it.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Sequence

from statuswatch.model import (
    Component,
    Incident,
    Maintenance,
    Page,
    Phase,
    ProviderReport,
    ScopeNote,
    Status,
    Target,
    worst_status,
)

__all__ = [
    "IMPACTED_ONLY",
    "Scope",
    "component_labels",
    "left_out",
    "parse_patterns",
    "parse_target",
    "scope_report",
    "suggestions",
]

# Pages that list only the components an event impacts (a region is there only while
# something in it is wrong): on these, a pattern matching nothing means all is well.
IMPACTED_ONLY = frozenset({"aws", "gcp", "azure", "slack", "feed"})
_SUGGESTIONS = 3
# Maintenance shows in the status only while the work is going on.
_ONGOING = (Phase.IN_PROGRESS, Phase.VERIFYING)


def parse_target(text: str) -> Target:
    """Read `ID` or `ID:COMPONENT[,COMPONENT...]`; ValueError says what is wrong, in one line."""
    provider, colon, rest = text.strip().partition(":")
    provider = provider.strip()
    if not provider:
        raise ValueError(f"expected ID or ID:COMPONENT[,COMPONENT...], got {text!r}")
    if not colon:
        return Target(provider)
    return Target(provider, parse_patterns(rest.split(","), text))


def parse_patterns(values: Iterable[str], where: str = "") -> tuple[str, ...]:
    """Return the patterns stripped and without duplicates; ValueError for an empty one."""
    patterns: dict[str, None] = {}
    for value in values:
        pattern = " ".join(value.split())  # runs of blanks (and newlines) become one space
        if not pattern:
            shown = f" in {where!r}" if where else ""
            raise ValueError(f"empty component pattern{shown}")
        patterns.setdefault(pattern, None)
    if not patterns:
        raise ValueError("expected at least one component pattern")
    return tuple(patterns)


def _regex(pattern: str) -> tuple[str, bool]:
    """The regular expression of one pattern (over casefolded text) and whether it is a glob."""
    folded = pattern.casefold()
    if "*" in folded:
        return ".*".join(re.escape(piece) for piece in folded.split("*")), True
    # A whole word or phrase: no letter or digit right before or after it, where the pattern
    # itself starts or ends with one (so `(us-east-1)` still finds itself after a space).
    before = r"(?<![^\W_])" if folded[:1].isalnum() else ""
    after = r"(?![^\W_])" if folded[-1:].isalnum() else ""
    return before + re.escape(folded) + after, False


def _combined(expressions: Sequence[str], glob: bool) -> Callable[[str], object] | None:
    """One compiled test for several patterns of a kind: a glob covers a whole label, a word
    or phrase is found inside one."""
    if not expressions:
        return None
    regex = re.compile("|".join(f"(?:{e})" for e in expressions), re.DOTALL)
    return regex.fullmatch if glob else regex.search


def component_labels(component: Component) -> tuple[str, ...]:
    """What a pattern is matched against: name, id, group and `Group / Name`."""
    labels = [component.name, component.id]
    if component.group:
        labels += [component.group, f"{component.group} / {component.name}"]
    return tuple(labels)


class Scope:
    """Compiled patterns and the tests a scoped view needs; `Scope.of` keeps them compiled."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        compiled = [(pattern, *_regex(pattern)) for pattern in self.patterns]
        self._each = {p: _combined([e], glob) for p, e, glob in compiled}
        # All the patterns at once: one search per label, whatever their number.
        self._words = _combined([e for _p, e, glob in compiled if not glob], False)
        self._globs = _combined([e for _p, e, glob in compiled if glob], True)

    @staticmethod
    @functools.lru_cache(maxsize=256)
    def of(patterns: tuple[str, ...]) -> Scope:
        """The compiled Scope of `patterns`, made once per process."""
        return Scope(patterns)

    def matching(self, labels: Iterable[str]) -> set[str]:
        """The patterns that match any of `labels`."""
        folded = [label.casefold() for label in labels]
        return {
            pattern
            for pattern, test in self._each.items()
            if test is not None and any(test(label) for label in folded)
        }

    def matches(self, labels: Iterable[str]) -> bool:
        """True if any pattern matches any of `labels`."""
        for label in labels:
            folded = label.casefold()
            if (self._words is not None and self._words(folded)) or (
                self._globs is not None and self._globs(folded)
            ):
                return True
        return False


class _Resolver:
    """What the components an event names can be on its page: by id where the page gives
    ids, else by name or id (a name two groups share could be either)."""

    def __init__(self, page: Page) -> None:
        self._by_id = {component.id: component for component in page.components}
        self._by_label: dict[str, list[Component]] = {}
        for component in page.components:
            self._by_label.setdefault(component.name.casefold(), []).append(component)
            self._by_label.setdefault(component.id.casefold(), []).append(component)

    def touches(self, event: Incident | Maintenance, scope: Scope) -> bool | None:
        """True if `event` touches the scope, False if not, None if it names no component."""
        known = [self._by_id[i] for i in event.component_ids if i in self._by_id]
        if known:
            return any(scope.matches(component_labels(c)) for c in known)
        if not event.components:
            return None
        for named in event.components:
            labels = [named]
            for component in self._by_label.get(named.casefold(), ()):
                labels += component_labels(component)
            if scope.matches(labels):
                return True
        return False


def scope_report(report: ProviderReport, patterns: Sequence[str] | None) -> ProviderReport:
    """Return `report` cut down to `patterns` (unchanged when None): status, parts and events.

    The status is the worst of the matching components, the open incidents that touch them
    and the maintenance in progress on them. Events naming no component are kept (marked as
    possibly affecting, in `scope.unnamed`) without counting in the status; events elsewhere
    are left out and counted.
    """
    if patterns is None:
        return report
    page = report.page
    if page is None:
        return dataclasses.replace(report, scope=ScopeNote(tuple(patterns)))
    scope = Scope.of(tuple(patterns))
    # Built only for a page with events: most pages have none.
    resolver = _Resolver(page) if page.incidents or page.maintenances else None
    components = tuple(c for c in page.components if scope.matches(component_labels(c)))
    statuses = [c.status for c in components]
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    unnamed: set[str] = set()
    outside = 0
    for incident in page.incidents:
        assert resolver is not None
        touches = resolver.touches(incident, scope)
        if touches is False:
            outside += 1
            continue
        incidents.append(incident)
        if touches is None:
            unnamed.add(incident.id)
        elif not incident.phase.is_closed:
            statuses.append(incident.impact.status)
    for maintenance in page.maintenances:
        assert resolver is not None
        touches = resolver.touches(maintenance, scope)
        if touches is False:
            continue
        maintenances.append(maintenance)
        if touches is None:
            unnamed.add(maintenance.id)
        elif maintenance.phase in _ONGOING:
            statuses.append(Status.MAINTENANCE)
    warning = _warning(report, scope)
    note = ScopeNote(
        patterns=scope.patterns,
        out_of_scope_components=len(page.components) - len(components),
        out_of_scope_incidents=outside,
        unnamed=frozenset(unnamed),
        warning=warning,
    )
    scoped = Page(
        status=worst_status(statuses),
        description=warning or _description(note),
        raw_status=page.raw_status,
        updated_at=page.updated_at,
        components=components,
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
    )
    return dataclasses.replace(report, page=scoped, scope=note)


def _description(note: ScopeNote) -> str:
    """A line for people: what the scope is and what it leaves out."""
    text = "scope: " + ", ".join(note.patterns)
    elsewhere = left_out(note)
    return f"{text} ({elsewhere})" if elsewhere else text


def left_out(note: ScopeNote) -> str:
    """What the scope leaves out, in words: `1 incident and 2 components elsewhere` ("" when
    nothing)."""
    parts = []
    if note.out_of_scope_incidents:
        n = note.out_of_scope_incidents
        parts.append(f"{n} incident{'s' if n != 1 else ''}")
    if note.out_of_scope_components:
        n = note.out_of_scope_components
        parts.append(f"{n} component{'s' if n != 1 else ''}")
    return f"{' and '.join(parts)} elsewhere" if parts else ""


def _warning(report: ProviderReport, scope: Scope) -> str | None:
    """One line naming the patterns that match nothing on a page that lists every component."""
    page = report.page
    if page is None or report.spec.kind in IMPACTED_ONLY:
        return None
    matched = scope.matching(label for c in page.components for label in component_labels(c))
    missing = [pattern for pattern in scope.patterns if pattern not in matched]
    if not missing:
        return None
    provider = report.spec.id
    if not page.components:
        return f"{provider}: the page lists no components, so the scope matches none"
    names = list(dict.fromkeys(c.name for c in page.components))
    names += [g for g in dict.fromkeys(c.group for c in page.components if c.group)]
    parts = []
    for pattern in missing:
        close = suggestions(pattern, names)
        hint = f" (did you mean {', '.join(repr(n) for n in close)}?)" if close else ""
        parts.append(f"{pattern!r}{hint}")
    noun = "pattern" if len(missing) == 1 else "patterns"
    verb = "matches" if len(missing) == 1 else "match"
    return (
        f"{provider}: scope {noun} {'; '.join(parts)} {verb} no component "
        f"(`statuswatch components {provider}` lists them)"
    )


def suggestions(pattern: str, names: Sequence[str]) -> list[str]:
    """Up to three of `names` close to `pattern` (case-insensitive), best first."""
    by_folded: dict[str, str] = {}
    for name in names:
        by_folded.setdefault(name.casefold(), name)
    import difflib  # only a name not found asks (~1.5 ms of imports kept off every start)

    folded = pattern.replace("*", "").casefold()
    close = difflib.get_close_matches(folded, list(by_folded), n=_SUGGESTIONS, cutoff=0.6)
    if not close:
        # A fragment of a longer name ("east" for "us-east-1"): names containing it.
        close = [f for f in by_folded if folded and folded in f][:_SUGGESTIONS]
    return [by_folded[f] for f in close]
