"""pipeline.store: saving is idempotent and atomic per document, failures are tracked, loading
gives back what was saved. `make_result` and `sample_results` are shared with test_query and
test_postgres."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

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
from pipeline.store import database
from pipeline.store.database import (
    correct_finding,
    load_document,
    open_database,
    record_failure,
    save_result,
    save_results,
    stored_hashes,
)
from pipeline.store.schema import (
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
    unit_key,
    units,
)

TAM_QUANG = ("xã Tam Quang", "xa", "huyện Tương Dương", "Nghệ An")
XA_LUONG = ("xã Xá Lượng", "xa", "huyện Tương Dương", "Nghệ An")
TAM_HOA = ("xã Tam Hòa", "xa", None, None)
SO_NOI_VU = ("Sở Nội vụ", "so", None, "Nghệ An")


def sha_of(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def span_of(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def make_result(
    name: str,
    sentences: list[str],
    *,
    published: str | None = None,
    units_: list[tuple[tuple, str]] = (),
    found: list[tuple[str, str, int, list[str]]] = (),
    dates_: list[tuple[str, str, str]] = (),
    refs: list[tuple[str, str, str]] = (),
    status: str = "ok",
    sha256: str | None = None,
) -> ExtractResult:
    """A hand-built result: units as ((name, level, parent, province), role); findings as
    (polarity, category, sentence index, unit names); dates as (iso, text, role); legal
    references as (kind, number, text); spans are found in the joined text."""
    text = " ".join(sentences)
    return ExtractResult(
        source=Source(path=f"reports/{name}.txt", sha256=sha256 or sha_of(name), format="txt",
                      encoding="utf-8", size_bytes=len(text.encode())),
        document=DocumentInfo(title=f"Kiểm tra CCHC {name}", published=published,
                              publisher="Báo Nghệ An", kind="news", text_chars=len(text),
                              text=text, published_confidence=0.9 if published else None),
        status=status,
        errors=[StageError("read", "page 2 unreadable")] if status == "partial" else [],
        units=[
            Unit(name=n, level=level, role=role, parent=parent, province=province,
                 mentions=[span_of(text, n.split(" ", 1)[1])])
            for (n, level, parent, province), role in units_
        ],
        dates=[DateMention(iso=iso, text=t, role=role, span=span_of(text, t))
               for iso, t, role in dates_],
        findings=[
            Finding(polarity=polarity, category=category, text=sentences[i],
                    span=span_of(text, sentences[i]), units=list(names),
                    confidence=0.5 + 0.1 * i, needs_review=i == 2, polarity_source="model",
                    quantity="7/21 xã" if i == 1 else None)
            for polarity, category, i, names in found
        ],
        legal_refs=[LegalRef(kind=kind, number=number, span=span_of(text, t), text=t,
                             date="2017-01-19", issuer="UBND tỉnh Nghệ An")
                    for kind, number, t in refs],
        versions={"rules": "findings_rules_v1", "classifier": "findings_classifier_v1"},
    )


def sample_results() -> list[ExtractResult]:
    """Four reports: two inspect xã Tam Quang, one is dated only by its inspection, one not at
    all (and is partial)."""
    d1 = make_result(
        "tam-quang-2017",
        ["Ngày 20/8, Sở Nội vụ kiểm tra UBND xã Tam Quang và xã Xá Lượng theo Quyết định "
         "138/QĐ-UBND.",
         "Một số thủ tục hành chính chưa niêm yết đầy đủ.",
         "Bộ phận một cửa bố trí cán bộ đúng chuyên môn.",
         "Đề nghị xã Xá Lượng niêm yết đủ thủ tục."],
        published="2017-08-25",
        units_=[(TAM_QUANG, "inspected"), (XA_LUONG, "inspected"), (SO_NOI_VU, "inspector")],
        found=[("limitation", "niem_yet_cong_khai", 1, ["xã Tam Quang", "xã Xá Lượng"]),
               ("strength", "mot_cua", 2, []),
               ("recommendation", "niem_yet_cong_khai", 3, ["xã Xá Lượng"])],
        dates_=[("2017-08-20", "Ngày 20/8", "inspection")],
        refs=[("Quyết định", "138/QĐ-UBND", "Quyết định 138/QĐ-UBND")],
    )
    d2 = make_result(
        "tam-hoa-2018",
        ["Ngày 5/6/2018, đoàn kiểm tra làm việc tại xã Tam Hòa.",
         "Xã Tam Hòa còn niêm yết thủ tục hết hiệu lực.",
         "Một số công chức không đeo thẻ từ 1/6."],
        units_=[(TAM_HOA, "inspected")],
        found=[("limitation", "niem_yet_cong_khai", 1, ["xã Tam Hòa"]),
               ("limitation", "the_trang_phuc", 2, [])],
        dates_=[("2018-06-05", "Ngày 5/6/2018", "inspection"), ("--06-01", "1/6", "other")],
    )
    d3 = make_result(
        "tam-quang-2019",
        ["Kiểm tra lại xã Tam Quang.", "Thủ tục hành chính vẫn chưa niêm yết công khai."],
        published="2019-03-01",
        units_=[(TAM_QUANG, "inspected")],
        found=[("limitation", "niem_yet_cong_khai", 1, ["xã Tam Quang"])],
    )
    d4 = make_result(
        "phuong-undated",
        ["Kiểm tra phường Hưng Bình.", "Trụ sở chật hẹp, chưa đáp ứng yêu cầu."],
        units_=[(("phường Hưng Bình", "phuong", "thành phố Vinh", "Nghệ An"), "inspected")],
        found=[("limitation", "co_so_vat_chat", 1, [])],
        status="partial",
    )
    return [d1, d2, d3, d4]


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def all_counts(engine) -> dict[str, int]:
    return {table.name: count(engine, table) for table in metadata.sorted_tables}


@pytest.fixture
def engine(tmp_path: Path):
    return open_database(f"sqlite:///{tmp_path / 'findings.db'}")


def test_open_database_creates_schema_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "findings.db"
    engine = open_database(f"sqlite:///{path}")
    assert path.exists()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with sqlite3.connect(path) as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"documents", "units", "document_units", "findings", "finding_units", "dates",
            "legal_refs", "failures", "corrections"} <= tables
    open_database(f"sqlite:///{path}")  # opening again is harmless


def test_round_trip_gives_back_the_saved_result(engine) -> None:
    original = sample_results()[0]
    assert save_result(engine, original)
    loaded = load_document(engine, original.source.sha256)
    assert loaded is not None
    assert loaded.to_dict(with_text=True) == original.to_dict(with_text=True)
    text = loaded.document.text
    for finding in loaded.findings:
        assert text[finding.span[0]:finding.span[1]] == finding.text
    assert text[slice(*loaded.units[0].mentions[0])] == "Tam Quang"


def test_load_document_by_prefix_or_path(engine) -> None:
    d1, d2, *_ = sample_results()
    d1.source.sha256 = "ab" + "0" * 62
    d2.source.sha256 = "ac" + "0" * 62
    save_results(engine, [d1, d2])
    assert load_document(engine, "AB00").source.sha256 == d1.source.sha256
    assert load_document(engine, d2.source.path).source.sha256 == d2.source.sha256
    assert load_document(engine, "a") is None  # ambiguous
    assert load_document(engine, "ff") is None
    assert load_document(engine, "reports/missing.txt") is None


def test_saving_the_same_sha_twice_adds_nothing(engine) -> None:
    results = sample_results()
    first = save_results(engine, results)
    assert (first.inserted, first.skipped, first.failed) == (4, 0, 0)
    before = all_counts(engine)
    again = save_results(engine, sample_results())
    assert (again.inserted, again.skipped, again.failed) == (0, 4, 0)
    changed = sample_results()[0]
    changed.document.title = "another title, same bytes"
    assert save_result(engine, changed) is False
    assert all_counts(engine) == before
    assert load_document(engine, changed.source.sha256).document.title != changed.document.title
    assert stored_hashes(engine) == {r.source.sha256 for r in results}


def test_units_are_shared_and_keyed_with_missing_parts(engine) -> None:
    save_results(engine, sample_results())
    with engine.connect() as conn:
        names = conn.scalars(select(units.c.name).order_by(units.c.name)).all()
    assert names.count("xã Tam Quang") == 1  # two documents, one unit
    other = make_result("tam-hoa-again", ["Kiểm tra Xã  Tam Hòa."],
                        units_=[(("Xã  Tam Hòa", "xa", None, None), "inspected")])
    save_result(engine, other)
    assert count(engine, units) == len(names)  # NULL parent and province still match
    elsewhere = make_result("tam-hoa-quang-nam", ["Kiểm tra xã Tam Hòa."],
                            units_=[(("xã Tam Hòa", "xa", None, "Quảng Nam"), "inspected")])
    save_result(engine, elsewhere)
    assert count(engine, units) == len(names) + 1
    assert unit_key("Xã  Tam Hòa", None, None) == unit_key("xã Tam Hòa", None, None)


def test_finding_units_missing_from_the_unit_list_are_created(engine) -> None:
    result = make_result("orphan", ["Đề nghị UBND huyện Con Cuông chỉ đạo."],
                         found=[("recommendation", "ke_hoach_cchc", 0, ["huyện Con Cuông"])])
    save_result(engine, result)
    with engine.connect() as conn:
        assert conn.execute(select(units.c.name, units.c.level)).all() == [
            ("huyện Con Cuông", "huyen")]
    assert load_document(engine, result.source.sha256).findings[0].units == ["huyện Con Cuông"]


def test_a_save_that_fails_midway_leaves_no_rows(engine, monkeypatch) -> None:
    good1, bad, good2, _ = sample_results()

    def explode(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    with monkeypatch.context() as patch:
        patch.setattr(database, "_insert_spans", explode)  # after document, units, findings
        with pytest.raises(RuntimeError):
            save_result(engine, bad)
    assert all(n == 0 for name, n in all_counts(engine).items() if name != "store_meta")

    bad.findings[1].polarity = "neutral"  # violates the polarity check, after other inserts
    report = save_results(engine, [good1, bad, good2])
    assert (report.inserted, report.skipped, report.failed) == (2, 0, 1)
    assert report.errors[0][0] == bad.source.path
    assert stored_hashes(engine) == {good1.source.sha256, good2.source.sha256}
    assert count(engine, findings) == len(good1.findings) + len(good2.findings)
    with engine.connect() as conn:
        stage, path, resolved = conn.execute(
            select(failures.c.stage, failures.c.path, failures.c.resolved)).one()
    assert (stage, path, resolved) == ("store", bad.source.path, False)


def test_constraint_violation_raises_from_save_result(engine) -> None:
    result = sample_results()[0]
    result.findings[0].polarity = "neutral"
    with pytest.raises(IntegrityError):
        save_result(engine, result)
    assert count(engine, documents) == 0


def test_failures_are_recorded_once_and_resolved_by_a_later_save(engine) -> None:
    result = sample_results()[1]
    path, sha = result.source.path, result.source.sha256
    first = record_failure(engine, path=path, sha256=sha, stage="read", message="timeout")
    again = record_failure(engine, path=path, sha256=sha, stage="read", message="timeout")
    assert first == again
    record_failure(engine, path=path, sha256=None, stage="discover", message="unreadable")
    record_failure(engine, path=path, sha256=None, stage="discover", message="unreadable")
    record_failure(engine, path="reports/other.pdf", sha256=None, stage="read", message="x")
    with engine.connect() as conn:
        rows = conn.execute(
            select(failures.c.path, failures.c.stage, failures.c.attempts, failures.c.resolved)
            .order_by(failures.c.id)).all()
    assert rows == [(path, "read", 2, False), (path, "discover", 2, False),
                    ("reports/other.pdf", "read", 1, False)]

    assert save_result(engine, result)
    with engine.connect() as conn:
        open_paths = conn.scalars(
            select(failures.c.path).where(failures.c.resolved.is_(False))).all()
    assert open_paths == ["reports/other.pdf"]
    # A resolved failure that happens again is a new record.
    record_failure(engine, path=path, sha256=sha, stage="read", message="timeout")
    assert count(engine, failures) == 4


def test_a_failed_result_is_recorded_not_stored(engine) -> None:
    result = make_result("broken", ["x"])
    result.fail("read", "not a PDF")
    assert save_result(engine, result) is False
    report = save_results(engine, [result])
    assert (report.inserted, report.failed) == (0, 1)
    assert stored_hashes(engine) == set()
    with engine.connect() as conn:
        assert conn.execute(select(failures.c.stage, failures.c.message, failures.c.attempts)
                            ).all() == [("read", "not a PDF", 2)]


def test_rows_of_one_document_are_linked(engine) -> None:
    save_result(engine, sample_results()[0])
    counts = all_counts(engine)
    assert counts["documents"] == 1
    assert counts["findings"] == 3
    assert counts["finding_units"] == 3
    assert counts["document_units"] == 3
    assert counts["dates"] == 1
    assert counts["legal_refs"] == 1
    with engine.connect() as conn:
        dated = conn.execute(select(documents.c.dated, documents.c.dated_start,
                                    documents.c.dated_end)).one()
    assert tuple(dated) == ("2017-08-25", "2017-08-25", "2017-08-25")
    for table in (dates, legal_refs, document_units, finding_units):
        assert count(engine, table) >= 1


def test_document_date_falls_back_to_the_earliest_inspection_date(engine) -> None:
    result = make_result(
        "two-inspections", ["Ngày 9/7/2018 và tháng 6/2018 kiểm tra.", "ngày 1/6"],
        dates_=[("2018-07-09", "Ngày 9/7/2018", "inspection"), ("2018-06", "tháng 6/2018",
                                                                  "inspection"),
                ("--06-01", "ngày 1/6", "inspection")])
    save_result(engine, result)
    with engine.connect() as conn:
        assert tuple(conn.execute(select(documents.c.dated, documents.c.dated_start,
                                         documents.c.dated_end)).one()) == (
            "2018-06", "2018-06-01", "2018-06-30")


def test_concurrent_saves_of_one_file_store_it_once(engine) -> None:
    results: list[bool] = []
    errors: list[BaseException] = []

    def save() -> None:
        try:
            results.append(save_result(engine, sample_results()[0]))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert count(engine, documents) == 1


def test_correct_finding_logs_the_change(engine) -> None:
    save_result(engine, sample_results()[0])
    with engine.connect() as conn:
        finding_id = conn.scalar(select(findings.c.id).where(findings.c.ordinal == 0))
    correct_finding(engine, finding_id, field="category", value="mot_cua", who="analyst")
    with engine.connect() as conn:
        assert conn.scalar(select(findings.c.category).where(findings.c.id == finding_id)) == \
            "mot_cua"
        assert conn.execute(select(corrections.c.field, corrections.c.old, corrections.c.new,
                                   corrections.c.who)).one() == (
            "category", "niem_yet_cong_khai", "mot_cua", "analyst")
    with pytest.raises(ValueError):
        correct_finding(engine, finding_id, field="span_start", value=0, who="x")


@pytest.mark.parametrize(
    ("iso", "bounds"),
    [
        ("2017-08-25", ("2017-08-25", "2017-08-25")),
        ("2016-02", ("2016-02-01", "2016-02-29")),
        ("2017", ("2017-01-01", "2017-12-31")),
        ("--06-05", None),
        ("2017-13", None),
        ("2017-02-30", None),
        ("", None),
        (None, None),
        ("25/08/2017", None),
    ],
)
def test_date_bounds(iso, bounds) -> None:
    assert date_bounds(iso) == bounds


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Xã Tam Hòa", "xa tam hoa"), ("huyện  Đô Lương", "huyen do luong"),
     ("ĐẮK LẮK", "dak lak"), (None, "")],
)
def test_fold(text, folded) -> None:
    assert fold(text) == folded


def test_the_topic_and_its_confidence_round_trip(engine) -> None:
    original = sample_results()[0]
    original.document.topic, original.document.topic_confidence = "other", 0.93
    assert save_result(engine, original)
    loaded = load_document(engine, original.source.sha256)
    assert (loaded.document.topic, loaded.document.topic_confidence) == ("other", 0.93)
