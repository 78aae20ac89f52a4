"""Readers: turn a file's bytes into text blocks with provenance.

`read_document(path)` is the one entry point; it picks the reader by the
file's extension and raises `ReadError` with a clerk-readable message when a
file cannot be read. `read_document_guarded` (in `guard`) runs it in a
worker process with a time limit.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

from pipeline.contract import Source, StageError
from pipeline.paths import display_path
from pipeline.read.document import RawDocument, ReadError, TextBlock
from pipeline.read.limits import DEFAULT_LIMITS, ReadLimits

SUPPORTED_SUFFIXES = {
    ".txt": "txt",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".mht": "mhtml",
    ".mhtml": "mhtml",
    ".doc": "doc",
    ".rtf": "rtf",
    ".odt": "odt",
    ".xls": "xls",
    ".xlsx": "xlsx",
}
MAX_FILE_BYTES = DEFAULT_LIMITS.max_file_bytes
# Bump whenever what a reader returns for the same bytes changes (v2: formats told by their
# bytes, mixed UTF-8/8-bit lines, the text limit, DOCX pages, deeply nested tables).
READER_VERSION = "read.v2"
CHARS_PER_PAGE = 2500  # a typed A4 page of Vietnamese administrative text, roughly


def file_format(path: Path) -> str | None:
    """The format name for a supported file, else None."""
    return SUPPORTED_SUFFIXES.get(path.suffix.lower())


def format_label(path: Path) -> str:
    """The format recorded for a file: its format name, else its suffix ('ppt'), else 'unknown'."""
    return file_format(path) or path.suffix.lower().lstrip(".") or "unknown"


def read_document(
    path: Path,
    *,
    limits: ReadLimits = DEFAULT_LIMITS,
    progress: Callable[[int], None] | None = None,
) -> RawDocument:
    """Read one file. Raises `ReadError` for unsupported or unreadable files.

    `progress(n)` is called before OCR of n pages (the guard extends its deadline).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(f"the file cannot be opened ({exc.strerror or exc})") from exc
    source = Source(
        path=display_path(path),
        sha256="",
        format=format_label(path),
        size_bytes=size,
    )
    try:
        if size > limits.max_file_bytes:
            source.sha256 = file_sha256(path)
            raise ReadError(
                f"the file is {_size_text(size)}, over the limit of {_size_text(limits.max_file_bytes)} "
                "for one file"
            )
        data = path.read_bytes()
        source.sha256 = hashlib.sha256(data).hexdigest()
        fmt = _real_format(sniff_format(data), file_format(path))
        source.format = fmt or source.format
        raw = _read_source(path, fmt, data, source, limits, progress)
    except ReadError as exc:
        exc.source = source
        raise
    limit_text(raw, limits.max_text_chars)
    return raw


def _real_format(sniffed: str | None, named: str | None) -> str | None:
    """The format to read: what the bytes show, else what the name says."""
    if sniffed == "ole":
        return named if named in ("doc", "xls") else "doc"
    return sniffed or named


def _size_text(size: int) -> str:
    """'200.1 MB (209,820,672 bytes)': exact where a limit is near."""
    return f"{size / 2**20:,.1f} MB ({size:,} bytes)"


def limit_text(raw: RawDocument, max_chars: int) -> None:
    """Keep the first `max_chars` characters of a document's text; say so in its errors."""
    total = 0
    for index, block in enumerate(raw.blocks):
        total += len(block.text)
        if total > max_chars:
            block.text = block.text[: len(block.text) - (total - max_chars)]
            del raw.blocks[index + 1 :]
            raw.errors.append(StageError(
                "read", f"the text is longer than {max_chars:,} characters (about "
                f"{max_chars // CHARS_PER_PAGE:,} pages); only that much was analysed"))
            return


# Leading bytes that tell a file's real format whatever its name says.
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"{\\rtf", "rtf"),
)
_ZIP_MEMBERS = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("content.xml", "odt"))


def sniff_format(data: bytes) -> str | None:
    """The format a file's bytes show (a PDF named .docx is a PDF), or None when they do not tell.

    Legacy Office files give 'ole': their name tells a .doc from an .xls.
    """
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    for magic, fmt in _MAGIC:
        if head.startswith(magic) or (fmt == "pdf" and magic in head):
            return fmt
    if data.startswith(b"PK\x03\x04"):
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        return next((fmt for member, fmt in _ZIP_MEMBERS if member in names), None)
    lowered = head[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "html"
    if b"mime-version:" in lowered and b"multipart/related" in data[:4096].lower():
        return "mhtml"
    return None


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MB blocks: the document's identity."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_source(
    path: Path,
    fmt: str | None,
    data: bytes,
    source: Source,
    limits: ReadLimits,
    progress: Callable[[int], None] | None,
) -> RawDocument:
    if fmt is None:
        raise ReadError(
            f"unsupported file type '{path.suffix or path.name}': "
            f"supported types are {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    if not data:
        raise ReadError("the file is empty (0 bytes)")
    raw = RawDocument(source=source)
    if fmt == "txt":
        from pipeline.read.text import read_text

        raw.blocks, source.encoding, raw.errors = read_text(data, max_chars=limits.max_text_chars)
    elif fmt == "docx":
        from pipeline.read.docx import read_docx

        raw.blocks, source.encoding = read_docx(data, limits=limits, errors=raw.errors)
    elif fmt == "pdf":
        from pipeline.read.pdf import read_pdf

        result = read_pdf(data, limits=limits, progress=progress)
        raw.blocks, raw.errors = result.blocks, result.errors
        source.pages, source.ocr, source.encoding = result.pages, result.ocr, result.encoding
        raw.title, raw.publisher = result.title, result.publisher
    elif fmt in ("html", "mhtml"):
        from pipeline.read.html import read_html
        from pipeline.read.mhtml import read_mhtml

        page = read_html(data) if fmt == "html" else read_mhtml(data)
        raw.blocks, source.encoding = page.blocks, page.encoding
        raw.title, raw.published, raw.publisher = page.title, page.published, page.publisher
    elif fmt == "xlsx":
        from pipeline.read.office import read_xlsx

        raw.blocks, source.encoding = read_xlsx(data, limits=limits)
    else:
        from pipeline.read.office import read_legacy_office

        raw.blocks, source.encoding = read_legacy_office(data, suffix=fmt, limits=limits)
    return raw


def __getattr__(name: str):
    if name == "read_document_guarded":  # lazy: guard imports multiprocessing
        from pipeline.read.guard import read_document_guarded

        return read_document_guarded
    raise AttributeError(name)


__all__ = [
    "RawDocument",
    "ReadError",
    "READER_VERSION",
    "ReadLimits",
    "SUPPORTED_SUFFIXES",
    "TextBlock",
    "file_format",
    "file_sha256",
    "format_label",
    "read_document",
    "read_document_guarded",
]
