"""Masking of residents' personal data for everyone who does not have to call them."""
from __future__ import annotations

from dataclasses import dataclass


def mask_phone(phone: str) -> str:
    digits = phone.replace(" ", "").replace("-", "")
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 3 if len(digits) >= 11 else 1
    return digits[:keep_head] + "*" * (len(digits) - keep_head - 4) + digits[-4:]


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    masked: bool


def contact_for(appeal, *, reveal: bool) -> Contact:
    """The resident's contact as this viewer may see it; anonymous appeals have none at all."""
    if appeal.anonymous:
        return Contact("", "", masked=False)
    if reveal:
        return Contact(appeal.contact_name, appeal.contact_phone, masked=False)
    return Contact(mask_name(appeal.contact_name), mask_phone(appeal.contact_phone), masked=True)
