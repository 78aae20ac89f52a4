"""Dates and periods: find them, normalise them to ISO, give each a role."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.contract import DateMention, Span

DATES_VERSION = "dates.v1"

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_DAY_CUE = r"(?:ngày|sáng|chiều|trưa|tối|đêm|hôm|từ|đến|tới|trước|sau|và)"

_FULL_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})\s?([/.-])\s?(\d{1,2})\s?\2\s?(\d{4})(?![\d/])")
_FULL_WORDS = re.compile(
    r"(?:ngày\s+)?(?<![\d/.-])(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:năm|/)\s*(\d{4})", re.IGNORECASE
)
_DAY_MONTH = re.compile(
    rf"(?<!\w)(?:{_DAY_CUE}\s+(?:ngày\s+)?(\d{{1,2}})\s?/\s?(\d{{1,2}})|ngày\s+(\d{{1,2}})-(\d{{1,2}}))"
    r"(?![\d/-]|\.\d|\s?[/-]\s?\d)",
    re.IGNORECASE,
)
_DAY_MONTH_WORDS = re.compile(
    r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?!\s+năm\s+\d)(?!\d)", re.IGNORECASE
)
# 'từ ngày 17 đến 19-7-2023', 'trong 2 ngày 21 và 22/9', 'ngày 27 và 28 tháng 6 năm 2023':
# the first day shares the month and year written after the second.
_DAY_RANGE = re.compile(
    r"(?<!\w)ngày\s+(\d{1,2})\s*(?:đến|và|-|–)\s*(?:ngày\s+)?\d{1,2}"
    r"(?:\s?[/.-]\s?(\d{1,2})(?:\s?[/.-]\s?(\d{4}))?|\s+tháng\s+(\d{1,2})(?:\s*(?:năm|/)\s*(\d{4}))?)"
    r"(?![\d/])",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(r"tháng\s+(\d{1,2})\s*(?:/|năm)\s*(\d{4})(?!\d)", re.IGNORECASE)
_QUARTER = re.compile(r"quý\s+(I{1,3}|IV|[1-4])\s*(?:/|năm)\s*(\d{4})", re.IGNORECASE)
_HALF_YEAR = re.compile(r"(6|sáu)\s+tháng\s+(đầu|cuối)\s+năm\s+(\d{4})", re.IGNORECASE)
_YEAR_RANGE = re.compile(
    r"(năm học|nhiệm kỳ|giai đoạn|niên khóa)\s+(\d{4})\s*[-–—]\s*(\d{4})", re.IGNORECASE
)
_YEAR = re.compile(r"(?<![\w/])năm\s+(\d{4})(?![\d/-])", re.IGNORECASE)

_INSPECTION_CUE = re.compile(
    r"kiểm tra|làm việc (tại|với)|khảo sát|thanh tra|giám sát|đến kiểm tra", re.IGNORECASE
)
_DOCUMENT_TAIL = re.compile(r"^\s*,?\s*(của|do)\s", re.IGNORECASE)


def _valid(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


def _overlaps(span: Span, taken: list[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def find_dates(text: str, *, reference_year: int | None = None) -> list[DateMention]:
    """Every date and period in `text`, role 'other', in text order.

    A day without a year takes `reference_year` (the publication or
    inspection year) when given, else is written '--MM-DD'. Ranges
    'từ ngày 12/9 đến ngày 16/9/2022' give the first day the second's year.
    """
    found: list[DateMention] = []
    taken: list[Span] = []

    def add(span: Span, iso: str, end_iso: str | None = None, role: str = "other") -> None:
        if _overlaps(span, taken):
            return
        taken.append(span)
        found.append(DateMention(iso=iso, text=text[span[0]:span[1]], role=role,  # type: ignore[arg-type]
                                 span=span, end_iso=end_iso))

    for m in _FULL_WORDS.finditer(text):
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if _valid(d, mo):
            add(m.span(), f"{y:04d}-{mo:02d}-{d:02d}")
    for m in _FULL_NUMERIC.finditer(text):
        d, mo, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if _valid(d, mo) and 1900 <= y <= 2100:
            add(m.span(), f"{y:04d}-{mo:02d}-{d:02d}")
    for m in _DAY_RANGE.finditer(text):
        d = int(m.group(1))
        mo = int(m.group(2) or m.group(4))
        year_text = m.group(3) or m.group(5)
        year = int(year_text) if year_text else reference_year
        if _valid(d, mo):
            add((m.start(), m.end(1)), f"{year:04d}-{mo:02d}-{d:02d}" if year else f"--{mo:02d}-{d:02d}")
    for pattern in (_DAY_MONTH, _DAY_MONTH_WORDS):
        for m in pattern.finditer(text):
            groups = [g for g in m.groups() if g is not None]
            d, mo = int(groups[0]), int(groups[1])
            if not _valid(d, mo):
                continue
            first_group = next(i for i, g in enumerate(m.groups(), 1) if g is not None)
            start = m.start(first_group) if pattern is _DAY_MONTH else m.start()
            year = _range_end_year(text, m.end()) or reference_year
            iso = f"{year:04d}-{mo:02d}-{d:02d}" if year else f"--{mo:02d}-{d:02d}"
            add((start, m.end()), iso)
    for m in _QUARTER.finditer(text):
        q = _ROMAN.get(m.group(1).upper()) or int(m.group(1))
        y = int(m.group(2))
        add(m.span(), f"{y:04d}-{3 * q - 2:02d}", f"{y:04d}-{3 * q:02d}", "period")
    for m in _HALF_YEAR.finditer(text):
        y = int(m.group(3))
        first = m.group(2).lower() == "đầu"
        add(m.span(), f"{y:04d}-{1 if first else 7:02d}", f"{y:04d}-{6 if first else 12:02d}", "period")
    for m in _YEAR_RANGE.finditer(text):
        add(m.span(), m.group(2), m.group(3), "period")
    for m in _MONTH_YEAR.finditer(text):
        mo, y = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12:
            add(m.span(), f"{y:04d}-{mo:02d}", role="period")
    for m in _YEAR.finditer(text):
        add(m.span(), m.group(1), role="period")
    found.sort(key=lambda d: d.span)
    for date in found:
        if is_day_precision(date.iso):
            _attach_time(text, date)
    return found


# '16h30 ngày 5/6', '7 giờ 30 phút sáng 24/8', 'lúc 8h ngày', and after: 'ngày 5/6, lúc 14 giờ'
_TIME_BEFORE = re.compile(
    r"(?<![\d/])(\d{1,2})\s?(?:h|giờ)\s?(\d{1,2})?(?:\s?phút)?\s*(?:sáng|trưa|chiều|tối)?\s*,?\s*(?:ngày\s*)?$",
    re.IGNORECASE,
)
_TIME_AFTER = re.compile(r"^\s*,?\s*(?:vào\s+)?lúc\s+(\d{1,2})\s?(?:h|giờ)\s?(\d{1,2})?", re.IGNORECASE)


def _attach_time(text: str, date: DateMention) -> None:
    """Record a time of day written next to a day (the span grows to cover it when it comes first)."""
    before = _TIME_BEFORE.search(text[max(0, date.span[0] - 30) : date.span[0]])
    after = None if before else _TIME_AFTER.match(text[date.span[1] : date.span[1] + 30])
    match = before or after
    if not match:
        return
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return
    date.time = f"{hour:02d}:{minute:02d}"
    if before:
        start = max(0, date.span[0] - 30) + before.start()
        date.span = (start, date.span[1])
        date.text = text[start : date.span[1]]


def _range_end_year(text: str, end: int) -> int | None:
    """The year of a range's closing date: 'từ ngày 12/9 đến ngày 16/9/2022'."""
    tail = text[end : end + 40]
    m = re.match(
        r"\s*(?:đến|tới|-|–)\s*(?:ngày\s+)?\d{1,2}\s?[/-]\s?\d{1,2}\s?[/-]\s?(\d{4})", tail
    )
    return int(m.group(1)) if m else None


def is_day_precision(iso: str) -> bool:
    """True for 'YYYY-MM-DD' and '--MM-DD'."""
    return bool(re.fullmatch(r"(\d{4}|-)-\d{2}-\d{2}", iso))


def assign_date_roles(
    text: str,
    dates: list[DateMention],
    *,
    sentences: Iterable[Span],
    document_spans: Iterable[Span] = (),
    published_span: Span | None = None,
    issued_span: Span | None = None,
) -> None:
    """Give each date a role, in place.

    published: the date the metadata took as the publication date;
    document: a date attached to a cited document ('... ngày 19/01/2017 của
    UBND tỉnh', or inside a legal reference, or the document's own issue
    date); inspection: a day in a sentence
    about the inspection itself; period: years, quarters, school years.
    """
    sentence_list = list(sentences)
    doc_spans = list(document_spans)
    for date in dates:
        if published_span and date.span[0] >= published_span[0] and date.span[1] <= published_span[1]:
            date.role = "published"
            continue
        if issued_span and date.span[0] >= issued_span[0] and date.span[1] <= issued_span[1]:
            date.role = "document"
            continue
        if date.role == "period" or not is_day_precision(date.iso):
            date.role = "period"
            continue
        if _near_document(date.span, doc_spans) or _DOCUMENT_TAIL.match(text[date.span[1]:]):
            date.role = "document"
            continue
        sentence = next((s for s in sentence_list if s[0] <= date.span[0] < s[1]), None)
        if sentence and _INSPECTION_CUE.search(text[sentence[0]:sentence[1]]):
            date.role = "inspection"
        else:
            date.role = "other"


def _near_document(span: Span, doc_spans: list[Span]) -> bool:
    """Inside a legal reference or right after its number."""
    return any(start <= span[0] and span[0] - end <= 12 for start, end in doc_spans) and any(
        start <= span[0] <= end + 12 for start, end in doc_spans
    )
