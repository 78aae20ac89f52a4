"""Plain text files: detect the encoding and decode to Unicode.

Handles UTF-8 (with or without BOM), UTF-16 (BOM or BOM-less), Windows-1258
and the legacy 8-bit TCVN3 and VNI encodings (also mixed line by line).
"""

from __future__ import annotations

import codecs
import unicodedata

from pipeline.read.detect import convert_legacy_text, vietnamese_score
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
    tcvn3, vni, "mixed tcvn3+vni".
    """
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(codec, errors="replace")
            _check_text(text)
            return _maybe_legacy(text, name)
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        text = data.decode(utf16, errors="replace")
        _check_text(text)
        return _maybe_legacy(text, utf16)
    if b"\x00" in data[:_SAMPLE]:
        raise ReadError("the file is binary, not text (it contains NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _check_text(text)
        return _maybe_legacy(text, "utf-8")
    return _decode_8bit(data)


def _maybe_legacy(text: str, encoding: str) -> tuple[str, str]:
    """Unicode text that still holds TCVN3/VNI characters (saved through a converter)."""
    converted, legacy = convert_legacy_text(text)
    return (converted, legacy) if legacy else (text, encoding)


def _decode_8bit(data: bytes) -> tuple[str, str]:
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
        return as_bytes, "windows-1252"
    return text, name


def read_text(data: bytes) -> tuple[list[TextBlock], str]:
    """Read a .txt file's bytes into one body block per paragraph (blank-line separated)."""
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [TextBlock(text=para) for para in _paragraphs(text)]
    return blocks or [TextBlock(text="")], encoding


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
