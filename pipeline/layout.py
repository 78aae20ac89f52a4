"""Classify the lines of a normalised text: what is mined and what is furniture.

Photo captions, site chrome (with the headlines of a related-articles list
and everything below the start of a comment section), bylines, date lines
and the distribution block of a formal document are kept in the text (spans
stay stable) but never mined for findings. Headings are not findings either,
but they set the discourse context ('II. HẠN CHẾ, TỒN TẠI') of the lines
under them.

A line first gets the kind of the first rule of `LINE_RULES` it matches (the
table, with examples, is the documentation); then its position decides the
rest: the title is a short line without closing punctuation in the head of
the page (above the first paragraph), a text that starts mid-article has
none; a time stamp or bare date is a dateline only in the head; a related
list, a comment section and a formal document's distribution block run to
their end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

LAYOUT_VERSION = "layout.v2"

LineKind = Literal[
    "body", "title", "heading", "caption", "chrome", "byline", "dateline", "closing", "blank"
]
MINED_KINDS = frozenset({"body"})

# A title is at most this many words; a longer line is a paragraph.
TITLE_MAX_WORDS = 35

# --- date lines -----------------------------------------------------------------------------------
_TIME = r"\d{1,2}\s?[:h]\s?\d{2}(?::\d{2})?(?:\s*(?:AM|PM|SA|CH))?"
_DATE = r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}\s+tháng\s+\d{1,2}\s*(?:năm|,)?\s*\d{4})"
_WEEKDAY = (
    r"(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật|CN|"
    r"mon|tue|wed|thu|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?\.?"
)
_SEP = r"\s*[,|–—-]?\s*"
_GMT = r"(?:\s*\(?\s*GMT\s*[+-]?\s*\d{1,2}(?::?\d{2})?\s*\)?)?"
_STAMP = rf"(?:{_TIME}{_SEP}(?:ngày\s*)?{_DATE}|(?:ngày\s*)?{_DATE}{_SEP}(?:lúc\s*)?{_TIME}){_GMT}"
# The words a site writes before its publication date.
DATE_LABEL = (
    r"(?:đăng ngày|ngày đăng|đăng lúc|đăng tải|ngày cập nhật|cập nhật lúc|cập nhật ngày|cập nhật|"
    r"thời gian đăng|thời gian cập nhật|ngày xuất bản|xuất bản(?: ngày| lúc)?|ngày gửi|"
    r"posted(?: on| at)?|published(?: on| at)?|updated|date)"
)
LABELLED_DATE = re.compile(
    rf"^{DATE_LABEL}\s*:?\s*(?:{_WEEKDAY}{_SEP})?(?:{_STAMP}|(?:ngày\s*)?{_DATE})", re.IGNORECASE
)
# '(09:40 07/05/2021)' at the end of a title.
TITLE_STAMP = re.compile(rf"\(\s*(?:{_WEEKDAY}{_SEP})?{_STAMP}\s*\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class DatelineRule:
    """A way a page prints its date on a line of its own, and how far it is the publication date."""

    name: str
    pattern: re.Pattern[str]  # matches the whole line
    publication_confidence: float
    head_only: bool  # a dateline only in the head of the page (elsewhere it is a table cell, a caption)
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()


DATELINE_RULES: tuple[DatelineRule, ...] = (
    DatelineRule(
        name="labelled",
        pattern=re.compile(rf"{LABELLED_DATE.pattern}{_GMT}(?:\s*[|–-]\s*[^.]{{0,60}})?\s*$", re.IGNORECASE),
        publication_confidence=0.95,
        head_only=False,
        examples=(
            "Đăng ngày: 14/05/2021 09:12:45", "Cập nhật: 10:20, 05/03/2021", "Ngày đăng: 03/02/2022",
            "Đăng lúc 08:15 ngày 12/05/2019", "Posted: 12/05/2019 08:15", "Cập nhật ngày: 14/11/2014 09:05:12",
            "Đăng ngày 09-09-2022 07:44 | Lượt xem: 120",
        ),
        counter_examples=("Cập nhật bộ thủ tục hành chính mới theo quy định.", "Ngày đăng ký: còn trống"),
    ),
    DatelineRule(
        name="time_stamp",
        pattern=re.compile(rf"^\(?\s*(?:{_WEEKDAY}{_SEP})?{_STAMP}\s*\)?\s*$", re.IGNORECASE),
        publication_confidence=0.9,
        head_only=True,
        examples=(
            "08:15 12/05/2019", "12/05/2019 08:15", "Thứ Hai, 14/09/2020 - 10:15", "Thứ hai, 14/9/2020, 10:15 (GMT+7)",
            "(14:50 | 11/07/2022)", "09:50:00 29/07/2017", "23/07/2019 - 08:44", "(10:25 18/04/2023)",
        ),
        counter_examples=("0:00 / 0:00", "12/05/2019", "Lúc 8:15 ngày 12/5/2019 đoàn đến kiểm tra tại xã."),
    ),
    DatelineRule(
        name="bare_date",
        pattern=re.compile(rf"^\(?\s*(?:ngày\s*)?{_DATE}\s*\)?\s*$", re.IGNORECASE),
        publication_confidence=0.7,
        head_only=True,
        examples=("12/05/2019", "(ngày 12/5/2019)", "2019-05-12"),
        counter_examples=("12/05", "Số: 12/2019/QĐ-UBND", "2016-2021"),
    ),
    DatelineRule(
        name="date_bar",  # a site's date bar says the day the page was saved, not when it was written
        pattern=re.compile(rf"^{_WEEKDAY}{_SEP}(?:ngày\s*)?{_DATE}\s*$", re.IGNORECASE),
        publication_confidence=0.3,
        head_only=True,
        examples=("Thứ sáu,  12/05/2023", "Chủ nhật, ngày 3/4/2022", "Thứ 4, 29/03/2023"),
        counter_examples=("Thứ sáu tuần trước đoàn đến kiểm tra",),
    ),
)


def dateline_rule(line: str) -> DatelineRule | None:
    """The first dateline rule the whole line matches."""
    return next((rule for rule in DATELINE_RULES if rule.pattern.match(line)), None)


# --- furniture --------------------------------------------------------------------------------------
_CHROME = re.compile(
    r"^(tin mới|tin liên quan|tin khác|tin cùng chuyên mục|tin đã đưa|bài viết liên quan|"
    r"tin nổi bật|tin tiêu điểm|tin mới nhất|tin đọc nhiều|đọc nhiều( nhất)?|xem nhiều( nhất)?|"
    r"gửi bình luận.*|viết bình luận.*|bình luận|ý kiến bạn đọc|trở về trang trước|< trở về.*|"
    r"quay lại|về đầu trang|lên đầu trang|top|chia sẻ( bài viết)?|bản in|in bài( viết)?|gửi email|lưu tin|"
    r"xem thêm|đăng nhập|đăng ký|đăng xuất|tìm kiếm|zalo|facebook|twitter|youtube|"
    r"(xem với )?cỡ chữ.*|a\s?a|a-\s?a\+|"
    r"latest news|other news|related news|view search|write your comment|share|print|"
    r"(full name|phone number|title|content|email|họ và tên|họ tên|điện thoại|tiêu đề|nội dung|"
    r"mã xác nhận|mã bảo mật|capcha|captcha)\s*(\(\*\))?\s*:.*|tags?:.*|từ khóa:.*|"
    r"lượt xem:?.*|số lượt truy cập.*|chuyên mục:?.*|trang chủ.*|"
    r"(cổng|trang) thông tin( điện tử)?\b[^.;:,]{0,60}|báo điện tử\b[^.;:,]{0,60}|"
    r".*\(\*\)\s*:?)\s*:?$",
    re.IGNORECASE,
)
# Markup that leaked into the text: one lower-case ASCII token ('null', a CSS class, an alt text).
_MARKUP_TOKEN = re.compile(r"^[a-z][a-z0-9_-]*$")
# A media player's counters: '0:00 / 0:00'.
_MEDIA_COUNTER = re.compile(r"^\d{1,2}:\d{2}(\s*/\s*\d{1,2}:\d{2})?$")
# A site's contact strip: an e-mail address, or a hotline / phone label with a number.
_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+|^[:\s]*(liên hệ|hotline|đường dây nóng|điện thoại|tel|fax|email)\b.{0,20}[:\s]*\(?\d",
    re.IGNORECASE,
)
# A language switch: 'Tiếng Việt | English'.
_LANGUAGE_SWITCH = re.compile(r"^(tiếng việt|english|vietnamese|中文|français)(\s*[|/-]\s*(tiếng việt|english|\S+))*$",
                              re.IGNORECASE)
# Headings of a related-articles list: the short headlines under them are chrome.
_RELATED_LIST = re.compile(
    r"^(tin mới|tin liên quan|tin khác|các tin khác|tin cùng chuyên mục|tin đã đưa|"
    r"bài viết liên quan|xem thêm|đọc thêm|latest news|other news|related news)\s*:?$",
    re.IGNORECASE,
)
# The start of a comment section: readers' comments below it are not the article.
_COMMENTS = re.compile(
    r"^(gửi bình luận|viết bình luận|ý kiến bạn đọc|ý kiến của bạn|bình luận(\s*\(\d+\))?|"
    r"write your comment|comments?(\s*\(\d+\))?)\b.{0,30}$|^bạn\b.{0,40}\bbình luận\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.:;!?…]\W*$")
_CAPTION = re.compile(
    r"(^\s*(?i:ảnh|ảnh minh họa|nguồn ảnh|bài và ảnh|bài, ảnh|bài ảnh|video)\s*:)|"
    r"((\.|\s)\s*(?i:ảnh|ảnh minh họa|nguồn)\s*:?\s*[A-ZĐ][\w.]*(\s+[A-ZĐ][\w.]*){0,4}\s*\.?\s*$)"
)
# An image's file name or id left as a caption: one token of letters and digits joined by '-', '_'
# or '.', with a digit in it ('anh-1-1717239205.jpg', '25.8.2017-1', 'IMG_2041').
_MEDIA_NAME = re.compile(r"^(?=\S*\d)[\w.]+([-_][\w.]+)+$|^\S+\.(jpe?g|png|gif|webp)$", re.IGNORECASE)
_NUMBERING = re.compile(r"^((?:[IVX]+|[A-Z]|\d+(?:\.\d+)*)[.)]\s+)")
_SECTION = re.compile(r"^([IVX]+|[a-zđ]|\d+(\.\d+)*)[.)]\s+\S", re.IGNORECASE)
_BULLET = re.compile(r"^[-+•*–]\s*\S")
_CLOSING = re.compile(r"^((nơi nhận|như trên|lưu vt)\b|lưu\s*:)", re.IGNORECASE)
_NAME_WORD = r"[A-ZĐÀ-Ỹ][a-zà-ỹđ]+"
_BYLINE = re.compile(
    rf"^({_NAME_WORD}(\s+{_NAME_WORD}){{1,4}}|[A-ZĐ]\.\s?{_NAME_WORD}|PV|CTV|[A-ZĐ]{{2,4}})"
    r"(\s*[(–-]\s*[^()]{2,40}\)?)?\.?$"
)
# Authors in capitals: initials and names joined ('Đ. HÙNG - T.NGUYÊN'), or closed by a '|' ('MINH AN |').
_INITIAL_NAME = r"[A-ZĐ]\.\s?[A-ZĐÀ-Ỹ]{2,}"
_CAPS_BYLINE = re.compile(
    rf"^{_INITIAL_NAME}(\s*[-–,&]\s*{_INITIAL_NAME})+\s*\|?$|^([A-ZĐ]\.\s?)?[A-ZĐÀ-Ỹ]{{2,}}(\s+[A-ZĐÀ-Ỹ]{{2,}}){{0,3}}\s*\|$"
)
# A site tag opening a lead: '(Baoxyz.vn) -', 'TTXVN -', 'LONG AN -'; the line is body, never a title.
_LEAD_TAG = re.compile(r"^(\([^()\n]{2,40}\)\s*[-–—:]|[A-ZĐÀ-Ỹ.]{2,12}(\s+[A-ZĐÀ-Ỹ]{2,12}){0,2}\s*[-–—]\s)")


def _is_heading(line: str) -> bool:
    """An ALL-CAPS line, numbered or not ('II. HẠN CHẾ, TỒN TẠI', 'THÔNG BÁO'), or a short numbered title."""
    rest = _NUMBERING.sub("", line)
    if rest == line and rest != rest.upper():  # cheap exit for the common case, a sentence
        return False
    letters = sum(c.isalpha() for c in rest)
    if letters >= 3 and rest == rest.upper() and len(line) < 200:
        return True
    # A short numbered line without a full stop: 'III. Kiến nghị', '2. Tồn tại, hạn chế'.
    return (rest != line and len(rest.split()) <= 7 and rest[:1].isupper()
            and not rest.rstrip().endswith((".", ";", ",")) and letters >= 3)


def _is_caption_like(line: str) -> bool:
    """A short line with no closing punctuation between paragraphs (photo caption)."""
    words = line.split()
    return (0 < len(words) <= 16 and line[-1] not in ".:;!?…,\"”)" and not _SECTION.match(line)
            and not line.endswith(":"))


def _is_dateline(line: str) -> bool:
    return dateline_rule(line) is not None


@dataclass(frozen=True)
class LineRule:
    """A kind of line recognised from its own text."""

    name: str
    kind: LineKind
    matches: Callable[[str], bool]
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()


def _short_line_kind(line: str) -> LineKind:
    return "heading" if _SECTION.match(line) else "caption"


# First match wins. A short line ('short_line') may still become the title, a date line outside
# the head goes back to what it would be without the date rules (see `classify_lines`).
LINE_RULES: tuple[LineRule, ...] = (
    LineRule("distribution_block", "closing", lambda s: bool(_CLOSING.match(s)),
             ("Nơi nhận:", "Như trên;", "Lưu: VT, NV."), ("Nơi làm việc của bộ phận một cửa chật hẹp.",)),
    LineRule("site_chrome", "chrome", lambda s: bool(_CHROME.match(s)),
             ("Tin liên quan", "Gửi bình luận", "Từ khóa: cải cách hành chính", "Đăng nhập", "Tiêu đề (*):",
              "Cổng thông tin điện tử huyện Yên Hòa", "TIN NỔI BẬT:", "Xem với cỡ chữ", "Chia sẻ"),
             ("Tin tưởng vào sự chỉ đạo của tỉnh, xã đã hoàn thành kế hoạch.",
              "Trang thông tin của xã chưa cập nhật thủ tục hành chính theo quy định.")),
    LineRule("markup_token", "chrome", lambda s: bool(_MARKUP_TOKEN.match(s)),
             ("null", "mask", "leftcenterrightdel"), ("Ảnh", "UBND", "xã")),
    LineRule("media_counter", "chrome", lambda s: bool(_MEDIA_COUNTER.match(s)), ("0:00 / 0:00", "0:00"),
             ("08:15 12/05/2019",)),
    LineRule("contact_strip", "chrome", lambda s: len(s) < 160 and bool(_CONTACT.search(s)),
             (": toasoan@baoxyz.vn | : 0912 345 678", "Liên hệ quảng cáo: (024) 3943 1943",
              ": bandoc@gmail.com | : (04) 38.111.222"),
             ("Điện thoại di động không được sử dụng trong giờ họp.",)),
    LineRule("language_switch", "chrome", lambda s: bool(_LANGUAGE_SWITCH.match(s)),
             ("Tiếng Việt | English", "English"), ("Tiếng Việt là ngôn ngữ chính thức.",)),
    LineRule("dateline", "dateline", _is_dateline,
             ("Đăng ngày: 25/08/2017 10:48:24", "10:19 10/11/2022", "Thứ tư, 29/03/2023"),
             ("Ngày 12/5/2019, đoàn kiểm tra làm việc tại xã.",)),
    LineRule("photo_caption", "caption", lambda s: bool(_CAPTION.search(s) or _MEDIA_NAME.match(s)),
             ("Đoàn kiểm tra làm việc tại xã Yên Hòa. Ảnh: Minh An", "Ảnh: Minh An", "anh-doan-kiem-tra-1717239205.jpg",
              "12.8.2021-3", "IMG_2041.JPG"),
             ("Kiểm tra hồ sơ tại xã Yên Hòa", "ISO 9001:2015", "UBND")),
    LineRule("list_item", "body", lambda s: bool(_BULLET.match(s)) or s.endswith(";"),
             ("- Chưa niêm yết thủ tục hành chính", "hồ sơ lưu trữ chưa khoa học;"), ()),
    LineRule("caps_byline", "byline", lambda s: bool(_CAPS_BYLINE.match(s)),
             ("Đ. MINH - T.LAN |", "MINH AN |", "H. NGỌC - T. LAN"),
             ("II. HẠN CHẾ", "A. HẠN CHẾ", "THÔNG BÁO", "KẾT LUẬN - KIẾN NGHỊ")),
    LineRule("site_tag_lead", "body", lambda s: bool(_LEAD_TAG.match(s)),
             ("(Baoxyz.vn) - Sáng 12/3, đoàn đến xã", "HNT - Chiều qua", "(ABC) – Đoàn kiểm tra"),
             ("Hà Nội: Kiểm tra công vụ", "UBND TỈNH YÊN HÒA")),
    LineRule("heading", "heading", _is_heading,
             ("II. HẠN CHẾ, TỒN TẠI", "THÔNG BÁO", "III. Kiến nghị", "2. Tồn tại, hạn chế"),
             ("Đoàn kiểm tra ghi nhận xã đã niêm yết thủ tục.",)),
    LineRule("short_line", "caption", _is_caption_like,  # kind refined by `_short_line_kind`
             ("Toàn cảnh buổi làm việc", "Quang cảnh hội nghị"), ("Kết quả như sau:", "Đoàn đã kiểm tra tại xã.")),
    LineRule("body", "body", lambda s: True, ("Đoàn đã kiểm tra tại xã Yên Hòa.",), ()),
)
_TITLE_RULES = frozenset({"heading", "short_line", "body"})


def line_rule(line: str) -> LineRule:
    """The first rule of `LINE_RULES` that the (stripped, non-blank) line matches."""
    return next(rule for rule in LINE_RULES if rule.matches(line))


@dataclass(frozen=True)
class Line:
    """A line of the normalised text and what it is."""

    start: int
    end: int
    kind: LineKind
    text: str

    @property
    def mined(self) -> bool:
        return self.kind in MINED_KINDS


def split_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, end excluding the newline."""
    spans = []
    start = 0
    for i, ch in enumerate(text):
        if ch == "\n":
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    return spans


def is_title_like(line: str, *, before_dateline: bool = False) -> bool:
    """A short line without closing punctuation that does not open with a site tag.

    A line closed by a full stop is still a title when a dateline follows it
    ('Kiểm tra tại huyện A.' / 'Đăng ngày: ...').
    """
    words = line.split()
    if not 2 <= len(words) <= TITLE_MAX_WORDS or _LEAD_TAG.match(line) or _BULLET.match(line):
        return False
    return before_dateline or not line.rstrip("\"”’' ").endswith((".", ";", ":", ",", "…"))


def classify_lines(text: str) -> list[Line]:
    """Classify every line of `text` (see `LineKind`)."""
    spans = split_lines(text)
    contents = [text[s:e].strip() for s, e in spans]
    rules = [line_rule(c) if c else None for c in contents]
    kinds: list[LineKind] = [
        "blank" if rule is None else _short_line_kind(c) if rule.name == "short_line" else rule.kind
        for c, rule in zip(contents, rules, strict=True)
    ]
    _run_sections(contents, kinds)
    head_end = _head_end(contents, kinds)
    _place_datelines(contents, kinds, head_end)
    _mark_title(contents, kinds, rules, head_end)
    _mark_repeated_captions(contents, kinds)
    _mark_bylines(contents, kinds)
    return [
        Line(start=s, end=e, kind=k, text=c)
        for (s, e), k, c in zip(spans, kinds, contents, strict=True)
    ]


def _run_sections(contents: list[str], kinds: list[LineKind]) -> None:
    """A distribution block and a comment section run to the end; a related list over its headlines."""
    closing = comments = related = after_related_heading = False
    for i, line in enumerate(contents):
        if related:  # a related list runs over its headlines; a blank may follow its heading
            related = _is_headline(line) if line else after_related_heading
            after_related_heading = False
        if not line:
            continue
        if closing or kinds[i] == "closing":
            closing, kinds[i] = True, "closing"
        elif comments or related or kinds[i] == "chrome" or _COMMENTS.match(line):
            kinds[i] = "chrome"
            comments = comments or bool(_COMMENTS.match(line))
            if _RELATED_LIST.match(line):
                related = after_related_heading = True


def _head_end(contents: list[str], kinds: list[LineKind]) -> int:
    """Index of the first paragraph: a body line that could not be a title."""
    for i, (line, kind) in enumerate(zip(contents, kinds, strict=True)):
        if kind == "body" and not is_title_like(line, before_dateline=_next_is_dateline(contents, kinds, i)):
            return i
    return len(contents)


def _next_is_dateline(contents: list[str], kinds: list[LineKind], i: int) -> bool:
    following = next((j for j in range(i + 1, len(contents)) if contents[j]), None)
    return following is not None and kinds[following] == "dateline"


def _place_datelines(contents: list[str], kinds: list[LineKind], head_end: int) -> None:
    """A stamp or a bare date below the head is a table cell or a caption, not the page's date."""
    for i in range(head_end, len(contents)):
        if kinds[i] == "dateline" and (rule := dateline_rule(contents[i])) and rule.head_only:
            kinds[i] = "caption"


def _mark_title(contents: list[str], kinds: list[LineKind], rules: list[LineRule | None], head_end: int) -> None:
    """The title: in the head, the title-like line right above the page's dateline, else the first one."""
    candidates = [
        i for i in range(head_end)
        if kinds[i] in ("body", "heading", "caption") and (rule := rules[i]) is not None
        and rule.name in _TITLE_RULES
        and is_title_like(contents[i], before_dateline=_next_is_dateline(contents, kinds, i))
    ]
    if not candidates:
        return
    above_dateline = [i for i in candidates if _next_is_dateline(contents, kinds, i)]
    kinds[(above_dateline or candidates)[0]] = "title"


def _mark_repeated_captions(contents: list[str], kinds: list[LineKind]) -> None:
    """A line the next line repeats almost word for word is a caption (shown twice by the page)."""
    for i in range(len(contents) - 1):
        if kinds[i] in ("body", "caption", "heading") and _similar(contents[i], contents[i + 1]):
            kinds[i] = "caption"


def _mark_bylines(contents: list[str], kinds: list[LineKind]) -> None:
    """An author's name below the last paragraph."""
    long_lines = [i for i, c in enumerate(contents) if len(c.split()) > 16]
    last_body = max(long_lines, default=len(contents))
    for i in range(last_body + 1, len(contents)):
        if kinds[i] in ("body", "caption") and _BYLINE.match(contents[i]):
            kinds[i] = "byline"


def _is_headline(line: str) -> bool:
    """A line of a related-articles list: a short title, not a sentence."""
    return (len(line.split()) <= 60 and not _SENTENCE_END.search(line)
            and not _SECTION.match(line) and not _is_heading(line))


def _similar(a: str, b: str) -> bool:
    """Two consecutive lines that say nearly the same (a caption repeated)."""
    if min(len(a), len(b)) < 20:
        return False
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return len(wa & wb) / max(len(wa | wb), 1) > 0.7
