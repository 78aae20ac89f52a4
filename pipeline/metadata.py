"""Document metadata from the text: title, publication date, publisher, kind."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.extract.dates import find_dates
from pipeline.layout import DATELINE_RULES, LABELLED_DATE, TITLE_STAMP, DatelineRule, Line

METADATA_VERSION = "metadata.v2"

_PLACE_DATE = re.compile(
    r"^[A-ZĐÀ-Ỹ][\w .]{1,30},\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}\s*$"
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


def _full_date(text: str) -> str | None:
    """The first full date ('YYYY-MM-DD') written in `text`."""
    return next((d.iso for d in find_dates(text) if _FULL_DAY.fullmatch(d.iso)), None)


_FULL_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _span(line: Line, match: re.Match[str]) -> tuple[int, int]:
    """A match in a line's text as offsets in the document (the line text is left-stripped)."""
    offset = line.start + (len(line.text) - len(line.text.lstrip()))
    return offset + match.start(), offset + match.end()


@dataclass(frozen=True)
class PublicationRule:
    """Where a page prints its publication date, and how sure that makes us."""

    name: str
    confidence: float
    match: Callable[[Line], re.Match[str] | None]


def _labelled(line: Line) -> re.Match[str] | None:
    """'Đăng ngày: 14/05/2021', 'Cập nhật: 10:20, 05/03/2021', 'Posted: ...': anywhere, even opening a lead."""
    return LABELLED_DATE.match(line.text) if line.kind != "chrome" else None


def _title_stamp(line: Line) -> re.Match[str] | None:
    """'Tiêu đề (14:21 23/03/2020)': a stamp closing the title."""
    return TITLE_STAMP.search(line.text) if line.kind == "title" else None


def _dateline(rule: DatelineRule) -> Callable[[Line], re.Match[str] | None]:
    def match(line: Line) -> re.Match[str] | None:
        return rule.pattern.match(line.text) if line.kind == "dateline" else None

    return match


# Every date line kind of the layout (`DATELINE_RULES`), plus a label opening any line and a title's stamp.
PUBLICATION_RULES: tuple[PublicationRule, ...] = (
    PublicationRule("labelled", 0.95, _labelled),
    PublicationRule("title_stamp", 0.9, _title_stamp),
    *(PublicationRule(rule.name, rule.publication_confidence, _dateline(rule))
      for rule in DATELINE_RULES if rule.name != "labelled"),
)


def find_publication_date(lines: list[Line]) -> tuple[str | None, float | None, tuple[int, int] | None]:
    """The publication date, its confidence and its span (the most confident of `PUBLICATION_RULES`).

    A labelled dateline, a time stamp in the head or after the title is the
    publication date; a bare date under the title nearly so; a site's date
    bar ('Thứ tư, 29/03/2023') is only the day the page was saved, used when
    nothing else is given. Dates inside body sentences never are. A formal
    document's place-date line is its issue date (`find_issue_date`).
    """
    candidates: list[tuple[float, str, tuple[int, int]]] = []
    for line in lines[:80]:
        for rule in PUBLICATION_RULES:
            match = rule.match(line)
            if match and (iso := _full_date(match.group(0))):
                candidates.append((rule.confidence, iso, _span(line, match)))
                break
    if not candidates:
        return None, None, None
    confidence, iso, span = max(candidates, key=lambda c: c[0])
    return iso, confidence, span


def find_issue_date(lines: list[Line]) -> tuple[str | None, tuple[int, int] | None]:
    """A formal document's own date from its place-date line, and its span."""
    for line in lines[:80]:
        match = _PLACE_DATE.search(line.text)
        if match and (iso := _full_date(match.group(0))):
            return iso, _span(line, match)
    return None, None


def find_publisher(lines: list[Line]) -> str | None:
    """'(Baoxyz.vn) -', '(ABC) –' or 'TTXVN -' at the start of the lead."""
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
    return TITLE_STAMP.sub("", title.text).strip() or None


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
