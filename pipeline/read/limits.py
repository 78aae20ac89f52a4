"""Resource limits for reading one file, in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadLimits:
    """Limits that keep one bad or hostile file from stalling a batch.

    Attributes:
        max_file_bytes: largest file accepted (default 200 MB); a larger file fails
            without being read.
        max_text_chars: most characters of a document's text analysed (default
            5,000,000, about 2,000 typed pages); the rest is left out and the
            document is stored as `partial` with that reason.
        max_unzipped_bytes: largest total uncompressed size of a DOCX/XLSX zip,
            checked in the zip directory before opening (default 100 MB).
        max_zip_ratio: largest compression ratio of any zip member (default 200),
            a cheap zip-bomb check.
        max_pages: most PDF pages read (default 2,000).
        timeout_s: wall-clock limit for reading a file without OCR (default 120 s).
        ocr_timeout_per_page_s: extra time allowed per page that needs OCR (default 60 s).
        ocr_max_total_s: most time spent on OCR of one file (default 1,800 s); pages
            left when it is spent are not read and the document is `partial`.
        ocr_resolution: DPI pages are rendered at for OCR (default 300).
        office_timeout_s: limit for one LibreOffice conversion (default 100 s, under
            `timeout_s` so the conversion is stopped, and its process group killed,
            before the guard kills the reader).
        max_memory_bytes: address space the guarded reader worker, and the
            LibreOffice and Tesseract processes it starts, may use (default 4 GB);
            a file that needs more fails and the worker is replaced. 0: no limit.
    """

    max_file_bytes: int = 200 * 1024 * 1024
    max_text_chars: int = 5_000_000
    max_unzipped_bytes: int = 100 * 1024 * 1024
    max_zip_ratio: float = 200.0
    max_pages: int = 2000
    timeout_s: float = 120.0
    ocr_timeout_per_page_s: float = 60.0
    ocr_max_total_s: float = 1800.0
    ocr_resolution: int = 300
    office_timeout_s: float = 100.0
    max_memory_bytes: int = 4 * 1024**3


DEFAULT_LIMITS = ReadLimits()
