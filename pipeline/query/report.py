"""The overview as an Excel report: one sheet per table, each with a native Excel chart.

Written by `findings report --xlsx` and the workbench's /report.xlsx. Charts are openpyxl
charts over the sheet's own cells, so they stay editable in Excel; a table without rows
gets no chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.labels import POLARITY_LABELS, category_label
from pipeline.query.export import _xlsx_value
from pipeline.query.overview import Overview
from pipeline.taxonomy import load_taxonomy

TITLE = "Báo cáo phát hiện kiểm tra cải cách hành chính"
SHEETS = ("Tổng quan", "Hạn chế theo năm", "Hạn chế lặp lại", "Đơn vị nhiều hạn chế")
CHART_ROWS = 15  # bars in a chart of a ranked table
_HEADER_FONT, _HEADER_FILL = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")  # as export.write_xlsx
_BOLD = Font(bold=True)
_WIDTH = (8, 50)  # a column's width, in characters, at least and at most


def write_report_xlsx(data: Overview, path: Path | str, *, title: str | None = None) -> None:
    """The overview's tables as a workbook, one sheet each, with a chart of each table."""
    workbook = Workbook()
    workbook.properties.title = title or TITLE
    _summary_sheet(workbook.active, data, title or TITLE)
    _by_year_sheet(workbook.create_sheet(SHEETS[1]), data)
    _recurring_sheet(workbook.create_sheet(SHEETS[2]), data)
    _units_sheet(workbook.create_sheet(SHEETS[3]), data)
    workbook.save(str(path))


def _summary_sheet(sheet: Worksheet, data: Overview, title: str) -> None:
    sheet.title = SHEETS[0]
    sheet["A1"] = _xlsx_value(title)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"], sheet["B2"] = "Ngày lập", date.today()
    sheet["B2"].number_format = "DD/MM/YYYY"
    polarities = [*POLARITY_LABELS, *sorted(set(data.by_polarity) - set(POLARITY_LABELS))]
    rows = [(POLARITY_LABELS.get(p, p), data.by_polarity.get(p, 0)) for p in polarities]
    last = _table(sheet, 4, ("Loại phát hiện", "Số phát hiện"), rows)
    _total_row(sheet, last + 1, ["Tổng", sum(n for _, n in rows)])
    if any(n for _, n in rows):
        chart = _bar_chart("Phát hiện theo loại", horizontal=False, top=max(n for _, n in rows))
        _plot(chart, sheet, values=(2, 2), labels=1, rows=(4, last))
        sheet.add_chart(chart, "D4")


def _by_year_sheet(sheet: Worksheet, data: Overview) -> None:
    descriptions = {code: c.description for code, c in load_taxonomy().categories.items()}
    table = data.limitations_by_category_year
    rows = [(code, descriptions.get(code, ""), *(table[code].get(y, 0) for y in data.years),
             sum(table[code].values())) for code in data.categories]
    headers = ("Mã lĩnh vực", "Lĩnh vực", *(str(y) for y in data.years), "Tổng")
    last = _table(sheet, 1, headers, rows, wrap=(2,))
    if not rows:
        return
    _total_row(sheet, last + 1, ["Tổng", None, *(sum(column) for column in list(zip(*rows, strict=True))[2:])])
    chart = _bar_chart("Hạn chế theo lĩnh vực và năm", horizontal=False, top=max(r[-1] for r in rows))
    chart.grouping, chart.overlap = "stacked", 100
    chart.width, chart.height = max(18.0, 1.3 * len(rows)), 10.0
    _plot(chart, sheet, values=(3, 2 + len(data.years)), labels=1, rows=(1, last))
    sheet.add_chart(chart, f"A{last + 3}")


def _recurring_sheet(sheet: Worksheet, data: Overview) -> None:
    descriptions = {code: c.description for code, c in load_taxonomy().categories.items()}
    rows = [(r.unit, r.parent, r.province, r.category, descriptions.get(r.category, ""), r.documents, r.findings,
             r.first, r.last, _short(f"{r.unit} · {category_label(r.category)}"))
            for r in data.recurring]
    headers = ("Đơn vị", "Cấp trên", "Tỉnh", "Mã lĩnh vực", "Lĩnh vực", "Số văn bản", "Số phát hiện",
               "Lần đầu", "Lần cuối", "Nhãn biểu đồ")
    last = _table(sheet, 1, headers, rows, wrap=(5,))
    if rows:
        _ranked_chart(sheet, "Hạn chế lặp lại (số văn bản)", values=6, labels=10, count=len(rows),
                      top=max(r.documents for r in data.recurring), anchor=f"A{last + 3}")


def _units_sheet(sheet: Worksheet, data: Overview) -> None:
    rows = [(u.name, u.province, u.limitations, u.documents) for u in data.top_units]
    _table(sheet, 1, ("Đơn vị", "Tỉnh", "Số hạn chế", "Số văn bản"), rows)
    if rows:
        _ranked_chart(sheet, "Đơn vị nhiều hạn chế (số hạn chế)", values=3, labels=1, count=len(rows),
                      top=max(u.limitations for u in data.top_units), anchor="F2")


def _table(sheet: Worksheet, header_row: int, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           *, wrap: Sequence[int] = ()) -> int:
    """Headers (bold, filled, frozen above the rows) and rows; columns sized to fit. The last row's number."""
    for column, name in enumerate(headers, start=1):
        cell = sheet.cell(header_row, column, name)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for row_number, row in enumerate(rows, start=header_row + 1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row_number, column, _xlsx_value(value))
            if column in wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [max(len(str(row[i] or "")) for row in [headers, *rows]) + 2 for i in range(len(headers))]
    widths = [min(max(width, _WIDTH[0]), _WIDTH[1]) for width in widths]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row_number, row in enumerate(rows, start=header_row + 1):  # wrapped text: rows tall enough to show it
        lines = max((math.ceil(len(str(row[c - 1] or "")) / (widths[c - 1] - 2)) for c in wrap), default=1)
        if lines > 1:
            sheet.row_dimensions[row_number].height = 15 * lines
    sheet.freeze_panes = f"A{header_row + 1}"
    return header_row + len(rows)


def _total_row(sheet: Worksheet, row: int, values: Sequence[Any]) -> None:
    for column, value in enumerate(values, start=1):
        sheet.cell(row, column, value).font = _BOLD


def _bar_chart(title: str, *, horizontal: bool, top: int) -> BarChart:
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl hides axes otherwise
    chart.y_axis.title = "Số lượng"
    if top <= 10:
        chart.y_axis.majorUnit = 1  # counts: no 0.5 ticks
    return chart


def _plot(chart: BarChart, sheet: Worksheet, *, values: tuple[int, int], labels: int, rows: tuple[int, int]) -> None:
    """Series from columns values[0]..values[1] (titled by the header row rows[0]), categories from `labels`."""
    header, last = rows
    chart.add_data(Reference(sheet, min_col=values[0], max_col=values[1], min_row=header, max_row=last),
                   titles_from_data=True)
    categories = Reference(sheet, min_col=labels, min_row=header + 1, max_row=last)
    for series in chart.series:  # text labels: a string reference (set_categories makes a numeric one)
        series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
    if values[0] == values[1]:
        chart.legend = None


def _ranked_chart(sheet: Worksheet, title: str, *, values: int, labels: int, count: int, top: int,
                  anchor: str) -> None:
    """Horizontal bars for the first CHART_ROWS rows under the header, first row on top, values shown."""
    shown = min(count, CHART_ROWS)
    chart = _bar_chart(title, horizontal=True, top=top)
    chart.x_axis.scaling.orientation = "maxMin"  # the table's order, top down
    chart.dataLabels = DataLabelList(showVal=True, showCatName=False, showSerName=False, showLegendKey=False,
                                     showPercent=False)
    chart.width, chart.height = 20.0, max(7.5, 2.5 + 0.8 * shown)
    _plot(chart, sheet, values=(values, values), labels=labels, rows=(1, 1 + shown))
    sheet.add_chart(chart, anchor)


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
