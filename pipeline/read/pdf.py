"""PDF files with pdfplumber: text per page, columns, legacy fonts, OCR fallback.

Per page: lines are read column by column when a gutter is found in the
word x-positions; lines set in TCVN3/VNI fonts (`.VnTime`, `VnTimeH`,
`VNI-Times`) are converted; lines repeated on most pages (running headers,
footers) and bare page numbers are removed; pages without a text layer are
OCRed. A page that fails is recorded in the errors and the rest are kept.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import median
from urllib.parse import urlparse

from pipeline.contract import StageError
from pipeline.read.detect import convert_legacy_text
from pipeline.read.document import ReadError, TextBlock
from pipeline.read.legacy_encodings import tcvn3_to_unicode, vni_to_unicode
from pipeline.read.limits import DEFAULT_LIMITS, ReadLimits
from pipeline.read.wrapping import unwrap

# Glyph names some TCVN3 fonts map to non-Latin-1 characters on extraction.
_PDF_TCVN3_GLYPHS = str.maketrans({"\u2212": "\xad", "\u2219": "\xb7", "\u2013": "\xad"})
_PAGE_NUMBER = re.compile(
    r"^\s*(?:-\s*)?(?:trang\s+)?\d{1,4}(?:\s*(?:/|trên|of)\s*\d{1,4})?(?:\s*-)?\s*$", re.I
)
# What a browser prints in the margins of a web page: the time of printing and
# the page title at the top, the address and "page/pages" at the bottom.
_PRINT_TIME = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4},?\s+\d{1,2}:\d{2}(?:\s*[AaPp][Mm])?"
    r"|\d{1,2}:\d{2}(?:\s*[AaPp][Mm])?,?\s+\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})"
)
_BROWSER_HEADER = re.compile(rf"^\s*{_PRINT_TIME}(?:\s+(?P<title>.*\S))?\s*$")
_BROWSER_FOOTER = re.compile(
    r"^\s*(?P<url>(?:https?|file)://\S+)\s+\d{1,4}\s*(?:/|of|trên)\s*\d{1,4}\s*$", re.I
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
    publisher: str | None = None  # the site, when the PDF is a web page printed by a browser


@dataclass
class _Line:
    text: str
    top: float
    bottom: float
    page_height: float = 842.0
    full_width: bool = False  # runs to the right edge of its column (a wrapped line)

    @property
    def in_margin(self) -> bool:
        """In the top or bottom tenth of the page, where running heads and page numbers sit."""
        return self.top < 0.1 * self.page_height or self.bottom > 0.9 * self.page_height


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
        found = region.extract_text_lines(return_chars=True)
        right_edge, width = _column_edge(found)
        for line in found:
            if any(pdf_font_encoding(c.get("fontname", ""))[0] for c in line["chars"]):
                text, encodings = _convert_chars(line["chars"])
            else:
                text, encodings = line["text"].strip(), set()
            used |= encodings
            if text:
                lines.append(_Line(
                    text, float(line["top"]), float(line["bottom"]), float(page.height),
                    full_width=float(line["x1"]) >= right_edge - 0.12 * width,
                ))
    return lines, used


def _column_edge(lines: list[dict]) -> tuple[float, float]:
    """(right edge, width) of a column's text: where most full lines end."""
    if not lines:
        return 0.0, 0.0
    rights = sorted(float(line["x1"]) for line in lines)
    lefts = sorted(float(line["x0"]) for line in lines)
    right = rights[int(0.9 * (len(rights) - 1))]
    left = lefts[int(0.1 * (len(lefts) - 1))]
    return right, max(0.0, right - left)


def _spanning_rows(words: list[dict], gutter: float) -> list[tuple[float, float]]:
    """(top, bottom) of text rows that run across the gutter (titles, full-width paragraphs).

    A row spans when a word crosses the gutter, or when the gap between its
    last word left of the gutter and its first word right of it is no wider
    than a word space (under one line height).
    """
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - word["top"]) < 2:
            rows[-1].append(word)
        else:
            rows.append([word])
    spans = []
    for row in rows:
        top = min(w["top"] for w in row)
        bottom = max(w["bottom"] for w in row)
        if any(w["x0"] < gutter < w["x1"] for w in row):
            spans.append((top, bottom))
            continue
        left = [w["x1"] for w in row if w["x1"] <= gutter]
        right = [w["x0"] for w in row if w["x0"] >= gutter]
        if left and right and min(right) - max(left) < bottom - top:
            spans.append((top, bottom))
    return sorted(spans)


def _column_regions(page, words: list[dict], gutter: float) -> list:
    """Crops in reading order: full-width bands, and left then right column between them."""
    x0, top, x1, bottom = page.bbox
    bands: list[tuple[float, float, bool]] = []  # (top, bottom, full width)
    cursor = top
    for w_top, w_bottom in _spanning_rows(words, gutter):
        if w_top > cursor:
            bands.append((cursor, w_top, False))
        if bands and bands[-1][2] and w_top <= bands[-1][1] + 1:
            bands[-1] = (bands[-1][0], max(bands[-1][1], w_bottom), True)
        else:
            bands.append((max(cursor, w_top), w_bottom, True))
        cursor = max(cursor, w_bottom)
    if cursor < bottom:
        bands.append((cursor, bottom, False))
    # within_bbox keeps only characters wholly inside, so a row on a band's edge is read once.
    regions = []
    for band_top, band_bottom, full in bands:
        if band_bottom - band_top < 1:
            continue
        if full:
            regions.append(page.within_bbox((x0, band_top - 0.5, x1, band_bottom + 0.5)))
        else:
            regions.append(page.within_bbox((x0, band_top, gutter, band_bottom)))
            regions.append(page.within_bbox((gutter, band_top, x1, band_bottom)))
    return regions


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Join lines into paragraphs, split where the vertical gap is large."""
    if not lines:
        return []
    heights = [line.bottom - line.top for line in lines if line.bottom > line.top]
    height = median(heights) if heights else 10.0
    paragraphs, current = [], [lines[0]]
    for prev, line in zip(lines, lines[1:], strict=False):
        gap = line.top - prev.bottom
        if gap > 0.8 * height or gap < -2 * height:
            paragraphs.append(current)
            current = []
        current.append(line)
    paragraphs.append(current)
    return [unwrap([line.text for line in p], [line.full_width for line in p]) for p in paragraphs]


def _margin_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def _remove_running_lines(pages: dict[int, list[_Line]]) -> None:
    """Drop page numbers and lines repeated in the page margins of most pages.

    Only lines in the top or bottom tenth of a page are candidates, so body
    text that happens to repeat on every page stays.
    """
    counts: Counter[str] = Counter()
    for lines in pages.values():
        counts.update({_margin_key(line.text) for line in lines if line.in_margin})
    threshold = max(2, math.ceil(0.6 * len(pages)))
    repeated = {key for key, n in counts.items() if n >= threshold}
    for number, lines in pages.items():
        pages[number] = [
            line
            for line in lines
            if not line.in_margin
            or not (_PAGE_NUMBER.match(line.text) or _margin_key(line.text) in repeated)
        ]


def _take_browser_margins(pages: dict[int, list[_Line]], result: PdfResult) -> None:
    """Drop the lines a browser prints around a web page; keep its title and site.

    A page counts as browser-printed when its bottom margin holds the page's
    address and a page number ('https://... 1/3'); the top-margin line with
    the time of printing (never a publication date) goes too.
    """
    for lines in pages.values():
        footers = [line for line in lines if line.in_margin and _BROWSER_FOOTER.match(line.text)]
        if not footers:
            continue
        headers = [line for line in lines if line.in_margin and _BROWSER_HEADER.match(line.text)]
        url = _BROWSER_FOOTER.match(footers[0].text).group("url")
        if result.publisher is None:
            host = urlparse(url).hostname
            result.publisher = host.removeprefix("www.") if host else None
        if headers and result.title is None:
            result.title = _BROWSER_HEADER.match(headers[0].text).group("title")
        dropped = {id(line) for line in footers + headers}
        lines[:] = [line for line in lines if id(line) not in dropped]


def read_pdf(
    data: bytes,
    *,
    limits: ReadLimits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> PdfResult:
    """Read PDF bytes into page blocks; OCR pages without a text layer.

    A page that fails to parse is recorded in `errors` and skipped; the
    other pages are kept (the document is then partial).
    """
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        page_count = _declared_page_count(pdf)
    except (PdfminerException, PDFPasswordIncorrect, Exception) as exc:
        raise _open_error(exc) from exc
    result = PdfResult(pages=page_count)
    # Not `with pdf`: its close() re-parses every page, which fails on a damaged one.
    try:
        pages = _open_pages(pdf, limits.max_pages, result.errors)
        result.pages = page_count = max(page_count, len(pages) + len(result.errors))
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
        for number, page in pages.items():
            try:
                with _PdfminerWarnings() as warnings:
                    lines, encodings = _page_lines(page)
                chars = sum(len(line.text) for line in lines)
                if _needs_ocr(page, chars):
                    needs_ocr.append(number)
                elif chars < _MIN_TEXT_CHARS and warnings.count:
                    result.errors.append(StageError(
                        "read", f"page {number} is damaged and has no readable text "
                        f"({warnings.first})"
                    ))
                elif chars:
                    used |= encodings
                    page_lines[number] = lines
            except Exception as exc:  # pdfminer raises anything on damaged pages
                result.errors.append(StageError(
                    "read", f"page {number} is damaged and could not be read ({type(exc).__name__}: {exc})"
                ))
            finally:
                page.close()
        _take_browser_margins(page_lines, result)
        _remove_running_lines(page_lines)
        ocr_blocks: dict[int, list[TextBlock]] = {}
        if needs_ocr:
            from pipeline.read.ocr import ocr_pdf_pages

            if progress is not None:
                progress(len(needs_ocr))
            ocr_blocks = ocr_pdf_pages(
                {n: pages[n] for n in needs_ocr}, limits=limits, errors=result.errors
            )
            result.ocr = bool(ocr_blocks)
    finally:
        pdf.flush_cache()
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


def _declared_page_count(pdf) -> int:
    """/Count of the page tree (0 when unreadable); opening the catalog checks the password."""
    from pdfminer.pdftypes import resolve1

    try:
        return int(resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"]))
    except Exception:  # a damaged page tree: count while iterating instead
        return 0


def _open_pages(pdf, max_pages: int, errors: list[StageError]) -> dict:
    """pdfplumber pages by 1-based number; a page whose dictionary is broken goes to `errors`."""
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page

    pages: dict = {}
    doctop = 0.0
    iterator = PDFPage.create_pages(pdf.doc)
    for number in range(1, max_pages + 1):
        try:
            raw_page = next(iterator)
        except StopIteration:
            break
        except Exception as exc:  # a broken page tree ends the walk
            errors.append(StageError(
                "read", f"pages from {number} on could not be found ({type(exc).__name__})"
            ))
            break
        try:
            page = Page(pdf, raw_page, page_number=number, initial_doctop=doctop)
            doctop += float(page.height)
            pages[number] = page
        except Exception as exc:
            errors.append(StageError(
                "read", f"page {number} is damaged and could not be read ({type(exc).__name__}: {exc})"
            ))
    return pages


def _needs_ocr(page, chars: int) -> bool:
    """No text layer but images; or images over most of the page with only a stamp of text."""
    if chars >= 200 or not page.images:
        return False
    if chars < _MIN_TEXT_CHARS:
        return True
    area = float(page.width * page.height) or 1.0
    covered = sum(
        max(0.0, float(i["x1"] - i["x0"])) * max(0.0, float(i["bottom"] - i["top"]))
        for i in page.images
    )
    return covered / area > 0.5


class _PdfminerWarnings(logging.Handler):
    """Counts pdfminer's warnings while a page is parsed (it logs damage instead of raising)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.first = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.first = self.first or record.getMessage()[:120]

    def __enter__(self) -> _PdfminerWarnings:
        logging.getLogger("pdfminer").addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("pdfminer").removeHandler(self)


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
