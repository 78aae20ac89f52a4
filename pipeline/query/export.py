"""Findings out of the database: a terminal table, CSV, JSON and Excel.

CSV is UTF-8 with a byte-order mark, which is what makes Excel open
Vietnamese text correctly instead of guessing a legacy code page.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from pipeline.query.findings import FindingRow, Recurrence, Summary

COLUMNS = (
    "id", "sha256", "path", "title", "published", "date", "units", "polarity", "category",
    "text", "confidence", "needs_review", "span_start", "span_end", "quantity",
)
_XLSX_WIDTHS = {
    "id": 8, "sha256": 14, "path": 36, "title": 40, "published": 12, "date": 12, "units": 30,
    "polarity": 15, "category": 22, "text": 90, "confidence": 11, "needs_review": 13,
    "span_start": 11, "span_end": 10, "quantity": 12,
}
# Spreadsheets run a cell that starts with these as a formula.
_FORMULA_PREFIXES = ("=", "+", "@", "\t", "\r")


def _record(row: FindingRow) -> dict[str, Any]:
    """A row as flat cells: units joined with '; ', the span as two columns."""
    return {
        "id": row.id, "sha256": row.sha256, "path": row.path, "title": row.title,
        "published": row.published, "date": row.date, "units": "; ".join(row.units),
        "polarity": row.polarity, "category": row.category, "text": row.text,
        "confidence": round(float(row.confidence), 4), "needs_review": bool(row.needs_review),
        "span_start": row.span[0], "span_end": row.span[1], "quantity": row.quantity,
    }


def _cell_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(rows: Sequence[FindingRow], stream: IO[str]) -> None:
    """CSV with a header row, UTF-8 BOM first (open `stream` with encoding='utf-8', newline='')."""
    for chunk in csv_chunks([rows]):
        stream.write(chunk)


def csv_chunks(batches: Iterable[Sequence[FindingRow]]) -> Iterator[str]:
    """The CSV `write_csv` writes, as text chunks (BOM and header, then one chunk per batch): for streaming."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writeheader()
    for rows in batches:
        for row in rows:
            writer.writerow({k: _cell_text(v) for k, v in _record(row).items()})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def write_json(rows: Sequence[FindingRow], stream: IO[str]) -> None:
    """A JSON list of objects (units as a list, span as [start, end])."""
    json.dump([row.to_dict() for row in rows], stream, ensure_ascii=False, indent=1)
    stream.write("\n")


def write_xlsx(rows: Sequence[FindingRow], path: Path | str) -> None:
    """An Excel workbook: sheet "Findings" (one row each) and sheet "Summary" (counts)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Findings"
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font, cell.fill = header_font, header_fill
    for row in rows:
        sheet.append([_xlsx_value(v) for v in _record(row).values()])
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _XLSX_WIDTHS[name]
    text_column = get_column_letter(COLUMNS.index("text") + 1)
    for cell in sheet[text_column][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"

    summary = workbook.create_sheet("Summary")
    for label, value in _summary_cells(rows):
        summary.append([label, value])
        if value is None:
            summary.cell(summary.max_row, 1).font = header_font
    summary.column_dimensions["A"].width = 60
    summary.column_dimensions["B"].width = 12
    workbook.save(str(path))


def _xlsx_value(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return _cell_text(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _summary_cells(rows: Sequence[FindingRow]) -> list[tuple[str, Any]]:
    """(label, count) lines for the Summary sheet; a None count marks a heading."""
    from pipeline.taxonomy import load_taxonomy

    categories = load_taxonomy().categories
    dated = sorted(r.date for r in rows if r.date)
    cells: list[tuple[str, Any]] = [
        ("findings", len(rows)),
        ("documents", len({r.sha256 for r in rows})),
        ("need review", sum(r.needs_review for r in rows)),
        ("first date", dated[0] if dated else ""),
        ("last date", dated[-1] if dated else ""),
        ("", ""),
        ("by polarity", None),
    ]
    cells += Counter(r.polarity for r in rows).most_common()
    cells += [("", ""), ("by category", None)]
    for code, count in Counter(r.category for r in rows).most_common():
        label = categories[code].description if code in categories else ""
        cells.append((f"{code}: {label}" if label else code, count))
    cells += [("", ""), ("by unit", None)]
    cells += Counter(name for r in rows for name in r.units).most_common()
    return cells


def render_table(rows: Sequence[FindingRow], *, width: int = 160) -> str:
    """The findings as a plain-text table (no colour codes), for a terminal or a file."""
    if not rows:
        return "no findings match"
    from rich.box import SIMPLE_HEAD
    from rich.table import Table

    table = Table(box=SIMPLE_HEAD, show_lines=False, expand=False)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("units", max_width=28)
    table.add_column("polarity", no_wrap=True)
    table.add_column("category", no_wrap=True)
    table.add_column("conf", justify="right", no_wrap=True)
    table.add_column("text", ratio=1, min_width=30)
    table.add_column("document", no_wrap=True)
    for row in rows:
        table.add_row(
            str(row.id), row.date or "", ", ".join(row.units), row.polarity, row.category,
            f"{row.confidence:.2f}" + ("?" if row.needs_review else ""), row.text, row.sha256[:10],
        )
    return _render(table, width) + f"\n{len(rows)} findings ('?': needs review)"


def _render(renderable: Any, width: int) -> str:
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False,
                      emoji=False, highlight=False, markup=False)
    console.print(renderable)
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    return "\n".join(lines).strip("\n")


def _plain_table(columns: Sequence[str], rows: Sequence[Sequence[str]], *, width: int,
                 right: Sequence[str] = (), fold: bool = False) -> str:
    """Rows under a simple header as plain text; `right` columns are right-aligned."""
    from rich.box import SIMPLE_HEAD
    from rich.table import Table

    table = Table(box=SIMPLE_HEAD)
    for name in columns:
        table.add_column(name, justify="right" if name in right else "left",
                         overflow="fold" if fold else "ellipsis")
    for row in rows:
        table.add_row(*row)
    return _render(table, width)


def render_recurrence(rows: Sequence[Recurrence], *, width: int = 160) -> str:
    """Units by category and polarity with the number of documents, as a plain-text table."""
    if not rows:
        return "no findings match"
    return _plain_table(
        ("unit", "province", "polarity", "category", "documents", "findings", "first", "last"),
        [(r.unit, r.province or "", r.polarity, r.category, str(r.documents), str(r.findings),
          r.first or "", r.last or "") for r in rows],
        width=width, right=("documents", "findings"),
    )


def render_summary(summary: Summary) -> str:
    """What the database holds, in a few plain lines."""
    lines = [
        f"documents: {summary.documents} stored ({summary.documents_ok} ok, "
        f"{summary.documents_partial} partial), {summary.documents_failed} failed",
    ]
    if summary.off_topic:
        lines.append(f"  {summary.off_topic} judged not about an inspection: stored without findings "
                     "(findings documents --topic other)")
    if summary.first_date:
        lines.append(f"dated: {summary.first_date} .. {summary.last_date}")
    lines.append(f"units: {summary.units}")
    lines.append(f"findings: {summary.findings} ({summary.needs_review} need review)")
    if summary.by_polarity:
        cells = ", ".join(f"{k} {v}" for k, v in summary.by_polarity.items())
        lines.append(f"  by polarity: {cells}")
    if summary.by_category:
        lines.append(_category_polarity_table(summary))
    if summary.failures:
        lines.append(f"failures: {summary.failures} unresolved (see the failures table)")
    return "\n".join(lines)


def _category_polarity_table(summary: Summary, *, width: int = 120) -> str:
    """Findings by category (rows) and polarity (columns), with totals."""
    from rich.box import SIMPLE_HEAD
    from rich.table import Table

    polarities = ("strength", "limitation", "recommendation")
    table = Table(box=SIMPLE_HEAD, show_footer=True)
    table.add_column("category", footer="total")
    for polarity in polarities:
        total = str(summary.by_polarity.get(polarity, 0))
        table.add_column(polarity, justify="right", footer=total)
    table.add_column("total", justify="right", footer=str(summary.findings))
    for category, total in summary.by_category.items():
        cells = [str(summary.by_category_polarity.get((category, p), 0)) for p in polarities]
        table.add_row(category, *cells, str(total))
    return _render(table, width)


def write_records(rows: Sequence[Any], output_format: str, stream: IO[str]) -> None:
    """Any list of dataclass rows as CSV (BOM, header) or a JSON list."""
    from dataclasses import asdict

    records = [{k: _plain(v) for k, v in asdict(row).items()} for row in rows]
    if output_format == "json":
        json.dump(records, stream, ensure_ascii=False, indent=1)
        stream.write("\n")
        return
    stream.write("\ufeff")
    if not records:
        return
    writer = csv.DictWriter(stream, fieldnames=list(records[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="seconds")
    return value


def render_citations(rows: Sequence[Any], *, width: int = 160) -> str:
    """Documents citing a legal text, as a plain-text table."""
    if not rows:
        return "no stored document cites it"
    return _plain_table(
        ("dated", "document", "cited", "issuer", "sha256"),
        [(r.dated or "", r.title or Path(r.path).name, r.text, r.issuer or "", r.sha256[:12]) for r in rows],
        width=width, fold=True,
    )


def _when(moment: Any) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def render_failures(rows: Sequence[Any], *, width: int = 160) -> str:
    """Files that failed, with stage and reason, as a plain-text table."""
    if not rows:
        return "no failures recorded"
    return _plain_table(
        ("path", "stage", "message", "attempts", "first seen", "last seen"),
        [(r.path, r.stage, r.message, str(r.attempts), _when(r.first_seen_at), _when(r.last_seen_at))
         for r in rows],
        width=width, right=("attempts",), fold=True,
    )


def render_documents(rows: Sequence[Any], *, width: int = 160) -> str:
    """Stored documents with their topic and number of findings, as a plain-text table."""
    if not rows:
        return "no stored document matches"
    return _plain_table(
        ("id", "date", "topic", "confidence", "findings", "document", "sha256"),
        [(str(r.id), r.date or "", r.topic or "?", "" if r.topic_confidence is None else f"{r.topic_confidence:.2f}",
          str(r.findings), r.title or Path(r.path).name, r.sha256[:12]) for r in rows],
        width=width, right=("id", "confidence", "findings"),
    ) + f"\n{len(rows)} documents ('?': topic not judged)"
