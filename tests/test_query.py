"""pipeline.query: every filter both keeps and drops findings; summary, recurrence and exports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.query.export import (
    COLUMNS,
    render_recurrence,
    render_summary,
    render_table,
    write_csv,
    write_json,
    write_xlsx,
)
from pipeline.query.findings import FindingFilter, query_findings, recurrence, summarise
from pipeline.store.database import open_database, record_failure, save_results
from tests.test_store import make_result, sample_results


@pytest.fixture
def engine(tmp_path: Path):
    engine = open_database(f"sqlite:///{tmp_path / 'findings.db'}")
    assert save_results(engine, sample_results()).inserted == 4
    return engine


def texts(engine, **filters) -> list[str]:
    return [row.text for row in query_findings(engine, FindingFilter(**filters))]


ALL = [
    "Một số thủ tục hành chính chưa niêm yết đầy đủ.",  # 2017-08-25, Tam Quang + Xá Lượng
    "Bộ phận một cửa bố trí cán bộ đúng chuyên môn.",  # 2017, no units: inherits both
    "Đề nghị xã Xá Lượng niêm yết đủ thủ tục.",  # 2017, Xá Lượng
    "Xã Tam Hòa còn niêm yết thủ tục hết hiệu lực.",  # inspected 2018-06-05, Tam Hòa
    "Một số công chức không đeo thẻ từ 1/6.",  # 2018, inherits Tam Hòa
    "Thủ tục hành chính vẫn chưa niêm yết công khai.",  # 2019-03-01, Tam Quang
    "Trụ sở chật hẹp, chưa đáp ứng yêu cầu.",  # undated, phường Hưng Bình
]


def test_no_filter_lists_everything_dated_first_in_text_order(engine) -> None:
    assert texts(engine) == ALL


def test_unit_filter_is_case_and_diacritics_insensitive(engine) -> None:
    assert texts(engine, unit="Tam Quang") == [ALL[0], ALL[1], ALL[5]]
    assert texts(engine, unit="TAM QUANG") == [ALL[0], ALL[1], ALL[5]]
    assert texts(engine, unit="xa luong") == [ALL[0], ALL[1], ALL[2]]
    assert texts(engine, unit="tam hoa") == [ALL[3], ALL[4]]
    assert texts(engine, unit="Tam") == [ALL[0], ALL[1], ALL[3], ALL[4], ALL[5]]
    assert texts(engine, unit="Con Cuông") == []
    assert texts(engine, unit="%") == []  # LIKE wildcards are literal


def test_rows_carry_units_own_or_inherited(engine) -> None:
    rows = {row.text: row for row in query_findings(engine)}
    assert rows[ALL[0]].units == ["xã Tam Quang", "xã Xá Lượng"]
    assert rows[ALL[1]].units == ["xã Tam Quang", "xã Xá Lượng"]  # from the inspected list
    assert rows[ALL[2]].units == ["xã Xá Lượng"]
    first = rows[ALL[0]]
    assert first.published == first.date == "2017-08-25"
    assert first.path == "reports/tam-quang-2017.txt"
    assert rows[ALL[3]].published is None and rows[ALL[3]].date == "2018-06-05"
    assert rows[ALL[6]].date is None


def test_category_and_polarity_filters(engine) -> None:
    assert texts(engine, category="niem_yet_cong_khai") == [ALL[0], ALL[2], ALL[3], ALL[5]]
    assert texts(engine, category="mot_cua") == [ALL[1]]
    assert texts(engine, category="tai_chinh") == []
    assert texts(engine, polarity="limitation") == [ALL[0], ALL[3], ALL[4], ALL[5], ALL[6]]
    assert texts(engine, polarity="strength") == [ALL[1]]
    assert texts(engine, polarity="recommendation", category="niem_yet_cong_khai") == [ALL[2]]
    assert texts(engine, polarity="strength", category="niem_yet_cong_khai") == []


def test_date_range_uses_published_then_inspection_date(engine) -> None:
    assert texts(engine, since="2018-01-01") == [ALL[3], ALL[4], ALL[5]]
    assert texts(engine, until="2017-12-31") == ALL[:3]
    assert texts(engine, since="2018-06-05", until="2018-06-05") == [ALL[3], ALL[4]]
    assert texts(engine, since="2018-06-06", until="2019-02-28") == []
    assert texts(engine, since="2018", until="2018") == [ALL[3], ALL[4]]
    assert texts(engine, since="2017-08") == ALL[:6]
    assert texts(engine, since="2019-03-02") == []


def test_partial_document_dates_match_ranges_they_overlap(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'partial.db'}")
    save_results(engine, [make_result("august", ["Còn hạn chế."], published="2017-08",
                                      found=[("limitation", "khac", 0, [])])])
    assert texts(engine, since="2017-08-15") == ["Còn hạn chế."]
    assert texts(engine, until="2017-08-01") == ["Còn hạn chế."]
    assert texts(engine, until="2017-07-31") == []
    assert texts(engine, since="2017-09-01") == []


def test_invalid_dates_are_refused(engine) -> None:
    with pytest.raises(ValueError, match="since"):
        query_findings(engine, FindingFilter(since="25/08/2017"))


def test_document_filter_and_limit(engine) -> None:
    sha = sample_results()[2].source.sha256
    assert texts(engine, document=sha[:8]) == [ALL[5]]
    assert texts(engine, document=sha.upper()) == [ALL[5]]
    assert texts(engine, document="reports/tam-hoa-2018.txt") == [ALL[3], ALL[4]]
    assert texts(engine, document="zz") == []
    assert texts(engine, limit=2) == ALL[:2]
    assert texts(engine, limit=0) == []
    assert texts(engine, needs_review=True) == [ALL[1], ALL[4]]  # the third sentence of each
    assert ALL[0] not in texts(engine, needs_review=True)


def test_summary(engine) -> None:
    record_failure(engine, path="reports/broken.pdf", sha256=None, stage="read", message="x")
    summary = summarise(engine)
    assert (summary.documents_ok, summary.documents_partial, summary.documents_failed) == (3, 1, 1)
    assert summary.units == 5  # Tam Quang, Xá Lượng, Sở Nội vụ, Tam Hòa, Hưng Bình
    assert summary.findings == 7
    assert summary.by_polarity == {"limitation": 5, "recommendation": 1, "strength": 1}
    assert summary.by_category == {"niem_yet_cong_khai": 4, "co_so_vat_chat": 1, "mot_cua": 1,
                                   "the_trang_phuc": 1}
    assert summary.failures == 1
    assert (summary.first_date, summary.last_date) == ("2017-08-25", "2019-03-01")
    text = render_summary(summary)
    assert "4 stored (3 ok, 1 partial), 1 failed" in text
    assert "niem_yet_cong_khai" in text and "failures: 1 unresolved" in text


def test_recurrence_counts_documents_per_unit(engine) -> None:
    rows = recurrence(engine, FindingFilter(polarity="limitation", category="niem_yet_cong_khai"))
    got = [(r.unit, r.documents, r.findings, r.first, r.last) for r in rows]
    assert got == [
        ("xã Tam Quang", 2, 2, "2017-08-25", "2019-03-01"),
        ("xã Tam Hòa", 1, 1, "2018-06-05", "2018-06-05"),
        ("xã Xá Lượng", 1, 1, "2017-08-25", "2017-08-25"),
    ]
    only = recurrence(engine, FindingFilter(unit="tam quang"))
    assert {r.unit for r in only} == {"xã Tam Quang"}
    assert {(r.category, r.polarity, r.documents) for r in only} == {
        ("niem_yet_cong_khai", "limitation", 2), ("mot_cua", "strength", 1)}
    assert recurrence(engine, FindingFilter(since="2020-01-01")) == []
    recurring = recurrence(engine, FindingFilter(polarity="limitation"), min_documents=2)
    assert [(r.unit, r.category) for r in recurring] == [("xã Tam Quang", "niem_yet_cong_khai")]
    assert "xã Tam Quang" in render_recurrence(rows)


def test_csv_has_a_bom_and_reads_back(engine, tmp_path: Path) -> None:
    rows = query_findings(engine)
    path = tmp_path / "findings.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_csv(rows, stream)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        records = list(csv.DictReader(stream))
    assert list(records[0]) == list(COLUMNS)
    assert [r["text"] for r in records] == ALL
    assert records[0]["units"] == "xã Tam Quang; xã Xá Lượng"


def test_spreadsheet_formulas_are_not_run(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'formula.db'}")
    save_results(engine, [make_result("f", ["=HYPERLINK(1)"], found=[("limitation", "khac", 0,
                                                                          [])])])
    buffer = io.StringIO()
    write_csv(query_findings(engine), buffer)
    assert "'=HYPERLINK(1)" in buffer.getvalue()


def test_json_is_a_list_of_objects(engine) -> None:
    buffer = io.StringIO()
    write_json(query_findings(engine), buffer)
    data = json.loads(buffer.getvalue())
    assert [item["text"] for item in data] == ALL
    assert data[0]["units"] == ["xã Tam Quang", "xã Xá Lượng"]
    assert data[0]["span"] == list(query_findings(engine)[0].span)
    assert "Tam Quang" in buffer.getvalue()  # not \u-escaped


def test_xlsx_reads_back(engine, tmp_path: Path) -> None:
    rows = query_findings(engine)
    path = tmp_path / "findings.xlsx"
    write_xlsx(rows, path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Findings", "Summary"]
    sheet = workbook["Findings"]
    values = list(sheet.values)
    assert list(values[0]) == list(COLUMNS)
    text_at = COLUMNS.index("text")
    assert [row[text_at] for row in values[1:]] == ALL
    assert values[1][COLUMNS.index("units")] == "xã Tam Quang; xã Xá Lượng"
    assert sheet.column_dimensions["J"].width == 90  # the text column
    assert sheet.freeze_panes == "A2"
    summary = dict(row for row in workbook["Summary"].values if row[0])
    assert summary["findings"] == 7
    assert summary["documents"] == 4
    assert summary["limitation"] == 5
    assert summary["xã Tam Quang"] == 3


def test_table_is_plain_text(engine) -> None:
    text = render_table(query_findings(engine), width=200)
    assert "\x1b[" not in text
    assert "xã Tam Quang" in text and "niem_yet_cong_khai" in text
    assert text.rstrip().endswith("7 findings ('?': needs review)")
    assert render_table([]) == "no findings match"


def test_documents_are_listed_by_topic_with_their_findings(tmp_path: Path) -> None:
    from pipeline.query.documents import list_documents
    from pipeline.query.export import render_documents

    engine = open_database(f"sqlite:///{tmp_path / 'topics.db'}")
    judged = sample_results()[:3]
    for result, topic in zip(judged, ("inspection", "other", None), strict=True):
        result.document.topic = topic
        result.document.topic_confidence = None if topic is None else 0.9
        if topic == "other":
            result.findings = []  # an off-topic document is stored without findings
    assert save_results(engine, judged).inserted == 3
    rows = list_documents(engine)
    assert [r.topic for r in rows] == ["inspection", "other", None]
    assert [r.findings for r in rows] == [len(judged[0].findings), 0, len(judged[2].findings)]
    assert [r.path for r in list_documents(engine, topic="other")] == [judged[1].source.path]
    assert [r.path for r in list_documents(engine, topic="unjudged")] == [judged[2].source.path]
    assert len(list_documents(engine, limit=1)) == 1
    table = render_documents(list_documents(engine, topic="other"))
    assert "other" in table and "1 documents" in table
    summary = summarise(engine)
    assert summary.off_topic == 1 and "1 judged not about an inspection" in render_summary(summary)
    with pytest.raises(ValueError):
        list_documents(engine, topic="sport")
