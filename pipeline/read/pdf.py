"""PDF files with pdfplumber: text per page, columns, legacy fonts, OCR fallback.

Per page: lines are read column by column when a gutter is found in the
word x-positions; lines set in TCVN3/VNI fonts (`.VnTime`, `VnTimeH`,
`VNI-Times`) are converted; lines repeated on most pages (running headers,
footers) and bare page numbers are removed; pages without a text layer are
OCRed. A page that fails is recorded in the errors and the rest are kept.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import median

from pipeline.contract import StageError
from pipeline.read.detect import convert_legacy_text
from pipeline.read.document import ReadError, TextBlock
from pipeline.read.legacy_encodings import tcvn3_to_unicode, vni_to_unicode
from pipeline.read.limits import DEFAULT_LIMITS, ReadLimits

# Glyph names some TCVN3 fonts map to non-Latin-1 characters on extraction.
_PDF_TCVN3_GLYPHS = str.maketrans({"\u2212": "\xad", "\u2219": "\xb7", "\u2013": "\xad"})
_PAGE_NUMBER = re.compile(
    r"^\s*(?:-\s*)?(?:trang\s+)?\d{1,4}(?:\s*(?:/|trên|of)\s*\d{1,4})?(?:\s*-)?\s*$", re.I
)
_MIN_TEXT_CHARS = 10
# Called as progress(ocr_pages) so a supervising process can extend its deadline.
Progress = Callable[[int], None]


@dataclass
class PdfResult:
    """What the PDF reader found."""

    blocks: list[TextBlock] = field(default_factory=list)
    pages: int = 0
    ocr: bool = False
    encoding: str | None = None
    errors: list[StageError] = field(default_factory=list)
    title: str | None = None


@dataclass
class _Line:
    text: str
    top: float
    bottom: float


def pdf_font_encoding(fontname: str) -> tuple[str | None, bool]:
    """(legacy encoding or None, capital font) for a PDF font name like 'ABCDEF+.VnTimeH,Bold'."""
    name = fontname.split("+", 1)[-1]
    base = re.split(r"[,-]", name.lstrip("."), maxsplit=1)[0]
    base = re.sub(r"(Bold|Italic|Regular|Oblique)+$", "", base)
    if name.startswith(".Vn") or re.match(r"Vn[A-Z0-9]", name):
        return "tcvn3", base.endswith("H")
    if name.upper().startswith("VNI"):
        return "vni", False
    return None, False


def _convert_chars(chars: list[dict]) -> tuple[str, set[str]]:
    """Text of one line's chars, converting runs in legacy fonts."""
    parts: list[str] = []
    used: set[str] = set()
    run: list[str] = []
    run_key: tuple[str | None, bool] = (None, False)
    previous = None

    def flush() -> None:
        text = "".join(run)
        encoding, capital = run_key
        if encoding == "tcvn3":
            text = tcvn3_to_unicode(text.translate(_PDF_TCVN3_GLYPHS), uppercase=capital)
            used.add(encoding)
        elif encoding == "vni":
            text = vni_to_unicode(text)
            used.add(encoding)
        parts.append(text)

    for char in chars:
        if previous is not None and char["x0"] - previous["x1"] > 0.15 * char["size"]:
            run.append(" ")
        key = pdf_font_encoding(char.get("fontname", ""))
        if key != run_key and run:
            flush()
            run = []
        run_key = key
        run.append(char["text"])
        previous = char
    if run:
        flush()
    return re.sub(r" {2,}", " ", "".join(parts)).strip(), used


def _find_gutter(words: list[dict], width: float) -> float | None:
    """x of an empty vertical strip near the middle that splits the words in two columns."""
    if len(words) < 40:
        return None
    bins = [0] * 100
    for word in words:
        for b in range(int(word["x0"] / width * 100), min(99, int(word["x1"] / width * 100)) + 1):
            bins[b] += 1
    left_words = sum(1 for w in words if w["x1"] < width / 2)
    right_words = sum(1 for w in words if w["x0"] > width / 2)
    if min(left_words, right_words) < 0.2 * len(words):
        return None
    limit = max(1, len(words) // 100)
    best: tuple[int, int] | None = None
    start = None
    for b in range(30, 71):
        if bins[b] <= limit:
            start = b if start is None else start
            if best is None or b - start > best[1] - best[0]:
                best = (start, b)
        else:
            start = None
    if best is None or best[1] - best[0] < 1:
        return None
    return (best[0] + best[1] + 1) / 200 * width


def _page_lines(page) -> tuple[list[_Line], set[str]]:
    """Lines of a page in reading order, with legacy fonts converted."""
    words = page.extract_words()
    gutter = _find_gutter(words, float(page.width))
    regions = [page]
    if gutter is not None:
        regions = _column_regions(page, words, gutter)
    lines: list[_Line] = []
    used: set[str] = set()
    for region in regions:
        for line in region.extract_text_lines(return_chars=True):
            if any(pdf_font_encoding(c.get("fontname", ""))[0] for c in line["chars"]):
                text, encodings = _convert_chars(line["chars"])
            else:
                text, encodings = line["text"].strip(), set()
            used |= encodings
            if text:
                lines.append(_Line(text, float(line["top"]), float(line["bottom"])))
    return lines, used


def _column_regions(page, words: list[dict], gutter: float) -> list:
    """Crops in reading order: full-width bands, and left then right column between them."""
    x0, top, x1, bottom = page.bbox
    spanning = sorted(
        (w["top"], w["bottom"]) for w in words if w["x0"] < gutter < w["x1"]
    )
    bands: list[tuple[float, float, bool]] = []  # (top, bottom, full width)
    cursor = top
    for w_top, w_bottom in spanning:
        if w_top > cursor:
            bands.append((cursor, w_top, False))
        if bands and bands[-1][2] and w_top <= bands[-1][1]:
            bands[-1] = (bands[-1][0], max(bands[-1][1], w_bottom), True)
        else:
            bands.append((max(cursor, w_top), w_bottom, True))
        cursor = max(cursor, w_bottom)
    if cursor < bottom:
        bands.append((cursor, bottom, False))
    regions = []
    for band_top, band_bottom, full in bands:
        if band_bottom - band_top < 1:
            continue
        if full:
            regions.append(page.crop((x0, band_top, x1, band_bottom), relative=False))
        else:
            regions.append(page.crop((x0, band_top, gutter, band_bottom), relative=False))
            regions.append(page.crop((gutter, band_top, x1, band_bottom), relative=False))
    return regions


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Join lines into paragraphs, split where the vertical gap is large."""
    if not lines:
        return []
    heights = [line.bottom - line.top for line in lines if line.bottom > line.top]
    height = median(heights) if heights else 10.0
    paragraphs, current = [], [lines[0].text]
    for prev, line in zip(lines, lines[1:], strict=False):
        gap = line.top - prev.bottom
        if gap > 0.8 * height or gap < -2 * height:
            paragraphs.append("\n".join(current))
            current = []
        current.append(line.text)
    paragraphs.append("\n".join(current))
    return paragraphs


def _margin_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def _remove_running_lines(pages: dict[int, list[_Line]]) -> None:
    """Drop page numbers and lines repeated near the top/bottom of most pages."""
    counts: Counter[str] = Counter()
    for lines in pages.values():
        edge = {_margin_key(line.text) for line in lines[:3] + lines[-3:]}
        counts.update(edge)
    threshold = max(3, len(pages) // 2 + 1)
    repeated = {key for key, n in counts.items() if n >= threshold}
    for number, lines in pages.items():
        edges = set(range(min(3, len(lines)))) | set(range(max(0, len(lines) - 3), len(lines)))
        pages[number] = [
            line
            for i, line in enumerate(lines)
            if i not in edges
            or not (_PAGE_NUMBER.match(line.text) or _margin_key(line.text) in repeated)
        ]


def read_pdf(
    data: bytes,
    *,
    limits: ReadLimits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> PdfResult:
    """Read PDF bytes into page blocks; OCR pages without a text layer."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        page_count = len(pdf.pages)
    except (PdfminerException, PDFPasswordIncorrect, Exception) as exc:
        raise _open_error(exc) from exc
    result = PdfResult(pages=page_count)
    with pdf:
        if page_count == 0:
            raise ReadError("the PDF file has no pages")
        if page_count > limits.max_pages:
            result.errors.append(StageError(
                "read",
                f"the PDF has {page_count} pages; only the first {limits.max_pages} were read",
            ))
        page_lines: dict[int, list[_Line]] = {}
        needs_ocr: list[int] = []
        used: set[str] = set()
        for number, page in enumerate(pdf.pages[: limits.max_pages], start=1):
            try:
                lines, encodings = _page_lines(page)
                if sum(len(line.text) for line in lines) < _MIN_TEXT_CHARS:
                    if page.images:
                        needs_ocr.append(number)
                    continue
                used |= encodings
                page_lines[number] = lines
            except Exception as exc:  # pdfminer raises anything on damaged pages
                result.errors.append(StageError(
                    "read", f"page {number} could not be read ({type(exc).__name__}: {exc})"
                ))
            finally:
                page.close()
        _remove_running_lines(page_lines)
        ocr_blocks: dict[int, list[TextBlock]] = {}
        if needs_ocr:
            from pipeline.read.ocr import ocr_pdf_pages

            if progress is not None:
                progress(len(needs_ocr))
            ocr_blocks = ocr_pdf_pages(pdf, needs_ocr, limits=limits, errors=result.errors)
            result.ocr = bool(ocr_blocks)
    for number in sorted(set(page_lines) | set(ocr_blocks)):
        if number in ocr_blocks:
            result.blocks.extend(ocr_blocks[number])
            continue
        for paragraph in _paragraphs(page_lines[number]):
            result.blocks.append(TextBlock(text=paragraph, page=number))
    result.encoding = _legacy_name(used)
    if not used:
        _detect_legacy(result)
    if not result.blocks:
        if result.errors:
            raise ReadError("no page of the PDF could be read: " + result.errors[0].message)
        raise ReadError("the PDF contains no text (its pages are empty)")
    return result


def _legacy_name(used: set[str]) -> str | None:
    if not used:
        return None
    return "mixed tcvn3+vni" if len(used) > 1 else next(iter(used))


def _detect_legacy(result: PdfResult) -> None:
    """Convert legacy text in fonts with unhelpful names (detected by content)."""
    plain = [block for block in result.blocks if not block.ocr]
    joined = "\n".join(block.text for block in plain)
    converted, encoding = convert_legacy_text(joined.translate(_PDF_TCVN3_GLYPHS))
    if not encoding:
        return
    lines = converted.split("\n")
    position = 0
    for block in plain:
        count = block.text.count("\n") + 1
        block.text = "\n".join(lines[position:position + count])
        position += count
    result.encoding = encoding


def _open_error(exc: Exception) -> ReadError:
    text = f"{type(exc).__name__} {exc}".lower()
    cause = getattr(exc, "args", [None])[0]
    if "password" in text or "encrypt" in text or type(cause).__name__ == "PDFPasswordIncorrect":
        return ReadError(
            "the PDF is password-protected; ask the sender for an unprotected copy"
        )
    return ReadError(
        f"the PDF file is damaged and cannot be opened ({type(exc).__name__})"
    )
