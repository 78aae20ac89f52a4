"""OCR of scanned pages with the Tesseract command-line tool (`-l vie`)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
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
    """Text of one page image, by `tesseract IMAGE stdout -l vie`."""
    binary = binary or check_tesseract()
    try:
        done = subprocess.run(
            [binary, str(image), "stdout", "-l", "vie", "--psm", "3"],
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
    with tempfile.TemporaryDirectory(prefix="read-ocr-") as tmp:
        for number, page in pages.items():
            image_path = Path(tmp) / f"page-{number}.png"
            try:
                page.to_image(resolution=limits.ocr_resolution).original.save(image_path)
                text = ocr_image_file(
                    image_path, timeout_s=limits.ocr_timeout_per_page_s, binary=binary
                )
            except ReadError as exc:
                errors.append(StageError("read", f"page {number}: {exc}"))
                continue
            except Exception as exc:  # rendering damaged pages
                errors.append(StageError(
                    "read", f"page {number} could not be rendered for OCR ({type(exc).__name__})"
                ))
                continue
            finally:
                image_path.unlink(missing_ok=True)
            found[number] = text_blocks(text, number)
    return found
