"""Check the annotated corpus: every record against the taxonomy, and leaks.

`findings corpus validate` runs `validate_corpus`: record shape and codes,
unique ids, and near-duplicates, both inside the training statements and
between them and the evaluation documents (a training statement that nearly
repeats a sentence of a test document would inflate the scores).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.normalise import normalise_text
from pipeline.taxonomy import load_taxonomy

REQUIRED_KEYS = ("id", "text", "finding", "polarity", "category", "context", "genre", "source")
GENRES = ("news", "ket_luan", "bao_cao", "tu_kiem_tra")
NEAR_DUPLICATE = 0.9


@dataclass
class CorpusReport:
    """What the validation found."""

    records: int = 0
    errors: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str, float]] = field(default_factory=list)
    leaks: list[tuple[str, str, float]] = field(default_factory=list)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Errors fail the check; duplicates and leaks are flagged for a person to judge."""
        return not self.errors


def check_record(data: dict, line: str) -> list[str]:
    """Problems with one record (empty when it is valid)."""
    taxonomy = load_taxonomy()
    problems = [f"{line}: missing key '{k}'" for k in REQUIRED_KEYS if k not in data]
    if problems:
        return problems
    if not str(data["text"]).strip():
        problems.append(f"{line}: empty text")
    if data["finding"]:
        if data["polarity"] not in taxonomy.polarities:
            problems.append(f"{line}: unknown polarity {data['polarity']!r}")
        if data["category"] not in taxonomy.categories:
            problems.append(f"{line}: unknown category {data['category']!r}")
        alt = data.get("category_alt")
        if alt is not None and (alt not in taxonomy.categories or alt == data["category"]):
            problems.append(f"{line}: bad category_alt {alt!r}")
    elif data["polarity"] is not None or data["category"] is not None:
        problems.append(f"{line}: a record that is not a finding has no polarity or category")
    if data["genre"] not in GENRES:
        problems.append(f"{line}: unknown genre {data['genre']!r}")
    return problems


def _sentences(path: Path) -> list[str]:
    text = normalise_text(path.read_text(encoding="utf-8"))
    return [s.strip() for s in re.split(r"(?<=[.;:!?])\s+|\n+", text) if len(s.split()) >= 5]


def _similar_pairs(left: list[str], right: list[str] | None, threshold: float) -> list[tuple[int, int, float]]:
    """Index pairs whose character n-gram cosine similarity reaches `threshold`."""
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True)
    matrix = vectorizer.fit_transform(left + (right or []))
    a = matrix[: len(left)]
    b = matrix[len(left):] if right is not None else a
    similarity = (a @ b.T).tocoo()
    pairs = []
    for i, j, value in zip(similarity.row, similarity.col, similarity.data, strict=True):
        if value >= threshold and (right is not None or i < j):
            pairs.append((int(i), int(j), float(value)))
    return sorted(pairs, key=lambda p: -p[2])


def validate_corpus(statements_dir: Path, test_dirs: list[Path], *, threshold: float = NEAR_DUPLICATE) -> CorpusReport:
    """Validate every statement file and look for near-duplicates and train/test leaks."""
    report = CorpusReport()
    texts: list[str] = []
    ids: list[str] = []
    seen: set[str] = set()
    for path in sorted(statements_dir.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                report.errors.append(f"{where}: not JSON ({exc.msg})")
                continue
            report.errors.extend(check_record(data, where))
            if data.get("id") in seen:
                report.errors.append(f"{where}: duplicate id {data.get('id')!r}")
            seen.add(data.get("id"))
            texts.append(str(data.get("text", "")))
            ids.append(str(data.get("id")))
            key = (data.get("category") or "not_finding", data.get("polarity") or "-")
            report.counts[key] = report.counts.get(key, 0) + 1
    report.records = len(texts)
    if texts:
        report.duplicates = [(ids[i], ids[j], s) for i, j, s in _similar_pairs(texts, None, threshold)]
    test_sentences: list[tuple[str, str]] = []
    for folder in test_dirs:
        for path in sorted(folder.glob("*.txt")):
            test_sentences += [(f"{path.name}", s) for s in _sentences(path)]
    # Formulaic lines ('Độc lập - Tự do - Hạnh phúc') are shared by a genre, not leaked.
    substantial = [i for i, t in enumerate(texts) if len(re.findall(r"\w+", t)) >= 7 and not t.isupper()]
    if substantial and test_sentences:
        pairs = _similar_pairs([texts[i] for i in substantial], [s for _, s in test_sentences], threshold)
        report.leaks = [(ids[substantial[i]], test_sentences[j][0], s) for i, j, s in pairs]
    return report


def render_report(report: CorpusReport) -> str:
    """The text `findings corpus validate` prints."""
    lines = [f"{report.records} records; {len(report.errors)} errors; "
             f"{len(report.duplicates)} near-duplicate pairs inside the corpus; "
             f"{len(report.leaks)} statements nearly repeating a test document"]
    lines += [f"error: {e}" for e in report.errors[:50]]
    lines += [f"near-duplicate: {a} ~ {b} ({s:.2f})" for a, b, s in report.duplicates[:30]]
    lines += [f"leak: {a} ~ {b} ({s:.2f})" for a, b, s in report.leaks[:30]]
    lines.append("counts (category, polarity):")
    for (category, polarity), n in sorted(report.counts.items()):
        lines.append(f"  {category:<20} {polarity:<15} {n}")
    return "\n".join(lines)
