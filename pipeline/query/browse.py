"""The workbench's findings view: one page of findings under a filter, facet counts, sorting.

Facets count findings (never rows of a join): for a finding-level facet
(category, polarity, year, needs review) one row per finding in
`finding_facts`; for a unit-level facet (province, district, unit, level) the
findings with a unit of that value in `finding_scope`, where the unit filters
apply to the same unit row ("a commune in Đồng Tháp"). Counts under one
filter are computed once per state of the database (`data_version`), so the
commonest views cost a dictionary lookup after their first request; facets
not counted within the page's time budget are counted in the background.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import Engine, func, literal_column, select
from sqlalchemy.sql import operators

from pipeline.query.budget import BACKGROUND, CACHE, Budget, OutOfTime
from pipeline.query.findings import (
    FTS_INDEX,
    FindingFilter,
    FindingRow,
    finding_conditions,
    finding_rows,
    fts_match,
    unit_conditions,
)
from pipeline.store.database import data_version
from pipeline.store.schema import documents, finding_facts, finding_scope, findings, legal_refs, units

PAGE_SIZES = (25, 50, 100, 200)
FACET_VALUES = 12  # values shown per facet, most findings first

# Sort keys offered to analysts: name -> ORDER BY columns (finding id breaks ties, so pages are stable).
SORTS: dict[str, tuple[Any, ...]] = {
    "date_desc": (finding_facts.c.dated_start.desc(), finding_facts.c.finding_id.desc()),
    "date_asc": (finding_facts.c.dated_start.asc(), finding_facts.c.finding_id.asc()),
    "confidence_asc": (finding_facts.c.confidence.asc(), finding_facts.c.finding_id.asc()),
    "confidence_desc": (finding_facts.c.confidence.desc(), finding_facts.c.finding_id.asc()),
    "category": (finding_facts.c.category.asc(), finding_facts.c.finding_id.asc()),
    "recent": (finding_facts.c.finding_id.desc(),),  # stored last, first: what a free-text search lists
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
    pending: bool = False  # not counted in the page's time; counted in the background for the next request


@dataclass
class FindingsPage:
    """What the findings view shows: the rows of one page, how many in all, and the facets."""

    rows: list[FindingRow]
    total: int | None  # None: not counted in the page's time (being counted in the background)
    page: int
    per_page: int
    sort: str
    facets: list[Facet]

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.per_page))

    @property
    def pending(self) -> bool:
        """Part of the page (the total, a facet) is still being counted in the background."""
        return self.total is None or any(f.pending for f in self.facets)

    @property
    def has_next(self) -> bool:
        return self.page < self.pages if self.total is not None else len(self.rows) == self.per_page

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total, "page": self.page, "per_page": self.per_page, "pages": self.pages,
            "has_next": self.has_next, "pending": self.pending,
            "sort": self.sort, "findings": [row.to_dict() for row in self.rows],
            "facets": {f.name: {"label": f.label, "selected": f.selected, "pending": f.pending,
                                "values": [asdict(v) for v in f.values]}
                       for f in self.facets},
        }


def as_parameter(value: Any) -> str | None:
    """A filter value as a query parameter carries it (booleans as true/false)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


PAGE_BUDGET_S = 0.1  # time one findings page may take; facets not counted in it are counted in the background
COUNT_BUDGET_S = 0.03  # time the page's total may take
BROAD_FILTER_ROWS = 20_000  # past this many matches a page walks the sort key's index
EXPORT_BATCH = 5_000  # rows an export fetches and writes at a time
EXPORT_COUNT_BUDGET_S = 0.25  # an export counts its matches longer than a page to choose how to list them
WALKABLE_SORTS = ("date_desc", "date_asc", "confidence_asc", "confidence_desc", "recent")  # indexed


def _state(engine: Engine, filt: FindingFilter, what: str) -> tuple:
    listed = tuple((f.name, getattr(filt, f.name)) for f in fields(filt) if f.name != "limit")
    return (str(engine.url), data_version(engine), what, listed)


def count_findings(engine: Engine, filt: FindingFilter, *, budget: float | None = None) -> int | None:
    """How many findings `filt` lists; None when that takes longer than `budget` seconds (then it is
    counted in the background for the next request)."""
    key = _state(engine, filt, "total")
    if (cached := CACHE.get(key)) is not None:
        return cached
    with engine.connect() as conn:
        try:
            with Budget(budget).applied(conn):
                total = conn.scalar(
                    select(func.count()).select_from(finding_facts).where(*finding_conditions(filt, engine))) or 0
        except OutOfTime:
            BACKGROUND.submit(key, lambda: count_findings(engine, filt))
            return None
    CACHE.put(key, total)
    return total


def facet_counts(engine: Engine, filt: FindingFilter, *, limit: int = FACET_VALUES,
                 budget: float | None = None) -> list[Facet]:
    """Every facet's values with their counts under `filt` (a facet's own selection stays applied).

    With a `budget` (seconds), facets not counted in time come back with `pending` set, and are
    counted in the background for the next request.
    """
    key = _state(engine, filt, f"facets{limit}")
    if (cached := CACHE.get(key)) is not None:
        return cached
    clock = Budget(budget)
    facets, complete = [], True
    with engine.connect() as conn:
        for spec in FACETS:
            selected = as_parameter(getattr(filt, spec.name))
            try:
                with clock.applied(conn):
                    values = _facet_values(conn, engine, filt, spec, limit)
            except OutOfTime:
                facets.append(Facet(spec.name, spec.label, [], selected, pending=True))
                complete = False
                continue
            facets.append(Facet(spec.name, spec.label, values, selected))
    if complete:
        CACHE.put(key, facets)
    else:
        BACKGROUND.submit(key, lambda: facet_counts(engine, filt, limit=limit))
    return facets


def _facet_values(conn: Any, engine: Engine, filt: FindingFilter, spec: FacetSpec, limit: int) -> list[FacetValue]:
    count = func.count().label("n")
    if spec.name == "cited_number":
        listed = select(finding_facts.c.document_id, func.count().label("findings")).where(
            *finding_conditions(filt, engine)).group_by(finding_facts.c.document_id).subquery()
        total = func.sum(listed.c.findings).label("n")
        query = (
            select(legal_refs.c.number, func.min(legal_refs.c.kind), total)
            .join(listed, listed.c.document_id == legal_refs.c.document_id)
            .where(legal_refs.c.number.is_not(None))
            .group_by(legal_refs.c.number)
        )
        rows = conn.execute(query.order_by(total.desc(), legal_refs.c.number).limit(limit)).all()
        return [FacetValue(number, int(n), f"{kind} {number}") for number, kind, n in rows]
    if spec.unit_level:
        scope = finding_scope
        column = scope.c[spec.name]
        if spec.name != "unit_id":
            count = func.count(scope.c.finding_id.distinct()).label("n")
        query = (
            select(column, count)
            .where(column.is_not(None), *finding_conditions(filt, engine, facts=scope, with_units=False),
                   *unit_conditions(filt))
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
    with_facets: bool = True, budget: float | None = PAGE_BUDGET_S,
) -> FindingsPage:
    """One page of the findings `filt` lists, sorted, with the total and (unless asked not) the facets.

    With a `budget` (seconds for the whole page) the total gets at most COUNT_BUDGET_S, the rows
    are listed, and the facets get what is left; what takes longer comes back as not counted yet
    (and is counted in the background). None: however long it takes.
    """
    if sort not in SORTS:
        raise ValueError(f"sort: one of {', '.join(SORTS)}")
    started = time.monotonic()
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[1]
    total = count_findings(engine, filt, budget=None if budget is None else min(budget, COUNT_BUDGET_S))
    page = max(page, 1) if total is None else min(max(page, 1), max(1, -(-total // per_page)))
    broad = is_broad(total)
    rows = select_findings(engine, filt, sort=sort, offset=(page - 1) * per_page, limit=per_page, broad=broad)
    left = None if budget is None else max(0.0, budget - (time.monotonic() - started))
    facets = facet_counts(engine, filt, budget=left) if with_facets else []
    return FindingsPage(rows, total, page, per_page, sort, facets)


def is_broad(total: int | None) -> bool:
    """A filter keeping this many findings (None: too many to count in time) walks its sort key's index."""
    return total is None or total > BROAD_FILTER_ROWS


def select_findings(
    engine: Engine, filt: FindingFilter, *, sort: str = "date_desc", offset: int = 0, limit: int | None = None,
    broad: bool = False,
) -> list[FindingRow]:
    """The findings `filt` lists in `sort` order, `limit` of them from `offset` (all when None).

    The page's ids are chosen from `finding_facts` alone (narrow rows, indexed sort keys); only
    they are then joined to their text and document. `broad`: the filter keeps many findings, so
    the sort key's index is walked rather than the matches sorted (`finding_conditions(walking=)`).
    """
    with engine.connect() as conn:
        return finding_rows(conn, conn.execute(_findings_query(engine, filt, sort, offset, limit, broad)).all())


def iter_findings(
    engine: Engine, filt: FindingFilter, *, sort: str = "date_desc", limit: int | None = None,
    batch: int = EXPORT_BATCH,
) -> Iterator[list[FindingRow]]:
    """Every finding `filt` lists (up to `limit`), in `sort` order, `batch` rows at a time: an export.

    One statement whose rows are streamed (a server-side cursor on PostgreSQL), so a long export
    neither sorts the matches again for each batch nor holds them all in memory.
    """
    broad = is_broad(count_findings(engine, filt, budget=EXPORT_COUNT_BUDGET_S))
    query = _findings_query(engine, filt, sort, 0, limit, broad)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
        for part in result.partitions(batch):
            yield finding_rows(conn, part)


def _findings_query(
    engine: Engine, filt: FindingFilter, sort: str, offset: int, limit: int | None, broad: bool
) -> Any:
    """The statement `select_findings` runs: ids chosen from `finding_facts`, then joined."""
    if sort not in SORTS:
        raise ValueError(f"sort: one of {', '.join(SORTS)}")
    walking = broad and sort in WALKABLE_SORTS
    chosen = (
        select(finding_facts.c.finding_id, *[key.element for key in SORTS[sort]][:-1])
        .where(*finding_conditions(filt, engine, walking=walking))
        .order_by(*SORTS[sort])
        .offset(offset)
    )
    if walking and sort == "recent" and engine.dialect.name == "sqlite" and (match := fts_match(filt.text or "")):
        # Walk the full-text index itself, newest first, testing each match's other conditions.
        chosen = (
            select(finding_facts.c.finding_id)
            .select_from(FTS_INDEX.join(finding_facts, finding_facts.c.finding_id == FTS_INDEX.c.rowid))
            .where(literal_column("finding_search_fts").op("MATCH")(match),
                   *finding_conditions(filt, engine, walking=True, with_text=False))
            .order_by(FTS_INDEX.c.rowid.desc())
            .offset(offset)
        )
    if limit is not None:
        chosen = chosen.limit(limit)
    chosen = chosen.subquery()
    query = (
        select(findings, documents.c.sha256, documents.c.path, documents.c.title, documents.c.published,
               documents.c.dated)
        .select_from(chosen)
        .join(findings, findings.c.id == chosen.c.finding_id)
        .join(documents, documents.c.id == findings.c.document_id)
        .order_by(*_resorted(sort, chosen))
    )
    return query


def _resorted(sort: str, chosen: Any) -> list[Any]:
    """`SORTS[sort]` over the chosen ids' subquery, to keep their order after the joins."""
    keys = []
    for key in SORTS[sort]:
        column = chosen.c[key.element.name]
        keys.append(column.desc() if key.modifier is operators.desc_op else column.asc())
    return keys
