"""The findings database schema (SQLAlchemy Core), portable across SQLite and PostgreSQL.

One row in `documents` per stored `ExtractResult`, identified by the sha256 of
the file's bytes; everything mined from it hangs off `document_id` and goes
with it (ON DELETE CASCADE). Units are shared across documents: one row per
canonical (name, parent, province), found by `units.key` so that a missing
parent or province still compares equal (a UNIQUE over nullable columns would
not). Dates are ISO strings as the contract writes them ('2017', '2017-08',
'--06-05' are all valid), never SQL dates.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
)

# v2: documents.topic, documents.topic_confidence; v3: pages of findings, dates, references and
# unit mentions; corrections that outlive re-processing; v4: findings.dismissed, the facet and
# search tables the workbench reads. Alembic revisions: pipeline/store/migrations.
SCHEMA_VERSION = "findings_store_v4"
CORRECTION_STATUSES = ("applied", "orphaned")

POLARITIES = ("strength", "limitation", "recommendation")
STATUSES = ("ok", "partial", "failed")
TOPICS = ("inspection", "other")
UNIT_ROLES = ("inspected", "inspector", "mentioned")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


store_meta = Table(
    "store_meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("path", Text, nullable=False),
    Column("format", String, nullable=False),
    Column("encoding", String),
    Column("pages", Integer),
    Column("ocr", Boolean, nullable=False, default=False),
    Column("size_bytes", BigInteger),
    Column("title", Text),
    Column("published", String),
    Column("published_confidence", Float),
    Column("issued", String),
    Column("publisher", Text),
    Column("kind", String, nullable=False, default="other"),
    # Whether the document reports an inspection (NULL: stored before this was judged).
    Column("topic", String),
    Column("topic_confidence", Float),
    Column("text", Text),
    Column("text_chars", Integer, nullable=False, default=0),
    Column("status", String, nullable=False),
    Column("errors", JSON, nullable=False),
    Column("versions", JSON, nullable=False),
    # The date analysts filter on: `published`, else the earliest inspection
    # date with a year; with the first and last day it can mean ('2017-08':
    # 2017-08-01 .. 2017-08-31). Derived at save time from the stored fields.
    Column("dated", String),
    Column("dated_start", String),
    Column("dated_end", String),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(_in("status", STATUSES), name="status"),
    Index(None, "published"),
    Index(None, "dated_start", "dated_end"),
    Index(None, "path"),
    Index(None, "topic"),
)

units = Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("level", String, nullable=False),
    Column("parent", Text),
    Column("province", Text),
    Column("admin_code", String),
    Column("current_name", Text),
    Column("current_province", Text),
    # Lower-case, diacritics-free name (and current name) for `--unit` searches.
    Column("search_name", Text, nullable=False),
    Index(None, "name"),
    Index(None, "admin_code"),
)

document_units = Table(
    "document_units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("role", String, nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("mentions", JSON, nullable=False),
    Column("pages", JSON),  # page of each mention (None where the format has no pages)
    UniqueConstraint("document_id", "unit_id", "role"),
    CheckConstraint(_in("role", UNIT_ROLES), name="role"),
    Index(None, "unit_id", "role"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("polarity", String, nullable=False),
    Column("category", String, nullable=False),
    Column("text", Text, nullable=False),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("confidence", Float, nullable=False, default=0.0),
    Column("needs_review", Boolean, nullable=False, default=False),
    Column("polarity_source", String, nullable=False, default="rule"),
    Column("quantity", Text),
    Column("page", Integer),
    # An analyst judged it not a finding: kept (with its correction) but left out of every listing.
    Column("dismissed", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("document_id", "ordinal"),
    CheckConstraint(_in("polarity", POLARITIES), name="polarity"),
    Index(None, "category", "polarity"),
    Index(None, "polarity"),
)

finding_units = Table(
    "finding_units",
    metadata,
    Column("finding_id", ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
    Column("ordinal", Integer, nullable=False),
    Index(None, "unit_id"),
)

dates = Table(
    "dates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("iso", String, nullable=False),
    Column("end_iso", String),
    Column("time", String),
    Column("text", Text, nullable=False),
    Column("role", String, nullable=False),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("page", Integer),
    Index(None, "document_id", "role"),
    Index(None, "iso"),
)

legal_refs = Table(
    "legal_refs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("number", Text),
    Column("date", String),
    Column("issuer", Text),
    Column("text", Text, nullable=False),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("page", Integer),
    Index(None, "document_id"),
    Index(None, "number"),
)

failures = Table(
    "failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("path", Text, nullable=False),
    Column("sha256", String(64)),
    Column("stage", String, nullable=False),
    Column("message", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
    Column("resolved", Boolean, nullable=False, default=False),
    Column("resolved_at", DateTime(timezone=True)),
    Index(None, "resolved", "path"),
    Index(None, "sha256"),
)

corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    # NULL once re-processing left no finding to carry the correction (status 'orphaned').
    Column("finding_id", ForeignKey("findings.id", ondelete="SET NULL")),
    Column("field", String, nullable=False),
    Column("old", Text),
    Column("new", Text),
    Column("who", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    # What the correction was made on, to find the finding again after re-processing.
    Column("document_sha256", String(64)),
    Column("finding_text", Text),
    Column("span_start", Integer),
    Column("span_end", Integer),
    Column("status", String, nullable=False, default="applied"),
    CheckConstraint(_in("status", CORRECTION_STATUSES), name="status"),
    Index(None, "finding_id"),
    Index(None, "document_sha256"),
)


# What the workbench filters and counts on, kept narrow so that facet counts over a million
# findings read indexes, not rows. Only listed findings are here (an analyst's "not a finding"
# takes a finding out). Both tables carry the finding's labels and its document's date:
FACT_COLUMNS = ("document_id", "category", "polarity", "year", "dated_start", "dated_end", "needs_review",
                "confidence")


def _fact_columns() -> list[Column]:
    return [
        Column("document_id", Integer, nullable=False),
        Column("category", String, nullable=False),
        Column("polarity", String, nullable=False),
        Column("year", Integer),  # the document's year
        Column("dated_start", String),  # the document's date, as `documents` has it
        Column("dated_end", String),
        Column("needs_review", Boolean, nullable=False),
        Column("confidence", Float, nullable=False),
    ]


# ... one row per finding ...
finding_facts = Table(
    "finding_facts",
    metadata,
    Column("finding_id", ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
    *_fact_columns(),
    Index(None, "dated_start", "finding_id"),
    Index(None, "confidence", "finding_id"),
    Index(None, "category", "polarity", "year", "needs_review"),
    Index(None, "polarity", "year", "category", "needs_review"),
    Index(None, "year", "category", "polarity", "needs_review"),
    Index(None, "needs_review", "category", "polarity"),
    Index(None, "document_id"),
)

# ... and one row per unit a finding is about (the units it names, else its document's inspected
# units) with the unit's province, district and level, so unit facets count from this table alone.
finding_scope = Table(
    "finding_scope",
    metadata,
    Column("finding_id", ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", Integer, primary_key=True),
    Column("province", Text),
    Column("district", Text),
    Column("level", String),
    *_fact_columns(),
    Index(None, "unit_id", "polarity", "category", "document_id"),
    Index(None, "unit_id", "document_id", "polarity"),
    Index(None, "province", "district", "level", "finding_id"),
    Index(None, "district", "finding_id"),
    Index(None, "level", "finding_id"),
    Index(None, "document_id"),
)

# Free-text search: each finding's text, its units' names and its document's title. SQLite keeps
# it folded (`fold`) under an FTS5 index; PostgreSQL keeps it as written under a GIN full-text
# index of its `unaccent` folding.
finding_search = Table(
    "finding_search",
    metadata,
    Column("finding_id", ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
    Column("body", Text, nullable=False),
)

# The search index beside `finding_search`, per dialect (created with the table and by migration 0004).
_SEARCH_INDEX_DDL = {
    "sqlite": (
        "CREATE VIRTUAL TABLE finding_search_fts USING fts5(body, content='finding_search', "
        "content_rowid='finding_id', tokenize='unicode61', prefix='2 3')",
        "CREATE TRIGGER finding_search_insert AFTER INSERT ON finding_search BEGIN "
        "INSERT INTO finding_search_fts(rowid, body) VALUES (new.finding_id, new.body); END",
        "CREATE TRIGGER finding_search_delete AFTER DELETE ON finding_search BEGIN "
        "INSERT INTO finding_search_fts(finding_search_fts, rowid, body) VALUES ('delete', old.finding_id, old.body); "
        "END",
        "CREATE TRIGGER finding_search_update AFTER UPDATE ON finding_search BEGIN "
        "INSERT INTO finding_search_fts(finding_search_fts, rowid, body) VALUES ('delete', old.finding_id, old.body); "
        "INSERT INTO finding_search_fts(rowid, body) VALUES (new.finding_id, new.body); END",
    ),
    # PostgreSQL keeps the text as written and folds it in the index: lower-case, then `unaccent`
    # (which also maps đ to d), through an IMMUTABLE wrapper an index expression may use.
    "postgresql": (
        "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
        "CREATE OR REPLACE FUNCTION findings_search_fold(text) RETURNS text LANGUAGE sql IMMUTABLE "
        "PARALLEL SAFE STRICT AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, lower($1)) $$",
        "CREATE INDEX ix_finding_search_body_tsv ON finding_search "
        "USING gin (to_tsvector('simple', findings_search_fold(body)))",
    ),
}


def create_search_index(connection: Any) -> None:
    """Create the full-text index over `finding_search` for the connection's dialect."""
    for statement in _SEARCH_INDEX_DDL.get(connection.dialect.name, ()):
        connection.exec_driver_sql(statement)


event.listen(finding_search, "after_create", lambda _table, connection, **_kw: create_search_index(connection))

DISTRICT_LEVELS = ("huyen", "quan", "thi_xa", "thanh_pho")
COMMUNE_LEVELS = ("xa", "phuong", "thi_tran")


def district_of(name: str, level: str, parent: str | None) -> str | None:
    """The district a unit is in (a district is its own), or None when not known."""
    if level in DISTRICT_LEVELS:
        return name
    if level in COMMUNE_LEVELS or fold(parent).startswith(tuple(f"{lv.replace('_', ' ')} " for lv in DISTRICT_LEVELS)):
        return parent
    return None


def fold(text: str | None) -> str:
    """Lower-case, diacritics-free, single-spaced text to search ('Xã Tam Hòa': 'xa tam hoa')."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def unit_key(name: str, parent: str | None, province: str | None) -> str:
    """The identity of a unit: NFC, case-folded, single-spaced 'name|parent|province'."""

    def part(value: str | None) -> str:
        return " ".join(unicodedata.normalize("NFC", value or "").casefold().split())

    return f"{part(name)}|{part(parent)}|{part(province)}"


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")
_ISO_YEAR = re.compile(r"\d{4}")


def date_bounds(iso: str | None) -> tuple[str, str] | None:
    """First and last day an ISO date can mean ('2017-08' -> 2017-08-01, 2017-08-31).

    None for a date without a year ('--06-05') or anything that is not ISO.
    """
    if not iso:
        return None
    iso = iso.strip()
    try:
        if _ISO_DAY.fullmatch(iso):
            day = date.fromisoformat(iso).isoformat()
            return day, day
        if match := _ISO_MONTH.fullmatch(iso):
            year, month = int(match[1]), int(match[2])
            last = calendar.monthrange(year, month)[1]
            return f"{iso}-01", date(year, month, last).isoformat()
    except ValueError:
        return None
    if _ISO_YEAR.fullmatch(iso):
        return f"{iso}-01-01", f"{iso}-12-31"
    return None
