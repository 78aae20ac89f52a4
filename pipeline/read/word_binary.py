"""The stories of a Word 97-2003 binary file (.doc), read from its piece table.

LibreOffice reads a .doc's text well but lists text boxes by anchor, while
the file keeps them in a story of their own, in the order the author made
them. This module reads that order: the FIB gives each story's length in
characters, the piece table (CLX) where the characters are ([MS-DOC] 2.4.1,
2.5.1, 2.9.38). It is best effort: any file it cannot follow gives None.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from pipeline.read.detect import convert_legacy_text
from pipeline.read.legacy_encodings import legacy_bytes_to_str

# Story lengths in FibRgLw97, in the order the stories follow each other.
_STORIES = ("main", "footnotes", "headers", "macros", "comments", "endnotes",
            "text_boxes", "header_text_boxes")
_FIRST_STORY_LENGTH = 3  # FibRgLw97 index of ccpText
_CLX_PAIR = 33  # FibRgFcLcb97 index of fcClx/lcbClx
_ENCRYPTED = 0x0100
_TABLE_1 = 0x0200


@dataclass
class WordStories:
    """The text of each story of a .doc, as stored (legacy bytes not converted)."""

    main: str = ""
    footnotes: str = ""
    headers: str = ""
    macros: str = ""
    comments: str = ""
    endnotes: str = ""
    text_boxes: str = ""
    header_text_boxes: str = ""


def read_word_stories(data: bytes) -> WordStories | None:
    """The stories of a .doc file, or None when it is not a readable Word 97+ file."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            word = ole.openstream("WordDocument").read()
            flags = struct.unpack_from("<H", word, 0x0A)[0]
            if flags & _ENCRYPTED:
                return None
            table_name = "1Table" if flags & _TABLE_1 else "0Table"
            if not ole.exists(table_name):
                return None
            table = ole.openstream(table_name).read()
        return _stories(word, table)
    except Exception:  # best effort: a file olefile or this parser cannot follow has no order
        return None


def _stories(word: bytes, table: bytes) -> WordStories | None:
    count_words = struct.unpack_from("<H", word, 32)[0]
    longs_at = 34 + 2 * count_words
    count_longs = struct.unpack_from("<H", word, longs_at)[0]
    if count_longs < _FIRST_STORY_LENGTH + len(_STORIES):
        return None
    longs = struct.unpack_from(f"<{count_longs}i", word, longs_at + 2)
    pairs_at = longs_at + 2 + 4 * count_longs + 2
    clx_at, clx_size = struct.unpack_from("<II", word, pairs_at + 8 * _CLX_PAIR)
    text = _piece_table_text(word, table[clx_at:clx_at + clx_size])
    if text is None:
        return None
    stories, position = {}, 0
    for index, name in enumerate(_STORIES):
        length = max(0, longs[_FIRST_STORY_LENGTH + index])
        stories[name] = text[position:position + length]
        position += length
    return WordStories(**stories)


def _piece_table_text(word: bytes, clx: bytes) -> str | None:
    """All characters of the document, piece by piece, from the CLX structure."""
    at = 0
    while at < len(clx) and clx[at] == 0x01:  # Prc: property modifiers, skipped
        at += 3 + struct.unpack_from("<H", clx, at + 1)[0]
    if at >= len(clx) or clx[at] != 0x02:
        return None
    size = struct.unpack_from("<I", clx, at + 1)[0]
    plc = clx[at + 5:at + 5 + size]
    count = (len(plc) - 4) // 12
    if count <= 0:
        return None
    positions = struct.unpack_from(f"<{count + 1}I", plc, 0)
    pieces = []
    for index in range(count):
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * index + 2)[0]
        length = positions[index + 1] - positions[index]
        if length < 0:
            return None
        if fc & 0x40000000:  # compressed: one byte per character, Windows-1252
            start = (fc & 0x3FFFFFFF) // 2
            pieces.append(legacy_bytes_to_str(word[start:start + length]))
        else:
            pieces.append(word[fc:fc + 2 * length].decode("utf-16-le", errors="replace"))
    return "".join(pieces)


def text_box_story(data: bytes) -> str | None:
    """The text of a .doc's text boxes in the file's own order, legacy text converted."""
    stories = read_word_stories(data)
    if stories is None or not stories.text_boxes.strip():
        return None
    text = stories.text_boxes.replace("\r", "\n")
    return convert_legacy_text(text)[0]
