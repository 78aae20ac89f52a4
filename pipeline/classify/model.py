"""The trained classifiers: is it a finding, its polarity, its category.

One artefact (`models/findings-classifier.joblib`) holds the three
scikit-learn pipelines and the metadata that says what they were trained on.
It is loaded once per worker process and refused when its taxonomy version is
not the code's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from pipeline.classify.features import Statement
from pipeline.taxonomy import load_taxonomy

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
MODEL_PATH = MODELS_DIR / "findings-classifier.joblib"
REVIEW_THRESHOLD = 0.35
FINDING_THRESHOLD = 0.5


class ModelMismatchError(RuntimeError):
    """A saved model that this code must not use."""


@dataclass
class Prediction:
    """The classifiers' verdict on one statement."""

    finding_probability: float
    polarity: str
    polarity_probability: float
    category: str
    category_probability: float
    category_ranking: list[tuple[str, float]] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """Joint confidence of polarity and category."""
        return round(self.polarity_probability * self.category_probability, 4)


@dataclass
class ClassifierBundle:
    """The three fitted pipelines and their provenance."""

    finding: Any
    polarity: Any
    category: Any
    metadata: dict[str, Any]

    @property
    def version(self) -> str:
        return self.metadata.get("model_version", "unknown")

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)

    def predict(self, statements: list[Statement]) -> list[Prediction]:
        """Classify a batch of statements (one call per document, not per clause)."""
        if not statements:
            return []
        records = [s.as_record() for s in statements]
        finding_p = self.finding.predict_proba(records)[:, list(self.finding.classes_).index(True)]
        polarity_p = self.polarity.predict_proba(records)
        category_p = self.category.predict_proba(records)
        polarity_classes = list(self.polarity.classes_)
        category_classes = list(self.category.classes_)
        predictions = []
        for i in range(len(records)):
            pi = int(np.argmax(polarity_p[i]))
            order = np.argsort(category_p[i])[::-1][:3]
            predictions.append(
                Prediction(
                    finding_probability=float(finding_p[i]),
                    polarity=polarity_classes[pi],
                    polarity_probability=float(polarity_p[i][pi]),
                    category=category_classes[order[0]],
                    category_probability=float(category_p[i][order[0]]),
                    category_ranking=[(category_classes[j], float(category_p[i][j])) for j in order],
                )
            )
        return predictions

    def polarity_probability(self, statement: Statement, polarity: str) -> float:
        """The model's probability for a given polarity (used when rules decide)."""
        proba = self.polarity.predict_proba([statement.as_record()])[0]
        classes = list(self.polarity.classes_)
        return float(proba[classes.index(polarity)]) if polarity in classes else 0.0


def check_compatible(bundle: ClassifierBundle) -> None:
    """Refuse a model trained against another taxonomy version."""
    expected = load_taxonomy().version
    found = bundle.metadata.get("taxonomy_version")
    if found != expected:
        raise ModelMismatchError(
            f"the classifier was trained for taxonomy version {found!r} but this code uses "
            f"{expected!r}: rebuild it with `findings train`"
        )


@lru_cache(maxsize=2)
def load_classifier(path: Path = MODEL_PATH) -> ClassifierBundle:
    """Load the classifier once per process; raises if missing or incompatible."""
    if not path.exists():
        raise FileNotFoundError(f"no classifier at {path}: build it with `findings train`")
    bundle = joblib.load(path)
    check_compatible(bundle)
    return bundle
