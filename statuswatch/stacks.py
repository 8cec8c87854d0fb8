"""Stacks: a user's named set of providers (each scoped as written) rated as one."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from statuswatch.blast import risk_text, risks
from statuswatch.model import (
    Phase,
    ProviderReport,
    Risk,
    StackPart,
    StackReport,
    Status,
    Target,
    worst_status,
)
from statuswatch.records import record
from statuswatch.scope import scope_report

__all__ = ["Stack", "evaluate", "part_label"]


@record
class Stack:
    """A stack from the config: `[stacks.checkout] name = "Checkout", uses = [...]`."""

    id: str
    name: str
    uses: tuple[Target, ...]


def part_label(target: Target, reports: Mapping[str, ProviderReport]) -> str:
    """`Amazon Web Services (us-east-1)`: the provider's name and the part's scope."""
    report = reports.get(target.provider)
    name = report.spec.name if report is not None else target.provider
    return f"{name} ({', '.join(target.scope)})" if target.scope else name


def evaluate(
    stack: Stack,
    reports: Mapping[str, ProviderReport],
    *,
    early_warnings: Collection[str] = (),
) -> StackReport:
    """Rate `stack` from the polled reports (by id, as read from their pages, not scoped).

    The status is the worst of the parts (an outage outranks unknown); the reasons say which
    part is not operational and why, and what the stack may be affected by through what its
    parts run on. A part whose provider was not polled is unknown.
    """
    parts: list[StackPart] = []
    said: list[tuple[Status, list[str]]] = []  # each part's reasons, with its status
    at_risk: dict[tuple[str, tuple[str, ...] | None], Risk] = {}
    used = {target.provider for target in stack.uses}
    for target in stack.uses:
        label = part_label(target, reports)
        report = reports.get(target.provider)
        if report is None:
            parts.append(StackPart(target.provider, target.scope, Status.UNKNOWN))
            said.append((Status.UNKNOWN, [f"{label}: not polled"]))
            continue
        view = scope_report(report, target.scope)
        parts.append(StackPart(target.provider, target.scope, view.status))
        reason = _reason(label, view)
        warning = view.scope.warning if view.scope is not None else None
        said.append((view.status, [text for text in (reason, warning) if text]))
        found = risks(
            report.spec.runs_on, reports, early_warnings=early_warnings, own_id=target.provider
        )
        for risk in found:
            # A part's own trouble already rates the stack: only what lies beyond it is a risk.
            if risk.provider not in used:
                at_risk.setdefault((risk.provider, risk.scope), risk)
    # Worst part first (the first reason is the one the table, the live view and `wait` show),
    # in `uses` order among equals; then what the stack may be affected by.
    said.sort(key=lambda item: -item[0].urgency)
    reasons = [text for _, texts in said for text in texts]
    reasons += [risk_text(risk) for risk in at_risk.values()]
    return StackReport(
        id=stack.id,
        name=stack.name,
        status=worst_status(part.status for part in parts),
        parts=tuple(parts),
        reasons=tuple(reasons),
        at_risk_from=tuple(at_risk.values()),
    )


def _reason(label: str, view: ProviderReport) -> str | None:
    """`Stripe: degraded: Elevated API errors`, for a part that is not operational."""
    status = view.status
    if status is Status.OPERATIONAL:
        return None
    if view.error is not None:
        return f"{label}: unknown ({view.error.type.value}: {view.error.message})"
    text = f"{label}: {status.value.replace('_', ' ')}"
    page = view.page
    unnamed = view.scope.unnamed if view.scope is not None else frozenset()
    if page is not None:
        active = [i for i in page.incidents if not i.phase.is_closed and i.id not in unnamed] or [
            i for i in page.incidents if not i.phase.is_closed
        ]
        if active:
            worst = max(active, key=lambda i: i.impact.severity)
            text += f": {worst.title}"
        elif status is Status.MAINTENANCE:
            ongoing = [m for m in page.maintenances if m.phase is Phase.IN_PROGRESS]
            if ongoing:
                text += f": {ongoing[0].title}"
    return text
