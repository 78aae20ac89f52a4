"""The trained classifiers: is it a finding, its polarity, its category.

One artefact (`models/findings-classifier.joblib`) holds the three
scikit-learn pipelines and the metadata that says what they were trained on.
It is loaded once per worker process and refused when its taxonomy version is
not the code's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn

from pipeline.classify.features import FEATURES_VERSION, Statement
from pipeline.contract import settings_version
from pipeline.taxonomy import load_taxonomy

# The trained model ships inside the package as `pipeline.models` (the repository's `models/`
# folder, mapped in pyproject.toml), so an installed copy finds it wherever it runs.
MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
if not MODELS_DIR.is_dir():  # an editable install: the checkout's models/
    MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
MODEL_PATH = MODELS_DIR / "findings-classifier.joblib"


def model_path() -> Path:
    """The classifier file to use: FINDINGS_MODEL when set (read when called), else the shipped model."""
    return Path(os.environ.get("FINDINGS_MODEL") or MODEL_PATH)
REVIEW_THRESHOLD = 0.35
FINDING_THRESHOLD = 0.5


@dataclass(frozen=True)
class Decision:
    """How classifier probabilities become stored findings; chosen with the model on the development sets.

    Args:
        finding_threshold: minimum probability that a clause is a finding (halved
            for items under an explicit list cue, which the discourse vouches for).
        review_threshold: below this confidence a finding is kept but marked for review.
        khac_runner_up: when the category is 'khac', a runner-up this probable wins instead.
        khac_floor: an unsure 'khac' below this is dropped as not a finding.
        second_aspect: a runner-up category this probable, named in the clause too, is a second finding.
        marked_factor: the finding threshold is multiplied by this for a clause whose
            polarity an explicit marker decides ('chưa', a negated fault, 'đề nghị').
    """

    finding_threshold: float = FINDING_THRESHOLD
    review_threshold: float = REVIEW_THRESHOLD
    khac_runner_up: float = 0.2
    khac_floor: float = 0.4
    second_aspect: float = 0.2
    marked_factor: float = 1.0

    @property
    def version(self) -> str:
        return settings_version(self)


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
    """The fitted feature unions, the three classifiers on their output, and their provenance."""

    finding: Any
    polarity: Any
    category: Any
    metadata: dict[str, Any]
    features: Any = None  # shared by the finding and polarity models
    category_features: Any = None

    @property
    def version(self) -> str:
        return self.metadata.get("model_version", "unknown")

    @property
    def decision(self) -> Decision:
        """The decision thresholds chosen with the model (on the development sets), else the defaults."""
        chosen = self.metadata.get("decision", {}).get("thresholds", {})
        return Decision(**{k: float(v) for k, v in chosen.items() if k in Decision.__dataclass_fields__})

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)

    def predict(self, statements: list[Statement], *, finding_floor: float = 0.0) -> list[Prediction | None]:
        """Classify a batch of statements (one call per document, not per clause).

        Statements whose finding probability is below `finding_floor` are not
        given a polarity or category (None in their place): it saves the two
        other models' work on the many clauses that are not findings.
        """
        if not statements:
            return []
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            records = [s.as_record() for s in statements]
            matrix = self.features.transform(records)
            finding_p = self.finding.predict_proba(matrix)[:, list(self.finding.classes_).index(True)]
            kept = [i for i, p in enumerate(finding_p) if p >= finding_floor]
            predictions: list[Prediction | None] = [None] * len(statements)
            if not kept:
                return predictions
            polarity_p = self.polarity.predict_proba(matrix[kept])
            category_p = self.category.predict_proba(self.category_features.transform([records[i] for i in kept]))
        polarity_classes = list(self.polarity.classes_)
        category_classes = list(self.category.classes_)
        for row, i in enumerate(kept):
            pi = int(np.argmax(polarity_p[row]))
            order = np.argsort(category_p[row])[::-1][:3]
            predictions[i] = Prediction(
                finding_probability=float(finding_p[i]),
                polarity=str(polarity_classes[pi]),
                polarity_probability=float(polarity_p[row][pi]),
                category=str(category_classes[order[0]]),
                category_probability=float(category_p[row][order[0]]),
                category_ranking=[(str(category_classes[j]), float(category_p[row][j])) for j in order],
            )
        return predictions


def check_compatible(bundle: ClassifierBundle) -> None:
    """Refuse a model built with other features or for another taxonomy version."""
    features = bundle.metadata.get("features_version")
    if features != FEATURES_VERSION or getattr(bundle, "category_features", None) is None:
        raise ModelMismatchError(
            f"the classifier was built with features {features!r} but this code computes "
            f"{FEATURES_VERSION!r}: rebuild it with `findings train`"
        )
    expected = load_taxonomy().version
    found = bundle.metadata.get("taxonomy_version")
    if found != expected:
        raise ModelMismatchError(
            f"the classifier was trained for taxonomy version {found!r} but this code uses "
            f"{expected!r}: rebuild it with `findings train`"
        )


@lru_cache(maxsize=2)
def load_classifier(path: Path | None = None) -> ClassifierBundle:
    """Load the classifier (default: `model_path()`); raises if missing or incompatible."""
    path = path or model_path()
    if not path.exists():
        raise FileNotFoundError(f"no classifier at {path}: build it with `findings train`")
    bundle = joblib.load(path)
    check_compatible(bundle)
    return bundle
