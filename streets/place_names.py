"""How residents write the gazetteer's names: the other spellings of a name, and its short forms.

Residents rarely copy a name as the gazetteer spells it. They write a numbered area with digits
("劲松8区" for 劲松八区, "东四10条" for 东四十条), drop the kind a name ends with ("花家地北里" for
花家地北里社区, "罗各庄" for 罗各庄村, "中央戏剧学院" for 中央戏剧学院(东城校区)), and in English
abbreviate ("Xiaoying Rd"), leave out an apostrophe ("Changan") or run the words together
("Huajiadibeili"). `spellings` gives the forms that are the same name (the matcher reads them as the
name itself); `short_forms` the shortened ones, which are names only where no other name is spelt
the same, and yield to a full name that disagrees (streets/places.py). Written text is read through
`normalize` first.
"""
from __future__ import annotations

import re
import unicodedata

CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# A numbered part at the end of a name: 劲松八区, 东四十条, 天通苑北二区, 幸福三村.
_NUMBERED = re.compile(r"([一二三四五六七八九十]+)(区|条|巷|村)$")
# The kind a name ends with, which residents leave out. Longest first.
DROPPED_SUFFIXES = ("社区居委会", "居委会", "村委会", "社区", "小区", "村")
_NOT_BEFORE_VILLAGE = "新一二三四五六七八九十"
MIN_SHORT_FORM = 3  # a shortened name under three characters (沿村村 -> 沿村) reads as an ordinary word
_BRACKETED = re.compile(r"\s*\([^)]*\)\s*")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
# Words of an English name that are English, not pinyin: such a name's words are never run together.
ENGLISH_WORDS = frozenset(("park", "road", "street", "avenue", "hospital", "school", "university", "station", "market",
                           "plaza", "mall", "community", "village", "temple", "bridge", "lake", "mountain", "gate",
                           "center", "centre", "museum", "garden", "tower", "middle", "primary", "north", "south",
                           "east", "west", "town", "township", "subdistrict", "district", "the", "of", "and"))
ENGLISH_ABBREVIATIONS = ((" road", " rd"), (" street", " st"), (" avenue", " ave"))


def normalize(text: str) -> str:
    """What the matcher reads: full-width letters, digits and brackets as ASCII (NFKC), curly
    apostrophes straight, and no spaces between Chinese characters ("花家地 北里")."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    return _CJK_GAP.sub("", text)


def arabic(numeral: str) -> int | None:
    """一 -> 1, 十 -> 10, 十四 -> 14, 二十三 -> 23; None for anything else."""
    if numeral in CHINESE_DIGITS:
        return CHINESE_DIGITS[numeral]
    tens, ten, ones = numeral.partition("十")
    if not ten or (tens and tens not in CHINESE_DIGITS) or (ones and ones not in CHINESE_DIGITS):
        return None
    return CHINESE_DIGITS.get(tens, 1) * 10 + CHINESE_DIGITS.get(ones, 0)


def _with_digits(name: str) -> list[str]:
    """劲松八区 -> 劲松8区; 东四十条 -> 东四10条 (and 东40条: the run of numerals may begin with a
    digit of the name itself, so both readings are kept; the wrong one is written by nobody)."""
    match = _NUMBERED.search(name)
    if not match:
        return []
    run, kind = match.groups()
    stem = name[:match.start()]
    forms = []
    for start in range(min(2, len(run))):
        number = arabic(run[start:])
        if number is not None:
            forms.append(f"{stem}{run[:start]}{number}{kind}")
    return forms


def _english(name: str) -> list[str]:
    """Chang'an Avenue -> changan avenue, chang'an ave, changan ave; Huajiadi Beili -> huajiadibeili
    (pinyin run together; an English word is never run into another: "Liuyinpark" is no name)."""
    lowered = name.lower()
    forms = {lowered, lowered.replace("'", "")}
    if " " in lowered and not set(lowered.split()) & ENGLISH_WORDS:
        forms |= {form.replace(" ", "") for form in forms}
    for long, short in ENGLISH_ABBREVIATIONS:
        forms |= {form.removesuffix(long) + short for form in forms if form.endswith(long)}
    forms.discard(lowered)
    return sorted(forms)


def spellings(name: str) -> list[str]:
    """Other ways of writing the same name (not the name itself)."""
    name = normalize(name.strip())
    if not name:
        return []
    if name.isascii():
        return _english(name)
    return _with_digits(name)


def short_forms(name: str) -> list[str]:
    """The name as residents shorten it: without a bracketed part, without the kind it ends with
    (社区, 小区, 村...), each also with digits; none under MIN_SHORT_FORM characters."""
    name = normalize(name.strip())
    if not name or name.isascii():
        return []
    forms = []
    unbracketed = _BRACKETED.sub("", name).strip()
    if unbracketed != name:
        forms.append(unbracketed)
    for base in (name, unbracketed):
        for suffix in DROPPED_SUFFIXES:
            if base.endswith(suffix):
                if suffix != "村" or base[-2:-1] not in _NOT_BEFORE_VILLAGE:  # 幸福三村, 三环新村 keep 村
                    forms.append(base.removesuffix(suffix))
                break
    forms += [digits for form in forms for digits in _with_digits(form)]
    return [form for form in dict.fromkeys(forms) if len(form) >= MIN_SHORT_FORM and form != name]
