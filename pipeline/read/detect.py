"""Guess how Vietnamese text was encoded by scoring candidate decodings.

A candidate decoding is scored by how Vietnamese it looks: words with
diacritics that form valid Vietnamese syllables count for it, words that do
not (and stray symbols such as `¸ µ §`) count against it. Legacy TCVN3/VNI
text is decided line by line so documents mixing both convert both.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable

from pipeline.read.document import DELETION_END, DELETION_START
from pipeline.read.legacy_encodings import CP1252_HIGH, tcvn3_to_unicode, vni_to_unicode

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VOWELS = "aăâeêioôơuưy"
_ONSET = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
# Vowel nuclei (with glides) of Vietnamese rhymes, tone marks removed.
_NUCLEI = (  # noqa: SIM905 (one readable table)
    "oai oao oay oeo uây uôi uya uyê uyu ươi ươu yêu iêu "
    "ai ao au ay âu ây eo êu ia iu oa oă oe oi ôi ơi ua uâ uê ui uô uơ uy ưa ưi ưu ươ yê iê oo "
    "a ă â e ê i o ô ơ u ư y"
).split()
_SYLLABLE = re.compile(
    rf"^(?:{_ONSET})?(?:{'|'.join(_NUCLEI)})(?:ch|ng|nh|c|m|n|p|t)?$"
)
_WORD = re.compile(r"[^\W\d_]+")
# Non-ASCII characters that are ordinary in Vietnamese text, besides letters.
_PUNCT_OK = set("\u00a0“”‘’–—…•€°×«»·\u00ad")
_VIET_LETTERS = set(
    unicodedata.normalize("NFC", base + tone)
    for base in _VOWELS + _VOWELS.upper()
    for tone in ("", *_TONES)
) | set("đĐ")

# Characters a legacy byte 0x80-0x9F becomes when read as Windows-1252.
_READER_MARKS = (DELETION_START, DELETION_END)  # a reader's marks, not text
_CP1252_EXTRA = set(CP1252_HIGH.values())
_ABBREVIATION_LETTERS = set("ĐBCDGHKLMNPQRSTVX")

LEGACY_DECODERS: dict[str, Callable[[str], str]] = {
    "tcvn3": tcvn3_to_unicode,
    "vni": vni_to_unicode,
}


def is_vietnamese_syllable(word: str) -> bool:
    """True when `word` (any case) is spelt like one Vietnamese syllable."""
    nfd = unicodedata.normalize("NFD", word.lower())
    if sum(ch in _TONES for ch in nfd) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in nfd if ch not in _TONES))
    return bool(_SYLLABLE.match(bare))


def vietnamese_score(text: str) -> float:
    """How Vietnamese `text` looks: + per valid accented word, - per invalid one or odd symbol."""
    text = unicodedata.normalize("NFC", text)
    score = 0.0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        if len(word) <= 5 and not set(word.upper()) - _ABBREVIATION_LETTERS:
            score += 0.5  # abbreviation such as QĐ, HĐND, or đ (đồng)
            continue
        if all(ch.isascii() or ch in _VIET_LETTERS for ch in word) and is_vietnamese_syllable(
            word
        ):
            score += 1.0
        else:
            score -= 1.0
    for ch in text:
        if not (ch.isascii() or ch in _VIET_LETTERS or ch in _PUNCT_OK or ch.isalpha()):
            score -= 0.5
    return score


def valid_word_share(text: str) -> tuple[int, float]:
    """(accented words, share of them spelt as Vietnamese syllables): how sure a decoding is."""
    words = [w for w in _WORD.findall(unicodedata.normalize("NFC", text)) if not w.isascii()]
    if not words:
        return 0, 1.0
    valid = sum(
        1 for w in words
        if (len(w) <= 5 and not set(w.upper()) - _ABBREVIATION_LETTERS)
        or (all(ch.isascii() or ch in _VIET_LETTERS for ch in w) and is_vietnamese_syllable(w))
    )
    return len(words), valid / len(words)


def _could_be_legacy(line: str) -> bool:
    """A line can hold legacy bytes only if every character fits in one byte."""
    return any(128 <= ord(ch) < 256 for ch in line) and all(
        ord(ch) < 256 or ch in _CP1252_EXTRA or ch in _READER_MARKS for ch in line
    )


def convert_legacy_text(text: str, *, min_gain: float = 1.0) -> tuple[str, str | None]:
    """Convert TCVN3/VNI text held as one-char-per-byte Unicode; leave other text alone.

    Each line is converted with the legacy table that makes it most
    Vietnamese. Lines where the evidence is weak (short lines, ties) follow
    the document: converted when clearly-legacy lines outnumber lines that
    are already Unicode Vietnamese. Returns (text, encoding) where encoding
    is "tcvn3", "vni", "mixed tcvn3+vni", or None when nothing was converted.
    """
    lines = text.split("\n")
    plans: list[tuple[str, dict[str, str]] | None] = []
    totals: Counter[str] = Counter()
    strong = unicode_lines = 0
    for line in lines:
        if not _could_be_legacy(line):
            unicode_lines += any(ch in _VIET_LETTERS and ord(ch) > 255 for ch in line)
            plans.append(None)
            continue
        base = vietnamese_score(line)
        options = {name: decode(line) for name, decode in LEGACY_DECODERS.items()}
        scores = {name: vietnamese_score(value) for name, value in options.items()}
        best = max(scores, key=lambda name: scores[name])
        unique = all(scores[best] - s >= min_gain for name, s in scores.items() if name != best)
        if scores[best] < base:
            plans.append(None)
            continue
        for name, value in scores.items():
            totals[name] += value - base
        if scores[best] - base >= min_gain and unique:
            strong += 1
            plans.append((best, options))
        else:
            plans.append((best if unique else "", options))
    if not strong or max(totals.values()) < min_gain:
        return text, None
    majority = max(totals, key=lambda name: totals[name])
    follow_weak = strong >= unicode_lines
    used: Counter[str] = Counter()
    out = []
    for line, plan in zip(lines, plans, strict=True):
        if plan is None or (not follow_weak and plan[0] not in LEGACY_DECODERS):
            out.append(line)
            continue
        name = plan[0] or majority
        used[name] += 1
        out.append(plan[1][name])
    minority = sum(n for name, n in used.items() if name != majority)
    if minority >= 2 and minority >= 0.02 * sum(used.values()):
        return "\n".join(out), "mixed tcvn3+vni"
    return "\n".join(out), majority
