"""Schema migrations (Alembic): a database of the first released schema opens, upgraded, with every row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, select

from pipeline.store import schema
from pipeline.store.database import StoreError, _alembic_config, load_document, open_database

FIRST_SCHEMA = Path(__file__).parent / "data" / "findings_store_v1.sql"  # DDL of findings_store_v1, frozen
SHA = "a" * 64


def first_release_database(path: Path) -> Path:
    """A database as the first release left it: its schema stamp, a document, a finding and a correction."""
    with sqlite3.connect(path) as conn:
        conn.executescript(FIRST_SCHEMA.read_text(encoding="utf-8"))
        conn.execute("INSERT INTO store_meta VALUES ('schema', 'findings_store_v1')")
        conn.execute(
            "INSERT INTO documents (id, sha256, path, format, ocr, kind, text_chars, status, errors, versions,"
            " ingested_at, text) VALUES (1, ?, '/archive/bao-cao.txt', 'txt', 0, 'news', 14, 'ok', '[]', '{}',"
            " '2024-01-01 00:00:00', 'Xã A còn chậm.')", (SHA,))
        conn.execute(
            "INSERT INTO findings (id, document_id, ordinal, polarity, category, text, span_start, span_end,"
            " confidence, needs_review, polarity_source) VALUES (1, 1, 0, 'limitation', 'khac',"
            " 'Xã A còn chậm.', 0, 14, 0.5, 0, 'rule')")
        conn.execute("INSERT INTO corrections (finding_id, field, old, new, who, at) VALUES"
                     " (1, 'category', 'khac', 'giai_quyet_ho_so', 'lan', '2024-02-01 00:00:00')")
    return path


def _differences(engine) -> list:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    # SQLite reflects JSON columns and server defaults loosely; names, columns, indexes and keys are what count.
    # The FTS5 index's own tables are made by SQLite, not declared in the metadata.
    return [d for d in diffs if not (isinstance(d, list) and d and d[0][0] in ("modify_type", "modify_default"))
            and not (d[0] == "remove_table" and d[1].name.startswith("finding_search_fts"))]


def test_the_first_released_schema_is_upgraded_on_opening_and_keeps_every_row(tmp_path):
    path = first_release_database(tmp_path / "old.db")
    engine = open_database(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0004"
        assert conn.scalar(select(schema.store_meta.c.value)) == schema.SCHEMA_VERSION
        correction = conn.execute(select(schema.corrections)).one()
    assert (correction.finding_id, correction.document_sha256, correction.finding_text, correction.status) == (
        1, SHA, "Xã A còn chậm.", "applied")
    stored = load_document(engine, SHA)
    assert stored.document.text == "Xã A còn chậm." and stored.document.topic is None
    assert [(f.category, f.page) for f in stored.findings] == [("khac", None)]
    # The corrected finding is in the workbench's facet and search tables, as corrected.
    with engine.connect() as conn:
        assert conn.execute(select(schema.finding_facts.c.category, schema.finding_facts.c.confidence)).all() == [
            ("khac", 0.5)]
        assert conn.exec_driver_sql(
            "SELECT rowid FROM finding_search_fts WHERE finding_search_fts MATCH 'cham'").all() == [(1,)]
    assert _differences(engine) == []


def test_migrations_from_nothing_build_exactly_the_schema(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    assert _differences(engine) == []
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0001")
        assert "topic" not in {c["name"] for c in __import__("sqlalchemy").inspect(conn).get_columns("documents")}


def test_a_database_from_a_newer_version_is_refused_with_the_command_to_run(tmp_path):
    path = tmp_path / "newer.db"
    open_database(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(StoreError, match="made by a newer version of findings"):
        open_database(f"sqlite:///{path}")
