"""Choose the classifiers and the finding threshold by the end-to-end score on development sets.

Cross-validation on our own statements rewards the way we write; what users
need is findings that hold on real reports. `findings train` therefore fits
every candidate estimator for each task on the whole corpus, runs the
pipeline once per development document up to its candidate clauses, and
scores each combination of estimators and decision settings (`Decision`:
finding threshold, 'khac' handling, second aspects) as `findings evaluate`
does (findings F1 over every development document). The winner and every
score go into the model card. Development sets measure:
their text never enters training.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from spacy.tokens import Doc

from pipeline.classify.model import Decision
from pipeline.evaluate import Score, load_gold, score_findings


@dataclass
class DevDocument:
    """A development document mined up to its candidates, with its gold annotation."""

    set_name: str
    doc: Doc
    gold: dict


def set_name(docs_dir: Path) -> str:
    """A development set's name for the model card: 'realdev' (../shared/realdev/docs), 'seeds' (../shared/seeds)."""
    return docs_dir.parent.name if docs_dir.name == "docs" else docs_dir.name


def load_dev_documents(dev_sets: list[tuple[Path, Path]]) -> list[DevDocument]:
    """Read and mine every annotated document of the development sets, without the classifier."""
    from pipeline.process import Extractor
    from pipeline.read import read_document_guarded

    extractor = Extractor(with_classifier=False)
    documents = []
    for gold_dir, docs_dir in dev_sets:
        for name, annotation in load_gold(gold_dir).items():
            path = docs_dir / name
            if not path.exists():
                continue
            doc, _ = extractor.extract_with_doc(read_document_guarded(path))
            if doc is not None:
                documents.append(DevDocument(set_name(docs_dir), doc, annotation))
    return documents


def dev_score(documents: list[DevDocument], findings_per_document: list[list]) -> dict[str, float]:
    """Findings and polarity F1 per development set, and findings F1 over all their documents (the objective).

    Pooled as `findings evaluate` sums over documents: each annotated finding weighs the same,
    so forty real reports count for more than five seed articles.
    """
    per_set: dict[str, tuple[Score, Score]] = {}
    for document, findings in zip(documents, findings_per_document, strict=True):
        result = SimpleNamespace(findings=findings)
        scores = per_set.setdefault(document.set_name, (Score(), Score()))
        scores[0].add(score_findings(result, document.gold))
        scores[1].add(score_findings(result, document.gold, with_category=False))
    figures = {f"{name}:findings_f1": round(f.f1, 4) for name, (f, _) in per_set.items()}
    figures |= {f"{name}:polarity_f1": round(p.f1, 4) for name, (_, p) in per_set.items()}
    pooled = Score()
    for findings_score, _ in per_set.values():
        pooled.add(findings_score)
    figures["objective"] = round(pooled.f1, 4)
    return figures


# The decision settings tried with every combination of estimators.
DECISION_GRID = {
    "finding_threshold": (0.2, 0.3, 0.4, 0.5, 0.6),
    "khac_runner_up": (0.2, 1.01),  # 1.01: never swap 'khac' for its runner-up
    "second_aspect": (0.2, 0.3, 1.01),  # 1.01: one category per clause
    "marked_factor": (1.0, 0.6),
}


def choose(
    documents: list[DevDocument], models: dict[str, dict[str, Any]], make_bundle,
    *, floors: dict[str, float] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The trial with the best objective (its `estimators` per task and decision `thresholds`), and every trial.

    `models[task][estimator]` are fitted models; `make_bundle(choice)` builds a bundle from a choice.
    `floors` (set name -> findings F1) keeps out trials that would fail the accuracy gate on a
    set; when no trial clears them all, every trial competes.
    Ties go to plain estimators (no '+alt' variant), to logistic regression (simpler, better
    calibrated), then to the default settings.
    """
    from pipeline.components import ClassifierComponent

    trials = []
    tasks = list(models)
    settings = [dict(zip(DECISION_GRID, values, strict=True)) for values in itertools.product(*DECISION_GRID.values())]
    for names in itertools.product(*(sorted(models[task]) for task in tasks)):
        choice = dict(zip(tasks, names, strict=True))
        bundle = make_bundle(choice)
        # Predict once per document; each decision setting only re-reads the predictions.
        predictor = ClassifierComponent(bundle, decision=Decision())
        candidates = [predictor.candidates(d.doc) for d in documents]
        predictions = [predictor.predict(d.doc, c) for d, c in zip(documents, candidates, strict=True)]
        for setting in settings:
            decision = replace(Decision(), **setting)
            component = ClassifierComponent(bundle, decision=decision)
            findings = [component.decide(c, p) for c, p in zip(candidates, predictions, strict=True)]
            trials.append({"estimators": choice, "thresholds": asdict(decision), **dev_score(documents, findings)})

    default = asdict(Decision())

    def preference(trial: dict[str, Any]) -> tuple:
        plain = sum("+" not in name for name in trial["estimators"].values())
        logregs = sum(name == "logreg" for name in trial["estimators"].values())
        defaults = sum(trial["thresholds"][k] == default[k] for k in DECISION_GRID)
        return trial["objective"], plain, logregs, defaults

    eligible = [t for t in trials
                if all(t.get(f"{name}:findings_f1", 1.0) >= floor for name, floor in (floors or {}).items())]
    return max(eligible or trials, key=preference), trials
