"""Read a file in a worker process under a time limit.

pdfplumber (or LibreOffice, or a damaged file) can hang or eat memory; the
worker is killed when the deadline passes so one file never stalls a batch,
and its address space is capped (`limits.max_memory_bytes`) so one file can
never exhaust the machine.
The deadline starts at `limits.timeout_s` and grows by
`limits.ocr_timeout_per_page_s` for each page the reader says it must OCR,
by at most `limits.ocr_max_total_s`.

The worker is persistent: started once as `python -m pipeline.read.guard`
(a fresh interpreter: it shares no threads or locks with the caller and does
not re-import the caller's main module) and fed one path at a time over a
socket pair, which keeps
the cost per file to a pipe round trip. It is replaced after it is killed,
after it dies, and after `RECYCLE_AFTER_FILES` files (to return memory that
parsers keep). Each calling thread has its own worker.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from pipeline.contract import Source
from pipeline.read.document import RawDocument, ReadError
from pipeline.read.limits import DEFAULT_LIMITS, ReadLimits

Reader = Callable[..., RawDocument]
RECYCLE_AFTER_FILES = 500


def _serve(conn: Connection) -> None:
    """Worker loop: receive (path, limits, reader), answer with messages, until None."""
    from pipeline.read import read_document

    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        path, limits, reader = request

        def progress(ocr_pages: int, limits: ReadLimits = limits) -> None:
            conn.send(("extend", min(ocr_pages * limits.ocr_timeout_per_page_s, limits.ocr_max_total_s)))

        _limit_memory(limits.max_memory_bytes)
        try:
            raw = (reader or read_document)(Path(path), limits=limits, progress=progress)
            conn.send(("ok", raw))
        except ReadError as exc:
            conn.send(("read_error", (str(exc), exc.source)))
        except MemoryError:
            message = (
                f"reading this file needed more than {limits.max_memory_bytes // 2**20} MB "
                "of memory and was stopped (the file may be damaged)"
            )
            conn.send(("replace_worker", (message, None)))  # a fresh worker takes the next file
        except Exception as exc:  # report, never hang the parent
            message = f"the file could not be read ({type(exc).__name__}: {exc})"
            conn.send(("read_error", (message, None)))


def _limit_memory(max_bytes: int) -> None:
    """Cap this worker's address space (inherited by the programs it starts)."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = max_bytes if max_bytes > 0 else hard
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


class _Worker:
    """One worker process and the parent's end of its socket."""

    def __init__(self) -> None:
        parent, child = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        # Few malloc arenas: on a many-core machine each thread's arena reserves
        # address space, which counts against the worker's memory cap.
        env.setdefault("MALLOC_ARENA_MAX", "2")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.read.guard", str(child.fileno())],
            pass_fds=[child.fileno()], env=env, stdin=subprocess.DEVNULL,
        )
        child.close()
        self.conn = Connection(parent.detach())
        self.pid = os.getpid()
        self.files = 0

    def read(self, path: Path, limits: ReadLimits, reader: Reader | None) -> RawDocument:
        """Send one path and wait for its answer; on timeout or crash, kill and raise."""
        self.files += 1
        self.conn.send((str(path), limits, reader))
        deadline = time.monotonic() + limits.timeout_s
        allowed = limits.timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining > 0 and not self.conn.poll(remaining):
                continue
            if remaining <= 0:
                self.close(kill=True)
                raise _failure(
                    path,
                    f"reading took longer than {allowed:.0f} s and was stopped "
                    "(the file may be damaged; try opening and saving it again)",
                )
            try:
                kind, payload = self.conn.recv()
            except (EOFError, OSError) as exc:
                self.close(kill=True)
                raise _failure(
                    path,
                    "the reader stopped unexpectedly while reading this file "
                    f"(exit code {self.process.poll()}); the file may be damaged",
                ) from exc
            if kind == "extend":
                deadline += payload
                allowed += payload
            elif kind == "ok":
                return payload
            else:
                if kind == "replace_worker":
                    self.close(kill=True)
                message, source = payload
                error = ReadError(message)
                error.source = source or _bare_source(path)
                raise error

    def alive(self) -> bool:
        return self.pid == os.getpid() and self.process.poll() is None

    def close(self, *, kill: bool = False) -> None:
        if self.pid != os.getpid():
            return  # inherited through fork: the parent owns it
        try:
            if not kill:
                self.conn.send(None)
        except OSError:
            pass
        self.conn.close()
        if kill:
            self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_local = threading.local()
_workers: list[_Worker] = []


def _worker() -> _Worker:
    worker: _Worker | None = getattr(_local, "worker", None)
    if worker is not None and (not worker.alive() or worker.files >= RECYCLE_AFTER_FILES):
        worker.close(kill=not worker.alive())
        worker = None
    if worker is None:
        worker = _local.worker = _Worker()
        _workers.append(worker)
    return worker


def shutdown_workers() -> None:
    """Stop this process's workers (also run at exit)."""
    while _workers:
        _workers.pop().close()
    _local.__dict__.clear()


atexit.register(shutdown_workers)


def read_document_guarded(
    path: Path, *, limits: ReadLimits = DEFAULT_LIMITS, reader: Reader | None = None
) -> RawDocument:
    """`read_document` in a worker process, which is killed after the time limit.

    `reader` (a module-level function, default `read_document`) is for tests.

    Raises:
        ReadError: the file cannot be read, reading took longer than allowed,
            or the worker died (a crash in a parser).
    """
    worker = _worker()
    try:
        return worker.read(Path(path), limits, reader)
    finally:
        if not worker.alive():
            _local.worker = None
            if worker in _workers:
                _workers.remove(worker)


def _failure(path: Path, message: str) -> ReadError:
    error = ReadError(message)
    error.source = _bare_source(path)
    return error


def _bare_source(path: Path) -> Source:
    """A source record for a file the worker could not describe (sha256 from the bytes)."""
    from pipeline.paths import display_path
    from pipeline.read import file_sha256, format_label

    path = Path(path)
    try:
        sha256, size = file_sha256(path), path.stat().st_size
    except OSError:
        sha256, size = "", None
    return Source(path=display_path(path), sha256=sha256, format=format_label(path), size_bytes=size)


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1])))
