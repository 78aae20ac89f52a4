"""The tables the workbench filters, counts and searches on, derived from stored findings.

`finding_facts` (one row per listed finding), `finding_scope` (one row per
unit a listed finding is about) and `finding_search` (its searchable text)
are written with the document, kept in step by corrections, and emptied of a
finding an analyst marks "not a finding". `index_rows` is the one derivation;
`index_document` applies it to stored rows, and bench/bench_query.py to the
rows it generates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from pipeline.store.schema import (
    district_of,
    document_units,
    documents,
    finding_facts,
    finding_scope,
    finding_search,
    finding_units,
    findings,
    fold,
    units,
)

# Corrections of these fields change the facet tables.
FACET_FIELDS = ("polarity", "category", "needs_review")


@dataclass
class DocumentFacts:
    id: int
    title: str | None
    dated_start: str | None
    dated_end: str | None


def search_body(dialect: str, text: str, context: str, *, context_folded: bool = False) -> str:
    """A finding's searchable text: its own words, a line break, then its units and document title.

    Folded here for SQLite's FTS5; PostgreSQL folds in its index (schema.py).
    """
    if dialect == "postgresql":
        return f"{text}\n{context}"
    return f"{fold(text)}\n{context if context_folded else fold(context)}"


def index_rows(
    dialect: str,
    document: DocumentFacts,
    finding_rows: Iterable[Any],
    named: Mapping[int, Sequence[int]],
    inspected: Sequence[int],
    unit_rows: Mapping[int, Any],
) -> tuple[list[dict], list[dict], list[dict]]:
    """Rows of `finding_facts`, `finding_scope` and `finding_search` for a document's findings.

    `finding_rows` have id, category, polarity, needs_review, confidence, text and dismissed;
    `named` maps a finding to the units it names, `inspected` lists the document's inspected
    units; a finding is about the units it names, else about the inspected ones. `unit_rows`
    have id, name, level, parent, province, current_name, current_province.
    """
    year = int(document.dated_start[:4]) if document.dated_start else None
    facts, scope, search = [], [], []
    for row in finding_rows:
        about = [unit_id for unit_id in named.get(row.id, inspected) if unit_id in unit_rows]
        words = [document.title or ""]
        for unit_id in about:
            unit = unit_rows[unit_id]
            words += [unit.name, unit.parent or "", unit.province or "", unit.current_name or "",
                      unit.current_province or ""]
        search.append({"finding_id": row.id, "body": search_body(dialect, row.text, " ".join(words))})
        if row.dismissed:
            continue
        fact = {"finding_id": row.id, "document_id": document.id, "category": row.category,
                "polarity": row.polarity, "year": year, "dated_start": document.dated_start,
                "dated_end": document.dated_end, "needs_review": bool(row.needs_review),
                "confidence": float(row.confidence)}
        facts.append(fact)
        for unit_id in about:
            unit = unit_rows[unit_id]
            scope.append({**fact, "unit_id": unit_id, "province": unit.province,
                          "district": district_of(unit.name, unit.level, unit.parent), "level": unit.level})
    return facts, scope, search


def index_document(conn: Connection, document_id: int, *, only: Sequence[int] | None = None,
                   with_search: bool = True) -> None:
    """Write the facet (and search) rows of a stored document's findings, or of the findings `only`."""
    query = (select(findings.c.id, findings.c.category, findings.c.polarity, findings.c.needs_review,
                    findings.c.confidence, findings.c.dismissed, findings.c.text)
             .where(findings.c.document_id == document_id).order_by(findings.c.ordinal))
    if only is not None:
        query = query.where(findings.c.id.in_(only))
    rows = conn.execute(query).all()
    if not rows:  # most documents of an archive: one query and nothing to write
        return
    document = DocumentFacts(*conn.execute(
        select(documents.c.id, documents.c.title, documents.c.dated_start, documents.c.dated_end)
        .where(documents.c.id == document_id)
    ).one())
    named: dict[int, list[int]] = {}
    for finding_id, unit_id in conn.execute(
        select(finding_units.c.finding_id, finding_units.c.unit_id)
        .join(findings, findings.c.id == finding_units.c.finding_id)
        .where(findings.c.document_id == document_id)
        .order_by(finding_units.c.finding_id, finding_units.c.ordinal)
    ).all():
        named.setdefault(finding_id, []).append(unit_id)
    inspected = list(conn.scalars(
        select(document_units.c.unit_id)
        .where(document_units.c.document_id == document_id, document_units.c.role == "inspected")
        .order_by(document_units.c.ordinal)
    ))
    in_scope = {unit_id for ids in named.values() for unit_id in ids} | set(inspected)
    unit_rows = {
        u.id: u for u in conn.execute(
            select(units.c.id, units.c.name, units.c.level, units.c.parent, units.c.province,
                   units.c.current_name, units.c.current_province).where(units.c.id.in_(in_scope))
        ).all()
    } if in_scope else {}
    facts, scope, search = index_rows(conn.dialect.name, document, rows, named, inspected, unit_rows)
    for table, values in ((finding_facts, facts), (finding_scope, scope), (finding_search, search)):
        if values and (with_search or table is not finding_search):
            conn.execute(insert(table), values)


def update_finding(conn: Connection, finding_id: int, field: str, value: Any) -> None:
    """Bring the facet and search tables in step with a finding whose `field` just changed."""
    if field in FACET_FIELDS:
        for table in (finding_facts, finding_scope):
            conn.execute(update(table).where(table.c.finding_id == finding_id).values({field: value}))
    elif field == "dismissed":
        for table in (finding_facts, finding_scope):
            conn.execute(delete(table).where(table.c.finding_id == finding_id))
        if not value:
            document_id = conn.scalar(select(findings.c.document_id).where(findings.c.id == finding_id))
            index_document(conn, document_id, only=[finding_id], with_search=False)
    elif field == "text":
        body = conn.scalar(select(finding_search.c.body).where(finding_search.c.finding_id == finding_id)) or ""
        conn.execute(update(finding_search).where(finding_search.c.finding_id == finding_id).values(
            body=search_body(conn.dialect.name, value, body.partition("\n")[2], context_folded=True)))

