"""The analysts' questions: which findings, about which units, when, and how often they recur.

A finding is about the units it names; one that names none is about the
units its document inspected (a report on one commune rarely repeats the
commune's name in every sentence). Dates filter on the document's date: its
publication date, else its earliest inspection date; a partial date matches
a range it overlaps ('2017-08' is within --since 2017-08-15).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy import column as sql_column
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from pipeline.query.budget import Budget
from pipeline.store.schema import (
    date_bounds,
    document_units,
    documents,
    failures,
    finding_facts,
    finding_scope,
    finding_search,
    finding_units,
    findings,
    fold,
    legal_refs,
    units,
)

_CHUNK = 500


@dataclass
class FindingFilter:
    """Which findings to list; every field left None matches everything.

    Findings an analyst dismissed ("not a finding") are never listed.
    """

    unit: str | None = None  # part of a unit's name; case and diacritics do not matter
    category: str | None = None  # a taxonomy code
    polarity: str | None = None  # strength | limitation | recommendation
    since: str | None = None  # document dated on or after (ISO; YYYY or YYYY-MM work too)
    until: str | None = None  # document dated on or before
    document: str | None = None  # the document's sha256 (a prefix will do) or its path
    needs_review: bool | None = None
    cites: str | None = None  # documents citing this legal text ('Chỉ thị 26', '61/2018/NĐ-CP')
    limit: int | None = None
    text: str | None = None  # words in the finding, its units or its document's title; diacritics optional
    unit_id: int | None = None  # one unit, by id
    province: str | None = None  # findings about a unit in this province (exact name)
    district: str | None = None  # ... in this district
    level: str | None = None  # ... of this level (xa, huyen, so, ...)
    year: int | None = None  # the document's year
    cited_number: str | None = None  # documents citing the legal text with exactly this number

@dataclass
class FindingRow:
    """One finding with its document and units, as listed and exported."""

    id: int
    sha256: str
    path: str
    title: str | None
    published: str | None
    date: str | None  # the document date the filter used (published, else inspection)
    units: list[str]
    polarity: str
    category: str
    text: str
    confidence: float
    needs_review: bool
    span: tuple[int, int] = (0, 0)
    quantity: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["span"] = list(self.span)
        return data


@dataclass
class Summary:
    """What the database holds."""

    documents_ok: int = 0
    documents_partial: int = 0
    documents_failed: int = 0  # files with an unresolved failure
    units: int = 0
    findings: int = 0
    needs_review: int = 0
    by_polarity: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_category_polarity: dict[tuple[str, str], int] = field(default_factory=dict)
    failures: int = 0  # unresolved failure records
    off_topic: int = 0  # stored documents judged not to report an inspection (no findings mined)
    first_date: str | None = None
    last_date: str | None = None

    @property
    def documents(self) -> int:
        return self.documents_ok + self.documents_partial


@dataclass
class Recurrence:
    """How often one unit had findings of one category and polarity, over how many documents."""

    unit: str
    parent: str | None
    province: str | None
    category: str
    polarity: str
    documents: int
    findings: int
    first: str | None
    last: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _unit_matches(needle: str) -> ColumnElement[bool]:
    return units.c.search_name.contains(fold(needle), autoescape=True)


def _bound(value: str, which: int, name: str) -> str:
    bounds = date_bounds(value)
    if bounds is None:
        raise ValueError(f"{name}: {value!r} is not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY)")
    return bounds[which]


_SEARCH_WORD = re.compile(r"[0-9a-z]+")
_TYPED_WORD = re.compile(r"[^\W_]+")


def search_terms(text: str) -> list[str]:
    """The words of a free-text search, folded ('Trễ hẹn' -> ['tre', 'hen'])."""
    return _SEARCH_WORD.findall(fold(text))


FTS_INDEX = table("finding_search_fts", sql_column("rowid"))


def fts_match(text: str) -> str | None:
    """The FTS5 query for what an analyst typed: every word quoted (no query syntax gets through), the
    last one a prefix; None when nothing searchable was typed."""
    terms = search_terms(text)
    return " ".join([*(f'"{t}"' for t in terms[:-1]), f'"{terms[-1]}"*']) if terms else None


def _search_matches(engine: Engine, text: str) -> Any:
    """Ids of the findings whose search text has every word (the last one as a prefix)."""
    if engine.dialect.name == "postgresql":
        # Words as typed (letters and digits only: no query syntax gets through), folded by the
        # same function as the index; the last word is a prefix.
        words = _TYPED_WORD.findall(text)
        if not words:
            return None
        query = " & ".join([*words[:-1], f"{words[-1]}:*"])
        simple = literal_column("'simple'")
        return select(finding_search.c.finding_id).where(
            func.to_tsvector(simple, func.findings_search_fold(finding_search.c.body)).bool_op("@@")(
                func.to_tsquery(simple, func.findings_search_fold(query))))
    if (match := fts_match(text)) is None:
        return None
    return select(FTS_INDEX.c.rowid).where(literal_column("finding_search_fts").op("MATCH")(match))


def unit_conditions(filt: FindingFilter, scope: Any = finding_scope) -> list[ColumnElement[bool]]:
    """Conditions on one `finding_scope` row: the unit a finding is about."""
    conditions: list[ColumnElement[bool]] = []
    if filt.unit_id is not None:
        conditions.append(scope.c.unit_id == filt.unit_id)
    for column in ("province", "district", "level"):
        if (value := getattr(filt, column)) is not None:
            conditions.append(scope.c[column] == value)
    if filt.unit and filt.unit.strip():
        conditions.append(scope.c.unit_id.in_(select(units.c.id).where(_unit_matches(filt.unit))))
    return conditions


def finding_conditions(
    filt: FindingFilter, engine: Engine, *, facts: Any = finding_facts, with_units: bool = True,
    walking: bool = False, with_text: bool = True,
) -> list[ColumnElement[bool]]:
    """WHERE clauses over `finding_facts` (one row per finding) for everything `filt` asks.

    `with_units=False` leaves out the unit conditions, for a caller that applies
    them to `finding_scope` rows itself. `walking`: the query walks an index in
    its sort order and tests each row (what a broad filter wants: the first page
    comes after a few thousand rows, where a filter index would have SQLite sort
    them all); the label conditions then use no index and the unit conditions
    look up each row's units.
    """
    label = _unindexed if walking and engine.dialect.name == "sqlite" else (lambda column: column)
    conditions: list[ColumnElement[bool]] = []
    for column in ("category", "polarity", "year"):
        if (value := getattr(filt, column)) is not None and value != "":
            conditions.append(label(facts.c[column]) == value)
    if filt.needs_review is not None:
        conditions.append(label(facts.c.needs_review) == filt.needs_review)
    if walking and filt.year is not None:
        # The year as a range of the date index being walked: the walk starts at the year.
        conditions += [facts.c.dated_start >= f"{filt.year:04d}-01-01", facts.c.dated_start <= f"{filt.year:04d}-12-31"]
    if filt.since:
        conditions.append(facts.c.dated_end >= _bound(filt.since, 0, "since"))
    if filt.until:
        conditions.append(facts.c.dated_start <= _bound(filt.until, 1, "until"))
    if filt.document:
        key = filt.document.strip()
        conditions.append(facts.c.document_id.in_(
            select(documents.c.id).where(
                or_(documents.c.sha256.startswith(key.lower(), autoescape=True), documents.c.path == key))))
    if filt.cites and filt.cites.strip():
        conditions.append(facts.c.document_id.in_(_citing_document_ids(engine, filt.cites)))
    if filt.cited_number:
        conditions.append(facts.c.document_id.in_(
            select(legal_refs.c.document_id).where(legal_refs.c.number == filt.cited_number)))
    if with_text and filt.text and (matching := _search_matches(engine, filt.text)) is not None:
        conditions.append(facts.c.finding_id.in_(matching))
    if with_units and (about := unit_conditions(filt)):
        if walking:
            conditions.append(exists().where(finding_scope.c.finding_id == facts.c.finding_id, *about))
        else:
            conditions.append(facts.c.finding_id.in_(select(finding_scope.c.finding_id).where(*about)))
    return conditions


def _unindexed(column: Any) -> ColumnElement:
    """`+column`: the same value, which SQLite will not look up through an index."""
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _chunks(items: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def query_findings(engine: Engine, filt: FindingFilter | None = None) -> list[FindingRow]:
    """Findings matching `filt`, oldest document first, in text order within a document."""
    filt = filt or FindingFilter()
    query = (
        select(
            findings,
            documents.c.sha256,
            documents.c.path,
            documents.c.title,
            documents.c.published,
            documents.c.dated,
        )
        .join(finding_facts, finding_facts.c.finding_id == findings.c.id)
        .join(documents, documents.c.id == findings.c.document_id)
        .where(*finding_conditions(filt, engine))
        .order_by(
            documents.c.dated_start.is_(None),
            documents.c.dated_start,
            documents.c.id,
            findings.c.ordinal,
        )
    )
    if filt.limit is not None:
        query = query.limit(max(filt.limit, 0))
    with engine.connect() as conn:
        return finding_rows(conn, conn.execute(query).all())


def finding_rows(conn: Any, rows: list[Any]) -> list[FindingRow]:
    """`FindingRow`s from rows of findings joined to their document (sha256, path, title, published, dated)."""
    names = _unit_names(conn, rows)
    return [
        FindingRow(
            id=r.id, sha256=r.sha256, path=r.path, title=r.title, published=r.published,
            date=r.dated, units=names.get(r.id, []), polarity=r.polarity, category=r.category,
            text=r.text, confidence=r.confidence, needs_review=bool(r.needs_review),
            span=(r.span_start, r.span_end), quantity=r.quantity,
        )
        for r in rows
    ]


def _unit_names(conn: Any, rows: list[Any]) -> dict[int, list[str]]:
    """Unit names per finding id: its own, else its document's inspected units."""
    names: dict[int, list[str]] = {}
    for chunk in _chunks([r.id for r in rows]):
        for finding_id, name in conn.execute(
            select(finding_units.c.finding_id, units.c.name)
            .join(units, units.c.id == finding_units.c.unit_id)
            .where(finding_units.c.finding_id.in_(chunk))
            .order_by(finding_units.c.finding_id, finding_units.c.ordinal)
        ).all():
            names.setdefault(finding_id, []).append(name)
    orphans = sorted({r.document_id for r in rows if r.id not in names})
    inspected: dict[int, list[str]] = {}
    for chunk in _chunks(orphans):
        for document_id, name in conn.execute(
            select(document_units.c.document_id, units.c.name)
            .join(units, units.c.id == document_units.c.unit_id)
            .where(document_units.c.document_id.in_(chunk), document_units.c.role == "inspected")
            .order_by(document_units.c.document_id, document_units.c.ordinal)
        ).all():
            inspected.setdefault(document_id, []).append(name)
    for r in rows:
        if r.id not in names:
            names[r.id] = list(inspected.get(r.document_id, []))
    return names


def recurrence(
    engine: Engine, filt: FindingFilter | None = None, *, min_documents: int = 1, budget: Budget | None = None
) -> list[Recurrence]:
    """Per unit, category and polarity: in how many documents, how many findings, first and last.

    `filt.unit` keeps only the units it matches; `min_documents=2` keeps what
    recurs; `filt.limit` caps the rows, most recurrent first.
    """
    filt = filt or FindingFilter()
    scope = finding_scope
    document_count = func.count(scope.c.document_id.distinct())
    counted = (
        select(
            scope.c.unit_id, scope.c.category, scope.c.polarity,
            document_count.label("documents"),
            func.count(literal(1)).label("findings"),
            func.min(documents.c.dated).label("first"),
            func.max(documents.c.dated).label("last"),
        )
        .join(documents, documents.c.id == scope.c.document_id)
        .where(*finding_conditions(filt, engine, facts=scope, with_units=False), *unit_conditions(filt))
        .group_by(scope.c.unit_id, scope.c.category, scope.c.polarity)
        .having(document_count >= min_documents)
        .subquery()
    )
    query = (
        select(units.c.name, units.c.parent, units.c.province, counted.c.category, counted.c.polarity,
               counted.c.documents, counted.c.findings, counted.c.first, counted.c.last)
        .join(units, units.c.id == counted.c.unit_id)
        .order_by(counted.c.documents.desc(), units.c.name, counted.c.category, counted.c.polarity)
    )
    if filt.limit is not None:
        query = query.limit(max(filt.limit, 0))
    with engine.connect() as conn, (budget or Budget(None)).applied(conn):
        return [Recurrence(*row) for row in conn.execute(query).all()]


def summarise(engine: Engine) -> Summary:
    """Counts of documents by status, units, findings by polarity and category, open failures."""
    summary = Summary()
    with engine.connect() as conn:
        for status, count in conn.execute(
            select(documents.c.status, func.count()).group_by(documents.c.status)
        ).all():
            if status == "ok":
                summary.documents_ok = count
            elif status == "partial":
                summary.documents_partial = count
            else:
                summary.documents_failed += count
        summary.off_topic = conn.scalar(
            select(func.count()).select_from(documents).where(documents.c.topic == "other")
        ) or 0
        summary.first_date, summary.last_date = conn.execute(
            select(func.min(documents.c.dated), func.max(documents.c.dated))
        ).one()
        summary.units = conn.scalar(select(func.count()).select_from(units)) or 0
        summary.needs_review = conn.scalar(
            select(func.count()).select_from(finding_facts).where(finding_facts.c.needs_review.is_(True))
        ) or 0
        summary.by_category_polarity = {
            (category, polarity): count
            for category, polarity, count in conn.execute(
                select(finding_facts.c.category, finding_facts.c.polarity, func.count())
                .group_by(finding_facts.c.category, finding_facts.c.polarity)
            ).all()
        }
        by_polarity: dict[str, int] = {}
        by_category: dict[str, int] = {}
        for (category, polarity), count in summary.by_category_polarity.items():
            by_polarity[polarity] = by_polarity.get(polarity, 0) + count
            by_category[category] = by_category.get(category, 0) + count
        summary.by_polarity = dict(sorted(by_polarity.items()))
        summary.by_category = dict(sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0])))
        summary.findings = sum(by_polarity.values())
        open_failures = failures.c.resolved.is_(False)
        summary.failures = conn.scalar(
            select(func.count()).select_from(failures).where(open_failures)
        ) or 0
        summary.documents_failed += conn.scalar(
            select(func.count(failures.c.path.distinct())).where(open_failures)
        ) or 0
    return summary


@dataclass
class Citation:
    """A stored document citing a legal text."""

    sha256: str
    path: str
    title: str | None
    dated: str | None
    kind: str
    number: str | None
    date: str | None
    issuer: str | None
    text: str


_WORD = re.compile(r"[0-9a-z]+")


def _citation_matcher(needle: str) -> tuple[set[str], list[str]]:
    """Words and numbers of what the analyst typed ('Chỉ thị 26' -> {chi, thi}, [26])."""
    tokens = [t for t in _WORD.findall(fold(needle)) if t != "so"]
    return {t for t in tokens if not t.isdigit()}, [t for t in tokens if t.isdigit()]


def _cites(words: set[str], numbers: list[str], kind: str, number: str | None,
           issuer: str | None, text: str) -> bool:
    haystack = set(_WORD.findall(fold(f"{kind} {number or ''} {issuer or ''} {text}")))
    if not words <= haystack:
        return False
    if not numbers:
        return True
    cited = [t for t in _WORD.findall(fold(number or "")) if t.isdigit()]
    # '26' names the document numbered 26 (26/CT-TTg), not one dated the 26th.
    return cited[: len(numbers)] == numbers or (len(numbers) > 1 and set(numbers) <= set(cited))


def _citing_rows(conn: Any, needle: str, columns: list[Any]) -> Iterable[Any]:
    """Rows (legal_refs joined to documents) whose reference matches what the analyst typed."""
    words, numbers = _citation_matcher(needle)
    if not words and not numbers:
        raise ValueError("say which legal text, e.g. 'Chỉ thị 26' or '61/2018/NĐ-CP'")
    query = (
        select(*columns, legal_refs.c.kind, legal_refs.c.number, legal_refs.c.issuer, legal_refs.c.text)
        .join(documents, documents.c.id == legal_refs.c.document_id)
        .order_by(documents.c.dated.desc(), documents.c.path, legal_refs.c.ordinal)
    )
    if len(numbers) == 1:  # the number column is indexed: only references numbered like the one asked for
        query = query.where(legal_refs.c.number.startswith(numbers[0], autoescape=True))
    for row in conn.execute(query):
        if _cites(words, numbers, row.kind, row.number, row.issuer, row.text):
            yield row


def _citing_document_ids(engine: Engine, needle: str) -> list[int]:
    with engine.connect() as conn:
        return sorted({row.id for row in _citing_rows(conn, needle, [documents.c.id])})


def citations(engine: Engine, needle: str, *, limit: int | None = None) -> list[Citation]:
    """Stored documents that cite a legal text matching `needle`, newest first."""
    columns = [documents.c.sha256, documents.c.path, documents.c.title, documents.c.dated,
               legal_refs.c.date]
    found: list[Citation] = []
    with engine.connect() as conn:
        for row in _citing_rows(conn, needle, columns):
            found.append(Citation(sha256=row.sha256, path=row.path, title=row.title, dated=row.dated,
                                  kind=row.kind, number=row.number, date=row.date, issuer=row.issuer,
                                  text=row.text))
            if limit is not None and len(found) >= limit:
                break
    return found
