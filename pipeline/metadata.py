"""Document metadata from the text: title, publication date, publisher, kind."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.layout import Line

METADATA_VERSION = "metadata.v1"

_DMY = r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
_DATELINE_DATE = re.compile(
    r"^(?:đăng ngày|ngày đăng|cập nhật ngày|cập nhật|ngày cập nhật|thời gian đăng|posted)"
    rf"\s*:?\s*(?:\d{{1,2}}:\d{{2}}(?::\d{{2}})?\s*)?{_DMY}",
    re.IGNORECASE,
)
_TITLE_STAMP = re.compile(rf"\(\s*\d{{1,2}}:\d{{2}}(?::\d{{2}})?\s*,?\s*{_DMY}\s*\)\s*$")
_DATEBAR_DATE = re.compile(rf"^(?:thứ \w+|chủ nhật)\s*,?\s*(?:ngày\s*)?{_DMY}\s*$", re.IGNORECASE)
# 'Thứ Hai, 11/10/2021 - 15:20': a weekday with a time is the article's own timestamp.
_WEEKDAY_STAMP = re.compile(
    rf"^(?:thứ \w+|chủ nhật)\s*,?\s*(?:ngày\s*)?{_DMY}\s*[-–|,]?\s*"
    r"\d{1,2}[:h]\d{2}(?::\d{2})?\s*(?:\(?GMT[+\d:]*\)?)?\s*$",
    re.IGNORECASE,
)
_PLACE_DATE = re.compile(
    r"^[A-ZĐÀ-Ỹ][\w .]{1,30},\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})\s*$"
)
_PUBLISHER_TAG = re.compile(r"^\(\s*([^()\n]{2,40}?)\s*\)\s*[-–—:]")
_PUBLISHER_CODE = re.compile(r"^([A-ZĐ][A-ZĐ0-9.]{1,9})\s*[-–—]\s")
_DECISION = re.compile(r"^QUYẾT ĐỊNH\b")
_REPORT = re.compile(r"^(THÔNG BÁO|BÁO CÁO|KẾT LUẬN|BIÊN BẢN)\b")


@dataclass
class Metadata:
    """What the text says about itself."""

    title: str | None = None
    published: str | None = None
    published_confidence: float | None = None
    published_span: tuple[int, int] | None = None
    publisher: str | None = None
    kind: str = "other"
    issued: str | None = None  # a formal document's own date ('Hà Tĩnh, ngày 9 tháng 10 năm 2022')
    issued_span: tuple[int, int] | None = None


def _iso(day: str, month: str, year: str) -> str | None:
    d, m, y = int(day), int(month), int(year)
    if 1 <= d <= 31 and 1 <= m <= 12 and 1900 <= y <= 2100:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def _span(line: Line, match: re.Match[str]) -> tuple[int, int]:
    """A match in a line's text as offsets in the document (the line text is left-stripped)."""
    offset = line.start + (len(line.text) - len(line.text.lstrip()))
    return offset + match.start(), offset + match.end()


def find_publication_date(lines: list[Line]) -> tuple[str | None, float | None, tuple[int, int] | None]:
    """The publication date, its confidence and its span.

    A 'Đăng ngày:'/'Cập nhật ngày:' line or a '(14:21 23/03/2020)' stamp after
    the title is the publication date; a site's date bar ('Thứ tư, 29/03/2023')
    is only the day the page was saved, used when nothing else is given. A
    formal document's place-date line is its issue date (`find_issue_date`).
    """
    candidates: list[tuple[float, str, tuple[int, int]]] = []
    for line in lines[:80]:
        for pattern, confidence in (
            (_DATELINE_DATE, 0.95), (_TITLE_STAMP, 0.9), (_WEEKDAY_STAMP, 0.8), (_DATEBAR_DATE, 0.3),
        ):
            match = pattern.search(line.text)
            if match and (iso := _iso(*match.groups()[-3:])):
                candidates.append((confidence, iso, _span(line, match)))
                break
    if not candidates:
        return None, None, None
    confidence, iso, span = max(candidates, key=lambda c: c[0])
    return iso, confidence, span


def find_issue_date(lines: list[Line]) -> tuple[str | None, tuple[int, int] | None]:
    """A formal document's own date from its place-date line, and its span."""
    for line in lines[:80]:
        match = _PLACE_DATE.search(line.text)
        if match and (iso := _iso(*match.groups()[-3:])):
            return iso, _span(line, match)
    return None, None


def find_publisher(lines: list[Line]) -> str | None:
    """'(Baonghean.vn) -', '(LSO) –' or 'HNP -' at the start of the lead."""
    for line in lines[:40]:
        if line.kind != "body":
            continue
        match = _PUBLISHER_TAG.match(line.text) or _PUBLISHER_CODE.match(line.text)
        if match:
            return match.group(1).strip()
    return None


def find_kind(lines: list[Line], *, publisher: str | None, has_dateline: bool) -> str:
    """news | report | decision | other."""
    for line in lines[:60]:
        if _DECISION.match(line.text):
            return "decision"
        if _REPORT.match(line.text):
            return "report"
    if publisher or has_dateline:
        return "news"
    return "other"


def find_title(lines: list[Line]) -> str | None:
    """The title line; for formal documents, the line after 'THÔNG BÁO'/'BÁO CÁO'."""
    for i, line in enumerate(lines[:60]):
        if (_REPORT.match(line.text) or _DECISION.match(line.text)) and len(line.text) < 20:
            following = [nxt.text for nxt in lines[i + 1 : i + 4] if nxt.text]
            if following:
                return f"{line.text.title()} {following[0]}".strip()
    title = next((line for line in lines if line.kind == "title"), None)
    if title is None:
        return None
    return _TITLE_STAMP.sub("", title.text).strip() or None


def extract_metadata(
    lines: list[Line], *, hint_title: str | None = None, hint_published: str | None = None,
    hint_publisher: str | None = None,
) -> Metadata:
    """Metadata from the classified lines; hints come from the file format (HTML meta)."""
    published, confidence, span = find_publication_date(lines)
    if hint_published and (confidence is None or confidence < 0.9):
        published, confidence, span = hint_published, 0.95, None
    publisher = hint_publisher or find_publisher(lines)
    has_dateline = any(line.kind == "dateline" for line in lines)
    issued, issued_span = find_issue_date(lines)
    return Metadata(
        issued=issued,
        issued_span=issued_span,
        title=hint_title or find_title(lines),
        published=published,
        published_confidence=confidence,
        published_span=span,
        publisher=publisher,
        kind=find_kind(lines, publisher=publisher, has_dateline=has_dateline),
    )
