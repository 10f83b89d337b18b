"""The demo city's gazetteer: real Beijing roads, compounds, landmarks, villages and communities
and the streets they lie in (gazetteer.jsonl, one place a line; a place across several streets
lists them all and is ambiguous)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GAZETTEER_FILE = Path(__file__).with_name("gazetteer.jsonl")


@dataclass(frozen=True)
class PlaceSpec:
    name: str
    kind: str
    district: str  # the district's Chinese name
    streets: tuple[str, ...]  # the streets' Chinese names
    name_en: str = ""
    aliases: tuple[str, ...] = ()


@cache
def gazetteer() -> tuple[PlaceSpec, ...]:
    specs = {}
    for line in GAZETTEER_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        streets = tuple(row["streets"]) if "streets" in row else (row["street"],)
        specs[(row["district"], row["name"])] = PlaceSpec(
            name=row["name"], kind=row["kind"], district=row["district"], streets=streets,
            name_en=row.get("name_en", ""), aliases=tuple(row.get("aliases", ())),
        )
    return tuple(specs.values())
