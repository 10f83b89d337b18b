"""What a token is, for the index and for a question alike.

Chinese has no spaces: jieba (search mode, which also emits the shorter words inside a long one:
社会保障卡 -> 社会 保障 社会保障 卡) segments it. English words are lower-cased and lightly
stemmed. Both then pass through the synonym table, which maps the way residents speak (社保卡,
丢了, 小孩) to one canonical token shared with the way entries are written (社会保障卡, 挂失,
子女); stop words (the question's frame: 怎么办, 如何, how do I) are dropped.
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache

MAX_TOKEN_LENGTH = 64  # KnowledgeTerm.term; longer "words" are noise (URLs, numbers)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9]+")
_RUNS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+")

# Groups of words that mean the same to a resident; the first is the canonical token. General
# knowledge of how people name these things, not fitted to any question set.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("社会保障卡", "社保卡", "医保卡"),
    ("社会保险", "社保", "社险", "五险"),
    ("医疗保险", "医保", "医疗保障"),
    ("住房公积金", "公积金"),
    ("挂失", "丢", "丢了", "丢失", "遗失", "弄丢", "找不到", "lost", "lose"),
    ("补办", "补领", "补卡", "重办", "补发", "replace", "replacement", "reissue"),
    ("户口", "户籍", "hukou", "household"),
    ("落户", "入户", "迁入", "迁户口"),
    ("居住证", "暂住证", "residence"),
    ("子女", "孩子", "小孩", "儿童", "娃", "儿子", "女儿", "child", "children", "kid", "kids"),
    ("入学", "上学", "就学", "读书", "上小学", "上幼儿园"),
    ("供暖", "暖气", "采暖", "供热", "heating", "heat", "radiator"),
    ("停电", "断电", "没电", "outage"),
    ("停水", "断水", "没水"),
    ("缴纳", "缴", "交", "缴费", "交费", "交钱", "pay", "payment"),
    ("营业执照", "执照", "licence", "license"),
    ("犬", "狗", "养狗", "犬只", "宠物狗", "dog", "dogs"),
    ("犬证", "狗证", "养犬登记证", "养犬登记"),
    ("工资", "薪水", "薪资", "工钱", "薪酬", "wage", "wages", "salary", "pay"),
    ("拖欠", "欠薪", "不发", "没发", "克扣", "unpaid", "owe", "owed"),
    ("养老金", "退休金", "pension"),
    ("停车", "泊车", "parking", "park"),
    ("提取", "取出", "支取", "withdraw", "withdrawal"),
    ("租房", "租赁", "承租", "rent", "renting", "rental", "tenant"),
    ("失业", "下岗", "unemployment", "unemployed"),
    ("报销", "报账", "reimburse", "reimbursement"),
    ("身份证", "id"),
    ("费用", "多少钱", "收费", "价格", "fee", "fees", "cost", "price"),
    ("材料", "证件", "资料", "带什么", "document", "documents", "papers"),
    ("电费", "电钱", "electricity"),
    ("燃气", "天然气", "煤气", "gas"),
    ("水费", "水钱"),
    ("自来水", "水龙头", "tap"),
    ("注销", "销户", "cancel", "close"),
    ("办公时间", "几点", "上班时间", "开门", "hours", "open"),
    ("首次", "第一次", "头一次", "初次", "first"),
    ("灵活就业", "自由职业", "自由职业者", "个体户", "打零工", "freelancer", "freelance", "self-employed"),
    ("发黄", "黄", "黄的", "变黄", "yellow"),
    ("开始", "start", "begin", "启动"),
    ("北京", "北京市", "beijing"),
    ("申领", "申请", "apply", "application"),
)

# The frame of a question rather than its subject.
_STOP_WORDS = """
的 了 吗 呢 啊 吧 呀 嘛 么 我 我们 你 你们 他 她 它 是 在 有 没有 要 想 想要 需要 能 能不能 可以 可不可以 会
怎么 怎么办 怎样 怎么样 如何 什么 哪里 哪儿 哪些 在哪 在哪里 多久 为什么 请问 一下 一个 这个 那个 这 那 还
和 与 及 或 或者 就 都 也 又 去 到 给 让 把 被 对 从 向 该 应该 得 地 着 过 个 些 好 办 咋 咋办 啥 现在
找 谁 找谁 哪个 部门
a an the of to in on at for from by with and or is are was be been do does did doing done can could should would
will i me my we our you your it its this that there what how where when which who why please need want
get got have has if about any some as into im
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

# Question frames cut out of a Chinese run before segmentation: jieba would otherwise glue them to
# the next word (在哪交 -> 在 哪交), hiding the subject. Longest first.
_FRAME_WORDS = """
在哪里 在哪儿 在哪 去哪里 去哪儿 去哪 到哪里 到哪 哪里 哪儿 怎么办 怎么样 怎么 咋办 如何 为什么 能不能 可不可以 可以吗
是不是 有没有 请问 一下 吗 呢 啊 吧 呀
"""
_FRAMES = re.compile("|".join(sorted(_FRAME_WORDS.split(), key=len, reverse=True)))

_lock = threading.Lock()
_ready = False


def _jieba():
    """jieba, loaded once with the canonical words added so they are never split."""
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                for group in SYNONYMS:
                    for word in group:
                        if _CJK.fullmatch(word):
                            jieba.add_word(word)
                _ready = True
    return jieba


@lru_cache(maxsize=1)
def _canonical() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in SYNONYMS:
        for word in group:
            table.setdefault(stem(word) if _LATIN.fullmatch(word) else word, group[0])
    return table


def stem(word: str) -> str:
    """A light English stemmer: enough to meet "permits" with "permit", "renewing" with "renew"."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + keep
    return word


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def units(text: str) -> list[list[str]]:
    """The text's words in order, each as its tokens: a word residents say another way becomes
    its canonical token alone; another Chinese word comes with the shorter words inside it (search
    mode: 水龙头 -> 水龙 龙头 水龙头), so a question and an entry meet even when one writes the
    long word and the other a part of it. Stop words are dropped."""
    canonical = _canonical()
    out: list[list[str]] = []
    for run in _RUNS.findall(normalise(text)):
        if _CJK.match(run):
            for word in _jieba().cut(_FRAMES.sub(" ", run)):
                word = word.strip()
                if not word:
                    continue
                if word in STOP_WORDS:
                    continue
                if word in canonical:
                    out.append([canonical[word]])
                    continue
                parts = [canonical.get(part, part) for part in _jieba().cut_for_search(word)
                         if part not in STOP_WORDS and len(part) <= MAX_TOKEN_LENGTH]
                if parts:
                    out.append(list(dict.fromkeys(parts)))
            continue
        word = run if run in canonical else stem(run)
        if run in STOP_WORDS or word in STOP_WORDS or len(word) > MAX_TOKEN_LENGTH:
            continue
        if len(word) < 2 and not word.isdigit():
            continue
        out.append([canonical.get(word, word)])
    return out


def tokens(text: str) -> list[str]:
    """Every token of the text, in order (text.units flattened)."""
    return [token for unit in units(text) for token in unit]


def bigrams(text: str) -> set[str]:
    """Character pairs of the Chinese runs: a segmentation-free second opinion on similarity."""
    pairs: set[str] = set()
    for run in _CJK.findall(normalise(text)):
        pairs.update(run[i:i + 2] for i in range(len(run) - 1))
    return pairs
