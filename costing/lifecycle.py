"""Where a model is in its life: active, in preview, deprecated (shutting down on a date) or retired.

Providers announce shutdowns on their deprecation pages; costbot records each one with its source and the day it
was read, and works the status out against the day asked about, so a deprecated model whose shutdown date has
passed reads as retired without anyone editing a file. Retired models stay priceable: old scenarios and
history need their last list price.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = ["Lifecycle", "Status"]


class Status(StrEnum):
    ACTIVE = "active"
    PREVIEW = "preview"
    DEPRECATED = "deprecated"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """A model's status as its provider announced it, with the source of the announcement."""

    status: Status = Status.ACTIVE
    #: Preview or launch date, where known.
    since: date | None = None
    #: The announced shutdown (deprecated) or the day it was shut down (retired).
    shutdown: date | None = None
    #: What the provider recommends instead, as a name costbot can price.
    replacement: str | None = None
    source: str | None = None
    #: The day the source was read.
    checked: date | None = None

    def __post_init__(self) -> None:
        if self.status is Status.RETIRED and self.shutdown is None:
            raise ValueError("a retired model needs its shutdown date")
        if self.status in (Status.DEPRECATED, Status.RETIRED) and self.shutdown is not None and self.source is None:
            raise ValueError("a shutdown date needs its source (the provider's deprecation page)")

    def status_on(self, day: date) -> Status:
        """The status on `day`: a deprecated model is retired from its shutdown date on."""
        if self.status is Status.DEPRECATED and self.shutdown is not None and day >= self.shutdown:
            return Status.RETIRED
        return self.status

    def usable_on(self, day: date) -> bool:
        """Whether the model can still be bought on `day` (anything but retired)."""
        return self.status_on(day) is not Status.RETIRED

    def warning(self, name: str, provider: str, day: date) -> str | None:
        """What an answer must say about the model's status on `day`, or None for an active model."""
        status = self.status_on(day)
        instead = f"; consider {self.replacement}" if self.replacement else ""
        if status is Status.RETIRED:
            assert self.shutdown is not None
            return f"{name} was shut down on {self.shutdown.isoformat()}; priced as it was{instead}."
        if status is Status.DEPRECATED:
            recommends = f"; {provider} recommends {self.replacement}" if self.replacement else ""
            if self.shutdown is None:
                return f"{name} is deprecated by {provider}, with no shutdown date announced{recommends}."
            days = (self.shutdown - day).days
            when = "tomorrow" if days == 1 else f"in {days} days"
            return f"{name} shuts down on {self.shutdown.isoformat()} ({when}){recommends}."
        if status is Status.PREVIEW:
            since = f" (since {self.since.isoformat()})" if self.since else ""
            return f"{name} is in preview{since}: its price may change."
        return None


ACTIVE = Lifecycle()
