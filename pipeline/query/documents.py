"""Which documents are stored, and which of them report an inspection.

A reform office's archive mixes inspection reports with other news; those
judged off-topic (`topic = 'other'`) are stored with no findings, and this
lists them (or the on-topic ones) for an analyst to check.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from pipeline.store.schema import TOPICS, documents, findings

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
