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
