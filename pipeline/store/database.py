"""Open the findings database and store, find and load `ExtractResult`s.

A document is identified by the sha256 of its bytes: storing one that is
already there changes nothing, so ingesting a folder twice adds nothing.
Each document and everything mined from it is written in one transaction
(a few bulk statements, never one round trip per finding), so a document
whose save fails leaves no rows behind and never costs the others theirs.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError

from pipeline.contract import (
    DateMention,
    DocumentInfo,
    ExtractResult,
    Finding,
    LegalRef,
    Source,
    StageError,
    Unit,
)
from pipeline.paths import display_path
from pipeline.store.facets import index_document, update_finding
from pipeline.store.schema import (
    SCHEMA_VERSION,
    corrections,
    date_bounds,
    dates,
    document_units,
    documents,
    failures,
    finding_units,
    findings,
    fold,
    legal_refs,
    metadata,
    store_meta,
    unit_key,
    units,
)

DEFAULT_URL = "sqlite:///findings.db"
CORRECTABLE_FIELDS = ("polarity", "category", "needs_review", "dismissed", "text")
_BOOLEAN_FIELDS = ("needs_review", "dismissed")

_SHA256 = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"[0-9a-f]+")
# Level of a unit that a finding names but the unit list does not carry.
_LEVEL_BY_PREFIX = (
    ("thanh pho ", "thanh_pho"), ("thi xa ", "thi_xa"), ("thi tran ", "thi_tran"),
    ("tinh ", "tinh"), ("huyen ", "huyen"), ("quan ", "quan"), ("xa ", "xa"),
    ("phuong ", "phuong"), ("so ", "so"), ("phong ", "phong"), ("ban ", "ban"),
    ("truong ", "truong"),
)


@dataclass
class SaveReport:
    """What `save_results` did: documents inserted, already stored, failed."""

    inserted: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


class StoreError(Exception):
    """The findings database cannot be opened or used; the message is one line for the user."""


def database_url(value: str) -> str:
    """A SQLAlchemy URL for `--db`: URLs as given, a plain file path as an SQLite file."""
    value = value.strip()
    if "://" in value or value.startswith("sqlite:"):
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def open_database(url: str = DEFAULT_URL, *, create: bool = True) -> Engine:
    """An engine for `url` (an SQLAlchemy URL or an SQLite file path), schema checked.

    With `create`, a missing database and its tables are created (safe when
    several processes do it at once); without, a database that does not exist
    or holds no findings tables is an error rather than a new empty file.
    SQLite gets WAL journaling, foreign keys, a 30 s busy timeout, and write
    transactions that take the write lock up front (BEGIN IMMEDIATE), so
    concurrent writers wait instead of failing mid-transaction.

    Raises:
        StoreError: with a one-line message (bad URL, missing or foreign
            database, unwritable folder, server refused, newer schema).
    """
    url = database_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"'{url}' is not a database URL or file path "
            "(for example sqlite:///findings.db, findings.db or postgresql+psycopg://user@host/findings)"
        ) from None
    shown = parsed.render_as_string(hide_password=True)
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(url, parsed.database or "", create=create)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"cannot use the database URL '{shown}': {_first_line(exc)}") from None
    try:
        _prepare_schema(engine, create=create, shown=shown)
    except StoreError:
        engine.dispose()
        raise
    except (DBAPIError, sqlite3.Error, OSError) as exc:
        engine.dispose()
        raise StoreError(_describe_error(exc, shown)) from None
    return engine


def _sqlite_engine(url: str, database: str, *, create: bool) -> Engine:
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not in_memory and not database.startswith("file:"):
        path = Path(database).expanduser()
        if path.is_dir():
            raise StoreError(f"{display_path(path)} is a folder, not a database file")
        if not path.exists():
            if not create:
                raise StoreError(
                    f"there is no findings database at {display_path(path)} "
                    "(check --db; `findings ingest FOLDER --db ...` creates one)"
                )
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the folder for the database {display_path(path)}: {exc.strerror}"
                ) from None
            if not os.access(path.parent, os.W_OK | os.X_OK):
                raise StoreError(
                    f"cannot create the database {display_path(path)}: "
                    f"the folder {display_path(path.parent)} is not writable"
                )
    engine = create_engine(url)
    _configure_sqlite(engine, in_memory=in_memory)
    return engine


# Any fixed number: the PostgreSQL advisory lock that serialises schema creation.
_SCHEMA_LOCK = 7_402_211


def _prepare_schema(engine: Engine, *, create: bool, shown: str) -> None:
    """Create the schema or migrate it to the current revision (Alembic), one process at a time."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        revision = _revision(conn) if "alembic_version" in tables else None
    known, head = _revisions()
    if revision == head and tables >= set(metadata.tables):
        return
    if store_meta.name not in tables:
        if tables - set(metadata.tables) - {"alembic_version"}:
            raise StoreError(
                f"{shown} is a database of another application (it has tables such as "
                f"{', '.join(sorted(tables)[:3])} but no findings tables)"
            )
        if not create:
            raise StoreError(f"the database {shown} holds no findings yet (run `findings ingest` first)")
    elif revision is not None and revision not in known:
        raise StoreError(f"the database {shown} was made by a newer version of findings (schema revision "
                         f"{revision}; this version knows up to {head}): upgrade findings to read it")
    with _writing(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
        migrate(conn)


def migrate(conn: Connection) -> str:
    """Bring the database on `conn` to the current schema; returns the revision it was at ("" if new).

    A new database gets every table and the head revision; one stamped by
    Alembic is upgraded; one made before Alembic (schema stamp only, in
    `store_meta`) is stamped with its revision and then upgraded.
    """
    from alembic import command

    tables = set(inspect(conn).get_table_names())
    config = _alembic_config(conn)
    if store_meta.name not in tables:
        metadata.create_all(conn)
        command.stamp(config, "head")
        found = ""
    else:
        found = _revision(conn) if "alembic_version" in tables else None
        if found is None:
            stamped = conn.scalar(select(store_meta.c.value).where(store_meta.c.key == "schema"))
            found = _PRE_ALEMBIC.get(stamped or "")
            if found is None:
                raise StoreError(f"unknown findings schema {stamped!r} in store_meta")
            command.stamp(config, found)
        if found != _revisions()[1]:
            command.upgrade(config, "head")
    values = {"key": "schema", "value": SCHEMA_VERSION}
    if conn.scalar(select(store_meta.c.value).where(store_meta.c.key == "schema")) is None:
        conn.execute(insert(store_meta).values(values))
    else:
        conn.execute(update(store_meta).where(store_meta.c.key == "schema").values(value=SCHEMA_VERSION))
    return found


MIGRATIONS = Path(__file__).with_name("migrations")
# Schemas stamped in `store_meta` before migrations were kept by Alembic, and their revision.
_PRE_ALEMBIC = {"findings_store_v1": "0001", "findings_store_v2": "0002"}


def _alembic_config(conn: Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def _revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


@lru_cache(maxsize=1)
def _revisions() -> tuple[frozenset[str], str]:
    """Every revision the migrations know, and the head."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    return frozenset(r.revision for r in script.walk_revisions()), script.get_current_head()


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# What a driver's message means, for the one line the user sees.
_ERROR_MEANINGS = (
    ("file is not a database", "is not a findings database (the file is not an SQLite database)"),
    ("unable to open database file", "cannot be opened (check the path and its permissions)"),
    ("readonly database", "is read-only (check the file's and folder's permissions)"),
    ("database is locked", "is locked by another program; try again when it has finished"),
    ("connection refused", "cannot be reached: the server refused the connection (is it running?)"),
    ("password authentication failed", "refused the user name or password"),
    ("does not exist", "does not exist on the server"),
    ("could not translate host name", "cannot be reached: the host name is unknown"),
)


def _describe_error(exc: BaseException, shown: str) -> str:
    detail = _first_line(exc)
    lowered = detail.lower()
    meaning = next((m for needle, m in _ERROR_MEANINGS if needle in lowered), None)
    if meaning:
        return f"the database {shown} {meaning} [{detail}]"
    return f"cannot open the database {shown}: {detail}"


def _configure_sqlite(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        if not in_memory:
            # A read-only file keeps its journal mode; reads still work.
            with contextlib.suppress(sqlite3.OperationalError):
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction (on SQLite: BEGIN IMMEDIATE); commits on success."""
    with engine.execution_options(sqlite_begin="BEGIN IMMEDIATE").begin() as conn:
        yield conn


def _now() -> datetime:
    return datetime.now(UTC)


def save_result(engine: Engine, result: ExtractResult) -> bool:
    """Store one document and everything mined from it, in one transaction.

    Returns False, changing nothing, when a document with the same sha256 is
    already stored. A result whose status is "failed" is not stored: its
    error goes to `failures` (so a later run tries the file again) and the
    call returns False. On success, earlier failures of the same path or
    sha256 are marked resolved.
    """
    source = result.source
    if result.status == "failed":
        error = result.errors[-1] if result.errors else StageError("extract", "failed")
        record_failure(engine, path=source.path, sha256=source.sha256 or None,
                       stage=error.stage, message=error.message)
        return False
    if not source.sha256:
        raise ValueError(f"{source.path}: a document needs its sha256 to be stored")
    try:
        with _writing(engine) as conn:
            if conn.scalar(select(documents.c.id).where(documents.c.sha256 == source.sha256)):
                return False
            document_id = _insert_document(conn, result)
            unit_ids = _insert_units(conn, document_id, result)
            _insert_findings(conn, document_id, result.findings, unit_ids)
            _insert_spans(conn, document_id, result)
            index_document(conn, document_id)
            conn.execute(
                update(failures)
                .where(failures.c.resolved.is_(False))
                .where((failures.c.sha256 == source.sha256) | (failures.c.path == display_path(source.path)))
                .values(resolved=True, resolved_at=_now())
            )
    except IntegrityError:
        # Another writer stored the same file between our check and our insert.
        if source.sha256 in stored_hashes(engine, only=[source.sha256]):
            return False
        raise
    return True


@dataclass
class Replaced:
    """What `replace_result` did with the document's corrections."""

    applied: int = 0
    orphaned: int = 0


def replace_result(engine: Engine, result: ExtractResult) -> Replaced:
    """Replace everything stored for the document `result` is of (same sha256) by `result`.

    One transaction: the old findings, unit links, dates and references go,
    the new ones come, and every analyst's correction of the document is
    applied again to the new finding with the same text (at the same place
    if there are several), or marked `orphaned` when no such finding exists
    any more (kept, with what it was made on, for an analyst to look at).
    """
    sha256 = result.source.sha256
    outcome = Replaced()
    with _writing(engine) as conn:
        document_id = conn.scalar(select(documents.c.id).where(documents.c.sha256 == sha256))
        if document_id is None:
            raise LookupError(f"no stored document {sha256}")
        made = conn.execute(
            select(corrections).where(corrections.c.document_sha256 == sha256).order_by(corrections.c.id)
        ).all()
        for table in (findings, document_units, dates, legal_refs):
            conn.execute(delete(table).where(table.c.document_id == document_id))
        row = _document_row(result)
        del row["ingested_at"]
        conn.execute(update(documents).where(documents.c.id == document_id).values(row))
        unit_ids = _insert_units(conn, document_id, result)
        _insert_findings(conn, document_id, result.findings, unit_ids)
        _insert_spans(conn, document_id, result)
        index_document(conn, document_id)
        _bump_generation(conn)
        new = conn.execute(
            select(findings.c.id, findings.c.text, findings.c.span_start)
            .where(findings.c.document_id == document_id).order_by(findings.c.ordinal)
        ).all()
        for correction in made:
            same_text = [f for f in new if f.text == correction.finding_text]
            match = min(same_text, key=lambda f: abs(f.span_start - (correction.span_start or 0)), default=None)
            if match is None:
                conn.execute(update(corrections).where(corrections.c.id == correction.id)
                             .values(finding_id=None, status="orphaned"))
                outcome.orphaned += 1
                continue
            _set_finding(conn, match.id, correction.field, _corrected_value(correction.field, correction.new))
            conn.execute(update(corrections).where(corrections.c.id == correction.id)
                         .values(finding_id=match.id, status="applied"))
            outcome.applied += 1
    return outcome


def _corrected_value(field: str, text: str | None) -> Any:
    """A correction's new value (kept as text in `corrections`) in its column's type."""
    return text == "True" if field in _BOOLEAN_FIELDS else text


def _set_finding(conn: Connection, finding_id: int, field: str, value: Any) -> None:
    """Change one field of a finding, and its copies in the facet and search tables."""
    conn.execute(update(findings).where(findings.c.id == finding_id).values({field: value}))
    update_finding(conn, finding_id, field, value)


def _bump_generation(conn: Connection) -> None:
    """Count a change that neither adds a document nor logs a correction (see `data_version`)."""
    key = store_meta.c.key == "generation"
    current = conn.scalar(select(store_meta.c.value).where(key))
    if current is None:
        conn.execute(insert(store_meta).values(key="generation", value="1"))
    else:
        conn.execute(update(store_meta).where(key).values(value=str(int(current) + 1)))


def refresh_statistics(engine: Engine) -> None:
    """Let the database's query planner know the tables' sizes again (after an ingest or re-processing).

    SQLite's ANALYZE samples each index (analysis_limit), so it takes a moment even on millions of
    rows; PostgreSQL's autovacuum does the same on its own, an ANALYZE only makes it immediate.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
        if conn.dialect.name in ("sqlite", "postgresql"):
            conn.exec_driver_sql("ANALYZE")
        conn.commit()


def data_version(engine: Engine) -> tuple[int, int, int]:
    """Changes whenever what the database holds does: for caches of what is read from it."""
    with engine.connect() as conn:
        return (
            conn.scalar(select(func.max(documents.c.id))) or 0,
            conn.scalar(select(func.max(corrections.c.id))) or 0,
            int(conn.scalar(select(store_meta.c.value).where(store_meta.c.key == "generation")) or 0),
        )


def _clean(text: str | None) -> str | None:
    """PostgreSQL refuses NUL in text; U+FFFD takes its place and keeps every span valid."""
    return text.replace("\x00", "\ufffd") if text else text


def _document_date(result: ExtractResult) -> tuple[str, str, str] | None:
    """The published date, else the issue date, else the earliest inspection date: (iso, first, last)."""
    for dated in (result.document.published, result.document.issued):
        if dated and (bounds := date_bounds(dated)):
            return dated, *bounds
    inspections = sorted(
        (bounds, d.iso) for d in result.dates
        if d.role == "inspection" and (bounds := date_bounds(d.iso))
    )
    if not inspections:
        return None
    (first, last), iso = inspections[0]
    return iso, first, last


def _insert_document(conn: Connection, result: ExtractResult) -> int:
    # The row as parameters of one cached statement (`.values(row)` builds and compiles a new one).
    return conn.execute(insert(documents), _document_row(result)).inserted_primary_key[0]


def _document_row(result: ExtractResult) -> dict[str, Any]:
    source, document = result.source, result.document
    dated = _document_date(result)
    text = _clean(document.text)
    row = {
        "sha256": source.sha256,
        "path": display_path(source.path),
        "format": source.format,
        "encoding": source.encoding,
        "pages": source.pages,
        "ocr": bool(source.ocr),
        "size_bytes": source.size_bytes,
        "title": _clean(document.title),
        "published": document.published,
        "published_confidence": document.published_confidence,
        "issued": document.issued,
        "publisher": document.publisher,
        "kind": document.kind,
        "topic": document.topic,
        "topic_confidence": document.topic_confidence,
        "text": text,
        "text_chars": document.text_chars or (len(text) if text else 0),
        "status": result.status,
        "errors": [{"stage": e.stage, "message": e.message} for e in result.errors],
        "versions": dict(result.versions),
        "dated": dated[0] if dated else None,
        "dated_start": dated[1] if dated else None,
        "dated_end": dated[2] if dated else None,
        "ingested_at": _now(),
    }
    return row


def _guess_level(name: str) -> str:
    folded = fold(name) + " "
    return next((level for prefix, level in _LEVEL_BY_PREFIX if folded.startswith(prefix)), "khac")


def _unit_row(unit: Unit) -> dict[str, Any]:
    return {
        "key": unit_key(unit.name, unit.parent, unit.province),
        "name": unit.name,
        "level": unit.level,
        "parent": unit.parent,
        "province": unit.province,
        "admin_code": unit.admin_code,
        "current_name": unit.current_name,
        "current_province": unit.current_province,
        "search_name": f"{fold(unit.name)}\n{fold(unit.current_name)}",
    }


def _insert_units(conn: Connection, document_id: int, result: ExtractResult) -> dict[str, int]:
    """Find or create the document's units and link them; returns unit ids by name."""
    rows: dict[str, dict[str, Any]] = {}
    links: dict[tuple[str, str], tuple[list[list[int]], list[int | None]]] = {}
    key_by_name: dict[str, str] = {}
    for unit in result.units:
        row = _unit_row(unit)
        rows.setdefault(row["key"], row)
        mentions, pages = links.setdefault((row["key"], unit.role), ([], []))
        mentions.extend([int(s), int(e)] for s, e in unit.mentions)
        pages.extend(unit.pages or [None] * len(unit.mentions))
    # A finding names units by canonical name; when two units share a name,
    # the inspected one is meant.
    for unit in sorted(result.units, key=lambda u: u.role != "inspected"):
        key_by_name.setdefault(unit.name, unit_key(unit.name, unit.parent, unit.province))
    for finding in result.findings:
        for name in finding.units:
            if name not in key_by_name:
                row = _unit_row(Unit(name=name, level=_guess_level(name), role="mentioned"))
                rows.setdefault(row["key"], row)
                key_by_name[name] = row["key"]
    if not rows:
        return {}
    ids = _unit_ids(conn, rows)
    if links:
        conn.execute(
            insert(document_units),
            [
                {"document_id": document_id, "unit_id": ids[key], "role": role,
                 "ordinal": ordinal, "mentions": mentions, "pages": pages if any(pages) else None}
                for ordinal, ((key, role), (mentions, pages)) in enumerate(links.items())
            ],
        )
    return {name: ids[key] for name, key in key_by_name.items()}


def _unit_ids(conn: Connection, rows: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Ids of the units keyed `rows`, inserting the missing ones (two or three statements)."""
    keys = list(rows)
    existing = {
        r.key: r for r in conn.execute(select(units).where(units.c.key.in_(keys)))
    }
    missing = [rows[k] for k in keys if k not in existing]
    if missing:
        conn.execute(_insert_new_units(conn.dialect.name), missing)
    ids = {k: r.id for k, r in existing.items()}
    if missing:
        ids.update(
            conn.execute(
                select(units.c.key, units.c.id).where(units.c.key.in_([r["key"] for r in missing]))
            ).all()
        )
    # A later document may know what an earlier one did not (the gazetteer code).
    for key, old in existing.items():
        new = rows[key]
        filled = {
            column: new[column]
            for column in ("admin_code", "current_name", "current_province")
            if getattr(old, column) is None and new[column] is not None
        }
        if filled:
            if "current_name" in filled:
                filled["search_name"] = new["search_name"]
            conn.execute(update(units).where(units.c.id == old.id).values(filled))
    return ids


def _insert_new_units(dialect: str) -> Any:
    """INSERT that leaves alone a unit another transaction has just added (where supported)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        return insert(units)
    return dialect_insert(units).on_conflict_do_nothing(index_elements=[units.c.key])


def _insert_findings(
    conn: Connection, document_id: int, items: list[Finding], unit_ids: dict[str, int]
) -> None:
    if not items:
        return
    conn.execute(
        insert(findings),
        [
            {
                "document_id": document_id,
                "ordinal": ordinal,
                "polarity": f.polarity,
                "category": f.category,
                "text": _clean(f.text),
                "span_start": int(f.span[0]),
                "span_end": int(f.span[1]),
                "confidence": float(f.confidence),
                "needs_review": bool(f.needs_review),
                "polarity_source": f.polarity_source,
                "quantity": f.quantity,
                "page": f.page,
            }
            for ordinal, f in enumerate(items)
        ],
    )
    finding_ids = dict(
        conn.execute(
            select(findings.c.ordinal, findings.c.id).where(findings.c.document_id == document_id)
        ).all()
    )
    links: dict[tuple[int, int], dict[str, int]] = {}
    for ordinal, finding in enumerate(items):
        for position, name in enumerate(finding.units):
            pair = (finding_ids[ordinal], unit_ids[name])
            links.setdefault(pair, {"finding_id": pair[0], "unit_id": pair[1], "ordinal": position})
    if links:
        conn.execute(insert(finding_units), list(links.values()))


def _insert_spans(conn: Connection, document_id: int, result: ExtractResult) -> None:
    if result.dates:
        conn.execute(
            insert(dates),
            [
                {"document_id": document_id, "ordinal": i, "iso": d.iso, "end_iso": d.end_iso, "time": d.time,
                 "text": _clean(d.text), "role": d.role, "span_start": int(d.span[0]),
                 "span_end": int(d.span[1]), "page": d.page}
                for i, d in enumerate(result.dates)
            ],
        )
    if result.legal_refs:
        conn.execute(
            insert(legal_refs),
            [
                {"document_id": document_id, "ordinal": i, "kind": r.kind, "number": r.number,
                 "date": r.date, "issuer": r.issuer, "text": _clean(r.text),
                 "span_start": int(r.span[0]), "span_end": int(r.span[1]), "page": r.page}
                for i, r in enumerate(result.legal_refs)
            ],
        )


def save_results(engine: Engine, results: Iterable[ExtractResult]) -> SaveReport:
    """Store many results, one transaction each; a document that fails is recorded and skipped."""
    report = SaveReport()
    for result in results:
        if result.status == "failed":
            save_result(engine, result)
            report.failed += 1
            message = result.errors[-1].message if result.errors else "failed"
            report.errors.append((result.source.path, message))
            continue
        try:
            inserted = save_result(engine, result)
        except Exception as exc:  # noqa: BLE001 - one bad document must not stop the batch
            message = f"{type(exc).__name__}: {exc}".splitlines()[0][:2000]
            report.failed += 1
            report.errors.append((result.source.path, message))
            record_failure(engine, path=result.source.path, sha256=result.source.sha256 or None,
                           stage="store", message=message)
            continue
        if inserted:
            report.inserted += 1
        else:
            report.skipped += 1
    return report


def record_failure(
    engine: Engine, *, path: str, sha256: str | None, stage: str, message: str
) -> int:
    """Record that a file failed at `stage`; returns the failure's id.

    The same unresolved failure (path, sha256, stage, message) is counted
    again (`attempts`, `last_seen_at`) rather than added twice.
    """
    now = _now()
    path = display_path(path)
    with _writing(engine) as conn:
        existing = conn.scalar(
            select(failures.c.id)
            .where(failures.c.resolved.is_(False))
            .where(failures.c.path == str(path))
            .where(failures.c.sha256.is_(None) if sha256 is None else failures.c.sha256 == sha256)
            .where(failures.c.stage == stage)
            .where(failures.c.message == message)
            .limit(1)
        )
        if existing is not None:
            conn.execute(
                update(failures)
                .where(failures.c.id == existing)
                .values(attempts=failures.c.attempts + 1, last_seen_at=now)
            )
            return existing
        return conn.execute(
            insert(failures).values(
                path=str(path), sha256=sha256, stage=stage, message=message,
                occurred_at=now, last_seen_at=now, attempts=1, resolved=False,
            )
        ).inserted_primary_key[0]


def stored_hashes(engine: Engine, *, only: Iterable[str] | None = None) -> set[str]:
    """The sha256 of every stored document (or of those among `only`)."""
    query = select(documents.c.sha256)
    if only is not None:
        query = query.where(documents.c.sha256.in_(list(only)))
    with engine.connect() as conn:
        return set(conn.scalars(query))


def stale_documents(engine: Engine, current: dict[str, str]) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(sha256, path, stored versions) of every document a stage of `current` did not produce."""
    query = select(documents.c.sha256, documents.c.path, documents.c.versions).order_by(documents.c.id)
    with engine.connect() as conn:
        for sha256, path, versions in conn.execute(query):
            versions = versions or {}
            if any(versions.get(stage) != version for stage, version in current.items()):
                yield sha256, path, versions


def find_document(engine: Engine, key: str) -> int | None:
    """The id of the document `key` names: its sha256, a unique sha256 prefix, or its path.

    A path stored for several versions of a file names the latest one; a
    prefix that matches several documents names none.
    """
    key = key.strip()
    if not key:
        return None
    lowered = key.lower()
    with engine.connect() as conn:
        if _SHA256.fullmatch(lowered):
            found = conn.scalar(select(documents.c.id).where(documents.c.sha256 == lowered))
            if found is not None:
                return found
        for path in dict.fromkeys([key, os.path.normpath(key), os.path.abspath(key)]):
            found = conn.scalar(
                select(documents.c.id)
                .where(documents.c.path == path)
                .order_by(documents.c.ingested_at.desc(), documents.c.id.desc())
                .limit(1)
            )
            if found is not None:
                return found
        if _HEX.fullmatch(lowered):
            matches = conn.scalars(
                select(documents.c.id).where(documents.c.sha256.startswith(lowered)).limit(2)
            ).all()
            if len(matches) == 1:
                return matches[0]
    return None


def load_document(engine: Engine, key: str) -> ExtractResult | None:
    """Rebuild the stored `ExtractResult` (with its text) that `key` names; see `find_document`."""
    document_id = find_document(engine, key)
    if document_id is None:
        return None
    with engine.connect() as conn:
        doc = conn.execute(select(documents).where(documents.c.id == document_id)).one()
        unit_rows = conn.execute(
            select(units, document_units.c.role, document_units.c.mentions, document_units.c.pages)
            .join(document_units, document_units.c.unit_id == units.c.id)
            .where(document_units.c.document_id == document_id)
            .order_by(document_units.c.ordinal)
        ).all()
        finding_rows = conn.execute(
            select(findings).where(findings.c.document_id == document_id)
            .order_by(findings.c.ordinal)
        ).all()
        names: dict[int, list[str]] = {}
        for finding_id, name in conn.execute(
            select(finding_units.c.finding_id, units.c.name)
            .join(units, units.c.id == finding_units.c.unit_id)
            .join(findings, findings.c.id == finding_units.c.finding_id)
            .where(findings.c.document_id == document_id)
            .order_by(finding_units.c.finding_id, finding_units.c.ordinal)
        ).all():
            names.setdefault(finding_id, []).append(name)
        date_rows = conn.execute(
            select(dates).where(dates.c.document_id == document_id).order_by(dates.c.ordinal)
        ).all()
        ref_rows = conn.execute(
            select(legal_refs).where(legal_refs.c.document_id == document_id)
            .order_by(legal_refs.c.ordinal)
        ).all()
    return ExtractResult(
        source=Source(path=doc.path, sha256=doc.sha256, format=doc.format, encoding=doc.encoding,
                      pages=doc.pages, ocr=bool(doc.ocr), size_bytes=doc.size_bytes),
        document=DocumentInfo(title=doc.title, published=doc.published, publisher=doc.publisher,
                              kind=doc.kind, text_chars=doc.text_chars, text=doc.text,
                              published_confidence=doc.published_confidence, issued=doc.issued,
                              topic=doc.topic, topic_confidence=doc.topic_confidence),
        status=doc.status,
        errors=[StageError(e["stage"], e["message"]) for e in doc.errors or []],
        units=[
            Unit(name=u.name, level=u.level, role=u.role, parent=u.parent, province=u.province,
                 admin_code=u.admin_code, mentions=[(s, e) for s, e in u.mentions or []],
                 current_name=u.current_name, current_province=u.current_province, pages=list(u.pages or []))
            for u in unit_rows
        ],
        dates=[
            DateMention(iso=d.iso, text=d.text, role=d.role, span=(d.span_start, d.span_end),
                        end_iso=d.end_iso, time=d.time, page=d.page)
            for d in date_rows
        ],
        findings=[
            Finding(polarity=f.polarity, category=f.category, text=f.text,
                    span=(f.span_start, f.span_end), units=names.get(f.id, []),
                    confidence=f.confidence, polarity_source=f.polarity_source,
                    needs_review=bool(f.needs_review), quantity=f.quantity, page=f.page)
            for f in finding_rows
        ],
        legal_refs=[
            LegalRef(kind=r.kind, number=r.number, span=(r.span_start, r.span_end), date=r.date,
                     issuer=r.issuer, text=r.text, page=r.page)
            for r in ref_rows
        ],
        versions=dict(doc.versions or {}),
    )


def correct_finding(engine: Engine, finding_id: int, *, field: str, value: Any, who: str) -> None:
    """Change one field of a stored finding and log the change in `corrections`."""
    if field not in CORRECTABLE_FIELDS:
        raise ValueError(f"cannot correct {field!r}; one of {', '.join(CORRECTABLE_FIELDS)}")
    with _writing(engine) as conn:
        found = conn.execute(
            select(findings.c[field].label("old"), findings.c.text, findings.c.span_start, findings.c.span_end,
                   documents.c.sha256)
            .join(documents, documents.c.id == findings.c.document_id)
            .where(findings.c.id == finding_id)
        ).first()
        if found is None:
            raise LookupError(f"no finding {finding_id}")
        _set_finding(conn, finding_id, field, value)
        conn.execute(
            insert(corrections).values(finding_id=finding_id, field=field, old=str(found.old),
                                       new=str(value), who=who, at=_now(), document_sha256=found.sha256,
                                       finding_text=found.text, span_start=found.span_start,
                                       span_end=found.span_end, status="applied")
        )


@dataclass
class FailureRow:
    """One file that could not be processed, as the `failures` table holds it."""

    id: int
    path: str
    sha256: str | None
    stage: str
    message: str
    attempts: int
    last_seen_at: datetime
    resolved: bool
    first_seen_at: datetime | None = None


def list_failures(engine: Engine, *, include_resolved: bool = False) -> list[FailureRow]:
    """Failure records, most recent first (unresolved only unless asked)."""
    query = select(
        failures.c.id, failures.c.path, failures.c.sha256, failures.c.stage, failures.c.message,
        failures.c.attempts, failures.c.last_seen_at, failures.c.resolved, failures.c.occurred_at,
    ).order_by(failures.c.last_seen_at.desc(), failures.c.id.desc())
    if not include_resolved:
        query = query.where(failures.c.resolved.is_(False))
    with engine.connect() as conn:
        return [FailureRow(*row) for row in conn.execute(query).all()]


def unresolved_failures(engine: Engine, sha256s: Iterable[str]) -> dict[str, FailureRow]:
    """The latest unresolved failure of each file among `sha256s` that has one."""
    wanted = list(dict.fromkeys(sha256s))
    found: dict[str, FailureRow] = {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            rows = conn.execute(
                select(
                    failures.c.id, failures.c.path, failures.c.sha256, failures.c.stage,
                    failures.c.message, failures.c.attempts, failures.c.last_seen_at,
                    failures.c.resolved, failures.c.occurred_at,
                )
                .where(failures.c.resolved.is_(False))
                .where(failures.c.sha256.in_(wanted[start : start + 500]))
                .order_by(failures.c.last_seen_at)
            ).all()
            found.update((row.sha256, FailureRow(*row)) for row in rows)
    return found


@dataclass
class CorrectedFinding:
    """A finding as analysts left it after corrections: a labelled example for training."""

    finding_id: int
    text: str
    polarity: str
    category: str
    corrections: int


def corrected_findings(engine: Engine) -> list[CorrectedFinding]:
    """Every finding whose polarity or category an analyst corrected, with its current labels."""
    corrected = (
        select(corrections.c.finding_id, func.count().label("n"))
        .where(corrections.c.field.in_(("polarity", "category", "text")))
        .group_by(corrections.c.finding_id)
        .subquery()
    )
    query = (
        select(findings.c.id, findings.c.text, findings.c.polarity, findings.c.category,
               corrected.c.n)
        .join(corrected, corrected.c.finding_id == findings.c.id)
        .order_by(findings.c.id)
    )
    with engine.connect() as conn:
        return [CorrectedFinding(*row) for row in conn.execute(query).all()]
