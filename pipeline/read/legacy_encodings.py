"""Pre-Unicode Vietnamese 8-bit encodings: TCVN3 (ABC, `.VnTime`) and VNI (`VNI-Times`).

Legacy text reaches us as characters whose code points are the font's byte
values (Word stores a `.VnTime` run as Latin-1/cp1252 characters), so the
converters work on `str`: each character stands for one legacy byte. To
convert raw bytes, decode them with `legacy_bytes_to_str` first.

TCVN3 (TCVN 5712:1993, VN3) is one byte per letter and has no accented
capitals: `.VnTimeH` fonts draw the same bytes as capitals. VNI is a base
letter followed by a modifier byte (tone and/or vowel mark).
"""

from __future__ import annotations

import re
import unicodedata

# TCVN3 byte -> Unicode letter (bytes not listed are Latin-1 / ASCII as is).
_TCVN3_PAIRS = (
    (0xA1, "Ă"), (0xA2, "Â"), (0xA3, "Ê"), (0xA4, "Ô"), (0xA5, "Ơ"), (0xA6, "Ư"), (0xA7, "Đ"),
    (0xA8, "ă"), (0xA9, "â"), (0xAA, "ê"), (0xAB, "ô"), (0xAC, "ơ"), (0xAD, "ư"), (0xAE, "đ"),
    (0xB5, "à"), (0xB6, "ả"), (0xB7, "ã"), (0xB8, "á"), (0xB9, "ạ"),
    (0xBB, "ằ"), (0xBC, "ẳ"), (0xBD, "ẵ"), (0xBE, "ắ"), (0xC6, "ặ"),
    (0xC7, "ầ"), (0xC8, "ẩ"), (0xC9, "ẫ"), (0xCA, "ấ"), (0xCB, "ậ"),
    (0xCC, "è"), (0xCE, "ẻ"), (0xCF, "ẽ"), (0xD0, "é"), (0xD1, "ẹ"),
    (0xD2, "ề"), (0xD3, "ể"), (0xD4, "ễ"), (0xD5, "ế"), (0xD6, "ệ"),
    (0xD7, "ì"), (0xD8, "ỉ"), (0xDC, "ĩ"), (0xDD, "í"), (0xDE, "ị"),
    (0xDF, "ò"), (0xE1, "ỏ"), (0xE2, "õ"), (0xE3, "ó"), (0xE4, "ọ"),
    (0xE5, "ồ"), (0xE6, "ổ"), (0xE7, "ỗ"), (0xE8, "ố"), (0xE9, "ộ"),
    (0xEA, "ờ"), (0xEB, "ở"), (0xEC, "ỡ"), (0xED, "ớ"), (0xEE, "ợ"),
    (0xEF, "ù"), (0xF1, "ủ"), (0xF2, "ũ"), (0xF3, "ú"), (0xF4, "ụ"),
    (0xF5, "ừ"), (0xF6, "ử"), (0xF7, "ữ"), (0xF8, "ứ"), (0xF9, "ự"),
    (0xFA, "ỳ"), (0xFB, "ỷ"), (0xFC, "ỹ"), (0xFD, "ý"), (0xFE, "ỵ"),
)
_DOUBLED_U_HORN = re.compile("\xad{2,}")
TCVN3_DECODE: dict[str, str] = {chr(b): u for b, u in _TCVN3_PAIRS}
TCVN3_ENCODE: dict[str, str] = {u: chr(b) for b, u in _TCVN3_PAIRS}

# VNI: single-byte letters.
_VNI_SINGLE = {
    0xD4: "Ơ", 0xF4: "ơ", 0xD6: "Ư", 0xF6: "ư", 0xD1: "Đ", 0xF1: "đ",
    0xCC: "Ì", 0xEC: "ì", 0xCD: "Í", 0xED: "í", 0xC6: "Ỉ", 0xE6: "ỉ",
    0xD3: "Ĩ", 0xF3: "ĩ", 0xD2: "Ị", 0xF2: "ị", 0xCE: "Ỵ", 0xEE: "ỵ",
}
# VNI modifier byte -> combining marks (vowel mark first, then tone).
_BREVE, _CIRC = "\u0306", "\u0302"
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_VNI_MODIFIERS_LOWER = {
    0xF9: _ACUTE, 0xF8: _GRAVE, 0xFB: _HOOK, 0xF5: _TILDE, 0xEF: _DOT,
    0xE2: _CIRC, 0xE1: _CIRC + _ACUTE, 0xE0: _CIRC + _GRAVE, 0xE5: _CIRC + _HOOK,
    0xE3: _CIRC + _TILDE, 0xE4: _CIRC + _DOT,
    0xEA: _BREVE, 0xE9: _BREVE + _ACUTE, 0xE8: _BREVE + _GRAVE, 0xFA: _BREVE + _HOOK,
    0xFC: _BREVE + _TILDE, 0xEB: _BREVE + _DOT,
}
# Capital modifiers are the same bytes minus 0x20.
VNI_MODIFIERS: dict[str, str] = {}
for _byte, _marks in _VNI_MODIFIERS_LOWER.items():
    VNI_MODIFIERS[chr(_byte)] = _marks
    VNI_MODIFIERS[chr(_byte - 0x20)] = _marks
VNI_SINGLE: dict[str, str] = {chr(b): u for b, u in _VNI_SINGLE.items()}
_VNI_SINGLE_ENCODE = {u: chr(b) for b, u in _VNI_SINGLE.items()}
_VNI_MARKS_ENCODE = {marks: chr(b) for b, marks in _VNI_MODIFIERS_LOWER.items()}
# Letters a modifier may follow (ơ, ư decompose to o, u + horn).
_VNI_BASES = set("aeiouyAEIOUY")
_VOWEL_MARKS = {_BREVE, _CIRC, "\u031b"}  # breve, circumflex, horn


# Bytes 0x80-0x9F as Windows-1252 shows them; the five it leaves undefined stay Latin-1.
CP1252_HIGH = {
    b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def legacy_bytes_to_str(data: bytes) -> str:
    """Bytes of a legacy-encoded file as one character per byte (cp1252 where defined)."""
    return data.decode("latin-1").translate(CP1252_HIGH)


def legacy_str_to_bytes(text: str) -> bytes:
    """Inverse of `legacy_bytes_to_str` (characters outside one byte become '?')."""
    return bytes(_char_byte(c) for c in text)


def _char_byte(c: str) -> int:
    if ord(c) < 0x100:
        return ord(c)
    try:
        return c.encode("cp1252")[0]
    except UnicodeEncodeError:
        return ord("?")


def tcvn3_to_unicode(text: str, *, uppercase: bool = False) -> str:
    """Convert TCVN3 text (one char per legacy byte) to Unicode (NFC).

    `uppercase=True` for `.VnTimeH`-style capital fonts, which draw every
    letter as a capital.
    """
    # 'ưư' is not Vietnamese: a doubled 0xAD is one 'ư' typed twice because
    # Word hid the first as an optional hyphen.
    text = _DOUBLED_U_HORN.sub("\xad", text)
    out = "".join(TCVN3_DECODE.get(c, c) for c in text)
    return out.upper() if uppercase else out


def unicode_to_tcvn3(text: str) -> str:
    """Encode Unicode text as TCVN3 characters (accented capitals become small letters)."""
    return "".join(
        TCVN3_ENCODE.get(c) or TCVN3_ENCODE.get(c.lower(), c)
        for c in unicodedata.normalize("NFC", text)
    )


def vni_to_unicode(text: str) -> str:
    """Convert VNI text (one char per legacy byte) to Unicode (NFC)."""
    out: list[str] = []
    for c in text:
        marks = VNI_MODIFIERS.get(c)
        if marks is not None and out and _accepts(out[-1], marks):
            out[-1] = unicodedata.normalize("NFC", out[-1] + marks)
            continue
        out.append(VNI_SINGLE.get(c, c))
    return "".join(out)


def _accepts(prev: str, marks: str) -> bool:
    """Whether a VNI modifier can attach to the letter before it."""
    decomposed = unicodedata.normalize("NFD", prev)
    base, existing = decomposed[0], decomposed[1:]
    if base not in _VNI_BASES:
        return False
    has_tone = any(m not in _VOWEL_MARKS for m in existing)
    adds_vowel_mark = marks[0] in _VOWEL_MARKS
    if has_tone:
        return False
    if adds_vowel_mark:
        if any(m in _VOWEL_MARKS for m in existing):
            return False
        if marks[0] == _CIRC and base.lower() not in "aeo":
            return False
        if marks[0] == _BREVE and base.lower() != "a":
            return False
    return True


def unicode_to_vni(text: str) -> str:
    """Encode Unicode text as VNI characters (base letter + modifier bytes)."""
    out = []
    for c in unicodedata.normalize("NFC", text):
        single = _VNI_SINGLE_ENCODE.get(c)
        if single is not None:
            out.append(single)
            continue
        decomposed = unicodedata.normalize("NFD", c)
        if len(decomposed) == 1 or decomposed[0] not in "aeiouyAEIOUYdD":
            out.append(c)
            continue
        base, marks = decomposed[0], decomposed[1:]
        if "\u031b" in marks:  # horn: ơ / ư are single bytes
            base = unicodedata.normalize("NFC", base + "\u031b")
            marks = marks.replace("\u031b", "")
            base = _VNI_SINGLE_ENCODE[base]
        vowel = "".join(m for m in marks if m in _VOWEL_MARKS)
        tone = "".join(m for m in marks if m not in _VOWEL_MARKS)
        key = vowel + tone
        if base.lower() == "i" and tone:
            out.append(_VNI_SINGLE_ENCODE.get(c, c))
            continue
        modifier = _VNI_MARKS_ENCODE.get(key)
        if modifier is None:
            out.append(c)
            continue
        if c.isupper():
            modifier = chr(ord(modifier) - 0x20)
        out.append(base + modifier)
    return "".join(out)
