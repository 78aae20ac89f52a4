"""Train the classifiers from `corpus/statements/*.jsonl` (`findings train`).

Deterministic: fixed seeds and sorted inputs, so the same corpus gives the
same model. Candidate estimators are compared by stratified cross-validation
and the best (macro-F1) is kept for each task; the model card records the
comparison, per-category scores and the most confused category pairs.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from pipeline.classify.features import FEATURES_VERSION, Statement, build_features, mask_text, segment_words
from pipeline.classify.model import MODEL_PATH, ClassifierBundle, Decision
from pipeline.extract.findings import clause_polarity, cue_polarity
from pipeline.taxonomy import load_taxonomy

CORPUS_DIR = Path(__file__).resolve().parents[2] / "corpus" / "statements"
SEED = 13
TRIALS_KEPT = 24  # the best development-set trials written to the model card
ALT_LABEL_WEIGHT = 0.3  # weight of a statement's `category_alt` as a second label ('<estimator>+alt' candidates)
FOLDS = 5


@dataclass
class CorpusRecord:
    """One annotated statement of the corpus."""

    id: str
    text: str
    finding: bool
    polarity: str | None
    category: str | None
    category_alt: str | None
    context: str
    genre: str | None = None


def load_corpus(directory: Path = CORPUS_DIR) -> list[CorpusRecord]:
    """Every record of every `*.jsonl` file, in a stable order."""
    records = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            data = json.loads(line)
            records.append(
                CorpusRecord(
                    id=data["id"], text=data["text"], finding=bool(data["finding"]),
                    polarity=data.get("polarity"), category=data.get("category"),
                    category_alt=data.get("category_alt"), context=data.get("context") or "",
                    genre=data.get("genre"),
                )
            )
    records.sort(key=lambda r: r.id)
    return records


def corrections_fingerprint(extra: list[CorpusRecord]) -> str:
    """'+corrections.<sha256 prefix>' over analysts' corrections learned too ('' without any):
    a model trained on other corrections is another model."""
    if not extra:
        return ""
    digest = hashlib.sha256()
    for record in sorted(extra, key=lambda r: r.id):
        digest.update(json.dumps(asdict(record), ensure_ascii=False, sort_keys=True).encode())
    return f"+corrections.{digest.hexdigest()[:12]}"


def corpus_fingerprint(directory: Path = CORPUS_DIR) -> str:
    """sha256 over the corpus files: the data version in the model card."""
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.jsonl")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def to_statement(text: str, context: str, tokens: str | None = None) -> Statement:
    """The features' view of a corpus record, built as the pipeline builds it."""
    context_polarity = cue_polarity(context) if context else None
    return Statement(
        text=mask_text(text),
        tokens=tokens if tokens is not None else segment_words(text),
        context=context,
        context_polarity=context_polarity or "",
        rule_polarity=clause_polarity(text, context=context_polarity) or "",
    )


def _estimators() -> dict[str, Any]:
    return {
        "logreg": LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced", random_state=SEED),
        "linear_svc_calibrated": CalibratedClassifierCV(
            LinearSVC(C=0.5, class_weight="balanced", random_state=SEED), cv=3, ensemble=False),
    }


def _candidates(discourse: bool) -> dict[str, Pipeline]:
    """Each candidate with its own features, so cross-validation never sees a fold's vocabulary."""
    return {name: Pipeline([("features", build_features(discourse=discourse)), ("model", estimator)])
            for name, estimator in _estimators().items()}


def _select(name: str, records: list[dict], y: list, *, discourse: bool = True,
            accept: list[set] | None = None) -> tuple[str, dict[str, Any], np.ndarray]:
    """Cross-validate the candidates for one task; the best one's name, the report, its predictions."""
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    scores: dict[str, float] = {}
    predictions: dict[str, np.ndarray] = {}
    for candidate, pipeline in _candidates(discourse).items():
        predicted = cross_val_predict(pipeline, records, y, cv=folds, n_jobs=2)
        truth = [p if accept and p in accept[i] else y[i] for i, p in enumerate(predicted)]
        scores[candidate] = float(f1_score(truth, predicted, average="macro"))
        predictions[candidate] = predicted
    best = max(scores, key=lambda c: (scores[c], c == "logreg"))
    return best, {"task": name, "cv_macro_f1": scores, "chosen": best}, predictions[best]


def _per_class(y: list, predicted: np.ndarray, accept: list[set] | None = None) -> dict[str, dict]:
    truth = [p if accept and p in accept[i] else y[i] for i, p in enumerate(predicted)]
    labels = sorted(set(truth) | set(predicted), key=str)
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    return {
        str(label): {"precision": round(float(p[i]), 3), "recall": round(float(r[i]), 3),
                     "f1": round(float(f[i]), 3), "support": int(s[i])}
        for i, label in enumerate(labels)
    }


def _confused_pairs(y: list, predicted: np.ndarray, accept: list[set], top: int = 8) -> list:
    pairs = Counter(
        (y[i], p) for i, p in enumerate(predicted) if p not in accept[i]
    )
    return [{"gold": g, "predicted": p, "count": n} for (g, p), n in pairs.most_common(top)]


def train(
    *, corpus_dir: Path = CORPUS_DIR, output: Path = MODEL_PATH,
    extra: list[CorpusRecord] | None = None, dev_sets: list[tuple[Path, Path]] | None = None,
) -> dict[str, Any]:
    """Train all three classifiers, save the bundle and its model card; return the card.

    With `dev_sets` ((gold, docs) folders), the estimator of each task and the
    finding threshold are chosen by the end-to-end findings F1 on those sets
    (`devselect`); without, by cross-validated macro-F1 on the corpus.
    Cross-validated per-class scores are reported either way.
    """
    started = time.perf_counter()
    taxonomy = load_taxonomy()
    corpus = load_corpus(corpus_dir) + list(extra or [])
    _validate(corpus, taxonomy.category_codes, taxonomy.polarity_codes)
    statements = [to_statement(r.text, r.context) for r in corpus]
    records = [s.as_record() for s in statements]

    finding_y = [r.finding for r in corpus]
    finding_best, finding_report, _ = _select("finding", records, finding_y)
    findings = [i for i, r in enumerate(corpus) if r.finding]
    f_records = [records[i] for i in findings]
    polarity_y = [corpus[i].polarity for i in findings]
    polarity_best, polarity_report, polarity_pred = _select("polarity", f_records, polarity_y)
    category_y = [corpus[i].category for i in findings]
    accept = [{corpus[i].category, corpus[i].category_alt} - {None} for i in findings]
    category_best, category_report, category_pred = _select(
        "category", f_records, category_y, discourse=False, accept=accept
    )
    # Finding and polarity share one fitted feature union (with the discourse context);
    # the category model has its own without it. A clause's features are computed twice, not thrice.
    features = build_features(discourse=True)
    matrix = features.fit_transform(records)
    category_features = build_features(discourse=False)
    category_matrix = category_features.fit_transform(f_records)
    chosen = {"finding": finding_best, "polarity": polarity_best, "category": category_best}
    alt_rows = [row for row, i in enumerate(findings) if corpus[i].category_alt]
    alt_matrix = sp.vstack([category_matrix, category_matrix[alt_rows]]).tocsr()
    alt_y = category_y + [corpus[findings[row]].category_alt for row in alt_rows]
    alt_weight = np.r_[np.ones(len(category_y)), np.full(len(alt_rows), ALT_LABEL_WEIGHT)]

    def fit_category(name: str) -> Any:
        """'<estimator>' learns the category; '<estimator>+alt' also learns `category_alt`, weighted down."""
        base, _, alt = name.partition("+")
        if alt:
            return _estimators()[base].fit(alt_matrix, alt_y, sample_weight=alt_weight)
        return _estimators()[base].fit(category_matrix, category_y)

    fits = {
        "finding": lambda name: _estimators()[name].fit(matrix, finding_y),
        "polarity": lambda name: _estimators()[name].fit(matrix[findings], polarity_y),
        "category": fit_category,
    }
    decision: dict[str, Any] = {"selected_by": "cross-validation", "thresholds": asdict(Decision())}
    if dev_sets:
        from pipeline.classify.devselect import choose, load_dev_documents, set_name

        names = {"finding": list(_estimators()), "polarity": list(_estimators()),
                 "category": [*_estimators(), *(f"{name}+alt" for name in _estimators())]}
        candidates = {task: {name: fit(name) for name in names[task]} for task, fit in fits.items()}

        def make_bundle(choice: dict[str, str]) -> ClassifierBundle:
            return ClassifierBundle(
                candidates["finding"][choice["finding"]], candidates["polarity"][choice["polarity"]],
                candidates["category"][choice["category"]], metadata={}, features=features,
                category_features=category_features,
            )

        documents = load_dev_documents(dev_sets)
        best, trials = choose(documents, candidates, make_bundle, floors=gate_floors())
        chosen = best["estimators"]
        decision = {"selected_by": "development sets", "thresholds": best["thresholds"],
                    "dev_sets": [set_name(d) for _, d in dev_sets], "dev_documents": len(documents),
                    "best": best, "trials_run": len(trials),
                    "trials": sorted(trials, key=lambda t: -t["objective"])[:TRIALS_KEPT]}
        models = {task: candidates[task][chosen[task]] for task in fits}
    else:
        models = {task: fit(chosen[task]) for task, fit in fits.items()}
    for report in (finding_report, polarity_report, category_report):
        report["chosen"] = chosen[report["task"]]
    elapsed = time.perf_counter() - started
    data_version = corpus_fingerprint(corpus_dir) + corrections_fingerprint(extra or [])
    card = {
        "model_version": f"findings-classifier.{data_version}",
        "taxonomy_version": taxonomy.version,
        "features_version": FEATURES_VERSION,
        "data_version": data_version,
        "records": len(corpus),
        "findings": len(findings),
        "not_findings": len(corpus) - len(findings),
        "extra_records": len(extra or []),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_seconds": round(elapsed, 1),
        "sklearn_version": sklearn.__version__,
        "seed": SEED,
        "tasks": [finding_report, polarity_report, category_report],
        "decision": decision,
        "polarity_per_class": _per_class(polarity_y, polarity_pred),
        "category_per_class": _per_class(category_y, category_pred, accept),
        "category_confusions": _confused_pairs(category_y, category_pred, accept),
    }
    bundle = ClassifierBundle(models["finding"], models["polarity"], models["category"], metadata=card,
                              features=features, category_features=category_features)
    bundle.save(output)
    write_model_card(card, output.with_name("MODEL_CARD.md"))
    output.with_name("model-card.json").write_text(
        json.dumps({k: v for k, v in card.items() if k != "trained_at"} | {"trained_at": card["trained_at"]},
                   ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return card


def gate_floors() -> dict[str, float]:
    """Findings F1 below which a development set would fail the accuracy gate (recorded figure - margin)."""
    from pipeline.evaluate import GATE_MARGIN, recorded_figures

    return {name: figures["findings_f1"] - GATE_MARGIN for name, figures in recorded_figures().items()}


def _validate(corpus: list[CorpusRecord], categories: tuple[str, ...], polarities: tuple[str, ...]) -> None:
    for record in corpus:
        if record.finding and (record.category not in categories or record.polarity not in polarities):
            raise ValueError(f"corpus record {record.id}: unknown category or polarity")


def write_model_card(card: dict[str, Any], path: Path) -> None:
    """The human-readable model card."""
    lines = [
        "# Model card: findings classifier",
        "",
        f"- Model version: `{card['model_version']}`",
        f"- Taxonomy version: `{card['taxonomy_version']}`; features: `{card['features_version']}`",
        f"- Data version (corpus sha256 prefix): `{card['data_version']}`",
        f"- Trained: {card['trained_at']} in {card['training_seconds']} s, "
        f"scikit-learn {card['sklearn_version']}, seed {card['seed']}",
        f"- Corpus: {card['records']} statements ({card['findings']} findings, {card['not_findings']} not findings), "
        f"{card['extra_records']} from analysts' corrections",
        "- Rebuild: `findings train` (deterministic)",
        "",
        "## Model selection (stratified 5-fold cross-validation, macro-F1; ties go to logistic regression)",
        "",
        "| task | " + " | ".join(card["tasks"][0]["cv_macro_f1"]) + " | chosen |",
        "|---|" + "---|" * (len(card["tasks"][0]["cv_macro_f1"]) + 1),
    ]
    for task in card["tasks"]:
        cells = " | ".join(f"{v:.3f}" for v in task["cv_macro_f1"].values())
        lines.append(f"| {task['task']} | {cells} | {task['chosen']} |")
    decision = card.get("decision") or {}
    thresholds = ", ".join(f"{k} {v:g}" for k, v in (decision.get("thresholds") or {}).items())
    lines += ["", f"Chosen by: {decision.get('selected_by', 'cross-validation')}; decision: {thresholds}"]
    if decision.get("trials"):
        lines += ["", "## Selection on the development sets (end-to-end findings F1 over all their documents)", "",
                  f"Sets: {', '.join(decision['dev_sets'])} ({decision['dev_documents']} documents); "
                  f"{decision['trials_run']} trials, the best {len(decision['trials'])} below.", "",
                  "| finding | polarity | category | finding threshold | khac runner-up | second aspect "
                  "| marked factor | objective | " + " | ".join(f"{name} F1" for name in decision["dev_sets"]) + " |",
                  "|---|---|---|---|---|---|---|---|" + "---|" * len(decision["dev_sets"])]
        for trial in decision["trials"][:12]:
            e, t = trial["estimators"], trial["thresholds"]
            per_set = " | ".join(f"{trial[f'{name}:findings_f1']:.3f}" for name in decision["dev_sets"])
            lines.append(f"| {e['finding']} | {e['polarity']} | {e['category']} | {t['finding_threshold']:g} | "
                         f"{t['khac_runner_up']:g} | {t['second_aspect']:g} | {t['marked_factor']:g} | "
                         f"{trial['objective']:.3f} | {per_set} |")
    for title, key in (("Polarity", "polarity_per_class"), ("Category", "category_per_class")):
        lines += ["", f"## {title}, cross-validated per class", "",
                  "| class | P | R | F1 | n |", "|---|---|---|---|---|"]
        for label, m in card[key].items():
            lines.append(f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    lines += ["", "## Most confused category pairs (gold -> predicted)", "",
              "| gold | predicted | n |", "|---|---|---|"]
    for pair in card["category_confusions"]:
        lines.append(f"| {pair['gold']} | {pair['predicted']} | {pair['count']} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def records_from_corrections(corrected: list[Any]) -> list[CorpusRecord]:
    """Analysts' corrected findings as extra training records (ids `corr-<finding id>`)."""
    return [
        CorpusRecord(id=f"corr-{c.finding_id:08d}", text=c.text, finding=True, polarity=c.polarity,
                     category=c.category, category_alt=None, context="", genre="correction")
        for c in corrected
    ]
