"""Models of how appeals move: dispatches and what happens to them, and the rules their clocks
run on (the working-day calendar and the time limits)."""
from .calendar import CalendarDay, CalendarYear, TimeLimit
from .callback import Callback
from .dashboard import DailyStats, DistrictDailyStats
from .dispatch import Dispatch
from .metrics import ScoringRule, UnitPeriodStats
from .requests import ExtensionRequest, ReturnRequest, Whistle
from .supervision import SupervisionOrder

__all__ = [
    "CalendarDay",
    "CalendarYear",
    "Callback",
    "DailyStats",
    "Dispatch",
    "DistrictDailyStats",
    "ExtensionRequest",
    "ReturnRequest",
    "ScoringRule",
    "SupervisionOrder",
    "TimeLimit",
    "UnitPeriodStats",
    "Whistle",
]
