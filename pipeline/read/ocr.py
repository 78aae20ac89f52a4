"""OCR of scanned pages with the Tesseract command-line tool (`-l vie`).

Page images go to Tesseract through a pipe, never through files: a reader
killed mid-page leaves nothing behind. One file's OCR stops when its time
budget (`ReadLimits.ocr_max_total_s`) is spent; the pages left are reported.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from pathlib import Path

from pipeline.contract import StageError
from pipeline.read.document import ReadError, TextBlock
from pipeline.read.limits import DEFAULT_LIMITS, ReadLimits
from pipeline.read.wrapping import unwrap

INSTALL_HINT = (
    "install the packages tesseract-ocr and tesseract-ocr-vie "
    "(scripts/install-system-deps.sh)"
)


def check_tesseract() -> str:
    """Path of `tesseract`; ReadError naming the packages if it or its `vie` data is missing."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise ReadError(f"this document is scanned and needs OCR, but Tesseract is missing: "
                        f"{INSTALL_HINT}")
    try:
        listed = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReadError(f"Tesseract could not be started ({exc}); {INSTALL_HINT}") from exc
    languages = set((listed.stdout + listed.stderr).split())
    if "vie" not in languages:
        raise ReadError(
            "this document is scanned and needs OCR, but Tesseract has no Vietnamese "
            "data: install the package tesseract-ocr-vie (scripts/install-system-deps.sh)"
        )
    return binary


def ocr_image_file(image: Path, *, timeout_s: float, binary: str | None = None) -> str:
    """Text of one page image file, by `tesseract IMAGE stdout -l vie`."""
    return _tesseract(str(image), None, timeout_s=timeout_s, binary=binary)


def ocr_image_bytes(image: bytes, *, timeout_s: float, binary: str | None = None) -> str:
    """Text of one page image (PNG bytes), piped to `tesseract stdin stdout -l vie`."""
    return _tesseract("stdin", image, timeout_s=timeout_s, binary=binary)


def _tesseract(source: str, image: bytes | None, *, timeout_s: float, binary: str | None) -> str:
    binary = binary or check_tesseract()
    try:
        done = subprocess.run(
            [binary, source, "stdout", "-l", "vie", "--psm", "3"],
            input=image,
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ReadError(f"OCR of a page took longer than {timeout_s:.0f} s") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise ReadError(f"OCR failed: {message[0]}")
    return done.stdout.decode("utf-8", "replace")


def text_blocks(text: str, page: int | None) -> list[TextBlock]:
    """OCR output split into paragraph blocks (blank-line separated)."""
    blocks = []
    for paragraph in text.replace("\f", "\n\n").split("\n\n"):
        paragraph = unwrap([line for line in paragraph.splitlines() if line.strip()])
        if paragraph:
            blocks.append(TextBlock(text=paragraph, page=page, ocr=True))
    return blocks


def ocr_pdf_pages(
    pages: dict,
    *,
    limits: ReadLimits = DEFAULT_LIMITS,
    errors: list[StageError],
) -> dict[int, list[TextBlock]]:
    """OCR pdfplumber pages (by 1-based number); failures go to `errors`."""
    binary = check_tesseract()
    found: dict[int, list[TextBlock]] = {}
    deadline = time.monotonic() + limits.ocr_max_total_s
    for done, (number, page) in enumerate(pages.items()):
        remaining = deadline - time.monotonic()
        if remaining <= 1:
            errors.append(StageError(
                "read", f"OCR stopped after {done} of {len(pages)} scanned pages: the limit of "
                f"{_duration(limits.ocr_max_total_s)} of OCR for one file was reached"))
            break
        try:
            image = io.BytesIO()
            page.to_image(resolution=limits.ocr_resolution).original.save(image, format="PNG")
            text = ocr_image_bytes(
                image.getvalue(), timeout_s=min(limits.ocr_timeout_per_page_s, remaining), binary=binary
            )
        except ReadError as exc:
            errors.append(StageError("read", f"page {number}: {exc}"))
            continue
        except Exception as exc:  # rendering damaged pages
            errors.append(StageError(
                "read", f"page {number} could not be rendered for OCR ({type(exc).__name__})"
            ))
            continue
        found[number] = text_blocks(text, number)
    return found


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g} minutes" if seconds >= 60 else f"{seconds:g} s"
