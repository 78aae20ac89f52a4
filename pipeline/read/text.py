"""Plain text files: detect the encoding and decode to Unicode.

Handles UTF-8 (with or without BOM), UTF-16 (BOM or BOM-less), Windows-1258
and the legacy 8-bit TCVN3 and VNI encodings (also mixed line by line), and
files that mix UTF-8 lines with 8-bit lines (a file appended to by two
programs): each line is decoded by what it is. Text whose 8-bit encoding
cannot be told with confidence is returned with a doubt, and the document is
then stored as `partial` with that reason.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass, field

from pipeline.contract import StageError
from pipeline.read.detect import convert_legacy_text, valid_word_share, vietnamese_score
from pipeline.read.document import ReadError, TextBlock
from pipeline.read.legacy_encodings import legacy_bytes_to_str

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)
_SAMPLE = 64 * 1024
# Share of control characters above which a decoding is judged binary.
_MAX_CONTROL_SHARE = 0.01
# An 8-bit decoding is trusted when this share of its accented words are Vietnamese
# syllables, judged on at least `_MIN_EVIDENCE_WORDS` accented words.
_MIN_VALID_SHARE = 0.7
_MIN_EVIDENCE_WORDS = 3
# Most bytes of a text file decoded: enough for `max_chars` characters in any encoding.
_BYTES_PER_CHAR = 4


@dataclass
class Decoded:
    """A text file's decoded text, the encoding read, and any doubt about it."""

    text: str
    encoding: str
    doubts: list[str] = field(default_factory=list)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit on one side of most byte pairs."""
    sample = data[:_SAMPLE]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / max(1, len(odd))
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _control_share(text: str) -> float:
    sample = text[:_SAMPLE]
    if not sample:
        return 0.0
    controls = sum(
        1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v"
    )
    return controls / len(sample)


def _check_text(text: str) -> None:
    if _control_share(text) > _MAX_CONTROL_SHARE or "\ufffd" in text[:_SAMPLE] and (
        text[:_SAMPLE].count("\ufffd") > 0.01 * len(text[:_SAMPLE])
    ):
        raise ReadError(
            "the file does not contain readable text (it looks like a binary file "
            "with a .txt name)"
        )


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of a text file; return (text, encoding name).

    The encoding name is one of utf-8, utf-16-le, utf-16-be, windows-1258,
    windows-1252, tcvn3, vni, "mixed tcvn3+vni", or "mixed utf-8+<8-bit name>".
    """
    decoded = decode(data)
    return decoded.text, decoded.encoding


def decode(data: bytes) -> Decoded:
    """Decode bytes of a text file, with any doubt about the encoding (see `decode_text`)."""
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(codec, errors="replace")
            _check_text(text)
            return Decoded(*_maybe_legacy(text, name))
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        text = data.decode(utf16, errors="replace")
        _check_text(text)
        return Decoded(*_maybe_legacy(text, utf16))
    if b"\x00" in data[:_SAMPLE]:
        raise ReadError("the file is binary, not text (it contains NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _check_text(text)
        return Decoded(*_maybe_legacy(text, "utf-8"))
    return _decode_mixed(data) or _decode_8bit(data)


def _decode_mixed(data: bytes) -> Decoded | None:
    """Lines that are UTF-8 as UTF-8, the others as one 8-bit text; None when no line is UTF-8."""
    lines = data.split(b"\n")
    utf8: dict[int, str] = {}
    for number, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if valid_word_share(decoded)[1] >= _MIN_VALID_SHARE:  # not legacy bytes that happen to be UTF-8
            utf8[number] = decoded
    if not utf8:
        return None
    others = [n for n, line in enumerate(lines) if n not in utf8 and not line.isascii()]
    eight_bit = _decode_8bit(b"\n".join(lines[n] for n in others))
    decoded_others = dict(zip(others, eight_bit.text.split("\n"), strict=True))
    text = "\n".join(
        utf8[n] if n in utf8 else decoded_others[n] if n in decoded_others else line.decode("ascii")
        for n, line in enumerate(lines)
    )
    _check_text(text)
    doubts = [
        f"lines {others[0] + 1}-{others[-1] + 1} are not UTF-8 like the rest; {doubt}"
        for doubt in eight_bit.doubts
    ]
    return Decoded(text, f"mixed utf-8+{eight_bit.encoding}", doubts)


def _maybe_legacy(text: str, encoding: str) -> tuple[str, str]:
    """Unicode text that still holds TCVN3/VNI characters (saved through a converter)."""
    converted, legacy = convert_legacy_text(text)
    return (converted, legacy) if legacy else (text, encoding)


def _decode_8bit(data: bytes) -> Decoded:
    """Choose among Windows-1258, TCVN3 and VNI by how Vietnamese each result looks."""
    as_bytes = legacy_bytes_to_str(data)
    _check_text(as_bytes)
    cp1258 = data.decode("cp1258", errors="replace")
    legacy, legacy_name = convert_legacy_text(as_bytes)
    candidates = [(vietnamese_score(cp1258) - cp1258.count("\ufffd"), cp1258, "windows-1258")]
    if legacy_name:
        candidates.append((vietnamese_score(legacy), legacy, legacy_name))
    score, text, name = max(candidates, key=lambda c: c[0])
    if name == "windows-1258":
        text = unicodedata.normalize("NFC", text)  # cp1258 keeps tone marks apart
    if score < 0 and vietnamese_score(as_bytes) >= score:
        # Not Vietnamese in any encoding: keep the bytes as Windows-1252 text.
        text, name = as_bytes, "windows-1252"
    words, share = valid_word_share(text[: _SAMPLE * 4])
    doubts = []
    if words >= _MIN_EVIDENCE_WORDS and share < _MIN_VALID_SHARE:
        doubts.append(
            f"the encoding could not be determined with confidence (read as {name}, "
            f"{share:.0%} of accented words are Vietnamese); accented letters may be wrong"
        )
    return Decoded(text, name, doubts)


def read_text(data: bytes, *, max_chars: int | None = None) -> tuple[list[TextBlock], str, list[StageError]]:
    """Read a .txt file's bytes into one body block per paragraph (blank-line separated).

    With `max_chars`, bytes beyond what that many characters can take are not
    decoded at all (a 200 MB file costs no more than its first part); the
    caller cuts the text to `max_chars` and says so.
    """
    if max_chars is not None and len(data) > max_chars * _BYTES_PER_CHAR:
        cut = data.rfind(b"\n", 0, max_chars * _BYTES_PER_CHAR)
        data = data[: cut if cut > 0 else max_chars * _BYTES_PER_CHAR]
    decoded = decode(data)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [TextBlock(text=para) for para in _paragraphs(text)]
    return blocks or [TextBlock(text="")], decoded.encoding, [StageError("read", d) for d in decoded.doubts]


def _paragraphs(text: str) -> list[str]:
    paras, current = [], []
    for line in text.split("\n"):
        if line.strip():
            current.append(line)
        elif current:
            paras.append("\n".join(current))
            current = []
    if current:
        paras.append("\n".join(current))
    return paras
