"""Classify the lines of a normalised text: what is mined and what is furniture.

Photo captions, site chrome (with the headlines of a related-articles list
and everything below the start of a comment section), bylines, date lines
and the distribution block of a formal document are kept in the text (spans
stay stable) but never mined for findings. Headings are not findings either, but they set the discourse
context ('II. HẠN CHẾ, TỒN TẠI') of the lines under them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

LAYOUT_VERSION = "layout.v1"

LineKind = Literal[
    "body", "title", "heading", "caption", "chrome", "byline", "dateline", "closing", "blank"
]
MINED_KINDS = frozenset({"body"})

_CHROME = re.compile(
    r"^(tin mới|tin liên quan|tin khác|tin cùng chuyên mục|tin đã đưa|bài viết liên quan|"
    r"gửi bình luận.*|viết bình luận.*|bình luận|ý kiến bạn đọc|trở về trang trước|< trở về.*|"
    r"quay lại|về đầu trang|chia sẻ|bản in|in bài( viết)?|gửi email|lưu tin|xem thêm|"
    r"latest news|other news|related news|view search|write your comment|"
    r"(full name|phone number|title|content|email|họ và tên|họ tên|điện thoại|tiêu đề|nội dung|"
    r"mã xác nhận|mã bảo mật|capcha|captcha)\s*(\(\*\))?\s*:.*|mask|tags?:.*|từ khóa:.*|"
    r"lượt xem:?.*|số lượt truy cập.*|chuyên mục:?.*|trang chủ.*|"
    r".*\(\*\)\s*:?)$",
    re.IGNORECASE,
)
# Headings of a related-articles list: the short headlines under them are chrome.
_RELATED_LIST = re.compile(
    r"^(tin mới|tin liên quan|tin khác|các tin khác|tin cùng chuyên mục|tin đã đưa|"
    r"bài viết liên quan|xem thêm|đọc thêm|latest news|other news|related news)\s*:?$",
    re.IGNORECASE,
)
# The start of a comment section: readers' comments below it are not the article.
_COMMENTS = re.compile(
    r"^(gửi bình luận|viết bình luận|ý kiến bạn đọc|ý kiến của bạn|bình luận(\s*\(\d+\))?|"
    r"write your comment|comments?(\s*\(\d+\))?)\b.{0,30}$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.:;!?…]\W*$")
_CAPTION = re.compile(
    r"(^\s*(?i:ảnh|ảnh minh họa|nguồn ảnh|bài và ảnh|bài, ảnh|bài ảnh|video)\s*:)|"
    r"((\.|\s)\s*(?i:ảnh|ảnh minh họa|nguồn)\s*:?\s*[A-ZĐ][\w.]*(\s+[A-ZĐ][\w.]*){0,4}\s*\.?\s*$)|"
    r"^\S+\.(jpe?g|png|gif)$|^\d{1,2}\.\d{1,2}\.\d{4}-\d+$"
)
_DATELINE = re.compile(
    r"^(đăng ngày|ngày đăng|cập nhật|cập nhật ngày|ngày cập nhật|thời gian đăng|posted)\s*:?",
    re.IGNORECASE,
)
_DATEBAR = re.compile(
    r"^(thứ (hai|ba|tư|năm|sáu|bảy)|chủ nhật)\s*,?\s*(ngày\s*)?\d{1,2}/\d{1,2}/\d{4}\s*$",
    re.IGNORECASE,
)
_NUMBERING = re.compile(r"^((?:[IVX]+|[A-Z]|\d+(?:\.\d+)*)[.)]\s+)")


def _is_heading(line: str) -> bool:
    """An ALL-CAPS line, numbered or not ('II. HẠN CHẾ, TỒN TẠI', 'THÔNG BÁO'), or a short numbered title."""
    rest = _NUMBERING.sub("", line)
    letters = [c for c in rest if c.isalpha()]
    if len(letters) >= 3 and rest == rest.upper() and len(line) < 200:
        return True
    # A short numbered line without a full stop: 'III. Kiến nghị', '2. Tồn tại, hạn chế'.
    return (rest != line and len(rest.split()) <= 7 and rest[:1].isupper()
            and not rest.rstrip().endswith((".", ";", ",")) and len(letters) >= 3)

_SECTION = re.compile(r"^([IVX]+|[a-zđ]|\d+(\.\d+)*)[.)]\s+\S", re.IGNORECASE)
_BULLET = re.compile(r"^[-+•*–]\s*\S")
_CLOSING = re.compile(r"^(nơi nhận|như trên|lưu:|lưu vt)\b", re.IGNORECASE)
_NAME_WORD = r"[A-ZĐÀ-Ỹ][a-zà-ỹđ]+"
_BYLINE = re.compile(
    rf"^({_NAME_WORD}(\s+{_NAME_WORD}){{1,4}}|[A-ZĐ]\.\s?{_NAME_WORD}|PV|CTV|[A-ZĐ]{{2,4}})"
    r"(\s*[(–-]\s*[^()]{2,40}\)?)?\.?$"
)


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


def _is_caption_like(line: str) -> bool:
    """A short line with no closing punctuation between paragraphs (photo caption)."""
    words = line.split()
    return 0 < len(words) <= 16 and line[-1] not in ".:;!?…,\"”)" and not _SECTION.match(line)


def classify_lines(text: str) -> list[Line]:
    """Classify every line of `text` (see `LineKind`)."""
    spans = split_lines(text)
    contents = [text[s:e].strip() for s, e in spans]
    non_blank = [i for i, c in enumerate(contents) if c]
    last_body = max(
        (i for i in non_blank if len(contents[i].split()) > 16), default=len(spans)
    )
    kinds: list[LineKind] = []
    closing = titled = comments = related = after_related_heading = False
    for i, line in enumerate(contents):
        next_line = contents[i + 1] if i + 1 < len(contents) else ""
        if related:  # a related list runs over its headlines; a blank may follow its heading
            related = _is_headline(line) if line else after_related_heading
            after_related_heading = False
        kind: LineKind
        if not line:
            kind = "blank"
        elif closing or _CLOSING.match(line):
            closing, kind = True, "closing"
        elif comments or related or _CHROME.match(line):
            kind = "chrome"
            comments = comments or bool(_COMMENTS.match(line))
            if _RELATED_LIST.match(line):
                related = after_related_heading = True
        elif _DATELINE.match(line) or _DATEBAR.match(line):
            kind = "dateline"
        elif _CAPTION.search(line) or (next_line and _similar(line, next_line)):
            kind = "caption"
        elif not titled:
            kind = "title"
        elif _BULLET.match(line) or line.endswith(";"):
            kind = "body"
        elif _is_heading(line):
            kind = "heading"
        elif i > last_body and _BYLINE.match(line):
            kind = "byline"
        elif _is_caption_like(line) and not line.endswith(":"):
            kind = "heading" if _SECTION.match(line) else "caption"
        else:
            kind = "body"
        titled = titled or kind not in ("blank", "chrome", "dateline")
        kinds.append(kind)
    return [
        Line(start=s, end=e, kind=k, text=c)
        for (s, e), k, c in zip(spans, kinds, contents, strict=True)
    ]


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
