"""Score extraction against hand annotations in the gold format.

The rules are those of the gold set's README: units by normalised canonical
name (inspected units must be found, `also_ok_units` may be), dates by ISO
with '--MM-DD' matching on month and day, findings as distinct
(polarity, category) pairs matched one-to-one to gold findings whose
category list contains the category. Counts are summed over documents.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.classify.model import MODELS_DIR
from pipeline.contract import ExtractResult
from pipeline.extract.dates import is_day_precision

PUBLISHED_MIN_CONFIDENCE = 0.5


@dataclass
class Score:
    """True positives and the sizes of both sides, summed over documents."""

    matched_predicted: int = 0
    predicted: int = 0
    matched_gold: int = 0
    gold: int = 0

    def add(self, other: Score) -> None:
        self.matched_predicted += other.matched_predicted
        self.predicted += other.predicted
        self.matched_gold += other.matched_gold
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return self.matched_predicted / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


FIELDS = ("units", "dates", "inspection_dates", "published", "findings", "polarity")


@dataclass
class Evaluation:
    """Scores per field, and per document for the report."""

    scores: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in FIELDS})
    per_document: dict[str, dict[str, Score]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def normalise_unit(name: str) -> str:
    """Lowercase, NFC, 'UBND'/'Ủy ban nhân dân' dropped, spaces collapsed."""
    text = unicodedata.normalize("NFC", name).lower()
    text = re.sub(r"\b(ubnd|ủy ban nhân dân|uỷ ban nhân dân)\b", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _match(predicted: list, gold: list, accepts: Callable[[object, object], bool]) -> int:
    """Size of a maximum one-to-one matching (augmenting paths; lists are small)."""
    owner: dict[int, int] = {}

    def assign(p: int, seen: set[int]) -> bool:
        for g in range(len(gold)):
            if g in seen or not accepts(predicted[p], gold[g]):
                continue
            seen.add(g)
            if g not in owner or assign(owner[g], seen):
                owner[g] = p
                return True
        return False

    return sum(assign(p, set()) for p in range(len(predicted)))


def date_matches(predicted: str, gold: str) -> bool:
    """Exact ISO match; a gold '--MM-DD' matches any predicted date on month and day."""
    if gold.startswith("--"):
        return predicted[-5:] == gold[-5:]
    return predicted == gold


def score_units(result: ExtractResult, gold: dict) -> Score:
    predicted = sorted({normalise_unit(u.name) for u in result.units if u.role == "inspected"})
    required = {normalise_unit(n) for n in gold.get("inspected_units", [])}
    acceptable = required | {normalise_unit(n) for n in gold.get("also_ok_units", [])}
    return Score(
        matched_predicted=sum(1 for p in predicted if p in acceptable), predicted=len(predicted),
        matched_gold=sum(1 for g in required if g in predicted), gold=len(required),
    )


def _score_dates(predicted: Iterable[str], gold: Iterable[str]) -> Score:
    p = sorted(set(predicted))
    g = sorted(set(gold))
    matched = _match(p, g, date_matches)  # type: ignore[arg-type]
    return Score(matched, len(p), matched, len(g))


def score_dates(result: ExtractResult, gold: dict) -> Score:
    return _score_dates((d.iso for d in result.dates if is_day_precision(d.iso)), gold.get("dates", []))


def score_inspection_dates(result: ExtractResult, gold: dict) -> Score:
    predicted = (d.iso for d in result.dates if d.role == "inspection" and is_day_precision(d.iso))
    return _score_dates(predicted, gold.get("inspection_dates", []))


def score_published(result: ExtractResult, gold: dict) -> Score:
    """A publication date given with confidence counts; a site's date bar alone does not."""
    doc = result.document
    predicted = doc.published if (doc.published_confidence or 1.0) >= PUBLISHED_MIN_CONFIDENCE else None
    expected = gold.get("published")
    hit = int(predicted is not None and predicted == expected)
    return Score(hit, int(predicted is not None), hit, int(expected is not None))


def finding_matches(polarity: str, category: str, item: tuple[str, Iterable[str]]) -> bool:
    """A predicted (polarity, category) matches a gold finding (polarity, acceptable categories)."""
    return polarity == item[0] and category in item[1]


def score_findings(result: ExtractResult, gold: dict, *, with_category: bool = True) -> Score:
    if with_category:
        predicted = sorted({(f.polarity, f.category) for f in result.findings})
        items = sorted({(g["polarity"], tuple(sorted(g["categories"]))) for g in gold.get("findings", [])})

        def accepts(p, g) -> bool:
            return finding_matches(*p, g)
    else:
        predicted = sorted({f.polarity for f in result.findings})
        items = sorted({g["polarity"] for g in gold.get("findings", [])})

        def accepts(p, g) -> bool:
            return p == g
    matched = _match(predicted, items, accepts)
    return Score(matched, len(predicted), matched, len(items))


def score_document(result: ExtractResult, gold: dict) -> dict[str, Score]:
    """Every field's score for one document."""
    return {
        "units": score_units(result, gold),
        "dates": score_dates(result, gold),
        "inspection_dates": score_inspection_dates(result, gold),
        "published": score_published(result, gold),
        "findings": score_findings(result, gold),
        "polarity": score_findings(result, gold, with_category=False),
    }


def load_gold(directory: Path) -> dict[str, dict]:
    """Gold annotations keyed by the document's file name."""
    gold = {}
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        gold[data.get("doc") or path.with_suffix(".txt").name] = data
    return gold


def evaluate(results: dict[str, ExtractResult], gold: dict[str, dict]) -> Evaluation:
    """Score results (keyed by file name) against gold (keyed by file name)."""
    evaluation = Evaluation()
    for name, annotation in gold.items():
        result = results.get(name)
        if result is None or result.status == "failed":
            evaluation.missing.append(name)
            result = result or ExtractResult(source=None)  # type: ignore[arg-type]
        scores = score_document(result, annotation)
        evaluation.per_document[name] = scores
        for key, score in scores.items():
            evaluation.scores[key].add(score)
    return evaluation


def render_evaluation(evaluation: Evaluation, *, title: str = "") -> str:
    """The table `findings evaluate` prints."""
    lines = [title] if title else []
    lines.append(f"{'field':<18}{'P':>7}{'R':>7}{'F1':>7}   matched/predicted  matched/gold")
    for key in FIELDS:
        s = evaluation.scores[key]
        lines.append(
            f"{key:<18}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}   "
            f"{s.matched_predicted:>5}/{s.predicted:<12}{s.matched_gold:>5}/{s.gold}"
        )
    lines.append(f"documents: {len(evaluation.per_document)}"
                 + (f"; failed or missing: {', '.join(evaluation.missing)}" if evaluation.missing else ""))
    return "\n".join(lines)


def render_model_scores(card: dict) -> str:
    """Cross-validated classifier scores from a model card (what `findings train` measured)."""
    lines = [f"classifiers, cross-validated on the corpus ({card.get('records', '?')} statements, "
             f"model {card.get('model_version', '?')})"]
    for task in card.get("tasks", []):
        chosen = task["chosen"]
        # a '+alt' variant is cross-validated as its base estimator
        score = task["cv_macro_f1"][chosen.partition("+")[0]]
        lines.append(f"  {task['task']:<9} macro-F1 {score:.3f} ({chosen})")
    for title, key in (("polarity", "polarity_per_class"), ("category", "category_per_class")):
        per_class = card.get(key) or {}
        if not per_class:
            continue
        lines.append(f"{title:<22}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
        for label, m in per_class.items():
            lines.append(f"  {label:<20}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['support']:>6}")
    return "\n".join(lines)


@dataclass(frozen=True)
class EvaluationSet:
    """A folder of gold annotations and the documents they annotate."""

    name: str
    gold: Path
    docs: Path

    @property
    def present(self) -> bool:
        return self.gold.is_dir() and self.docs.is_dir()


def shared_dir() -> Path:
    """`../shared` beside the project (FINDINGS_SHARED overrides): the measuring sets."""
    import os

    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("FINDINGS_SHARED") or root.parent / "shared")


def evaluation_sets() -> list[EvaluationSet]:
    """The project's own gold sets, then the shared seeds and real development set."""
    root = Path(__file__).resolve().parents[1]
    shared = shared_dir()
    return [
        EvaluationSet("corpus/eval", root / "corpus" / "eval" / "gold", root / "corpus" / "eval" / "docs"),
        EvaluationSet("corpus/samples", root / "corpus" / "samples" / "gold", root / "corpus" / "samples"),
        EvaluationSet("seeds", shared / "gold", shared / "seeds"),
        EvaluationSet("realdev", shared / "realdev" / "gold", shared / "realdev" / "docs"),
    ]


def development_sets() -> list[EvaluationSet]:
    """The sets that choose models and thresholds at training time (they measure; they never train)."""
    return [s for s in evaluation_sets() if s.name in ("realdev", "seeds") and s.present]


# The figures the accuracy gate guards, per set (`findings evaluate --record` writes them).
GUARDED = (("findings", "f1"), ("polarity", "f1"), ("units", "f1"), ("dates", "recall"), ("published", "recall"))
RECORDED_FIGURES = MODELS_DIR / "evaluation-figures.json"
GATE_MARGIN = 0.02


def recorded_figures() -> dict[str, dict[str, float]]:
    """The figures the accuracy gate guards, per set, as last recorded (empty when never recorded)."""
    if not RECORDED_FIGURES.exists():
        return {}
    return json.loads(RECORDED_FIGURES.read_text(encoding="utf-8"))["sets"]


def record_figures(per_set: dict[str, dict[str, float]]) -> None:
    """Write the guarded figures of every set: the accuracy gate's new floor."""
    RECORDED_FIGURES.write_text(json.dumps({"sets": per_set}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def figures(evaluation: Evaluation) -> dict[str, float]:
    """The guarded figures of one evaluation, rounded as recorded."""
    return {f"{name}_{measure}": round(getattr(evaluation.scores[name], measure), 3) for name, measure in GUARDED}


def reliability(results: dict[str, ExtractResult], gold: dict[str, dict], *, bins: int = 10) -> list[dict]:
    """How often a finding is right at each confidence decile.

    A finding is right when its (polarity, category) pair matches a gold
    finding of its document, as the findings score counts it.
    """
    rows = [{"low": i / bins, "high": (i + 1) / bins, "findings": 0, "right": 0, "confidence": 0.0}
            for i in range(bins)]
    for name, annotation in gold.items():
        result = results.get(name)
        if result is None:
            continue
        items = [(g["polarity"], g["categories"]) for g in annotation.get("findings", [])]
        for finding in result.findings:
            row = rows[min(int(finding.confidence * bins), bins - 1)]
            row["findings"] += 1
            row["confidence"] += finding.confidence
            row["right"] += any(finding_matches(finding.polarity, finding.category, item) for item in items)
    for row in rows:
        n = row["findings"]
        row["confidence"] = round(row["confidence"] / n, 3) if n else None
        row["accuracy"] = round(row["right"] / n, 3) if n else None
    return rows


def render_reliability(rows: list[dict]) -> str:
    """The reliability table `findings evaluate --reliability` prints."""
    lines = ["confidence      findings  mean conf.  right"]
    for row in rows:
        if row["findings"]:
            lines.append(f"{row['low']:.1f}-{row['high']:.1f}  {row['findings']:>12}  {row['confidence']:>10.3f}"
                         f"  {row['accuracy']:>5.3f}")
    return "\n".join(lines)
