"""One unit's history: its inspections over time, its findings by category and polarity, the
limitations that recur, the units above and below it, and its name after the 2025 reorganisation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine, func, or_, select, true, union

from pipeline.query.findings import FindingFilter, Recurrence, recurrence
from pipeline.store.schema import document_units, documents, finding_scope, units

TIMELINE = 200  # documents on a unit's timeline (the latest)


@dataclass
class UnitRef:
    id: int
    name: str
    level: str
    province: str | None


@dataclass
class Inspection:
    """A document about the unit: when, what, and how many findings of each polarity it has on it."""

    sha256: str
    title: str | None
    path: str
    date: str | None
    role: str | None  # how the document names the unit: inspected, inspector, mentioned
    by_polarity: dict[str, int] = field(default_factory=dict)


@dataclass
class UnitProfile:
    id: int
    name: str
    level: str
    parent: str | None
    province: str | None
    admin_code: str | None
    current_name: str | None  # after the 2025 reorganisation, where the gazetteer knows it
    current_province: str | None
    parent_unit: UnitRef | None
    children: list[UnitRef]
    inspections: list[Inspection]  # the latest TIMELINE documents, oldest of them first
    documents_total: int  # documents about the unit in all
    by_category: dict[str, dict[str, int]]  # category -> polarity -> findings
    recurring: list[Recurrence]  # limitation categories found in several documents

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["recurring"] = [r.to_dict() for r in self.recurring]
        return data


def _same_province(column: Any, province: str | None) -> Any:
    return or_(column.is_(None), column == province) if province else true()


def unit_profile(engine: Engine, unit_id: int) -> UnitProfile | None:
    """Everything the unit page shows about `unit_id`, or None when there is no such unit."""
    with engine.connect() as conn:
        unit = conn.execute(select(units).where(units.c.id == unit_id)).first()
        if unit is None:
            return None
        parent_unit = None
        if unit.parent:
            row = conn.execute(
                select(units.c.id, units.c.name, units.c.level, units.c.province)
                .where(units.c.name == unit.parent, _same_province(units.c.province, unit.province))
                .order_by(units.c.province.is_(None), units.c.id).limit(1)
            ).first()
            parent_unit = UnitRef(*row) if row else None
        children = [
            UnitRef(*row) for row in conn.execute(
                select(units.c.id, units.c.name, units.c.level, units.c.province)
                .where(units.c.parent == unit.name, _same_province(units.c.province, unit.province))
                .order_by(units.c.name).limit(500)
            ).all()
        ]
        inspections, documents_total = _inspections(conn, unit_id, TIMELINE)
        by_category: dict[str, dict[str, int]] = {}
        for category, polarity, count in conn.execute(
            select(finding_scope.c.category, finding_scope.c.polarity, func.count())
            .where(finding_scope.c.unit_id == unit_id)
            .group_by(finding_scope.c.category, finding_scope.c.polarity)
        ).all():
            by_category.setdefault(category, {})[polarity] = count
    by_category = dict(sorted(by_category.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])))
    recurring = recurrence(engine, FindingFilter(unit_id=unit_id, polarity="limitation"), min_documents=2)
    return UnitProfile(
        id=unit.id, name=unit.name, level=unit.level, parent=unit.parent, province=unit.province,
        admin_code=unit.admin_code, current_name=unit.current_name, current_province=unit.current_province,
        parent_unit=parent_unit, children=children, inspections=inspections, documents_total=documents_total,
        by_category=by_category, recurring=recurring,
    )


def _inspections(conn: Any, unit_id: int, limit: int) -> tuple[list[Inspection], int]:
    """The `limit` latest documents that name the unit or have findings about it (oldest of them first),
    and how many such documents there are in all."""
    about = union(
        select(document_units.c.document_id.label("id")).where(document_units.c.unit_id == unit_id),
        select(finding_scope.c.document_id.label("id")).where(finding_scope.c.unit_id == unit_id),
    ).subquery()
    total = conn.scalar(select(func.count()).select_from(about)) or 0
    latest = conn.execute(
        select(documents.c.id, documents.c.sha256, documents.c.title, documents.c.path, documents.c.dated)
        .where(documents.c.id.in_(select(about.c.id)))
        .order_by(documents.c.dated_start.is_(None), documents.c.dated_start.desc(), documents.c.id.desc())
        .limit(limit)
    ).all()
    found = {row.id: Inspection(row.sha256, row.title, row.path, row.dated, None) for row in reversed(latest)}
    ids = list(found)
    for document_id, role in conn.execute(
        select(document_units.c.document_id, document_units.c.role)
        .where(document_units.c.unit_id == unit_id, document_units.c.document_id.in_(ids))
    ).all():
        if found[document_id].role != "inspected":
            found[document_id].role = role
    for document_id, polarity, count in conn.execute(
        select(finding_scope.c.document_id, finding_scope.c.polarity, func.count())
        .where(finding_scope.c.unit_id == unit_id, finding_scope.c.document_id.in_(ids))
        .group_by(finding_scope.c.document_id, finding_scope.c.polarity)
    ).all():
        found[document_id].by_polarity[polarity] = count
    return list(found.values()), total
