"""The Excel report: one sheet per overview table, numbers as numbers, a native chart over each table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart

from pipeline.query.findings import Recurrence
from pipeline.query.overview import Overview, UnitLimitations, overview
from pipeline.query.report import CHART_ROWS, SHEETS, write_report_xlsx
from pipeline.store.database import open_database, save_results
from pipeline.taxonomy import load_taxonomy
from tests.test_store import sample_results

EVIL = '=HYPERLINK("http://x","y")'


def sample() -> Overview:
    return Overview(
        years=[2022, 2023, 2024],
        categories=["giai_quyet_ho_so", "niem_yet_cong_khai"],
        limitations_by_category_year={"giai_quyet_ho_so": {2022: 3, 2023: 0, 2024: 2},
                                      "niem_yet_cong_khai": {2022: 0, 2023: 1, 2024: 1}},
        by_polarity={"limitation": 7, "strength": 4, "recommendation": 2},
        recurring=[
            Recurrence(EVIL, "huyện A", "Nghệ An", "giai_quyet_ho_so", "limitation", 3, 4, "2022-01", "2024-05-02"),
            Recurrence("xã Tân Hòa", None, None, "niem_yet_cong_khai", "limitation", 2, 2, "2023", "2024"),
        ],
        top_units=[UnitLimitations(1, EVIL, "Nghệ An", 5, 3), UnitLimitations(2, "xã Tân Hòa", None, 2, 2)],
    )


def write(data: Overview, tmp_path: Path, **kwargs):
    path = tmp_path / "report.xlsx"
    write_report_xlsx(data, path, **kwargs)
    return load_workbook(path)


def header(sheet, row: int = 1) -> list:
    return [cell.value for cell in sheet[row]]


def rows(sheet, first: int = 2, last: int | None = None) -> list[list]:
    return [list(r) for r in sheet.iter_rows(min_row=first, max_row=last or sheet.max_row, values_only=True)]


def only_chart(sheet) -> BarChart:
    assert len(sheet._charts) == 1
    chart = sheet._charts[0]
    assert isinstance(chart, BarChart)
    return chart


def refs(chart: BarChart) -> tuple[list[str], list[str], list[str]]:
    """Each series' title, values and category references."""
    return ([s.tx.strRef.f for s in chart.series], [s.val.numRef.f for s in chart.series],
            [s.cat.strRef.f for s in chart.series])


def test_sheets_and_summary(tmp_path: Path) -> None:
    workbook = write(sample(), tmp_path, title="Báo cáo quý")
    assert workbook.sheetnames == list(SHEETS) == ["Tổng quan", "Hạn chế theo năm", "Hạn chế lặp lại",
                                                   "Đơn vị nhiều hạn chế"]
    sheet = workbook["Tổng quan"]
    assert sheet["A1"].value == "Báo cáo quý" and sheet["A1"].font.bold
    assert sheet["A2"].value == "Ngày lập" and sheet["B2"].value.date() == date.today()
    assert header(sheet, 4) == ["Loại phát hiện", "Số phát hiện"] and sheet["A4"].font.bold
    assert sheet["A4"].fill.fgColor.rgb.endswith("DDEBF7") and sheet.freeze_panes == "A5"
    assert rows(sheet, 5) == [["Ưu điểm", 4], ["Hạn chế", 7], ["Kiến nghị", 2], ["Tổng", 13]]
    chart = only_chart(sheet)
    assert chart.type == "col"
    assert refs(chart) == (["'Tổng quan'!B4"], ["'Tổng quan'!$B$5:$B$7"], ["'Tổng quan'!$A$5:$A$7"])


def test_limitations_by_category_and_year(tmp_path: Path) -> None:
    data = sample()
    sheet = write(data, tmp_path)["Hạn chế theo năm"]
    assert header(sheet) == ["Mã lĩnh vực", "Lĩnh vực", "2022", "2023", "2024", "Tổng"]
    assert sheet["A1"].font.bold and sheet["A1"].fill.fill_type == "solid" and sheet.freeze_panes == "A2"
    descriptions = load_taxonomy().categories
    assert rows(sheet, 2, 3) == [
        ["giai_quyet_ho_so", descriptions["giai_quyet_ho_so"].description, 3, 0, 2, 5],
        ["niem_yet_cong_khai", descriptions["niem_yet_cong_khai"].description, 0, 1, 1, 2],
    ]
    assert rows(sheet, 4) == [["Tổng", None, 3, 1, 3, 7]]
    chart = only_chart(sheet)
    assert (chart.type, chart.grouping, chart.overlap) == ("col", "stacked", 100)
    titles, values, categories = refs(chart)  # one series per year, categories down the rows, total row left out
    assert titles == ["'Hạn chế theo năm'!C1", "'Hạn chế theo năm'!D1", "'Hạn chế theo năm'!E1"]
    assert values == [f"'Hạn chế theo năm'!${c}$2:${c}$3" for c in "CDE"]
    assert categories == ["'Hạn chế theo năm'!$A$2:$A$3"] * 3
    assert sheet.column_dimensions["B"].width == 50  # long descriptions wrap instead of running on


def test_recurring_and_top_units(tmp_path: Path) -> None:
    workbook = write(sample(), tmp_path)
    sheet = workbook["Hạn chế lặp lại"]
    assert header(sheet) == ["Đơn vị", "Cấp trên", "Tỉnh", "Mã lĩnh vực", "Lĩnh vực", "Số văn bản",
                             "Số phát hiện", "Lần đầu", "Lần cuối", "Nhãn biểu đồ"]
    table = rows(sheet)
    assert [r[3] for r in table] == ["giai_quyet_ho_so", "niem_yet_cong_khai"]
    assert [r[5:9] for r in table] == [[3, 4, "2022-01", "2024-05-02"], [2, 2, "2023", "2024"]]
    assert table[1][:3] == ["xã Tân Hòa", None, None] and table[1][9].startswith("xã Tân Hòa · Niêm yết")
    chart = only_chart(sheet)
    assert chart.type == "bar" and chart.legend is None and chart.x_axis.scaling.orientation == "maxMin"
    assert refs(chart) == (["'Hạn chế lặp lại'!F1"], ["'Hạn chế lặp lại'!$F$2:$F$3"],
                           ["'Hạn chế lặp lại'!$J$2:$J$3"])

    sheet = workbook["Đơn vị nhiều hạn chế"]
    assert header(sheet) == ["Đơn vị", "Tỉnh", "Số hạn chế", "Số văn bản"]
    assert rows(sheet)[1] == ["xã Tân Hòa", None, 2, 2]
    assert [type(v) for v in rows(sheet)[0][2:]] == [int, int]
    chart = only_chart(sheet)
    assert chart.type == "bar"
    assert refs(chart) == (["'Đơn vị nhiều hạn chế'!C1"], ["'Đơn vị nhiều hạn chế'!$C$2:$C$3"],
                           ["'Đơn vị nhiều hạn chế'!$A$2:$A$3"])


def test_a_name_like_a_formula_is_text(tmp_path: Path) -> None:
    workbook = write(sample(), tmp_path)
    for name in ("Hạn chế lặp lại", "Đơn vị nhiều hạn chế"):
        cell = workbook[name]["A2"]
        assert cell.data_type == "s" and cell.value.endswith(EVIL) and not cell.value.startswith("=")
    assert not any(c.data_type == "f" for ws in workbook.worksheets for row in ws.iter_rows() for c in row)


def test_ranked_charts_show_the_first_rows(tmp_path: Path) -> None:
    data = sample()
    data.top_units = [UnitLimitations(n, f"xã {n}", None, 40 - n, 1) for n in range(CHART_ROWS + 5)]
    sheet = write(data, tmp_path)["Đơn vị nhiều hạn chế"]
    assert sheet.max_row == CHART_ROWS + 6  # the table keeps every row
    assert refs(only_chart(sheet))[1] == [f"'Đơn vị nhiều hạn chế'!$C$2:$C${CHART_ROWS + 1}"]


@pytest.mark.parametrize("from_database", [False, True])
def test_an_empty_overview_gives_headers_and_no_charts(tmp_path: Path, from_database: bool) -> None:
    data = overview(open_database(f"sqlite:///{tmp_path / 'f.db'}")) if from_database else Overview()
    assert data.years == data.recurring == data.top_units == []
    workbook = write(data, tmp_path)
    assert workbook.sheetnames == list(SHEETS)
    assert all(not ws._charts for ws in workbook.worksheets)
    assert rows(workbook["Tổng quan"], 5) == [["Ưu điểm", 0], ["Hạn chế", 0], ["Kiến nghị", 0], ["Tổng", 0]]
    assert header(workbook["Hạn chế theo năm"]) == ["Mã lĩnh vực", "Lĩnh vực", "Tổng"]
    assert workbook["Hạn chế theo năm"].max_row == 1
    assert header(workbook["Hạn chế lặp lại"])[0] == "Đơn vị" and workbook["Hạn chế lặp lại"].max_row == 1
    assert header(workbook["Đơn vị nhiều hạn chế"]) == ["Đơn vị", "Tỉnh", "Số hạn chế", "Số văn bản"]


def test_a_real_database(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'f.db'}")
    save_results(engine, sample_results())
    data = overview(engine)
    workbook = write(data, tmp_path)
    by_year = workbook["Hạn chế theo năm"]
    assert header(by_year)[2:-1] == [str(y) for y in data.years]
    assert {r[0]: r[2:] for r in rows(by_year, 2, 1 + len(data.categories))} == {
        c: [*data.limitations_by_category_year[c].values(), sum(data.limitations_by_category_year[c].values())]
        for c in data.categories}
    recurring = rows(workbook["Hạn chế lặp lại"])
    assert [(r[0], r[3], r[5], r[6]) for r in recurring] == [
        (r.unit, r.category, r.documents, r.findings) for r in data.recurring] != []
    assert [(r[0], r[2], r[3]) for r in rows(workbook["Đơn vị nhiều hạn chế"])] == [
        (u.name, u.limitations, u.documents) for u in data.top_units]
    assert all(len(ws._charts) == 1 for ws in workbook.worksheets)
