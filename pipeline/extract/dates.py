"""Dates and periods: find them, normalise them to ISO, give each a role.

Finding is a table of rules (`DATE_RULES`), Duckling style: each rule has a
name, a priority, a pattern, a production that turns a match into ISO values,
and a corpus of examples it must read (text -> ISO, against
`EXAMPLE_REFERENCE_YEAR`) and must not read. Every rule runs over the whole
text; where matches overlap the higher priority wins, so a full date is never
read again as a day-month, nor a day-month as a year.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from pipeline.contract import DateMention, DateRole, Span

DATES_VERSION = "dates.v2"

# The year a day without one takes in the rule examples (`find_dates(..., reference_year=)`).
EXAMPLE_REFERENCE_YEAR = 2020

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
# Words that put a day on the calendar: 'ngày 5/6', 'sáng 12/3', 'chiều nay, 22/3', 'hôm 4/7'.
_DAY_CUE = r"(?:ngày|sáng|chiều|trưa|tối|đêm|hôm|rạng sáng)(?:\s+(?:nay|qua|mai|hôm qua|hôm nay))?\s*,?"
# Words that link a day to another one ('từ 12/9', 'đến 16/9', 'và 22/9'): slash dates only.
_LINK_CUE = r"(?:từ|đến|tới|trước|sau|và)"
# A number followed by a counted noun is a quantity, not a day ('từ 2/3 số xã', 'ngày 2-3 người').
_NOT_A_DAY_AFTER = (
    r"(?!\s*(?:người|lần|giờ|ngày|tháng|năm|%|số|trở lên|tổng|đơn vị|xã|hồ sơ|cán bộ|công chức|trường hợp))"
)
# A day-month must not be the head of a longer number or date ('5/6/2020', '5.12.2023', '5/6-7').
_NO_TAIL = r"(?![\d/]|[.-]\d|\s?[/-]\s?\d)"


@dataclass(frozen=True)
class Found:
    """What a rule read: a span of the text and its ISO value."""

    span: Span
    iso: str
    end_iso: str | None = None
    role: DateRole = "other"


Production = Callable[[re.Match[str], str, int | None], Iterator[Found]]


@dataclass(frozen=True)
class DateRule:
    """One way dates are written, with the examples that prove it."""

    name: str
    priority: int
    pattern: re.Pattern[str]
    produce: Production
    examples: tuple[tuple[str, tuple[str, ...]], ...] = ()  # text -> find_dates isos (reference year 2020)
    counter_examples: tuple[str, ...] = ()  # texts this rule must not read

    def apply(self, text: str, reference_year: int | None = None) -> list[Found]:
        """Everything this rule alone reads in `text`."""
        return [found for m in self.pattern.finditer(text) for found in self.produce(m, text, reference_year)]


def _day_iso(day: int, month: int, year: int | None) -> str | None:
    """'YYYY-MM-DD', or '--MM-DD' without a year; None for an impossible day."""
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    if year is None:
        return f"--{month:02d}-{day:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}" if 1900 <= year <= 2100 else None


def _range_end_year(text: str, end: int) -> int | None:
    """The year of a range's closing date: 'từ ngày 12/9 đến ngày 16/9/2022'."""
    m = _RANGE_END.match(text, end, min(len(text), end + 40))
    return int(m.group(1)) if m else None


_RANGE_END = re.compile(
    r"\s*(?:đến|tới|-|–)\s*(?:ngày\s+)?\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?(\d{4})", re.IGNORECASE
)


def _full_date(m: re.Match[str], text: str, reference_year: int | None) -> Iterator[Found]:
    """Groups day, month, year."""
    iso = _day_iso(int(m["day"]), int(m["month"]), int(m["year"]))
    if iso:
        yield Found(m.span(), iso)


def _day_month(m: re.Match[str], text: str, reference_year: int | None) -> Iterator[Found]:
    """Groups day, month and an optional year; else the range's closing year or the reference year."""
    year = int(m["year"]) if m["year"] else _range_end_year(text, m.end()) or reference_year
    iso = _day_iso(int(m["day"]), int(m["month"]), year)
    if iso:
        yield Found((m.start("day") if m.re is not _DAY_MONTH_WORDS else m.start(), m.end()), iso)


def _range_first_day(m: re.Match[str], text: str, reference_year: int | None) -> Iterator[Found]:
    """The first day of 'ngày 21 và 22/9': it shares the month (and year) written after the second."""
    month = int(m["month"] or m["wmonth"])
    year_text = m["year"] or m["wyear"]
    iso = _day_iso(int(m["day"]), month, int(year_text) if year_text else reference_year)
    if iso:
        yield Found((m.start(), m.end("day")), iso)


def _quarter(m: re.Match[str], text: str, reference_year: int | None) -> Iterator[Found]:
    q = _ROMAN.get(m["quarter"].upper()) or int(m["quarter"])
    y = int(m["year"])
    yield Found(m.span(), f"{y:04d}-{3 * q - 2:02d}", f"{y:04d}-{3 * q:02d}", "period")


def _half_year(m: re.Match[str], text: str, reference_year: int | None) -> Iterator[Found]:
    y = int(m["year"])
    first = m["half"].lower() == "đầu"
    yield Found(m.span(), f"{y:04d}-{1 if first else 7:02d}", f"{y:04d}-{6 if first else 12:02d}", "period")


def _year_range(m: re.Match[str], text: str, reference_year: int | None) -> Iterator[Found]:
    yield Found(m.span(), m["start"], m["end"], "period")


def _month_year(m: re.Match[str], text: str, reference_year: int | None) -> Iterator[Found]:
    month = int(m["month"])
    if 1 <= month <= 12:
        yield Found(m.span(), f"{int(m['year']):04d}-{month:02d}", role="period")


def _year(m: re.Match[str], text: str, reference_year: int | None) -> Iterator[Found]:
    yield Found(m.span(), m["year"], role="period")


_DAY_MONTH_WORDS = re.compile(
    r"ngày\s+(?P<day>\d{1,2})\s+tháng\s+(?P<month>\d{1,2})(?P<year>)(?!\s+năm\s+\d)(?!\d)", re.IGNORECASE
)

DATE_RULES: tuple[DateRule, ...] = (
    DateRule(
        name="full_date_words",
        priority=100,
        pattern=re.compile(
            r"(?:ngày\s+)?(?<![\d/.-])(?P<day>\d{1,2})\s+tháng\s+(?P<month>\d{1,2})\s*(?:năm|/)\s*(?P<year>\d{4})",
            re.IGNORECASE,
        ),
        produce=_full_date,
        examples=(
            ("Hà Tĩnh, ngày 09 tháng 10 năm 2018", ("2018-10-09",)),
            ("ngày 12 tháng 3 năm 2020 đoàn làm việc", ("2020-03-12",)),
            ("Hà Nội, 12 tháng 5 năm 2023", ("2023-05-12",)),
            ("ngày 3 tháng 4/2019", ("2019-04-03",)),
        ),
        counter_examples=("ngày 31 tháng 13 năm 2020", "12 tháng lương năm 2020"),
    ),
    DateRule(
        name="full_date_numeric",
        priority=95,
        pattern=re.compile(
            r"(?<![\d/.-])(?P<day>\d{1,2})\s?(?P<sep>[/.-])\s?(?P<month>\d{1,2})\s?(?P=sep)\s?(?P<year>\d{4})(?![\d/])"
        ),
        produce=_full_date,
        examples=(
            ("Đăng ngày: 25/08/2017 10:48:24", ("2017-08-25",)),
            ("ngày 21-3-2013 đoàn kiểm tra", ("2013-03-21",)),
            ("Kết luận số 5/KL-TTr ngày 13.11.2023", ("2023-11-13",)),
            ("ngày 5 / 6 / 2019", ("2019-06-05",)),
        ),
        counter_examples=(
            "điện thoại 0912.345.678", "(04) 38.228.302", "ISO 9001:2015", "5/6-2020", "12.34.5678",
            "32/01/2020", "5/13/2020", "Quyết định số 12/2019/QĐ-UBND",
        ),
    ),
    DateRule(
        name="iso_date",
        priority=95,
        pattern=re.compile(r"(?<![\d/.-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\d/-])"),
        produce=_full_date,
        examples=(("date 2021-04-15 (ABC) - Sáng nay", ("2021-04-15",)),),
        counter_examples=("nhiệm kỳ 2016-2021", "mã 2020-13-45", "số 0243-12-34"),
    ),
    DateRule(
        name="day_range_shared_month",
        priority=90,
        pattern=re.compile(
            r"(?<!\w)ngày\s+(?P<day>\d{1,2})\s*(?:đến|và|-|–)\s*(?:ngày\s+)?\d{1,2}"
            r"(?:\s?[/.-]\s?(?P<month>\d{1,2})(?:\s?[/.-]\s?(?P<year>\d{4}))?"
            r"|\s+tháng\s+(?P<wmonth>\d{1,2})(?:\s*(?:năm|/)\s*(?P<wyear>\d{4}))?)"
            r"(?![\d/])",
            re.IGNORECASE,
        ),
        produce=_range_first_day,
        examples=(
            ("Từ ngày 17 đến 19-7-2023, Đoàn kiểm tra", ("2023-07-17", "2023-07-19")),
            ("Trong 2 ngày 21 và 22/9, Đoàn kiểm tra", ("2020-09-21", "2020-09-22")),
            ("Ngày 27 và 28 tháng 6 năm 2023, Đoàn", ("2023-06-27", "2023-06-28")),
            ("ngày 5 và 6/12 đoàn làm việc", ("2020-12-05", "2020-12-06")),
            ("từ ngày 3 đến 5/4", ("2020-04-03", "2020-04-05")),
            ("Từ ngày 14 – 15/11/2017, Đoàn", ("2017-11-14", "2017-11-15")),
        ),
        counter_examples=("trong 2 ngày làm việc", "ngày 5 và 6 người", "ngày 3 đến 5/15"),
    ),
    DateRule(
        name="day_month_cued",
        priority=80,
        pattern=re.compile(
            rf"(?<!\w){_DAY_CUE}\s*(?:ngày\s+)?(?P<day>\d{{1,2}})(?:\s?/\s?|[.-])(?P<month>\d{{1,2}})"
            rf"(?:\s+năm\s+(?P<year>\d{{4}}))?{_NO_TAIL}{_NOT_A_DAY_AFTER}",
            re.IGNORECASE,
        ),
        produce=_day_month,
        examples=(
            ("trong ngày 5/6.", ("2020-06-05",)),
            ("sáng 24/8, đoàn đến", ("2020-08-24",)),
            ("Chiều nay, 22/3, đoàn kiểm tra công vụ đến", ("2020-03-22",)),
            ("chiều ngày 25-12 đoàn làm việc", ("2020-12-25",)),
            ("Ngày 5.12, tỉnh ban hành công văn", ("2020-12-05",)),
            ("khoảng 15 giờ ngày 22.11, tổ kiểm tra", ("2020-11-22",)),
            ("Sáng 25-6, đoàn kiểm tra", ("2020-06-25",)),
            ("từ ngày 12/9 đến ngày 16/9/2022", ("2022-09-12", "2022-09-16")),
            ("ngày 12/3 năm 2019, đoàn", ("2019-03-12",)),
        ),
        counter_examples=(
            "trong ngày 2-3 lần", "mỗi ngày 1.000 hồ sơ", "ngày 5/6/2020", "sáng 3/4 số xã", "ngày 32/1",
            "ngày 5.12.2023", "chiều 2-3 giờ",
        ),
    ),
    DateRule(
        name="day_month_linked",
        priority=75,
        pattern=re.compile(
            rf"(?<!\w){_LINK_CUE}\s+(?P<day>\d{{1,2}})\s?/\s?(?P<month>\d{{1,2}})(?P<year>){_NO_TAIL}{_NOT_A_DAY_AFTER}",
            re.IGNORECASE,
        ),
        produce=_day_month,
        examples=(("kéo dài đến 16/9, đoàn", ("2020-09-16",)), ("từ 1/1 đến 7/3", ("2020-01-01", "2020-03-07"))),
        counter_examples=(
            "7/21 xã, thị trấn", "đạt 28/81 đơn vị", "từ 2/3 số xã trở lên", "bố trí từ 02 - 03 người trực",
            "và 3/17 người", "đến 2/3 tổng số", "và 26/2021/NĐ-CP",
        ),
    ),
    DateRule(
        name="day_month_words",
        priority=70,
        pattern=_DAY_MONTH_WORDS,
        produce=_day_month,
        examples=(("ngày 4 tháng 7", ("2020-07-04",)),),
        counter_examples=("ngày 4 tháng 7 năm 2021",),
    ),
    DateRule(
        name="quarter",
        priority=60,
        pattern=re.compile(r"quý\s+(?P<quarter>I{1,3}|IV|[1-4])\s*(?:/|năm)\s*(?P<year>\d{4})", re.IGNORECASE),
        produce=_quarter,
        examples=(("quý I/2020", ("2020-01",)), ("quý 3 năm 2022", ("2022-07",))),
        counter_examples=("quý khách",),
    ),
    DateRule(
        name="half_year",
        priority=60,
        pattern=re.compile(r"(?:6|sáu)\s+tháng\s+(?P<half>đầu|cuối)\s+năm\s+(?P<year>\d{4})", re.IGNORECASE),
        produce=_half_year,
        examples=(("6 tháng đầu năm 2021", ("2021-01",)), ("sáu tháng cuối năm 2019", ("2019-07",))),
    ),
    DateRule(
        name="year_range",
        priority=50,
        pattern=re.compile(
            r"(?:năm học|nhiệm kỳ|giai đoạn|niên khóa)\s+(?P<start>\d{4})\s*[-–—]\s*(?P<end>\d{4})", re.IGNORECASE
        ),
        produce=_year_range,
        examples=(("năm học 2019 – 2020", ("2019",)), ("nhiệm kỳ 2016 - 2021", ("2016",))),
    ),
    DateRule(
        name="month_year",
        priority=40,
        pattern=re.compile(r"tháng\s+(?P<month>\d{1,2})\s*(?:/|năm)\s*(?P<year>\d{4})(?!\d)", re.IGNORECASE),
        produce=_month_year,
        examples=(("tháng 6/2021", ("2021-06",)), ("tháng 12 năm 2019", ("2019-12",))),
        counter_examples=("tháng 13/2021",),
    ),
    DateRule(
        name="year",
        priority=10,
        pattern=re.compile(r"(?<![\w/])năm\s+(?P<year>\d{4})(?![\d/-])", re.IGNORECASE),
        produce=_year,
        examples=(("năm 2017", ("2017",)),),
        counter_examples=("Chỉ thị 26", "Quyết định số 12/2019", "năm 2019-2020"),
    ),
)


def _overlaps(span: Span, taken: list[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def find_dates(text: str, *, reference_year: int | None = None) -> list[DateMention]:
    """Every date and period in `text`, role 'other' or 'period', in text order.

    A day without a year takes `reference_year` (the publication or
    inspection year) when given, else is written '--MM-DD'. Ranges
    'từ ngày 12/9 đến ngày 16/9/2022' give the first day the second's year.
    """
    candidates = sorted(
        ((rule.priority, found) for rule in DATE_RULES for found in rule.apply(text, reference_year)),
        key=lambda c: (-c[0], c[1].span[0]),
    )
    taken: list[Span] = []
    found: list[DateMention] = []
    for _, candidate in candidates:
        if _overlaps(candidate.span, taken):
            continue
        taken.append(candidate.span)
        start, end = candidate.span
        found.append(DateMention(iso=candidate.iso, text=text[start:end], role=candidate.role,
                                 span=candidate.span, end_iso=candidate.end_iso))
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


_DAY_PRECISION = re.compile(r"(\d{4}|-)-\d{2}-\d{2}")


def is_day_precision(iso: str) -> bool:
    """True for 'YYYY-MM-DD' and '--MM-DD'."""
    return bool(_DAY_PRECISION.fullmatch(iso))


_INSPECTION_CUE = re.compile(
    r"kiểm tra|làm việc (tại|với)|khảo sát|thanh tra|giám sát|đến kiểm tra", re.IGNORECASE
)
_DOCUMENT_TAIL = re.compile(r"\s*,?\s*(của|do)\s", re.IGNORECASE)


@dataclass(frozen=True)
class RoleContext:
    """What the role rules look at besides the date itself."""

    text: str
    sentences: list[Span]
    document_spans: list[Span]
    published_span: Span | None
    issued_span: Span | None


def _inside(span: Span, outer: Span | None) -> bool:
    return outer is not None and outer[0] <= span[0] and span[1] <= outer[1]


def _is_published(date: DateMention, ctx: RoleContext) -> bool:
    """The date the metadata took as the publication date."""
    return _inside(date.span, ctx.published_span)


def _is_issue_date(date: DateMention, ctx: RoleContext) -> bool:
    """The document's own date ('Hà Tĩnh, ngày 9 tháng 10 năm 2022')."""
    return _inside(date.span, ctx.issued_span)


def _is_period(date: DateMention, ctx: RoleContext) -> bool:
    """Years, quarters, months, school years: coarser than a day."""
    return date.role == "period" or not is_day_precision(date.iso)


def _is_cited_document_date(date: DateMention, ctx: RoleContext) -> bool:
    """Inside a legal reference, right after its number, or followed by 'của'/'do' (its issuer)."""
    return _near_document(date.span, ctx.document_spans) or bool(_DOCUMENT_TAIL.match(ctx.text, date.span[1]))


def _in_inspection_sentence(date: DateMention, ctx: RoleContext) -> bool:
    """A day in a sentence about an inspection, supervision or working visit."""
    sentence = next((s for s in ctx.sentences if s[0] <= date.span[0] < s[1]), None)
    return sentence is not None and bool(_INSPECTION_CUE.search(ctx.text, sentence[0], sentence[1]))


_DEADLINE_BEFORE = re.compile(
    r"(?:trước|chậm nhất|hạn chót|hạn cuối|thời hạn|hạn)\s+(?:là\s+|đến\s+)?(?:ngày\s+)?$", re.IGNORECASE
)


def _is_deadline(date: DateMention, ctx: RoleContext) -> bool:
    """A day set as a deadline ('báo cáo kết quả trước ngày 3/7'), not a day something happened."""
    return bool(_DEADLINE_BEFORE.search(ctx.text, max(0, date.span[0] - 25), date.span[0]))


# The first rule that holds gives the role; a date no rule claims is 'other'.
ROLE_RULES: tuple[tuple[DateRole, Callable[[DateMention, RoleContext], bool]], ...] = (
    ("published", _is_published),
    ("document", _is_issue_date),
    ("period", _is_period),
    ("document", _is_cited_document_date),
    ("other", _is_deadline),
    ("inspection", _in_inspection_sentence),
)


def assign_date_roles(
    text: str,
    dates: list[DateMention],
    *,
    sentences: Iterable[Span],
    document_spans: Iterable[Span] = (),
    published_span: Span | None = None,
    issued_span: Span | None = None,
) -> None:
    """Give each date a role from `ROLE_RULES`, in place."""
    ctx = RoleContext(text, list(sentences), list(document_spans), published_span, issued_span)
    for date in dates:
        date.role = next((role for role, holds in ROLE_RULES if holds(date, ctx)), "other")


def _near_document(span: Span, doc_spans: list[Span]) -> bool:
    """Inside a legal reference or right after its number."""
    return any(start <= span[0] and span[0] - end <= 12 for start, end in doc_spans) and any(
        start <= span[0] <= end + 12 for start, end in doc_spans
    )
