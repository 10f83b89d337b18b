"""Valid, varied appeals for the demo city: a routable category (one with a duty), a point inside
a street's boundary, a text and phone of its own (so nothing is folded as a repeat).

Needs Django set up on a database with the demo city loaded."""
from __future__ import annotations

import json
import random
from collections.abc import Iterator

from shapely.geometry import Point, shape

PROBLEMS = (
    "楼道里的灯坏了一个多星期", "小区门口的垃圾没人清运", "夜里施工噪音太大", "路面有一个大坑", "电梯停在七楼不动",
    "自来水发黄", "共享单车堵住了人行道", "井盖松动很危险", "暖气不热", "占道经营影响通行",
)
PLACES = ("东门", "3号楼", "路口", "地下车库", "菜市场旁", "公交站", "学校门口", "公园北门")


def routable_categories() -> dict[str, list]:
    """Each routable category's code -> the questions it asks (answered in every body, as intake
    refuses an appeal that leaves a required one open)."""
    from appeals import catalogue
    from appeals.models import Category

    codes = Category.objects.filter(is_leaf=True, active=True, duty__isnull=False).values_list("code", flat=True)
    return {code: catalogue.questions_of(catalogue.active_leaf(code)) for code in codes}


def answers(questions: list, rng: random.Random) -> dict:
    """A plausible answer to each question, as a resident would give it."""
    sample = {
        "number": lambda q: str(rng.randrange(1, 30)),
        "string": lambda q: f"{rng.randrange(1, 40)}号",
        "text": lambda q: "见描述",
        "datetime": lambda q: f"2026-11-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:00:00+08:00",
        "singlevaluelist": lambda q: rng.choice(q.value_keys()),
        "multivaluelist": lambda q: rng.sample(q.value_keys(), rng.randrange(1, len(q.value_keys()) + 1)),
    }
    return {question.code: sample[question.datatype](question) for question in questions}


def street_points(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` (latitude, longitude) strings with six decimals, each inside some street."""
    from streets.models import Unit

    boundaries = [shape(b) for b in Unit.objects.filter(kind=Unit.Kind.STREET, active=True, boundary__isnull=False)
                  .values_list("boundary", flat=True)]
    points = []
    while len(points) < count:
        polygon = rng.choice(boundaries)
        west, south, east, north = polygon.bounds
        lng, lat = round(rng.uniform(west, east), 6), round(rng.uniform(south, north), 6)
        if polygon.contains(Point(lng, lat)):
            points.append((f"{lat:.6f}", f"{lng:.6f}"))
    return points


def appeal_bodies(seed: int = 12345, distinct_points: int = 2000) -> Iterator[bytes]:
    """An endless stream of JSON bodies for POST /api/v1/appeals/, each one a different appeal.
    Reads the database now, so the stream itself may be drawn from inside an event loop."""
    rng = random.Random(seed)
    categories = routable_categories()
    points = street_points(distinct_points, rng)
    return _bodies(rng, categories, points, resident_texts())


def resident_texts() -> dict[str, list[str]]:
    """Category code -> what residents write about it (the shipped training set): routing classifies
    every appeal, and a text unrelated to its category would be flagged for the operators."""
    from dispatch.routing.learning import shipped_examples

    texts: dict[str, list[str]] = {}
    for example in shipped_examples():
        texts.setdefault(example.category, []).append(example.text)
    return texts


def _bodies(rng: random.Random, categories: dict[str, list], points: list[tuple[str, str]],
            texts: dict[str, list[str]]) -> Iterator[bytes]:
    serial = 0
    codes = sorted(categories)
    while True:
        serial += 1
        latitude, longitude = rng.choice(points)
        category = rng.choice(codes)
        said = rng.choice(texts.get(category) or PROBLEMS)
        yield json.dumps({
            "text": f"{said}（第{serial}号，{rng.randrange(10**6)}）",
            "category": category,
            "attributes": answers(categories[category], rng),
            "latitude": latitude,
            "longitude": longitude,
            "contact_name": "张先生",
            "contact_phone": f"13{rng.randrange(10**9):09d}",
            "address": f"{rng.choice(PLACES)}附近",
        }, ensure_ascii=False).encode()
