"""A deterministic demo city modelled on Beijing, loaded by `manage.py load_demo_city`.

The constants here are what demos, docs and tests refer to: a point in the city (Tiananmen,
inside 东华门街道 of 东城区) and the demo accounts, all with the same public password.
"""
from __future__ import annotations

from typing import NamedTuple

# (latitude, longitude): Tiananmen. It lies in DEMO_STREET_CODE (东华门街道, 东城区).
DEMO_POINT = (39.9087, 116.3975)
DEMO_STREET_CODE = "D01-S013"
DEMO_PASSWORD = "demo12345"  # noqa: S105 - a published demo password, never a real one


class DemoAccount(NamedTuple):
    username: str
    role: str | None  # streets.Officer role; None for the superuser (no Officer row)
    unit_code: str | None
    description: str
    is_head: bool = False  # head of the unit: sees and answers supervision orders


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("operator", "operator", "CENTER", "Hotline operator at the 12345 center"),
    DemoAccount("supervisor", "supervisor", "CENTER", "Supervisor at the 12345 center"),
    DemoAccount("officer", "officer", DEMO_STREET_CODE, "Officer of 东华门街道 (contains DEMO_POINT)"),
    DemoAccount("head", "officer", DEMO_STREET_CODE, "Head of 东华门街道: answers supervision orders", True),
    DemoAccount("officer2", "officer", "D04-S009", "Officer of 中关村街道, 海淀区"),
    DemoAccount("water", "officer", "DEP-WATER", "Officer of 北京市自来水集团 (water utility)"),
    DemoAccount("district", "officer", "D01", "Officer of 东城区 (district level)"),
    DemoAccount("admin", None, None, "Superuser for the admin site"),
)
