"""The `ingest` Prefect flow: discover -> read -> extract -> classify -> store.

Files already in the database (same sha256) are skipped before any work.
The rest go to worker tasks in chunks (one Prefect task per chunk, never per
sentence); each worker process loads the pipeline once. Results are stored
by the flow process, one transaction per document, as chunks complete, so an
interrupted run keeps everything stored so far and a re-run adds only what
is missing. A file that fails is recorded in `failures` and the flow goes on.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from pipeline.discover import discover_files
from pipeline.read import file_sha256


@dataclass
class IngestReport:
    """What one run did."""

    discovered: int = 0
    already_stored: int = 0
    stored: int = 0
    duplicates: int = 0
    failed: int = 0
    partial: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    log_path: str | None = None

    def describe(self) -> str:
        lines = [
            f"ingest: {self.discovered} files found, {self.already_stored} already stored, "
            f"{self.stored} stored ({self.partial} partial), {self.duplicates} duplicates, "
            f"{self.failed} failed, in {self.seconds:.1f} s"
        ]
        for path, stage, message in self.failures[:20]:
            lines.append(f"  failed [{stage}] {path}: {message}")
        if len(self.failures) > 20:
            lines.append(f"  ... and {len(self.failures) - 20} more (see the failures table)")
        return "\n".join(lines)


def chunked(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@task(name="extract-chunk", cache_policy=NO_CACHE, retries=0)
def extract_chunk(paths: list[str]) -> list[dict]:
    """Read and mine a chunk of files in a worker (pipeline loaded once per process)."""
    from pipeline.process import extract_path

    return [extract_path(Path(p)).to_dict(with_text=True) for p in paths]


@flow(name="ingest", log_prints=False, validate_parameters=False)
def ingest(paths: list[str], db_url: str, chunk_size: int = 25) -> IngestReport:
    """Ingest files and folders into the findings database at `db_url`."""
    from pipeline.contract import result_from_dict
    from pipeline.store.database import open_database, record_failure, save_result, stored_hashes

    started = time.perf_counter()
    report = IngestReport()
    engine = open_database(db_url)
    files = discover_files([Path(p) for p in paths])
    report.discovered = len(files)
    known = stored_hashes(engine)
    todo = []
    for path in files:
        try:
            sha = file_sha256(path)
        except OSError as exc:
            record_failure(engine, path=str(path), sha256=None, stage="discover",
                           message=f"the file could not be opened: {exc.strerror or exc}")
            report.failed += 1
            report.failures.append((str(path), "discover", str(exc)))
            continue
        if sha in known:
            report.already_stored += 1
        else:
            todo.append(str(path))
    futures = {extract_chunk.submit(chunk): chunk for chunk in chunked(todo, chunk_size)}
    for future in as_completed(list(futures)):
        try:
            chunk_results = future.result()
        except Exception as exc:  # noqa: BLE001 - a crashed worker loses its chunk, not the batch
            message = f"the worker processing this file stopped: {type(exc).__name__}: {exc}"
            for path in futures[future]:
                record_failure(engine, path=path, sha256=None, stage="extract", message=message)
                report.failed += 1
                report.failures.append((path, "extract", message))
            continue
        for data in chunk_results:
            result = result_from_dict(data)
            if result.status == "failed":
                error = result.errors[-1] if result.errors else None
                stage, message = (error.stage, error.message) if error else ("extract", "failed")
                record_failure(engine, path=result.source.path, sha256=result.source.sha256 or None,
                               stage=stage, message=message)
                report.failed += 1
                report.failures.append((result.source.path, stage, message))
                continue
            try:
                stored = save_result(engine, result)
            except Exception as exc:  # noqa: BLE001 - one document must never stop the batch
                message = f"could not be stored: {type(exc).__name__}: {exc}"
                record_failure(engine, path=result.source.path, sha256=result.source.sha256 or None,
                               stage="store", message=message)
                report.failed += 1
                report.failures.append((result.source.path, "store", message))
                continue
            if stored:
                report.stored += 1
                report.partial += result.status == "partial"
            else:
                report.duplicates += 1
    report.seconds = time.perf_counter() - started
    return report


def _task_runner(workers: int):
    if workers > 1:
        return ProcessPoolTaskRunner(max_workers=workers)
    return ThreadPoolTaskRunner(max_workers=1)


@contextlib.contextmanager
def _quiet_stderr(log_path: Path, enabled: bool) -> Iterator[None]:
    """Send everything written to fd 2 (Prefect's server and logs) to a file."""
    if not enabled:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with log_path.open("ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def run_ingest(
    paths: list[Path], *, db_url: str, workers: int = 1, chunk_size: int = 25, verbose: bool = False
) -> IngestReport:
    """Run the ingest flow without a Prefect server to set up; Prefect's noise goes to a log file."""
    log_path = Path(tempfile.gettempdir()) / "findings-ingest-prefect.log"
    with _quiet_stderr(log_path, enabled=not verbose):
        configured = ingest.with_options(task_runner=_task_runner(workers))
        report = configured([str(p) for p in paths], db_url, chunk_size)
    report.log_path = None if verbose else str(log_path)
    return report
