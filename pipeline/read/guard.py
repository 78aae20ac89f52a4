"""Read a file in a worker process under a time limit.

pdfplumber (or LibreOffice, or a damaged file) can hang or eat memory; the
worker is killed when the deadline passes so one file never stalls a batch.
The deadline starts at `limits.timeout_s` and grows by
`limits.ocr_timeout_per_page_s` for each page the reader says it must OCR.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from pipeline.contract import Source
from pipeline.read.document import RawDocument, ReadError
from pipeline.read.limits import DEFAULT_LIMITS, ReadLimits

Reader = Callable[..., RawDocument]


def _worker(path: str, limits: ReadLimits, conn: Connection, reader: Reader | None) -> None:
    from pipeline.read import read_document

    reader = reader or read_document

    def progress(ocr_pages: int) -> None:
        conn.send(("extend", ocr_pages * limits.ocr_timeout_per_page_s))

    try:
        raw = reader(Path(path), limits=limits, progress=progress)
        conn.send(("ok", raw))
    except ReadError as exc:
        conn.send(("read_error", (str(exc), exc.source)))
    except Exception as exc:  # report, never hang the parent
        conn.send(("read_error", (f"the file could not be read ({type(exc).__name__}: {exc})",
                                  None)))
    finally:
        conn.close()


def read_document_guarded(
    path: Path, *, limits: ReadLimits = DEFAULT_LIMITS, reader: Reader | None = None
) -> RawDocument:
    """`read_document` in a 'spawn' worker process, killed after the time limit.

    `reader` (a module-level function, default `read_document`) is for tests.

    Raises:
        ReadError: the file cannot be read, or reading took longer than allowed.
    """
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(str(path), limits, child, reader), daemon=True)
    process.start()
    child.close()
    deadline = time.monotonic() + limits.timeout_s
    allowed = limits.timeout_s
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _timeout_error(path, allowed)
            if not parent.poll(remaining):
                continue
            try:
                kind, payload = parent.recv()
            except EOFError as exc:
                process.join(5)
                raise _failure(path, f"the reader stopped unexpectedly "
                                     f"(exit code {process.exitcode})") from exc
            if kind == "extend":
                deadline += payload
                allowed += payload
            elif kind == "ok":
                return payload
            else:
                message, source = payload
                error = ReadError(message)
                error.source = source or _bare_source(path)
                raise error
    finally:
        parent.close()
        if process.is_alive():
            process.kill()
        process.join(5)


def _timeout_error(path: Path, allowed: float) -> ReadError:
    return _failure(
        path,
        f"reading took longer than {allowed:.0f} s and was stopped "
        "(the file may be damaged; try opening and saving it again)",
    )


def _failure(path: Path, message: str) -> ReadError:
    error = ReadError(message)
    error.source = _bare_source(path)
    return error


def _bare_source(path: Path) -> Source:
    """A source record for a file the worker could not describe (sha256 from the bytes)."""
    import hashlib

    from pipeline.read import file_format

    path = Path(path)
    digest = hashlib.sha256()
    size = None
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        size = path.stat().st_size
    except OSError:
        pass
    return Source(
        path=str(path),
        sha256=digest.hexdigest(),
        format=file_format(path) or path.suffix.lower().lstrip(".") or "unknown",
        size_bytes=size,
    )
