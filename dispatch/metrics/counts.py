"""What is counted per unit and period: the integers every rate is derived from."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

COUNT_FIELDS = (
    "dispatched", "summoned", "due_for_response", "responded_on_time", "rated", "solved", "satisfied", "basic",
    "dissatisfied", "overdue", "returned", "reopened",
)


@dataclass
class UnitCounts:
    dispatched: int = 0  # primary dispatches made in the period (returned ones excluded)
    summoned: int = 0  # co-handling dispatches (whistles) made in the period
    due_for_response: int = 0  # response deadline in the period (and passed, or met)
    responded_on_time: int = 0  # of those, responded by the deadline
    rated: int = 0  # callbacks rated in the period (a rating superseded by a reopen excluded)
    solved: int = 0
    satisfied: int = 0
    basic: int = 0
    dissatisfied: int = 0
    overdue: int = 0  # dispatches marked overdue in the period
    returned: int = 0  # dispatches returned to the center (approved) in the period
    reopened: int = 0  # appeals sent back to the unit in the period
    response_seconds: list[int] = field(default_factory=list, repr=False)
    median_seconds: int | None = None  # when the database computed the median itself

    @property
    def median_response_seconds(self) -> int | None:
        """Whole seconds from dispatch to response, the lower middle value (statistics.median_low)."""
        if self.median_seconds is not None:
            return self.median_seconds
        return statistics.median_low(self.response_seconds) if self.response_seconds else None

    def as_row(self) -> dict:
        return {name: getattr(self, name) for name in COUNT_FIELDS} | {
            "median_response_seconds": self.median_response_seconds
        }

    def is_empty(self) -> bool:
        return self.median_response_seconds is None and not any(getattr(self, name) for name in COUNT_FIELDS)


def row_of(stats) -> dict:
    """The same dict for a UnitPeriodStats row, so the rollup and the ledger compare field by field."""
    return {name: getattr(stats, name) for name in COUNT_FIELDS} | {
        "median_response_seconds": stats.median_response_seconds
    }
