"""spaCy components: each finds one kind of thing and writes it to the `Doc`.

`build_nlp()` assembles a blank Vietnamese pipeline with the underthesea
tokenizer and these components, in the order data flows:
layout -> metadata -> dates -> legal references -> units -> findings ->
classifier. Each component is registered under a versioned name, and the
versions of everything a stored result depends on are in `doc._.versions`.
"""

from __future__ import annotations

import re
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.classify.features import Statement, cue_patterns
from pipeline.classify.model import (
    FINDING_THRESHOLD,
    MODEL_PATH,
    REVIEW_THRESHOLD,
    ClassifierBundle,
    load_classifier,
)
from pipeline.contract import Finding, Span, Unit
from pipeline.extract.dates import DATES_VERSION, assign_date_roles, find_dates
from pipeline.extract.findings import FINDINGS_VERSION, Candidate, find_candidates, is_background
from pipeline.extract.gazetteer import GAZETTEER_VERSION, load_gazetteer
from pipeline.extract.legal_refs import LEGAL_REFS_VERSION, find_legal_refs
from pipeline.extract.units import UNITS_VERSION, build_units
from pipeline.layout import LAYOUT_VERSION, classify_lines
from pipeline.metadata import METADATA_VERSION, extract_metadata
from pipeline.segment import TOKENIZER_NAME

for _name in ("lines", "metadata", "dates", "legal_refs", "units", "candidates", "findings"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
for _name in ("hints", "versions"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def _versions(doc: Doc) -> dict[str, str]:
    if doc._.versions is None:
        doc._.versions = {}
    return doc._.versions


def doc_text(doc: Doc) -> str:
    """The doc's text, built once (spaCy rebuilds `doc.text` from the tokens on every access)."""
    cached = doc.user_data.get("text")
    if cached is None:
        cached = doc.user_data["text"] = doc.text
    return cached


def sentence_spans(doc: Doc) -> list[Span]:
    """(start, end) character offsets of the doc's sentences (computed once per doc)."""
    cached = doc.user_data.get("sentence_spans")
    if cached is None:
        cached = doc.user_data["sentence_spans"] = [(s.start_char, s.end_char) for s in doc.sents]
    return cached


@Language.factory("findings_layout_v1")
def make_layout(nlp: Language, name: str) -> LayoutComponent:
    return LayoutComponent()


class LayoutComponent:
    """Classify lines (body, caption, chrome, heading...) into `doc._.lines`."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.lines = classify_lines(doc_text(doc))
        _versions(doc)["layout"] = LAYOUT_VERSION
        return doc


@Language.factory("findings_metadata_v1")
def make_metadata(nlp: Language, name: str) -> MetadataComponent:
    return MetadataComponent()


class MetadataComponent:
    """Title, publication date, publisher and kind into `doc._.metadata`."""

    def __call__(self, doc: Doc) -> Doc:
        hints = doc._.hints or {}
        doc._.metadata = extract_metadata(
            doc._.lines, hint_title=hints.get("title"), hint_published=hints.get("published"),
            hint_publisher=hints.get("publisher"),
        )
        _versions(doc)["metadata"] = METADATA_VERSION
        return doc


@Language.factory("findings_dates_v1")
def make_dates(nlp: Language, name: str) -> DatesComponent:
    return DatesComponent()


class DatesComponent:
    """Dates and periods, year-filled from the publication date, into `doc._.dates`."""

    def __call__(self, doc: Doc) -> Doc:
        meta = doc._.metadata
        # Even a site's date bar (low confidence as a publication date) gives the year.
        dated = (meta.published or meta.issued) if meta else None
        year = int(dated[:4]) if dated else None
        doc._.dates = find_dates(doc_text(doc), reference_year=year)
        _versions(doc)["dates"] = DATES_VERSION
        return doc


@Language.factory("findings_legal_refs_v1")
def make_legal_refs(nlp: Language, name: str) -> LegalRefsComponent:
    return LegalRefsComponent()


class LegalRefsComponent:
    """Cited documents into `doc._.legal_refs`, then the dates' roles."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.legal_refs = find_legal_refs(doc_text(doc), dates=doc._.dates)
        meta = doc._.metadata
        assign_date_roles(
            doc_text(doc), doc._.dates, sentences=sentence_spans(doc),
            document_spans=[r.span for r in doc._.legal_refs],
            published_span=meta.published_span if meta else None,
            issued_span=meta.issued_span if meta else None,
        )
        _versions(doc)["legal_refs"] = LEGAL_REFS_VERSION
        return doc


@Language.factory("findings_units_v1")
def make_units(nlp: Language, name: str) -> UnitsComponent:
    return UnitsComponent()


_SELF_ASSESSMENT = re.compile(r"tự kiểm tra|tự đánh giá|tự chấm điểm", re.IGNORECASE)


class UnitsComponent:
    """Administrative units with roles, resolved against the gazetteer, into `doc._.units`."""

    def __init__(self) -> None:
        self.gazetteer = load_gazetteer()

    def __call__(self, doc: Doc) -> Doc:
        meta = doc._.metadata
        province = self.gazetteer.province_in(meta.publisher) if meta and meta.publisher else None
        doc._.units = build_units(
            doc_text(doc), sentences=sentence_spans(doc), gazetteer=self.gazetteer,
            title=meta.title if meta else None, province_hint=province,
            self_assessment=bool(meta and meta.title and _SELF_ASSESSMENT.search(meta.title)),
            skip_spans=[(ln.start, ln.end) for ln in doc._.lines if ln.kind in ("chrome", "byline")],
        )
        _versions(doc)["units"] = UNITS_VERSION
        _versions(doc)["gazetteer"] = GAZETTEER_VERSION
        return doc


@Language.factory("findings_candidates_v1")
def make_candidates(nlp: Language, name: str) -> CandidatesComponent:
    return CandidatesComponent()


class CandidatesComponent:
    """Atomic candidate clauses with their discourse polarity into `doc._.candidates`."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.candidates = find_candidates(doc_text(doc), doc._.lines, sentence_spans(doc))
        _versions(doc)["findings"] = FINDINGS_VERSION
        return doc


@Language.factory(
    "findings_classifier_v1",
    default_config={"model_path": str(MODEL_PATH), "finding_threshold": FINDING_THRESHOLD,
                    "review_threshold": REVIEW_THRESHOLD},
)
def make_classifier(
    nlp: Language, name: str, *, model_path: str, finding_threshold: float, review_threshold: float
) -> ClassifierComponent:
    return ClassifierComponent(
        load_classifier(Path(model_path)), finding_threshold=finding_threshold,
        review_threshold=review_threshold,
    )


class ClassifierComponent:
    """Keep the candidates that are findings; give each a polarity, category and units.

    Args:
        bundle: the trained classifiers.
        finding_threshold: minimum probability that a clause is a finding (halved
            for items under an explicit list cue, which the discourse vouches for).
        review_threshold: below this confidence a finding is kept but marked for review.
    """

    def __init__(self, bundle: ClassifierBundle, *, finding_threshold: float, review_threshold: float) -> None:
        self.bundle = bundle
        self.finding_threshold = finding_threshold
        self.review_threshold = review_threshold

    def __call__(self, doc: Doc) -> Doc:
        candidates = [c for c in doc._.candidates or [] if not is_background(c.text)]
        statements = [self._statement(doc, c) for c in candidates]
        predictions = self.bundle.predict(statements, finding_floor=self.finding_threshold / 2)
        findings: list[Finding] = []
        for candidate, prediction in zip(candidates, predictions, strict=True):
            threshold = self.finding_threshold / (2 if candidate.context_polarity else 1)
            if prediction is None or prediction.finding_probability < threshold:
                continue
            category, category_p = _decide_category(prediction)
            if category is None:
                continue
            polarity, source, polarity_p = _decide_polarity(candidate, prediction)
            units = attribute_units(doc, candidate)
            aspects = [(category, category_p), *_second_aspect(candidate.text, category, prediction)]
            for aspect, aspect_p in aspects:
                confidence = round(polarity_p * aspect_p, 4)
                findings.append(
                    Finding(
                        polarity=polarity,  # type: ignore[arg-type]
                        category=aspect,
                        text=candidate.text,
                        span=candidate.span,
                        units=units,
                        confidence=confidence,
                        polarity_source=source,
                        needs_review=confidence < self.review_threshold,
                        quantity=candidate.quantity,
                    )
                )
        doc._.findings = findings
        _promote_finding_subjects(doc, findings)
        _versions(doc)["classifier"] = self.bundle.version
        return doc

    @staticmethod
    def _statement(doc: Doc, candidate: Candidate) -> Statement:
        span = doc.char_span(*candidate.span, alignment_mode="expand")
        tokens = " ".join(t.text.replace(" ", "_") for t in span if not t.is_space).lower() if span else ""
        return Statement(
            text=candidate.text, tokens=tokens, context=candidate.context_cue,
            context_polarity=candidate.context_polarity or "",
            rule_polarity=candidate.rule_polarity or "",
        )


KHAC_RUNNER_UP = 0.2
KHAC_FLOOR = 0.4


def _decide_category(prediction) -> tuple[str | None, float]:
    """The category, or None to drop the clause.

    'khac' is the model's answer for clauses it cannot place, which are most
    often not findings at all (fragments, headings, remarks): a credible
    runner-up category wins, and an unsure 'khac' is dropped.
    """
    if prediction.category != "khac":
        return prediction.category, prediction.category_probability
    runner_up = prediction.category_ranking[1] if len(prediction.category_ranking) > 1 else None
    if runner_up and runner_up[1] >= KHAC_RUNNER_UP:
        return runner_up
    if prediction.category_probability < KHAC_FLOOR:
        return None, 0.0
    return "khac", prediction.category_probability


SECOND_ASPECT = 0.2


def _second_aspect(text: str, first: str, prediction) -> list[tuple[str, float]]:
    """A clause that assesses two aspects at once ('công chức đúng giờ và ăn mặc chỉnh tề')
    is also a finding of the runner-up category, when the model rates it and the clause names it."""
    if len(prediction.category_ranking) < 2:
        return []
    second, probability = prediction.category_ranking[1]
    if second == first or second == "khac" or probability < SECOND_ASPECT:
        return []
    patterns = dict(cue_patterns())
    lowered = text.lower()
    named = all(
        (pattern := patterns.get(f"cat_cue={code}")) is not None and pattern.search(lowered)
        for code in (first, second)
    )
    return [(second, probability)] if named else []


def _decide_polarity(candidate: Candidate, prediction) -> tuple[str, str, float]:
    """Rules decide where the discourse is explicit; otherwise the model, unless unsure."""
    rule = candidate.rule_polarity
    if rule and (candidate.context_polarity or rule == prediction.polarity):
        return rule, "rule" if rule != prediction.polarity else "rule+model", max(prediction.polarity_probability, 0.9)
    if rule and prediction.polarity_probability < 0.75:
        return rule, "rule", 0.6
    return prediction.polarity, "model", prediction.polarity_probability


def _units_in(units: list[Unit], span: Span) -> list[Unit]:
    return [u for u in units if u.role != "inspector" and any(span[0] <= m[0] < span[1] for m in u.mentions)]


def attribute_units(doc: Doc, candidate: Candidate) -> list[str]:
    """The units a finding is about: named in it, else in its sentence, else its paragraph's subject."""
    units: list[Unit] = doc._.units or []
    for span in (candidate.span, candidate.sentence_span):
        found = _units_in(units, span)
        if found:
            return [u.name for u in found]
    line = next((ln for ln in doc._.lines if ln.start <= candidate.span[0] <= ln.end), None)
    if line:
        found = _units_in(units, (line.start, candidate.span[0]))
        if found:
            return [u.name for u in found]
    before = [
        (max(m[0] for m in u.mentions if m[0] < candidate.span[0]), u) for u in units
        if u.role == "inspected" and any(m[0] < candidate.span[0] for m in u.mentions)
    ]
    if before:
        nearest = max(pos for pos, _ in before)
        return [u.name for pos, u in before if nearest - pos < 200]
    inspected = [u.name for u in units if u.role == "inspected"]
    return inspected if len(inspected) <= 3 else []


def _promote_finding_subjects(doc: Doc, findings: list[Finding]) -> None:
    """A unit a strength or limitation is stated about was inspected or assessed."""
    by_name = {u.name: u for u in doc._.units or []}
    for finding in findings:
        if finding.polarity == "recommendation":
            continue
        for unit in _units_in(list(by_name.values()), finding.span):
            if unit.role == "mentioned" and unit.level not in ("tinh",):
                unit.role = "inspected"


PIPE_NAMES = (
    "findings_layout_v1", "findings_metadata_v1", "findings_dates_v1", "findings_legal_refs_v1",
    "findings_units_v1", "findings_candidates_v1", "findings_classifier_v1",
)


def build_nlp(*, model_path: Path = MODEL_PATH, with_classifier: bool = True) -> Language:
    """The whole segmentation and extraction pipeline as one spaCy `Language`."""
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
    for pipe in PIPE_NAMES:
        if pipe == "findings_classifier_v1":
            if with_classifier:
                nlp.add_pipe(pipe, config={"model_path": str(model_path)})
        else:
            nlp.add_pipe(pipe)
    return nlp
