"""The store and the queries against a real PostgreSQL server (see tests/postgres_server.py)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from pipeline.query.findings import FindingFilter, query_findings, recurrence, summarise
from pipeline.store import database
from pipeline.store.database import (
    load_document,
    open_database,
    record_failure,
    save_result,
    save_results,
    stored_hashes,
)
from pipeline.store.schema import documents, failures, metadata, units
from tests.postgres_server import postgres_cluster, postgres_url  # noqa: F401 - fixtures
from tests.test_query import ALL
from tests.test_store import make_result, sample_results

pytestmark = pytest.mark.postgres


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t))
                for t in metadata.sorted_tables}


def texts(engine, **filters) -> list[str]:
    return [row.text for row in query_findings(engine, FindingFilter(**filters))]


def test_postgres_save_is_idempotent_and_round_trips(postgres_url: str) -> None:  # noqa: F811
    engine = open_database(postgres_url)
    assert engine.dialect.name == "postgresql"
    report = save_results(engine, sample_results())
    assert (report.inserted, report.skipped, report.failed) == (4, 0, 0)
    before = counts(engine)
    again = save_results(engine, sample_results())
    assert (again.inserted, again.skipped) == (0, 4)
    assert counts(engine) == before
    assert open_database(postgres_url) is not None  # opening an existing schema is harmless
    for original in sample_results():
        loaded = load_document(engine, original.source.sha256[:12])
        assert loaded is not None
        assert loaded.to_dict(with_text=True) == original.to_dict(with_text=True)
    assert stored_hashes(engine) == {r.source.sha256 for r in sample_results()}
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(units)) == 5


def test_postgres_queries_match_sqlite(postgres_url: str) -> None:  # noqa: F811
    engine = open_database(postgres_url)
    save_results(engine, sample_results())
    assert texts(engine) == ALL  # undated documents last, as on SQLite
    assert texts(engine, unit="TAM QUANG") == [ALL[0], ALL[1], ALL[5]]
    assert texts(engine, unit="xa luong") == [ALL[0], ALL[1], ALL[2]]
    assert texts(engine, unit="100%") == []
    assert texts(engine, category="mot_cua") == [ALL[1]]
    assert texts(engine, polarity="recommendation") == [ALL[2]]
    assert texts(engine, since="2018-01-01") == [ALL[3], ALL[4], ALL[5]]
    assert texts(engine, until="2017-12-31") == ALL[:3]
    assert texts(engine, needs_review=True) == [ALL[1], ALL[4]]
    assert texts(engine, document=sample_results()[2].source.sha256[:8]) == [ALL[5]]
    assert texts(engine, limit=1) == ALL[:1]
    rows = recurrence(engine, FindingFilter(polarity="limitation", category="niem_yet_cong_khai"))
    assert [(r.unit, r.documents, r.first, r.last) for r in rows][0] == (
        "xã Tam Quang", 2, "2017-08-25", "2019-03-01")
    summary = summarise(engine)
    assert (summary.documents_ok, summary.documents_partial, summary.findings) == (3, 1, 7)
    assert summary.by_polarity == {"limitation": 5, "recommendation": 1, "strength": 1}


def test_postgres_failed_save_leaves_nothing_and_failures_resolve(
    postgres_url: str, monkeypatch  # noqa: F811
) -> None:
    engine = open_database(postgres_url)
    good, bad, *_ = sample_results()
    record_failure(engine, path=good.source.path, sha256=None, stage="read", message="timeout")
    record_failure(engine, path=good.source.path, sha256=None, stage="read", message="timeout")

    def explode(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    with monkeypatch.context() as patch:
        patch.setattr(database, "_insert_spans", explode)
        report = save_results(engine, [bad])
    assert report.failed == 1
    assert {k: v for k, v in counts(engine).items() if k not in ("failures", "store_meta")} == {
        t.name: 0 for t in metadata.sorted_tables if t.name not in ("failures", "store_meta")}

    bad.findings[0].polarity = "neutral"
    assert save_results(engine, [bad, good]).inserted == 1
    with engine.connect() as conn:
        rows = conn.execute(select(failures.c.path, failures.c.stage, failures.c.attempts,
                                   failures.c.resolved).order_by(failures.c.id)).all()
    assert rows[0] == (good.source.path, "read", 2, True)
    assert [(r.stage, r.resolved) for r in rows[1:]] == [("store", False), ("store", False)]


def test_postgres_concurrent_saves_store_once(postgres_url: str) -> None:  # noqa: F811
    engine = open_database(postgres_url)
    result = make_result("concurrent", ["Còn hạn chế."], found=[("limitation", "khac", 0, [])])
    outcomes: list[bool] = []
    errors: list[BaseException] = []

    def save() -> None:
        try:
            outcomes.append(save_result(engine, result))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == [False, False, False, True]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(documents)) == 1


def test_postgres_stores_text_with_nul_characters(postgres_url: str) -> None:  # noqa: F811
    engine = open_database(postgres_url)
    result = make_result("nul", ["Trang 1\x00 còn hạn chế."],
                         found=[("limitation", "khac", 0, [])])
    assert save_result(engine, result)
    loaded = load_document(engine, result.source.sha256)
    assert loaded.document.text == "Trang 1\ufffd còn hạn chế."
    assert len(loaded.document.text) == len(result.document.text)


def _stamp(url: str) -> str:
    engine = open_database(url)
    with engine.connect() as conn:
        return conn.scalar(select(database.store_meta.c.value))


def test_postgres_many_processes_creating_the_schema_at_once(postgres_url: str) -> None:  # noqa: F811
    from concurrent.futures import ProcessPoolExecutor

    from pipeline.store.schema import SCHEMA_VERSION

    with ProcessPoolExecutor(6) as pool:
        assert set(pool.map(_stamp, [postgres_url] * 12)) == {SCHEMA_VERSION}


def test_postgres_query_on_a_database_without_findings_tables_is_refused(postgres_url: str) -> None:  # noqa: F811
    with pytest.raises(database.StoreError, match="holds no findings yet"):
        open_database(postgres_url, create=False)
    with pytest.raises(database.StoreError, match="does not exist on the server"):
        open_database(postgres_url.rsplit("/", 1)[0] + "/no_such_database", create=False)


def test_postgres_database_of_the_first_schema_is_upgraded_with_its_rows(postgres_url: str) -> None:  # noqa: F811
    from alembic import command
    from sqlalchemy import create_engine, text

    from pipeline.store.database import _alembic_config

    old = create_engine(postgres_url)
    with old.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.execute(text("INSERT INTO store_meta VALUES ('schema', 'findings_store_v1')"))
        conn.execute(text(
            "INSERT INTO documents (id, sha256, path, format, ocr, kind, text_chars, status, errors, versions,"
            " ingested_at, text) VALUES (1, :sha, '/a.txt', 'txt', false, 'news', 14, 'ok', '[]', '{}', now(),"
            " 'Xã A còn chậm.')"), {"sha": "b" * 64})
        conn.execute(text(
            "INSERT INTO findings (id, document_id, ordinal, polarity, category, text, span_start, span_end,"
            " confidence, needs_review, polarity_source) VALUES (1, 1, 0, 'limitation', 'khac', 'Xã A còn chậm.',"
            " 0, 14, 0.5, false, 'rule')"))
        conn.execute(text("INSERT INTO corrections (finding_id, field, old, new, who, at) VALUES"
                          " (1, 'category', 'khac', 'mot_cua', 'lan', now())"))
    old.dispose()
    engine = open_database(postgres_url)
    assert load_document(engine, "b" * 64).findings[0].text == "Xã A còn chậm."
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0004"
        assert conn.execute(text("SELECT document_sha256, status FROM corrections")).one() == ("b" * 64, "applied")
