"""Resolve communes, districts and provinces against the gazetteer.

The data is the administrative-unit mapping shipped in the underthesea wheel
(`underthesea/address/data/mapping.json`): the 63 pre-2025 provinces, their
districts and communes, and the 1 July 2025 mapping to today's 34 provinces.
Loaded once per process.
"""

from __future__ import annotations

import json
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import underthesea

GAZETTEER_VERSION = "gazetteer.v1"
MAPPING_PATH = Path(underthesea.__file__).parent / "address" / "data" / "mapping.json"

_LEVEL_PREFIXES = {
    "xa": "Xã ", "phuong": "Phường ", "thi_tran": "Thị trấn ",
    "huyen": "Huyện ", "quan": "Quận ", "thi_xa": "Thị xã ", "thanh_pho": "Thành phố ",
    "tinh": "Tỉnh ",
}
COMMUNE_LEVELS = ("xa", "phuong", "thi_tran")
DISTRICT_LEVELS = ("huyen", "quan", "thi_xa", "thanh_pho")


def fold(name: str) -> str:
    """Lowercase, no diacritics, no spaces: 'Hòa Bình' -> 'hoabinh'."""
    decomposed = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in stripped.lower() if c.isalnum())


def _strip_level(full: str) -> tuple[str | None, str]:
    for level, prefix in _LEVEL_PREFIXES.items():
        if full.startswith(prefix):
            return level, full[len(prefix):]
    return None, full


@dataclass(frozen=True)
class Place:
    """One pre-2025 commune with its district, province and today's unit."""

    level: str
    name: str
    district_level: str | None
    district: str
    province: str
    province_code: str
    code: str
    current_name: str
    current_province: str


@dataclass(frozen=True)
class Resolution:
    """What the gazetteer says about a unit mention."""

    province: str | None
    parent: str | None
    admin_code: str | None
    current_name: str | None = None
    current_province: str | None = None


class Gazetteer:
    """Index of the pre-2025 administrative map by folded names."""

    def __init__(self, data: dict) -> None:
        old_names = data["old_province_names"]
        new_names = data["province_names"]
        self.communes: dict[tuple[str, str], list[Place]] = defaultdict(list)
        self.districts: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
        self.provinces: dict[str, str] = {}
        for info in old_names.values():
            self.provinces[fold(info["short"])] = info["short"]
        seen_districts: set[tuple[str, str, str]] = set()
        for record in data["ward_mapping"]:
            province = old_names.get(record["old_province_key"], {})
            current = new_names.get(record["new_province_key"], {})
            level, name = _strip_level(record["old_ward"])
            district_level, district = _strip_level(record["old_district"])
            place = Place(
                level=level or "xa",
                name=name,
                district_level=district_level,
                district=district,
                province=province.get("short", record["old_province"]),
                province_code=province.get("code", ""),
                code="/".join(
                    (province.get("code", ""), record["old_district_key"], record["old_ward_key"])
                ),
                current_name=record["new_ward"],
                current_province=current.get("short", record["new_province"]),
            )
            if (place.level, place.code) in {(p.level, p.code) for p in self.communes[(place.level, fold(name))]}:
                continue
            self.communes[(place.level, fold(name))].append(place)
            district_id = (district_level or "huyen", district, place.province)
            if district_id not in seen_districts:
                seen_districts.add(district_id)
                self.districts[(district_level or "huyen", fold(district))].append(
                    (district, place.province, f"{place.province_code}/{record['old_district_key']}")
                )

    def province_in(self, text: str) -> str | None:
        """A province whose folded name occurs in `text` ('baonghean.vn' -> 'Nghệ An')."""
        folded = fold(text)
        hits = [name for key, name in self.provinces.items() if len(key) > 4 and key in folded]
        return max(hits, key=len) if len(hits) == 1 or hits else None

    def resolve_commune(
        self, level: str, name: str, *, district: str | None = None, province: str | None = None
    ) -> Resolution | None:
        """Resolve a commune; ambiguous names need a district or province to decide."""
        candidates = self.communes.get((level, fold(name)), [])
        if district:
            candidates = [p for p in candidates if fold(p.district) == fold(district)]
        if province:
            candidates = [p for p in candidates if fold(p.province) == fold(province)]
        if len(candidates) != 1:
            return None
        place = candidates[0]
        parent_prefix = _LEVEL_PREFIXES.get(place.district_level or "huyen", "Huyện ").lower()
        return Resolution(
            province=place.province,
            parent=f"{parent_prefix}{place.district}",
            admin_code=place.code,
            current_name=place.current_name,
            current_province=place.current_province,
        )

    def resolve_district(
        self, level: str, name: str, *, province: str | None = None
    ) -> Resolution | None:
        """Resolve a district-level unit by name (and province when ambiguous)."""
        candidates = self.districts.get((level, fold(name)), [])
        if province:
            candidates = [c for c in candidates if fold(c[1]) == fold(province)]
        if len(candidates) != 1:
            return None
        _, province_name, code = candidates[0]
        return Resolution(province=province_name, parent=f"tỉnh {province_name}", admin_code=code)

    def name_status(self, level: str, name: str) -> str | None:
        """'exact' when a unit of this level has the name, 'prefix' when one's name starts with it.

        Lets a mention written with sloppy casing ('huyện Châu thành') take its
        lowercase tail when the gazetteer knows the longer name.
        """
        folded = fold(name)
        names = self._sorted_names().get(level, [])
        i = bisect_left(names, folded)
        if i < len(names) and names[i] == folded:
            return "exact"
        if i < len(names) and names[i].startswith(folded):
            return "prefix"
        return None

    def _sorted_names(self) -> dict[str, list[str]]:
        if not hasattr(self, "_names_by_level"):
            by_level: dict[str, set[str]] = defaultdict(set)
            for level, key in (*self.communes, *self.districts):
                by_level[level].add(key)
            self._names_by_level = {level: sorted(keys) for level, keys in by_level.items()}
        return self._names_by_level

    def district_level_of(self, name: str, *, province: str | None = None) -> str | None:
        """The level of the one district-level unit with this name ('Hương Khê' -> 'huyen'), if unique."""
        found = [
            level for level in DISTRICT_LEVELS
            for _, prov, _ in self.districts.get((level, fold(name)), [])
            if province is None or fold(prov) == fold(province)
        ]
        return found[0] if len(found) == 1 else None

    def has_district(self, name: str) -> bool:
        """True when some district-level unit has this name."""
        return any((level, fold(name)) in self.districts for level in DISTRICT_LEVELS)


@lru_cache(maxsize=1)
def load_gazetteer(path: Path = MAPPING_PATH) -> Gazetteer:
    """The gazetteer, built once per process."""
    return Gazetteer(json.loads(path.read_text(encoding="utf-8")))
