"""One document through every stage: read -> normalise -> segment -> extract -> classify.

`Extractor` holds what is expensive to load (underthesea's models, the spaCy
pipeline, the classifier, the gazetteer) and is built once per worker
process by `get_extractor()`; `extract_path` never raises: a file that fails
at any stage comes back as a `failed` result with the stage and a message.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc

from pipeline import __version__
from pipeline.components import build_nlp
from pipeline.contract import DocumentInfo, ExtractResult, Source
from pipeline.normalise import NORMALISER_VERSION, normalise_document
from pipeline.read import RawDocument, ReadError, format_label, read_document_guarded
from pipeline.taxonomy import load_taxonomy

log = logging.getLogger(__name__)


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
        """Mine one decoded document; also the spaCy `Doc` (None where a stage failed)."""
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
            stage = "segment"
            doc = self.nlp.make_doc(text)
            doc._.hints = {"title": raw.title, "published": raw.published, "publisher": raw.publisher}
            for name, component in self.nlp.pipeline:
                stage = stage_name(name)
                doc = component(doc)
        except Exception as exc:  # noqa: BLE001 - one document must never stop the batch
            log.debug("extraction failed", exc_info=True)
            result.fail(stage, f"{type(exc).__name__}: {exc}")
            return None, result
        meta = doc._.metadata
        result.document = DocumentInfo(
            title=meta.title, published=meta.published, publisher=meta.publisher, kind=meta.kind,
            text_chars=len(text), text=text, published_confidence=meta.published_confidence,
            issued=meta.issued,
            topic=doc._.relevance.topic if doc._.relevance else None,
            topic_confidence=doc._.relevance.confidence if doc._.relevance else None,
        )
        result.units = doc._.units
        result.dates = doc._.dates
        result.findings = doc._.findings or []
        result.legal_refs = doc._.legal_refs
        result.versions = {
            "pipeline": __version__, "taxonomy": load_taxonomy().version,
            "normalise": NORMALISER_VERSION, **(doc._.versions or {}),
        }
        return doc, result


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
        source=source or Source(path=str(path), sha256="", format=format_label(Path(path)))
    )
    result.fail("read", message)
    return result
