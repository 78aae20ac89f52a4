"""Legacy office files (.doc, .rtf, .odt, .xls) through LibreOffice, and .xlsx with openpyxl.

LibreOffice (`soffice --headless --convert-to`) turns .doc/.rtf/.odt into
DOCX and .xls into XLSX in a private temporary directory, under a time
limit; the result is read by the DOCX/XLSX readers, which convert runs and
cells set in TCVN3/VNI fonts. A .doc's text boxes are put back in the order
the file keeps them (`word_binary`).
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from pipeline.read.detect import convert_legacy_text
from pipeline.read.document import ReadError, TextBlock
from pipeline.read.docx import check_zip, convert_run_text, read_docx
from pipeline.read.limits import DEFAULT_LIMITS, ReadLimits
from pipeline.read.word_binary import text_box_story

OFFICE_HINT = (
    "install LibreOffice: the packages libreoffice-writer and libreoffice-calc "
    "(or their -nogui variants; scripts/install-system-deps.sh)"
)
_TARGETS = {"doc": "docx", "rtf": "docx", "odt": "docx", "xls": "xlsx"}


def find_soffice() -> str | None:
    """Path of the LibreOffice binary, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_with_libreoffice(
    data: bytes, *, suffix: str, target: str, timeout_s: float
) -> bytes:
    """Convert a file's bytes with headless LibreOffice; return the converted bytes."""
    binary = find_soffice()
    if binary is None:
        raise ReadError(f"reading .{suffix} files needs LibreOffice, which is missing: "
                        f"{OFFICE_HINT}")
    with tempfile.TemporaryDirectory(prefix="read-office-") as tmp:
        source = Path(tmp) / f"input.{suffix}"
        source.write_bytes(data)
        out_dir = Path(tmp) / "out"
        command = [
            binary, "--headless", "--norestore", "--nologo", "--nodefault",
            f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
            "--convert-to", target, "--outdir", str(out_dir), str(source),
        ]
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        try:
            _, stderr = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise ReadError(
                f"converting the .{suffix} file with LibreOffice took longer than "
                f"{timeout_s:.0f} s (the file may be damaged)"
            ) from exc
        result = out_dir / f"input.{target}"
        if not result.exists() or result.stat().st_size == 0:
            detail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise ReadError(
                f"the .{suffix} file is damaged or protected and LibreOffice could not "
                f"convert it {detail[0]}".rstrip()
            )
        return result.read_bytes()


def read_legacy_office(
    data: bytes, *, suffix: str, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[list[TextBlock], str | None]:
    """Read .doc/.rtf/.odt (via DOCX) or .xls (via XLSX); return (blocks, legacy encoding)."""
    target = _TARGETS.get(suffix)
    if target is None:
        raise ReadError(f"unsupported office file type .{suffix}")
    converted = convert_with_libreoffice(
        data, suffix=suffix, target=target, timeout_s=limits.office_timeout_s
    )
    # The converted file is ours, not the sender's: only the zip-bomb check matters.
    if target == "xlsx":
        return read_xlsx(converted, limits=limits)
    story = text_box_story(data) if suffix == "doc" else None
    blocks, encoding = read_docx(converted, limits=limits, text_box_story=story)
    if unreadable_share("".join(b.text for b in blocks)) > 0.3:
        raise ReadError(
            f"the .{suffix} file is damaged: LibreOffice could open it only as "
            "unreadable characters"
        )
    return blocks, encoding


def unreadable_share(text: str) -> float:
    """Share of characters no Vietnamese document is written in (CJK, Hangul, private use...).

    LibreOffice imports a file it cannot parse as plain text, which turns a
    damaged .doc into a page of such characters instead of an error.
    """
    chars = [ch for ch in text if not ch.isspace()]
    if not chars:
        return 0.0
    odd = sum(
        1 for ch in chars
        if ord(ch) >= 0x2E80 or unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs")
    )
    return odd / len(chars)


def read_xlsx(
    data: bytes, *, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[list[TextBlock], str | None]:
    """Read XLSX bytes: one table block per non-empty row, cells joined with ' | '."""
    check_zip(data, limits=limits, kind="XLSX", required="xl/workbook.xml")
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:
        raise ReadError(
            f"the spreadsheet is damaged and cannot be opened ({type(exc).__name__})"
        ) from exc
    blocks: list[TextBlock] = []
    converted_rows: list[bool] = []
    used: set[str] = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            cells, converted = [], False
            for cell in row:
                value = cell.value
                if value is None:
                    cells.append("")
                    continue
                text = _cell_text(value)
                font = cell.font.name if cell.font is not None else None
                text, encoding = convert_run_text(text, font)
                if encoding:
                    used.add(encoding)
                    converted = True
                cells.append(text)
            while cells and not cells[-1].strip():
                cells.pop()
            if any(c.strip() for c in cells):
                blocks.append(TextBlock(text=" | ".join(cells), part="table"))
                converted_rows.append(converted)
    workbook.close()
    plain = [b for b, was in zip(blocks, converted_rows, strict=True) if not was]
    text, encoding = convert_legacy_text("\n".join(b.text.replace("\n", " ") for b in plain))
    if encoding:
        for block, line in zip(plain, text.split("\n"), strict=True):
            block.text = line
        used.update(encoding.replace("mixed ", "").split("+"))
    if not blocks:
        raise ReadError("the spreadsheet contains no text")
    name = None
    if used:
        name = "mixed tcvn3+vni" if len(used) > 1 else next(iter(used))
    return blocks, name


def _cell_text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"  # as Excel's General format shows it
    return str(value)
