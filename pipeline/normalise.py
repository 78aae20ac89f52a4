"""Normalise decoded text and keep a map back to the source.

Unicode NFC, one tone-mark convention (the one underthesea uses: 'hòa',
'thủy', 'khỏe'), clean whitespace. Every character of the normalised text
keeps the block it came from and its offset in that block, so any span can
be traced to its page and place in the file. Tracked deletions a reader marked
(`TextBlock.deleted`) are left out of the normalised text.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field

from pipeline.read.document import RawDocument, TextBlock

NORMALISER_VERSION = "normalise.v1"

# Parts of a file whose text the spans refer to; headers and footers stay apart.
TEXT_PARTS = ("title", "body", "table", "caption")
BLOCK_SEPARATOR = "\n\n"

_TONED = {  # vowel with tone -> (plain vowel, tone index)
    ch: (base, tone)
    for base, forms in {
        "a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ", "o": "òóỏõọ", "u": "ùúủũụ",
        "A": "ÀÁẢÃẠ", "E": "ÈÉẺẼẸ", "Y": "ỲÝỶỸỴ", "O": "ÒÓỎÕỌ", "U": "ÙÚỦŨỤ",
    }.items()
    for tone, ch in enumerate(forms)
}
_WITH_TONE = {
    base: forms
    for base, forms in {
        "o": "òóỏõọ", "O": "ÒÓỎÕỌ", "u": "ùúủũụ", "U": "ÙÚỦŨỤ",
    }.items()
}
# 'oà' -> 'òa', 'oè' -> 'òe', 'uỳ' -> 'ùy' at the end of a syllable (not after q).
_OLD_TONE_STYLE = re.compile(
    r"(?<!\w)([a-zđA-ZĐ]*?)([oO][àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])(?!\w)"
)
_SPACE_CHARS = "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\x0b\x0c"
_DROP_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_TRANSLATE = {ord(c): " " for c in _SPACE_CHARS} | {ord(c): None for c in _DROP_CHARS}


@dataclass
class SourceBlock:
    """Where a block of the normalised text came from."""

    start: int
    end: int
    index: int
    page: int | None
    part: str


@dataclass
class NormalisedText:
    """The normalised text, with per-character offsets into the source blocks."""

    text: str
    offsets: array = field(default_factory=lambda: array("l"))
    blocks: list[SourceBlock] = field(default_factory=list)

    def block_at(self, offset: int) -> SourceBlock | None:
        """The source block a normalised offset falls in (blocks are in text order)."""
        index = bisect_right(self.blocks, offset, key=lambda b: b.start) - 1
        if index >= 0 and self.blocks[index].start <= offset < self.blocks[index].end:
            return self.blocks[index]
        return None

    def page_at(self, offset: int) -> int | None:
        """The 1-based page of a normalised offset (None for unpaged formats)."""
        block = self.block_at(offset)
        return block.page if block else None

    def source_offset(self, offset: int) -> int:
        """The offset in its source block of the character at `offset`."""
        return self.offsets[offset]


def fix_tone_marks(text: str) -> str:
    """Move tone marks to the 'hòa/thủy' convention; the length is unchanged."""

    def move(match: re.Match[str]) -> str:
        onset, pair = match.group(1), match.group(2)
        if onset[-1:] in ("q", "Q"):  # 'qu' is a consonant: 'quý' keeps its mark
            return match.group()
        first, second = pair[0], pair[1]
        base, tone = _TONED[second]
        return onset + _WITH_TONE[first][tone] + base

    return _OLD_TONE_STYLE.sub(move, text)


def _compose(text: str) -> tuple[str, list[int]]:
    """NFC-compose `text`, returning it with each output char's input offset."""
    if unicodedata.is_normalized("NFC", text):
        return text, list(range(len(text)))
    out: list[str] = []
    offsets: list[int] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i < len(text) and unicodedata.combining(text[i]):
            continue
        cluster = unicodedata.normalize("NFC", text[start:i])
        out.append(cluster)
        offsets.extend([start] * len(cluster))
        start = i
    return "".join(out), offsets


# Whitespace that changes: runs with a line break, runs of spaces, a space at either end (a single
# space between words stays as it is).
_WHITESPACE_RUN = re.compile(r" *\n[ \n]*| {2,}|^ +| +$")


def _clean_whitespace(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """Collapse spaces, trim lines, keep at most one blank line; map offsets along."""
    out: list[str] = []
    out_offsets: list[int] = []
    pos = 0
    for match in _WHITESPACE_RUN.finditer(text):
        run = match.group()
        newlines = run.count("\n")
        if match.start() == 0 or match.end() == len(text):
            replacement = ""
        elif newlines == 0:
            replacement = " "
        else:
            replacement = "\n" * min(newlines, 2)
        if len(run) == 1 and replacement == run:  # a single line break: nothing changes
            continue
        out.append(text[pos:match.start()])
        out_offsets.extend(offsets[pos:match.start()])
        out.append(replacement)
        first_newline = run.find("\n")
        anchor = match.start() + (first_newline if first_newline >= 0 else 0)
        out_offsets.extend([offsets[anchor]] * len(replacement))
        pos = match.end()
    if not pos:
        return text, offsets
    out.append(text[pos:])
    out_offsets.extend(offsets[pos:])
    return "".join(out), out_offsets


_NEEDS_PREPARING = re.compile("[\r" + re.escape(_SPACE_CHARS + _DROP_CHARS) + "]")


def _prepare(text: str) -> tuple[str, list[int]]:
    """CRLF/CR to LF, odd spaces to ' ', invisible characters dropped; with offsets."""
    if not _NEEDS_PREPARING.search(text):
        return text, list(range(len(text)))
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch == "\r":
            if text[i + 1 : i + 2] == "\n":
                continue
            ch = "\n"
        else:
            mapped = _TRANSLATE.get(ord(ch), ch)
            if mapped is None:
                continue
            ch = mapped
        chars.append(ch)
        offsets.append(i)
    return "".join(chars), offsets


def normalise_block(text: str) -> tuple[str, list[int]]:
    """Normalise one block's text; return it and each char's offset in `text`."""
    prepared, prepared_offsets = _prepare(text)
    composed, composed_offsets = _compose(prepared)
    offsets = prepared_offsets if composed is prepared else [prepared_offsets[i] for i in composed_offsets]
    return _clean_whitespace(fix_tone_marks(composed), offsets)


def _normalise_kept(block: TextBlock) -> tuple[str, list[int]]:
    """Normalise a block without its tracked deletions; offsets still index `block.text`."""
    if not block.deleted:
        return normalise_block(block.text)
    kept: list[str] = []
    kept_offsets: list[int] = []
    position = 0
    for start, end in [*block.deleted, (len(block.text), len(block.text))]:
        kept.append(block.text[position:start])
        kept_offsets.extend(range(position, start))
        position = end
    text, offsets = normalise_block("".join(kept))
    return text, [kept_offsets[i] for i in offsets]


def normalise_text(text: str) -> str:
    """Normalise a string (no offset map): NFC, tone marks, whitespace."""
    return normalise_block(text)[0]


def normalise_document(raw: RawDocument) -> NormalisedText:
    """Join a document's text blocks into one normalised text with provenance."""
    pieces: list[str] = []
    offsets = array("l")
    blocks: list[SourceBlock] = []
    position = 0
    for index, block in enumerate(raw.blocks):
        if block.part not in TEXT_PARTS:
            continue
        text, block_offsets = _normalise_kept(block)
        if not text:
            continue
        if pieces:
            pieces.append(BLOCK_SEPARATOR)
            offsets.extend([-1] * len(BLOCK_SEPARATOR))
            position += len(BLOCK_SEPARATOR)
        pieces.append(text)
        offsets.extend(block_offsets)
        blocks.append(SourceBlock(position, position + len(text), index, block.page, block.part))
        position += len(text)
    return NormalisedText(text="".join(pieces), offsets=offsets, blocks=blocks)


def normalise_blocks(blocks: list[TextBlock]) -> NormalisedText:
    """Convenience for tests and callers without a `RawDocument`."""
    from pipeline.contract import Source

    return normalise_document(RawDocument(source=Source("", "", "txt"), blocks=blocks))
