"""One document through every stage: read -> normalise -> segment -> extract -> classify.

`Extractor` holds what is expensive to load (underthesea's models, the spaCy
pipeline, the classifier, the gazetteer) and is built once per worker
process by `get_extractor()`; `extract_path` never raises: a file that fails
at any stage comes back as a `failed` result with the stage and a message.
A long document (a 300-page report) goes through the pipeline in pieces of
at most `PIECE_CHARS` characters, cut at paragraph ends; the pieces' spans
are moved back to the whole text, so memory stays bounded and spans correct.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc

from pipeline import __version__
from pipeline.components import build_nlp
from pipeline.contract import DocumentInfo, ExtractResult, Source
from pipeline.normalise import NORMALISER_VERSION, NormalisedText, normalise_document
from pipeline.paths import display_path
from pipeline.read import READER_VERSION, RawDocument, ReadError, format_label, read_document_guarded
from pipeline.segment import SEGMENT_VERSION
from pipeline.taxonomy import load_taxonomy

log = logging.getLogger(__name__)
PIECE_CHARS = 100_000
# Where a piece may end, best first: a paragraph, a line, a sentence, a space.
_PIECE_BREAKS = ("\n\n", "\n", ". ", " ")
_ROLE_RANK = {"inspected": 0, "inspector": 1, "mentioned": 2}


def stage_name(pipe: str) -> str:
    """'findings_units_v1' -> 'units': the stage a failure is recorded against."""
    return pipe.removeprefix("findings_").rsplit("_v", 1)[0]


class Extractor:
    """The loaded pipeline; call `extract(raw)` for each document.

    Without the classifier (`with_classifier=False`) documents stop at their
    candidate clauses: training uses that to score models on the development sets.
    """

    def __init__(self, *, with_classifier: bool = True) -> None:
        self.nlp = build_nlp(with_classifier=with_classifier)

    def extract(self, raw: RawDocument) -> ExtractResult:
        """Mine one decoded document."""
        return self.extract_with_doc(raw)[1]

    def extract_with_doc(self, raw: RawDocument) -> tuple[Doc | None, ExtractResult]:
        """Mine one decoded document; also the spaCy `Doc` (None where a stage failed, or for
        a document long enough to be mined in pieces)."""
        result = ExtractResult(source=raw.source, errors=list(raw.errors))
        if raw.errors:
            result.status = "partial"
        stage = "normalise"
        try:
            normalised = normalise_document(raw)
            text = normalised.text
            if not text.strip():
                result.fail("normalise", "the file contains no text to analyse")
                return None, result
            pieces = [(offset, self._run(piece, raw if offset == 0 else None))
                      for offset, piece in split_pieces(text)]
        except StageFailure as failure:
            log.debug("extraction failed", exc_info=True)
            result.fail(failure.stage, f"{type(failure.cause).__name__}: {failure.cause}")
            return None, result
        except Exception as exc:  # noqa: BLE001 - one document must never stop the batch
            log.debug("extraction failed", exc_info=True)
            result.fail(stage, f"{type(exc).__name__}: {exc}")
            return None, result
        first = pieces[0][1]
        meta, relevance = first._.metadata, _relevance(doc for _, doc in pieces)
        result.document = DocumentInfo(
            title=meta.title, published=meta.published, publisher=meta.publisher, kind=meta.kind,
            text_chars=len(text), text=text, published_confidence=meta.published_confidence,
            issued=meta.issued,
            topic=relevance.topic if relevance else None,
            topic_confidence=relevance.confidence if relevance else None,
        )
        for offset, doc in pieces:
            _merge_piece(result, doc, offset)
        _add_pages(result, normalised)
        result.versions = {**self.versions(), **(first._.versions or {})}
        return (first if len(pieces) == 1 else None), result

    @contextmanager
    def memory_zone(self) -> Iterator[None]:
        """A block of documents whose new words leave the vocabulary when it ends, so a worker's
        memory stays flat however many documents it mines. Results are plain data and stay
        valid; a spaCy `Doc` made inside must not be used after the block."""
        with self.nlp.memory_zone():
            yield

    def versions(self) -> dict[str, str]:
        """The version of every stage this pipeline runs: what a stored result is compared with
        to tell whether it is stale (`findings reprocess --stale`)."""
        versions = {"pipeline": __version__, "taxonomy": load_taxonomy().version, "reader": READER_VERSION,
                    "normalise": NORMALISER_VERSION, "segment": SEGMENT_VERSION}
        for _, component in self.nlp.pipeline:
            versions.update(getattr(component, "stage_versions", {}))
        return versions

    def _run(self, text: str, raw: RawDocument | None) -> Doc:
        """Every pipeline component over one piece; the document's hints go with its first piece."""
        stage = "segment"
        try:
            doc = self.nlp.make_doc(text)
            doc._.hints = {
                "title": raw.title if raw else None,
                "published": raw.published if raw else None,
                "publisher": raw.publisher if raw else None,
            }
            for name, component in self.nlp.pipeline:
                stage = stage_name(name)
                doc = component(doc)
        except Exception as exc:  # noqa: BLE001 - reported against the stage that failed
            raise StageFailure(stage, exc) from exc
        return doc


class StageFailure(Exception):
    """A pipeline component failed on a document: the stage to record and the cause."""

    def __init__(self, stage: str, cause: Exception) -> None:
        super().__init__(stage, cause)
        self.stage, self.cause = stage, cause


def split_pieces(text: str, size: int = PIECE_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) covering `text`, each piece at most `size` characters, cut at the best break."""
    pieces, start = [], 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = next((at + len(mark) for mark in _PIECE_BREAKS if (at := window.rfind(mark)) > size // 2), size)
        pieces.append((start, window[:cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def _add_pages(result: ExtractResult, normalised: NormalisedText) -> None:
    """The page each finding, date, reference and unit mention starts on (provenance)."""
    for item in (*result.findings, *result.dates, *result.legal_refs):
        item.page = normalised.page_at(item.span[0])
    for unit in result.units:
        unit.pages = [normalised.page_at(start) for start, _ in unit.mentions]


def _relevance(docs):
    """The document's topic: an inspection when any piece reports one (the surest such piece)."""
    judged = [doc._.relevance for doc in docs if doc._.relevance]
    inspections = [r for r in judged if r.topic == "inspection"]
    return max(inspections or judged, key=lambda r: r.confidence, default=None)


def _shift(span: tuple[int, int], offset: int) -> tuple[int, int]:
    return span[0] + offset, span[1] + offset


def _merge_piece(result: ExtractResult, doc: Doc, offset: int) -> None:
    """Add one piece's units, dates, findings and references, spans moved by `offset`."""
    known = {(u.name, u.parent, u.province): u for u in result.units}
    for unit in doc._.units or []:
        mentions = [_shift(m, offset) for m in unit.mentions]
        same = known.get((unit.name, unit.parent, unit.province))
        if same is None:
            result.units.append(replace(unit, mentions=mentions))
            known[(unit.name, unit.parent, unit.province)] = result.units[-1]
            continue
        same.mentions.extend(mentions)
        if _ROLE_RANK.get(unit.role, 3) < _ROLE_RANK.get(same.role, 3):
            same.role = unit.role
    result.dates.extend(replace(d, span=_shift(d.span, offset)) for d in doc._.dates or [])
    result.findings.extend(replace(f, span=_shift(f.span, offset)) for f in doc._.findings or [])
    result.legal_refs.extend(replace(r, span=_shift(r.span, offset)) for r in doc._.legal_refs or [])


@lru_cache(maxsize=1)
def get_extractor() -> Extractor:
    """The process's extractor, built on first use."""
    return Extractor()


def extract_path(path: Path, *, extractor: Extractor | None = None) -> ExtractResult:
    """Read and mine one file; failures are returned, never raised."""
    try:
        raw = read_document_guarded(path)  # time limit, in a worker process
    except ReadError as exc:
        return _failed(exc.source, path, str(exc))
    except OSError as exc:
        return _failed(None, path, f"the file could not be opened: {exc.strerror or exc}")
    return (extractor or get_extractor()).extract(raw)


def _failed(source: Source | None, path: Path, message: str) -> ExtractResult:
    """The record of a file that could not be read."""
    result = ExtractResult(
        source=source or Source(path=display_path(path), sha256="", format=format_label(Path(path)))
    )
    result.fail("read", message)
    return result
