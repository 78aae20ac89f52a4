"""spaCy components: each finds one kind of thing and writes it to the `Doc`.

`build_nlp()` assembles a blank Vietnamese pipeline with the underthesea
tokenizer and these components, in the order data flows:
layout -> relevance -> metadata -> dates -> legal references -> units ->
candidate findings (in relevant passages only) -> classifier -> attribution
of findings to units. Each component is registered under a versioned name, and the
versions of everything a stored result depends on are in `doc._.versions`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import pipeline.relevance_component  # noqa: F401 - registers findings_relevance_v1
from pipeline.classify.features import Statement, cue_patterns, mask_text, statement_tokens
from pipeline.classify.model import (
    ClassifierBundle,
    Decision,
    load_classifier,
)
from pipeline.contract import Finding, Span, Unit
from pipeline.extract.dates import DATES_VERSION, assign_date_roles, find_dates
from pipeline.extract.findings import (
    DECISIVE_RULES,
    FINDINGS_VERSION,
    Candidate,
    find_candidates,
    is_background,
    is_fragment,
)
from pipeline.extract.gazetteer import GAZETTEER_VERSION, load_gazetteer
from pipeline.extract.legal_refs import LEGAL_REFS_VERSION, find_legal_refs
from pipeline.extract.units import UNITS_VERSION, build_units
from pipeline.layout import LAYOUT_VERSION, classify_lines
from pipeline.metadata import METADATA_VERSION, extract_metadata
from pipeline.segment import LEXEME_ATTRIBUTES, TOKENIZER_NAME, doc_text, sentence_spans

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


@Language.factory("findings_layout_v1")
def make_layout(nlp: Language, name: str) -> LayoutComponent:
    return LayoutComponent()


class LayoutComponent:
    """Classify lines (body, caption, chrome, heading...) into `doc._.lines`."""

    stage_versions = {"layout": LAYOUT_VERSION}

    def __call__(self, doc: Doc) -> Doc:
        doc._.lines = classify_lines(doc_text(doc))
        _versions(doc).update(self.stage_versions)
        return doc


@Language.factory("findings_metadata_v1")
def make_metadata(nlp: Language, name: str) -> MetadataComponent:
    return MetadataComponent()


class MetadataComponent:
    """Title, publication date, publisher and kind into `doc._.metadata`."""

    stage_versions = {"metadata": METADATA_VERSION}

    def __call__(self, doc: Doc) -> Doc:
        hints = doc._.hints or {}
        doc._.metadata = extract_metadata(
            doc._.lines, hint_title=hints.get("title"), hint_published=hints.get("published"),
            hint_publisher=hints.get("publisher"),
        )
        _versions(doc).update(self.stage_versions)
        return doc


@Language.factory("findings_dates_v1")
def make_dates(nlp: Language, name: str) -> DatesComponent:
    return DatesComponent()


class DatesComponent:
    """Dates and periods, year-filled from the publication date, into `doc._.dates`."""

    stage_versions = {"dates": DATES_VERSION}

    def __call__(self, doc: Doc) -> Doc:
        meta = doc._.metadata
        # Even a site's date bar (low confidence as a publication date) gives the year.
        dated = (meta.published or meta.issued) if meta else None
        year = int(dated[:4]) if dated else None
        doc._.dates = find_dates(doc_text(doc), reference_year=year)
        _versions(doc).update(self.stage_versions)
        return doc


@Language.factory("findings_legal_refs_v1")
def make_legal_refs(nlp: Language, name: str) -> LegalRefsComponent:
    return LegalRefsComponent()


class LegalRefsComponent:
    """Cited documents into `doc._.legal_refs`, then the dates' roles."""

    stage_versions = {"legal_refs": LEGAL_REFS_VERSION}

    def __call__(self, doc: Doc) -> Doc:
        doc._.legal_refs = find_legal_refs(doc_text(doc), dates=doc._.dates)
        meta = doc._.metadata
        assign_date_roles(
            doc_text(doc), doc._.dates, sentences=sentence_spans(doc),
            document_spans=[r.span for r in doc._.legal_refs],
            published_span=meta.published_span if meta else None,
            issued_span=meta.issued_span if meta else None,
        )
        _versions(doc).update(self.stage_versions)
        return doc


@Language.factory("findings_units_v1")
def make_units(nlp: Language, name: str) -> UnitsComponent:
    return UnitsComponent()


_SELF_ASSESSMENT = re.compile(r"tự kiểm tra|tự đánh giá|tự chấm điểm", re.IGNORECASE)


class UnitsComponent:
    """Administrative units with roles, resolved against the gazetteer, into `doc._.units`."""

    stage_versions = {"units": UNITS_VERSION, "gazetteer": GAZETTEER_VERSION}

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
        _versions(doc).update(self.stage_versions)
        return doc


@Language.factory("findings_candidates_v1")
def make_candidates(nlp: Language, name: str) -> CandidatesComponent:
    return CandidatesComponent()


class CandidatesComponent:
    """Atomic candidate clauses with their discourse polarity into `doc._.candidates`."""

    stage_versions = {"findings": FINDINGS_VERSION}

    def __call__(self, doc: Doc) -> Doc:
        doc._.candidates = self.candidates(doc)
        _versions(doc).update(self.stage_versions)
        return doc

    @staticmethod
    def candidates(doc: Doc) -> list[Candidate]:
        """The candidate clauses of the passages that report an inspection (all, without a relevance gate)."""
        relevance = doc._.relevance
        if relevance is not None and not relevance.relevant_spans():
            return []  # nothing reports an inspection: nothing to split
        text = doc_text(doc)
        names = sorted(m for unit in doc._.units or [] for m in unit.mentions)
        return [c for c in find_candidates(text, doc._.lines, sentence_spans(doc))
                if not is_fragment(text, c.span, names) and (relevance is None or relevance.covers(c.span))]


@Language.factory(
    "findings_classifier_v1",
    default_config={"model_path": "", "overrides": {}},
)
def make_classifier(nlp: Language, name: str, *, model_path: str, overrides: dict) -> ClassifierComponent:
    """The decision thresholds are those chosen with the model; `overrides` replaces any of them.
    An empty `model_path` means the model `pipeline.classify.model.model_path()` names."""
    bundle = load_classifier(Path(model_path) if model_path else None)
    return ClassifierComponent(bundle, decision=replace(bundle.decision, **overrides))


class ClassifierComponent:
    """Keep the candidates that are findings; give each a polarity and a category.

    Args:
        bundle: the trained classifiers.
        decision: how probabilities become findings (see `Decision`).
    """

    def __init__(self, bundle: ClassifierBundle, *, decision: Decision) -> None:
        self.bundle = bundle
        self.decision = decision

    @property
    def stage_versions(self) -> dict[str, str]:
        return {"classifier": self.version}

    @property
    def version(self) -> str:
        """The model and the decision thresholds: a stored finding depends on both."""
        return f"{self.bundle.version};{self.decision.version}"

    def __call__(self, doc: Doc) -> Doc:
        candidates = self.candidates(doc)
        predictions = self.predict(doc, candidates, finding_floor=self.decision.finding_threshold / 2)
        doc._.findings = self.decide(candidates, predictions)
        _versions(doc).update(self.stage_versions)
        return doc

    @staticmethod
    def candidates(doc: Doc) -> list[Candidate]:
        """The doc's candidate clauses that are not background."""
        return [c for c in doc._.candidates or [] if not is_background(c.text, context=c.context_polarity)]

    def predict(self, doc: Doc, candidates: list[Candidate], *, finding_floor: float = 0.0) -> list:
        """The classifiers' predictions, one call per document."""
        return self.bundle.predict([self._statement(doc, c) for c in candidates], finding_floor=finding_floor)

    def decide(self, candidates: list[Candidate], predictions: list) -> list[Finding]:
        """The findings the decision settings make of the predictions."""
        findings: list[Finding] = []
        for candidate, prediction in zip(candidates, predictions, strict=True):
            threshold = self.decision.finding_threshold / (2 if candidate.context_polarity else 1)
            if candidate.polarity_rule in DECISIVE_RULES:
                threshold *= self.decision.marked_factor
            if prediction is None or prediction.finding_probability < threshold:
                continue
            category, category_p = _decide_category(prediction, self.decision)
            if category is None:
                continue
            polarity, source, polarity_p = _decide_polarity(candidate, prediction)
            aspects = [(category, category_p),
                       *_second_aspect(candidate.text, category, prediction, floor=self.decision.second_aspect)]
            for aspect, aspect_p in aspects:
                confidence = round(polarity_p * aspect_p, 4)
                findings.append(
                    Finding(
                        polarity=polarity,  # type: ignore[arg-type]
                        category=aspect,
                        text=candidate.text,
                        span=candidate.span,
                        confidence=confidence,
                        polarity_source=source,
                        needs_review=confidence < self.decision.review_threshold,
                        quantity=candidate.quantity,
                    )
                )
        return findings

    @staticmethod
    def _statement(doc: Doc, candidate: Candidate) -> Statement:
        span = doc.char_span(*candidate.span, alignment_mode="expand")
        tokens = statement_tokens([t.text for t in span if not t.is_space]) if span else ""
        return Statement(
            text=mask_text(candidate.text), tokens=tokens, context=candidate.context_cue,
            context_polarity=candidate.context_polarity or "",
            rule_polarity=candidate.rule_polarity or "",
        )


def _decide_category(prediction, decision: Decision) -> tuple[str | None, float]:
    """The category, or None to drop the clause.

    'khac' is the model's answer for clauses it cannot place, which are most
    often not findings at all (fragments, headings, remarks): a credible
    runner-up category wins, and an unsure 'khac' is dropped.
    """
    if prediction.category != "khac":
        return prediction.category, prediction.category_probability
    runner_up = prediction.category_ranking[1] if len(prediction.category_ranking) > 1 else None
    if runner_up and runner_up[1] >= decision.khac_runner_up:
        return runner_up
    if prediction.category_probability < decision.khac_floor:
        return None, 0.0
    return "khac", prediction.category_probability


def _second_aspect(text: str, first: str, prediction, *, floor: float = 0.2) -> list[tuple[str, float]]:
    """A clause that assesses two aspects at once ('công chức đúng giờ và ăn mặc chỉnh tề')
    is also a finding of the runner-up category, when the model rates it and the clause names it."""
    if len(prediction.category_ranking) < 2:
        return []
    second, probability = prediction.category_ranking[1]
    if second == first or second == "khac" or probability < floor:
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
    if rule and (candidate.context_polarity or rule == prediction.polarity
                 or candidate.polarity_rule in DECISIVE_RULES):
        return rule, "rule" if rule != prediction.polarity else "rule+model", max(prediction.polarity_probability, 0.9)
    if rule and prediction.polarity_probability < 0.75:
        return rule, "rule", 0.6
    return prediction.polarity, "model", prediction.polarity_probability


ATTRIBUTION_VERSION = "attribution.v1"
NEAREST_SUBJECT_CHARS = 200  # a unit named this close before a finding is its subject
MAX_DOCUMENT_SUBJECTS = 3  # more inspected units than this and a finding naming none is left unattributed


@Language.factory("findings_attribution_v1")
def make_attribution(nlp: Language, name: str) -> AttributionComponent:
    return AttributionComponent()


class AttributionComponent:
    """Attach each finding to the units it is about, and mark those units inspected.

    A unit a strength or limitation is stated about was inspected or assessed,
    whatever role the unit rules gave its mentions; an inspector stays one.
    """

    stage_versions = {"attribution": ATTRIBUTION_VERSION}

    def __call__(self, doc: Doc) -> Doc:
        candidates = {c.span: c for c in doc._.candidates or []}
        for finding in doc._.findings or []:
            candidate = candidates.get(finding.span)
            sentence = candidate.sentence_span if candidate else finding.span
            finding.units = attribute_units(doc, finding.span, sentence)
        promote_finding_subjects(doc._.units or [], doc._.findings or [], doc_text(doc))
        _versions(doc).update(self.stage_versions)
        return doc


def _units_in(units: list[Unit], span: Span) -> list[Unit]:
    return [u for u in units if u.role != "inspector" and any(span[0] <= m[0] < span[1] for m in u.mentions)]


def attribute_units(doc: Doc, span: Span, sentence: Span) -> list[str]:
    """The units a finding is about: named in it, else in its sentence, else its paragraph's subject."""
    units: list[Unit] = doc._.units or []
    for scope in (span, sentence):
        found = _units_in(units, scope)
        if found:
            return [u.name for u in found]
    line = next((ln for ln in doc._.lines if ln.start <= span[0] <= ln.end), None)
    if line:
        found = _units_in(units, (line.start, span[0]))
        if found:
            return [u.name for u in found]
    before = [
        (max(m[0] for m in u.mentions if m[0] < span[0]), u) for u in units
        if u.role == "inspected" and any(m[0] < span[0] for m in u.mentions)
    ]
    if before:
        nearest = max(pos for pos, _ in before)
        return [u.name for pos, u in before if nearest - pos < NEAREST_SUBJECT_CHARS]
    inspected = [u.name for u in units if u.role == "inspected"]
    return inspected if len(inspected) <= MAX_DOCUMENT_SUBJECTS else []


# A unit named as the partner of the one assessed ('phối hợp giữa Chi nhánh với Phòng X') is not assessed.
_PARTNER_BEFORE = re.compile(r"(?:phối hợp|liên thông|giữa)[^,.;]{0,40}?\b(?:với|và)\s+(?:các\s+)?$", re.IGNORECASE)


def promote_finding_subjects(units: list[Unit], findings: list[Finding], text: str = "") -> None:
    """A unit named in a strength or limitation was inspected or assessed.

    Not a province, not an inspector, and not a unit named only as the partner of the one assessed.
    """
    for finding in findings:
        if finding.polarity == "recommendation":
            continue
        for unit in _units_in(units, finding.span):
            if unit.role != "mentioned" or unit.level in ("tinh", "khac"):
                continue
            mentions = [m for m in unit.mentions if finding.span[0] <= m[0] < finding.span[1]]
            if text and all(_PARTNER_BEFORE.search(text, max(finding.span[0], m[0] - 60), m[0]) for m in mentions):
                continue
            unit.role = "inspected"


PIPE_NAMES = (
    "findings_layout_v1", "findings_relevance_v1", "findings_metadata_v1", "findings_dates_v1",
    "findings_legal_refs_v1", "findings_units_v1", "findings_candidates_v1", "findings_classifier_v1",
    "findings_attribution_v1",
)


CLASSIFIER_PIPES = ("findings_classifier_v1", "findings_attribution_v1")  # they need the trained model


def build_nlp(*, model_path: Path | None = None, with_classifier: bool = True) -> Language:
    """The whole segmentation and extraction pipeline as one spaCy `Language`."""
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
    nlp.vocab.lex_attr_getters = dict(LEXEME_ATTRIBUTES)
    for pipe in PIPE_NAMES:
        if pipe in CLASSIFIER_PIPES and not with_classifier:
            continue
        config = {"model_path": str(model_path or "")} if pipe == "findings_classifier_v1" else {}
        nlp.add_pipe(pipe, config=config)
    return nlp
