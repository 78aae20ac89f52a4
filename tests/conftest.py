"""Shared fixtures: paths to ../shared and the project's corpus, the loaded pipeline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.evaluate import shared_dir

ROOT = Path(__file__).resolve().parents[1]
SHARED = shared_dir()
SEEDS = SHARED / "seeds"
GOLD = SHARED / "gold"
SAMPLES = ROOT / "corpus" / "samples"
EVAL_DOCS = ROOT / "corpus" / "eval" / "docs"
EVAL_GOLD = ROOT / "corpus" / "eval" / "gold"


def require_shared() -> None:
    """../shared is part of CI: its absence fails there and skips only locally."""
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"../shared is missing at {SHARED}")
        pytest.skip("../shared is not available on this machine")


@pytest.fixture(scope="session")
def extractor():
    """The whole pipeline, loaded once for the test session."""
    from pipeline.process import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def nlp_without_classifier():
    from pipeline.components import build_nlp

    return build_nlp(with_classifier=False)


def seeds_and_news(folder: Path, news: int) -> Path:
    """`folder` filled with the five seed articles and `news` political news articles of vntc."""
    import shutil

    require_shared()
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, folder / seed.name)
    articles = sorted((SHARED / "data" / "vntc" / "Train_Full" / "Chinh tri Xa hoi").glob("*.txt"))[:news]
    for number, article in enumerate(articles):
        shutil.copy(article, folder / f"news-{number:02d}.txt")
    return folder


def stored_documents(db: Path) -> int:
    """How many documents the SQLite database at `db` holds (0 while it cannot be read)."""
    import sqlite3

    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0
