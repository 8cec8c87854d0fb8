"""Typed messages: the only way poll results reach the widgets."""

from __future__ import annotations

from textual.message import Message

from statuswatch.history.model import PastIncident
from statuswatch.history.view import ProviderPast
from statuswatch.model import ProviderReport, Snapshot


class PollStarted(Message):
    """A refresh began."""


class ReportArrived(Message):
    """One provider's report, posted as soon as the engine has it (from the poll thread)."""

    def __init__(self, report: ProviderReport) -> None:
        super().__init__()
        self.report = report

    def can_replace(self, message: Message) -> bool:
        # A newer report of the same provider makes a queued older one pointless.
        return isinstance(message, ReportArrived) and message.report.spec.id == self.report.spec.id


class PollFinished(Message):
    """A refresh ended: with every report, or with the reason it could not run."""

    def __init__(
        self, snapshot: Snapshot | None, error: str | None = None, *, unreachable: bool = False
    ) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.error = error
        self.unreachable = unreachable  # the source (a server) did not answer


# --- the history (issue 14): read in threads, shown in the details and the `h` screen ----------


class PastLoaded(Message):
    """A provider's past, read in a worker (or why it could not be)."""

    def __init__(self, provider: str, past: ProviderPast | None, error: str | None = None) -> None:
        super().__init__()
        self.provider = provider
        self.past = past
        self.error = error


class RecentLoaded(Message):
    """The recent incidents for the history screen (or why they could not be read)."""

    def __init__(self, incidents: list[PastIncident] | None, error: str | None = None) -> None:
        super().__init__()
        self.incidents = incidents
        self.error = error
