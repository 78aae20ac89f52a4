"""Undo line wrapping: a paragraph printed on several lines is one line of text.

PDF pages and OCR output break a paragraph wherever the line was full; the
later stages treat a line break as the end of a sentence, so a wrap would cut
a finding in two. A break is kept where the next line starts a list item, the
line is a heading in capitals, or the line ends a sentence; otherwise a line
that runs to the right edge of its column (PDF text layers say where that is)
or a next line starting in lower case is a wrap. Known limit: a column of
unpunctuated lines that all run to the edge is read as one paragraph.
"""

from __future__ import annotations

import re

_LIST_ITEM = re.compile(
    r"^\s*(?:[-–—+•*▪◦➢>]|\(?\d{1,2}(?:\.\d{1,2})*[.)]|\(?[a-zđ][.)]|[IVXL]{1,5}[.)])\s", re.I
)
_ITEM_END = re.compile(r"[;:]\s*$")
_SENTENCE_END = re.compile(r"[.!?…]\W*$")


def is_wrap(line: str, following: str, *, full_width: bool | None = None) -> bool:
    """True when the break between `line` and `following` only wrapped a paragraph.

    `full_width` says whether `line` runs to the right edge of its column
    (known for PDF text layers, None for OCR text).
    """
    if not line.strip() or not following.strip() or _LIST_ITEM.match(following):
        return False
    letters = [ch for ch in line if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters):
        return False  # a heading in capitals
    first = following.lstrip()[0]
    if _ITEM_END.search(line):
        return False  # ';' and ':' close list items and lead-ins
    if _SENTENCE_END.search(line):
        return first.islower()  # '...ngày 5.' then 'Đoàn...' starts a new line of its own
    return bool(full_width) or first.islower() or first.isdigit()


def unwrap(lines: list[str], full_width: list[bool] | None = None) -> str:
    """Join a paragraph's lines, with a space at wraps and a newline elsewhere."""
    if not lines:
        return ""
    pieces = [lines[0]]
    for index in range(1, len(lines)):
        width = full_width[index - 1] if full_width is not None else None
        pieces.append(" " if is_wrap(lines[index - 1], lines[index], full_width=width) else "\n")
        pieces.append(lines[index])
    return "".join(pieces)
