"""Which documents are stored, and which of them report an inspection.

A reform office's archive mixes inspection reports with other news; those
judged off-topic (`topic = 'other'`) are stored with no findings, and this
lists them (or the on-topic ones) for an analyst to check.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from pipeline.contract import ExtractResult
from pipeline.store.database import load_document
from pipeline.store.schema import TOPICS, corrections, document_units, documents, finding_scope, findings, units

_SHA256 = re.compile(r"[0-9a-f]{64}")

# What `--topic` accepts: a stored topic, or 'unjudged' for documents stored before topics were judged.
TOPIC_CHOICES = (*TOPICS, "unjudged")


@dataclass
class DocumentRow:
    """One stored document with its topic and how many findings it gave."""

    id: int
    sha256: str
    path: str
    title: str | None
    date: str | None  # the document date queries filter on (published, else inspection)
    kind: str
    status: str
    topic: str | None
    topic_confidence: float | None
    findings: int


def list_documents(engine: Engine, *, topic: str | None = None, limit: int | None = None) -> list[DocumentRow]:
    """Stored documents (those of `topic` when given), oldest first, with their number of findings."""
    if topic is not None and topic not in TOPIC_CHOICES:
        raise ValueError(f"topic: one of {', '.join(TOPIC_CHOICES)}")
    counts = (
        select(findings.c.document_id, func.count().label("n"))
        .group_by(findings.c.document_id)
        .subquery()
    )
    query = (
        select(
            documents.c.id, documents.c.sha256, documents.c.path, documents.c.title, documents.c.dated,
            documents.c.kind, documents.c.status, documents.c.topic, documents.c.topic_confidence,
            func.coalesce(counts.c.n, 0),
        )
        .outerjoin(counts, counts.c.document_id == documents.c.id)
        .order_by(documents.c.dated_start.is_(None), documents.c.dated_start, documents.c.id)
    )
    if topic == "unjudged":
        query = query.where(documents.c.topic.is_(None))
    elif topic is not None:
        query = query.where(documents.c.topic == topic)
    if limit is not None:
        query = query.limit(max(limit, 0))
    with engine.connect() as conn:
        return [DocumentRow(*row) for row in conn.execute(query).all()]


@dataclass
class StoredFinding:
    """A finding as the document page shows it: with its id, and whether an analyst dismissed it."""

    id: int
    polarity: str
    category: str
    text: str
    span: tuple[int, int]
    confidence: float
    needs_review: bool
    dismissed: bool
    page: int | None
    units: list[str]
    corrections: int  # how many times an analyst changed it


@dataclass
class DocumentView:
    """A stored document with everything mined from it, the ids of its findings and units."""

    result: ExtractResult  # text, units, dates, legal references as stored
    findings: list[StoredFinding]
    unit_ids: dict[str, int]  # unit name -> id, for links
    ingested_at: Any

    def to_dict(self) -> dict[str, Any]:
        data = self.result.to_dict(with_text=True)
        data["findings"] = [
            {**asdict(f), "span": list(f.span)} for f in self.findings
        ]
        for unit in data.get("units", []):
            unit["id"] = self.unit_ids.get(unit["name"])
        return data


def document_view(engine: Engine, sha256: str) -> DocumentView | None:
    """The document page's content for a full sha256, or None when no such document is stored."""
    if not _SHA256.fullmatch(sha256):
        return None
    result = load_document(engine, sha256)
    if result is None:
        return None
    with engine.connect() as conn:
        document_id, ingested_at = conn.execute(
            select(documents.c.id, documents.c.ingested_at).where(documents.c.sha256 == sha256)).one()
        rows = conn.execute(
            select(findings).where(findings.c.document_id == document_id).order_by(findings.c.ordinal)
        ).all()
        names: dict[int, list[str]] = {}
        for finding_id, name in conn.execute(
            select(finding_scope.c.finding_id, units.c.name)
            .join(units, units.c.id == finding_scope.c.unit_id)
            .join(findings, findings.c.id == finding_scope.c.finding_id)
            .where(findings.c.document_id == document_id)
        ).all():
            names.setdefault(finding_id, []).append(name)
        corrected = dict(conn.execute(
            select(corrections.c.finding_id, func.count())
            .join(findings, findings.c.id == corrections.c.finding_id)
            .where(findings.c.document_id == document_id)
            .group_by(corrections.c.finding_id)
        ).all())
        unit_ids = dict(conn.execute(
            select(units.c.name, units.c.id)
            .join(document_units, document_units.c.unit_id == units.c.id)
            .where(document_units.c.document_id == document_id)
        ).all())
    stored = [
        StoredFinding(id=r.id, polarity=r.polarity, category=r.category, text=r.text,
                      span=(r.span_start, r.span_end), confidence=r.confidence,
                      needs_review=bool(r.needs_review), dismissed=bool(r.dismissed), page=r.page,
                      units=names.get(r.id, []), corrections=corrected.get(r.id, 0))
        for r in rows
    ]
    return DocumentView(result, stored, unit_ids, ingested_at)
