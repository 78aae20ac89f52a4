"""The finding taxonomy, loaded once from `taxonomy.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

TAXONOMY_PATH = Path(__file__).with_name("taxonomy.yaml")


@dataclass(frozen=True)
class Category:
    """A finding category of the PAR-Index taxonomy."""

    code: str
    domain: str | None
    description: str
    cues: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    """Polarities, domains and categories, with the version models are tied to."""

    version: str
    polarities: dict[str, tuple[str, ...]]
    domains: dict[str, str]
    categories: dict[str, Category]

    @property
    def category_codes(self) -> tuple[str, ...]:
        return tuple(self.categories)

    @property
    def polarity_codes(self) -> tuple[str, ...]:
        return tuple(self.polarities)


@lru_cache(maxsize=1)
def load_taxonomy(path: Path = TAXONOMY_PATH) -> Taxonomy:
    """Parse the taxonomy file (cached: the taxonomy is loaded once per process)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    categories = {
        code: Category(
            code=code,
            domain=spec.get("domain"),
            description=spec.get("vi", ""),
            cues=tuple(spec.get("cues", [])),
        )
        for code, spec in data["categories"].items()
    }
    polarities = {code: tuple(spec.get("cues", [])) for code, spec in data["polarities"].items()}
    return Taxonomy(
        version=str(data["version"]),
        polarities=polarities,
        domains=dict(data["domains"]),
        categories=categories,
    )
