"""The figures an analyst puts in a report: limitations by category per year, the limitations that
recur, the units with most limitations. Shown on the workbench's overview page and written by
`findings report --xlsx`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select

from pipeline.query.budget import BACKGROUND, CACHE, Budget, OutOfTime
from pipeline.query.findings import FindingFilter, Recurrence, finding_conditions, recurrence, unit_conditions
from pipeline.store.database import data_version
from pipeline.store.schema import finding_facts, finding_scope, units

TOP = 15


@dataclass
class UnitLimitations:
    """A unit and how many limitations were found about it, in how many documents."""

    unit_id: int
    name: str
    province: str | None
    limitations: int
    documents: int


@dataclass
class Overview:
    """The overview's tables; `filt` narrows every one of them (a province, a period)."""

    years: list[int] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # most limitations first
    limitations_by_category_year: dict[str, dict[int, int]] = field(default_factory=dict)
    by_polarity: dict[str, int] = field(default_factory=dict)
    recurring: list[Recurrence] = field(default_factory=list)  # same category, several documents
    top_units: list[UnitLimitations] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # tables not counted in time (being counted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "years": self.years, "categories": self.categories,
            "limitations_by_category_year": {c: {str(y): n for y, n in by_year.items()}
                                             for c, by_year in self.limitations_by_category_year.items()},
            "by_polarity": self.by_polarity,
            "recurring": [r.to_dict() for r in self.recurring],
            "top_units": [asdict(u) for u in self.top_units],
            "pending": self.pending,
        }


def overview(engine: Engine, filt: FindingFilter | None = None, *, top: int = TOP,
             budget: float | None = None) -> Overview:
    """The overview under `filt` (its polarity is ignored: the tables are about limitations).

    With a `budget` (seconds), the tables not counted within it are left `pending` (their names in
    `Overview.pending`) and counted in the background for the next request.
    """
    filt = filt or FindingFilter()
    key = (str(engine.url), data_version(engine), "overview", top, repr(filt))
    if (cached := CACHE.get(key)) is not None:
        return cached
    result = _overview(engine, filt, top, Budget(budget))
    if result.pending:
        BACKGROUND.submit(key, lambda: overview(engine, filt, top=top))
    else:
        CACHE.put(key, result)
    return result


def _overview(engine: Engine, filt: FindingFilter, top: int, budget: Budget) -> Overview:
    limitations = FindingFilter(**{**asdict(filt), "polarity": "limitation"})
    result = Overview()
    with engine.connect() as conn:
        def counted_in_time(name: str, query: Any) -> list[Any]:
            """The query's rows, or none with `name` left pending when the budget runs out."""
            try:
                with budget.applied(conn):
                    return conn.execute(query).all()
            except OutOfTime:
                result.pending.append(name)
                return []

        result.by_polarity = dict(counted_in_time("by_polarity", (
            select(finding_facts.c.polarity, func.count())
            .where(*finding_conditions(FindingFilter(**{**asdict(filt), "polarity": None}), engine))
            .group_by(finding_facts.c.polarity).order_by(finding_facts.c.polarity))))
        table: dict[str, dict[int, int]] = {}
        for category, year, count in counted_in_time("limitations_by_category_year", (
                select(finding_facts.c.category, finding_facts.c.year, func.count())
                .where(finding_facts.c.year.is_not(None), *finding_conditions(limitations, engine))
                .group_by(finding_facts.c.category, finding_facts.c.year))):
            table.setdefault(category, {})[year] = count
        result.years = sorted({year for by_year in table.values() for year in by_year})
        result.categories = sorted(table, key=lambda c: (-sum(table[c].values()), c))
        result.limitations_by_category_year = {
            c: {y: table[c].get(y, 0) for y in result.years} for c in result.categories}
        scope = finding_scope
        n = func.count().label("n")
        by_unit = (
            select(scope.c.unit_id, n, func.count(scope.c.document_id.distinct()).label("documents"))
            .where(*finding_conditions(limitations, engine, facts=scope, with_units=False),
                   *unit_conditions(limitations))
            .group_by(scope.c.unit_id)
            .order_by(n.desc(), scope.c.unit_id)
            .limit(top)
            .subquery()
        )
        result.top_units = [UnitLimitations(*row) for row in counted_in_time("top_units", (
            select(units.c.id, units.c.name, units.c.province, by_unit.c.n, by_unit.c.documents)
            .join(units, units.c.id == by_unit.c.unit_id)
            .order_by(by_unit.c.n.desc(), units.c.name)))]
    try:
        result.recurring = recurrence(engine, FindingFilter(**{**asdict(limitations), "limit": top}),
                                      min_documents=2, budget=budget)
    except OutOfTime:
        result.pending.append("recurring")
    return result
