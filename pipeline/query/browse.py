"""The workbench's findings view: one page of findings under a filter, facet counts, sorting.

Facets count findings (never rows of a join): for a finding-level facet
(category, polarity, year, needs review) one row per finding in
`finding_facts`; for a unit-level facet (province, district, unit, level) the
findings with a unit of that value in `finding_scope`, where the unit filters
apply to the same unit row ("a commune in Đồng Tháp"). Counts under one
filter are computed once per state of the database (`data_version`), so the
commonest views cost a dictionary lookup after their first request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import Engine, func, select

from pipeline.query.findings import FindingFilter, FindingRow, finding_conditions, finding_rows, unit_conditions
from pipeline.store.database import data_version
from pipeline.store.schema import documents, finding_facts, finding_scope, findings, legal_refs, units

PAGE_SIZES = (25, 50, 100, 200)
FACET_VALUES = 12  # values shown per facet, most findings first

# Sort keys offered to analysts: name -> ORDER BY columns (finding id breaks ties, so pages are stable).
SORTS: dict[str, tuple[Any, ...]] = {
    "date_desc": (finding_facts.c.dated_start.desc(), finding_facts.c.finding_id.desc()),
    "date_asc": (finding_facts.c.dated_start.asc(), finding_facts.c.finding_id.asc()),
    "confidence_asc": (findings.c.confidence.asc(), finding_facts.c.finding_id.asc()),
    "confidence_desc": (findings.c.confidence.desc(), finding_facts.c.finding_id.asc()),
    "category": (finding_facts.c.category.asc(), finding_facts.c.finding_id.asc()),
}


@dataclass(frozen=True)
class FacetSpec:
    """A facet: the filter field it sets, where its values are counted, and how values are shown."""

    name: str  # the FindingFilter field (and query parameter)
    label: str  # Vietnamese heading
    unit_level: bool  # counted over finding_scope rows rather than finding_facts


FACETS = (
    FacetSpec("province", "Tỉnh/thành", True),
    FacetSpec("district", "Huyện/quận", True),
    FacetSpec("unit_id", "Đơn vị", True),
    FacetSpec("level", "Cấp đơn vị", True),
    FacetSpec("category", "Lĩnh vực", False),
    FacetSpec("polarity", "Loại phát hiện", False),
    FacetSpec("year", "Năm", False),
    FacetSpec("needs_review", "Cần xem lại", False),
    FacetSpec("cited_number", "Văn bản được viện dẫn", False),
)


@dataclass
class FacetValue:
    value: str  # as the query parameter carries it
    count: int
    label: str | None = None  # shown instead of value (a unit's name, a legal text's kind and number)


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]
    selected: str | None  # the value the filter holds, if any


@dataclass
class FindingsPage:
    """What the findings view shows: the rows of one page, how many in all, and the facets."""

    rows: list[FindingRow]
    total: int
    page: int
    per_page: int
    sort: str
    facets: list[Facet]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total, "page": self.page, "per_page": self.per_page, "pages": self.pages,
            "sort": self.sort, "findings": [row.to_dict() for row in self.rows],
            "facets": {f.name: {"label": f.label, "selected": f.selected, "values": [asdict(v) for v in f.values]}
                       for f in self.facets},
        }


def as_parameter(value: Any) -> str | None:
    """A filter value as a query parameter carries it (booleans as true/false)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Counts:
    """Facet counts and totals per (filter, data version): a small LRU shared by the server's threads."""

    def __init__(self, size: int = 256) -> None:
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


COUNTS = _Counts()


def _cache_key(engine: Engine, filt: FindingFilter, what: str) -> tuple:
    listed = tuple((f.name, getattr(filt, f.name)) for f in fields(filt) if f.name != "limit")
    return (id(engine), str(engine.url), data_version(engine), what, listed)


def count_findings(engine: Engine, filt: FindingFilter) -> int:
    """How many findings `filt` lists."""
    key = _cache_key(engine, filt, "total")
    if (cached := COUNTS.get(key)) is not None:
        return cached
    with engine.connect() as conn:
        total = conn.scalar(
            select(func.count()).select_from(finding_facts).where(*finding_conditions(filt, engine))) or 0
    COUNTS.put(key, total)
    return total


def facet_counts(engine: Engine, filt: FindingFilter, *, limit: int = FACET_VALUES) -> list[Facet]:
    """Every facet's values with their counts under `filt` (a facet's own selection stays applied)."""
    key = _cache_key(engine, filt, f"facets{limit}")
    if (cached := COUNTS.get(key)) is not None:
        return cached
    facets = []
    with engine.connect() as conn:
        for spec in FACETS:
            facets.append(Facet(spec.name, spec.label, _facet_values(conn, engine, filt, spec, limit),
                                as_parameter(getattr(filt, spec.name))))
    COUNTS.put(key, facets)
    return facets


def _facet_values(conn: Any, engine: Engine, filt: FindingFilter, spec: FacetSpec, limit: int) -> list[FacetValue]:
    count = func.count().label("n")
    if spec.name == "cited_number":
        count = func.count(finding_facts.c.finding_id.distinct()).label("n")
        query = (
            select(legal_refs.c.number, func.min(legal_refs.c.kind), count)
            .join(finding_facts, finding_facts.c.document_id == legal_refs.c.document_id)
            .where(legal_refs.c.number.is_not(None), *finding_conditions(filt, engine))
            .group_by(legal_refs.c.number)
        )
        rows = conn.execute(query.order_by(count.desc(), legal_refs.c.number).limit(limit)).all()
        return [FacetValue(number, n, f"{kind} {number}") for number, kind, n in rows]
    if spec.unit_level:
        column = finding_scope.c[spec.name]
        if spec.name != "unit_id":
            count = func.count(finding_scope.c.finding_id.distinct()).label("n")
        query = (
            select(column, count)
            .join(finding_facts, finding_facts.c.finding_id == finding_scope.c.finding_id)
            .where(column.is_not(None), *finding_conditions(filt, engine, with_units=False), *unit_conditions(filt))
            .group_by(column)
        )
        rows = conn.execute(query.order_by(count.desc(), column).limit(limit)).all()
        labels = _unit_labels(conn, [value for value, _ in rows]) if spec.name == "unit_id" else {}
        return [FacetValue(str(value), n, labels.get(value)) for value, n in rows]
    column = finding_facts.c[spec.name]
    query = (
        select(column, count).where(column.is_not(None), *finding_conditions(filt, engine)).group_by(column)
    )
    order = (column.desc(),) if spec.name == "year" else (count.desc(), column)
    rows = conn.execute(query.order_by(*order).limit(limit)).all()
    return [FacetValue(as_parameter(value) or "", n) for value, n in rows]


def _unit_labels(conn: Any, unit_ids: list[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    rows = conn.execute(select(units.c.id, units.c.name, units.c.province).where(units.c.id.in_(unit_ids))).all()
    return {r.id: f"{r.name} ({r.province})" if r.province else r.name for r in rows}


def findings_page(
    engine: Engine, filt: FindingFilter, *, page: int = 1, per_page: int = 50, sort: str = "date_desc",
    with_facets: bool = True,
) -> FindingsPage:
    """One page of the findings `filt` lists, sorted, with the total and (unless asked not) the facets."""
    if sort not in SORTS:
        raise ValueError(f"sort: one of {', '.join(SORTS)}")
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[1]
    total = count_findings(engine, filt)
    page = min(max(page, 1), max(1, -(-total // per_page)))
    rows = select_findings(engine, filt, sort=sort, offset=(page - 1) * per_page, limit=per_page)
    facets = facet_counts(engine, filt) if with_facets else []
    return FindingsPage(rows, total, page, per_page, sort, facets)


def select_findings(
    engine: Engine, filt: FindingFilter, *, sort: str = "date_desc", offset: int = 0, limit: int | None = None
) -> list[FindingRow]:
    """The findings `filt` lists in `sort` order, `limit` of them from `offset` (all when None)."""
    query = (
        select(findings, documents.c.sha256, documents.c.path, documents.c.title, documents.c.published,
               documents.c.dated)
        .select_from(finding_facts)
        .join(findings, findings.c.id == finding_facts.c.finding_id)
        .join(documents, documents.c.id == finding_facts.c.document_id)
        .where(*finding_conditions(filt, engine))
        .order_by(*SORTS[sort])
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        return finding_rows(conn, conn.execute(query).all())
