"""Masking of residents' personal data for everyone who does not have to call them."""
from __future__ import annotations

import re
from dataclasses import dataclass

# Identity-card numbers (18 characters, the last may be X; or the old 15 digits), standing alone.
ID_CARD_RE = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
# Phone numbers and any other long run of digits (mobiles, landlines with area code, bank cards):
# seven digits or more, optionally with +, spaces or dashes between them.
DIGIT_RUN_RE = re.compile(r"(?<![0-9])\+?[0-9](?:[ \-]?[0-9]){6,}(?![0-9])")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# A name the resident gives after the words that introduce one: 我叫张三, 本人李四, 姓名：王五,
# 联系人赵六, my name is Li Lei, I'm called Anna. The name itself (two to four Chinese characters, or
# one or two capitalised words) is starred out; the words before it stay, so the text still reads.
NAME_RE = re.compile(
    r"(?P<intro>我叫|本人(?:姓名)?[:：]?|姓名[:：]?|联系人[:：]?|我的名字是|我名叫)\s*(?P<name>[\u4e00-\u9fff·]{2,4})"
    r"|(?P<intro_en>\b(?:[Mm]y name is|I am called|I'm called|[Nn]ame:)\s+)"
    r"(?P<name_en>[A-Z][a-zA-Z'\-]+(?: [A-Z][a-zA-Z'\-]+)?)"
)


# Words that end a Chinese name written without punctuation after it (本人李四反映…).
NAME_ENDS = ("反映", "投诉", "举报", "住", "家", "电话", "手机", "联系", "在", "是", "的", "要", "想", "向", "说")


def _mask_introduced_name(match: re.Match) -> str:
    if name := match.group("name"):
        cut = next((i for i in range(2, len(name)) if name[i:].startswith(NAME_ENDS)), len(name))
        return match.group("intro") + "*" * cut + name[cut:]
    return match.group("intro_en") + "*" * len(match.group("name_en"))


def mask_phone(phone: str) -> str:
    digits = phone.replace(" ", "").replace("-", "")
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 3 if len(digits) >= 11 else 1
    return digits[:keep_head] + "*" * (len(digits) - keep_head - 4) + digits[-4:]


def mask_text(text: str) -> str:
    """Free text as it may be published: identity-card numbers starred out, phone numbers and other
    long numbers reduced to their last four digits, e-mail addresses hidden, a name given after
    我叫/本人/姓名/my name is (NAME_RE) starred out. Other names cannot be told from other words:
    operators edit or hide the public text (appeals/publication.py)."""
    text = NAME_RE.sub(_mask_introduced_name, text)
    text = ID_CARD_RE.sub(lambda match: "*" * len(match.group()), text)
    text = DIGIT_RUN_RE.sub(lambda match: mask_phone(match.group()), text)
    return EMAIL_RE.sub("***@***", text)


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
