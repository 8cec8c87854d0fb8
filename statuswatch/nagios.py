"""The Nagios/Icinga/Sensu plugin's verdict: the exit state and one line with perfdata, for
the providers of a snapshot or one of its stacks (`statuswatch check`)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from statuswatch.model import Impact, Phase, ProviderReport, Snapshot, Status
from statuswatch.text import one_line
from statuswatch.wording import plural

__all__ = ["LABEL", "CheckState", "clean", "stack_summary", "summary"]

LABEL = "STATUSWATCH"
_SHOWN = 5  # problems named in the line; the rest are counted


class CheckState(IntEnum):
    """The Nagios plugin exit codes."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


def _provider_state(report: ProviderReport) -> CheckState:
    """CRITICAL for a major outage or a critical incident, WARNING for any other problem."""
    page = report.page
    # Unread, or read but with a status we do not recognise: either way we cannot tell.
    if report.error is not None or page is None or report.status is Status.UNKNOWN:
        return CheckState.UNKNOWN
    # An incident naming no component of a scoped provider may affect it: it does not rate it.
    unnamed = report.scope.unnamed if report.scope is not None else frozenset()
    active = [i for i in page.incidents if not i.phase.is_closed and i.id not in unnamed]
    if report.status is Status.MAJOR_OUTAGE or any(i.impact is Impact.CRITICAL for i in active):
        return CheckState.CRITICAL
    maintaining = any(m.phase in (Phase.IN_PROGRESS, Phase.VERIFYING) for m in page.maintenances)
    if report.status.is_problem or maintaining:
        return CheckState.WARNING
    if report.early_warning is not None:
        # Its own endpoints fail while its page says all is well: worth a look, never CRITICAL.
        return CheckState.WARNING
    return CheckState.OK


def _problem(report: ProviderReport) -> str:
    status = report.status
    if status is Status.OPERATIONAL and report.early_warning is not None:
        return f"{report.spec.name} early warning (its probes fail, its page says operational)"
    if status is Status.OPERATIONAL:
        status = Status.MAINTENANCE  # operational with maintenance in progress
    return f"{report.spec.name} {status.value.replace('_', ' ')}"


def summary(snapshot: Snapshot) -> tuple[CheckState, str]:
    """The exit state and the plugin's one line for a snapshot."""
    reports: Sequence[ProviderReport] = snapshot.reports
    states = [(_provider_state(r), r) for r in reports]
    counts = {state: sum(1 for s, _ in states if s is state) for state in CheckState}
    total = len(reports)
    perf = (
        f"providers={total};;;0 ok={counts[CheckState.OK]};;;0 "
        f"warning={counts[CheckState.WARNING]};;;0 critical={counts[CheckState.CRITICAL]};;;0 "
        f"unknown={counts[CheckState.UNKNOWN]};;;0"
    )
    fetched = total - counts[CheckState.UNKNOWN]
    if fetched == 0:
        state = CheckState.UNKNOWN
        errors = [r.error.message for r in reports if r.error is not None]
        if errors:
            text = f"no status page could be read ({total} tried): {errors[0]}"
        elif reports:
            text = f"no provider's status could be told ({total} read, none recognised)"
        else:
            text = "no provider selected"
        return state, f"{LABEL} {state.name} - {clean(text)} | {perf}"
    state = max((s for s, _ in states if s is not CheckState.UNKNOWN), default=CheckState.OK)
    worst_first = sorted(
        (pair for pair in states if pair[0] in (CheckState.CRITICAL, CheckState.WARNING)),
        key=lambda pair: -pair[0],
    )
    if worst_first:
        named = ", ".join(_problem(r) for _, r in worst_first[:_SHOWN])
        more = len(worst_first) - _SHOWN
        text = f"{len(worst_first)} of {plural(total, 'provider')} with problems: {named}"
        if more > 0:
            text += f" and {more} more"
    else:
        text = f"{fetched} of {plural(total, 'provider')} operational"
    if counts[CheckState.UNKNOWN]:
        text += f"; {counts[CheckState.UNKNOWN]} unknown"
    if snapshot.vantage is not None and snapshot.vantage.text:
        text += f"; {snapshot.vantage.text}"  # told, never a state of its own
    return state, f"{LABEL} {state.name} - {clean(text)} | {perf}"


def clean(text: str) -> str:
    """`text` fit for the line: no `|`."""
    # `|` starts perfdata in the plugin protocol: a provider's name must not contain one.
    return text.replace("|", "/")


# --- stacks (issue 13) -------------------------------------------------------------------------

# A stack's status as a plugin state: a part in a major outage is CRITICAL, any other
# problem WARNING; unknown when no part is in trouble and some could not be read.
_STACK_STATE = {
    Status.OPERATIONAL: CheckState.OK,
    Status.MAINTENANCE: CheckState.WARNING,
    Status.DEGRADED: CheckState.WARNING,
    Status.PARTIAL_OUTAGE: CheckState.WARNING,
    Status.MAJOR_OUTAGE: CheckState.CRITICAL,
    Status.UNKNOWN: CheckState.UNKNOWN,
}


def stack_summary(snapshot: Snapshot, stack_id: str) -> tuple[CheckState, str]:
    """The exit state and the plugin's line for one stack of the snapshot."""
    stack = next((s for s in snapshot.stacks if s.id == stack_id), None)
    if stack is None:
        known = ", ".join(s.id for s in snapshot.stacks) or "none"
        return CheckState.UNKNOWN, f"{LABEL} UNKNOWN - no stack {stack_id!r} (known: {known})"
    counts = {state: 0 for state in CheckState}
    for part in stack.parts:
        counts[_STACK_STATE[part.status]] += 1
    perf = (
        f"parts={len(stack.parts)};;;0 ok={counts[CheckState.OK]};;;0 "
        f"warning={counts[CheckState.WARNING]};;;0 critical={counts[CheckState.CRITICAL]};;;0 "
        f"unknown={counts[CheckState.UNKNOWN]};;;0"
    )
    state = _STACK_STATE[stack.status]
    text = f"stack {stack.name} {stack.status.value.replace('_', ' ')}"
    if stack.reasons:
        text += ": " + "; ".join(stack.reasons[:_SHOWN])
        if len(stack.reasons) > _SHOWN:
            text += f" and {len(stack.reasons) - _SHOWN} more"
    return state, f"{LABEL} {state.name} - {clean(one_line(text, 600))} | {perf}"
