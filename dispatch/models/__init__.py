"""Models of how appeals move: dispatches and what happens to them, and the rules their clocks
run on (the working-day calendar and the time limits)."""
from dispatch.models.calendar import CalendarDay, CalendarYear, TimeLimit
from dispatch.models.callback import Callback
from dispatch.models.dashboard import DailyStats, DistrictDailyStats
from dispatch.models.decisions import ExtensionRequest, ReturnRequest
from dispatch.models.dispatch import Dispatch
from dispatch.models.learning import LabelledExample, ModelVersion
from dispatch.models.metrics import ScoringRule, UnitPeriodStats
from dispatch.models.supervision import SupervisionOrder
from dispatch.models.whistle import Whistle

__all__ = [
    "CalendarDay",
    "CalendarYear",
    "Callback",
    "DailyStats",
    "Dispatch",
    "DistrictDailyStats",
    "ExtensionRequest",
    "LabelledExample",
    "ModelVersion",
    "ReturnRequest",
    "ScoringRule",
    "SupervisionOrder",
    "TimeLimit",
    "UnitPeriodStats",
    "Whistle",
]
