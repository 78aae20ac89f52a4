"""The `ingest` Prefect flow: discover -> read -> extract -> classify -> store.

Every file found gets exactly one outcome: stored (or `partial`), already
stored, a duplicate of another file, failed (with the stage and a message a
clerk understands, also kept in the `failures` table), or skipped with a
reason (not a document type, a pipe, a link loop, or failed in an earlier run
and not retried without `--retry-failed`).

Files go to worker processes in chunks (one Prefect task per chunk, never per
sentence, with none of the run's tags): locally a plain process pool that
imports no Prefect (`flows.pool`), or Dask workers (`flows.dask`). Each worker
(`flows.worker`) loads the pipeline once, frees the vocabulary each chunk
adds, runs under a memory cap, and stores each document in its own
transaction as soon as it is mined, so an interrupted run keeps everything
stored so far and a re-run adds only what is missing; no document text
travels back to the flow process. A worker that dies (a crash in a native
library) costs no other file: the files left unfinished are run again one at
a time in a fresh worker until the one that kills it is found and recorded
as failed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed

from flows.pool import LocalPoolTaskRunner, run_in_workers
from flows.runtime import untagged_tasks
from flows.worker import (
    ALREADY_STORED,
    DUPLICATE,
    FAILED,
    PARTIAL,
    STORED,
    WORKER_MEMORY_BYTES,
    Outcome,
    process_files,
)
from pipeline.discover import discover
from pipeline.paths import display_path
from pipeline.read import file_sha256

# Documents per task when not given: about four tasks per worker (so all stay busy to the end),
# at most MAX_CHUNK_SIZE (each task costs a few API round trips; more per task costs less).
MAX_CHUNK_SIZE = 100
TASKS_PER_WORKER = 4
# Rounds of running, one file at a time, the files a dead worker left unfinished.
ISOLATION_ROUNDS = 5
CRASH_MESSAGE = (
    "the worker process stopped while reading or mining this file (a crash, or the system "
    "ran out of memory); the file may be damaged"
)
RETRY_HINT = "failed in an earlier run (--retry-failed tries it again)"


@dataclass
class IngestReport:
    """What one run did, with a count for every file found."""

    found: int = 0
    already_stored: int = 0
    stored: int = 0
    partial: int = 0
    duplicates: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0
    log_path: str | None = None
    crashed: list[str] = field(default_factory=list)  # real paths a dead worker left unfinished

    def add(self, outcome: Outcome) -> None:
        if outcome.status in (STORED, PARTIAL):
            self.stored += 1
            self.partial += outcome.status == PARTIAL
        elif outcome.status == DUPLICATE:
            self.duplicates += 1
        elif outcome.status == ALREADY_STORED:
            self.already_stored += 1
        else:
            self.failures.append((outcome.path, outcome.stage or "extract", outcome.message or "failed"))

    def merge(self, retry: IngestReport) -> None:
        """Fold in a run over files this one left unfinished (they were already counted as found)."""
        self.already_stored += retry.already_stored
        self.stored += retry.stored
        self.partial += retry.partial
        self.duplicates += retry.duplicates
        self.failures.extend(retry.failures)
        self.crashed = retry.crashed

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def done(self) -> int:
        """Files with an outcome so far."""
        return self.already_stored + self.stored + self.duplicates + self.failed + len(self.skipped)

    @property
    def exit_code(self) -> int:
        """0: every file processed is stored; 3: the run finished but some files failed."""
        return 3 if self.failed else 0

    def describe(self, *, limit: int = 20) -> str:
        skipped = Counter(reason for _, reason in self.skipped)
        parts = [
            f"{self.stored} stored" + (f" ({self.partial} partial)" if self.partial else ""),
            f"{self.already_stored} already stored",
            f"{self.duplicates} duplicates",
            f"{self.failed} failed",
            f"{len(self.skipped)} skipped" + (
                " (" + "; ".join(f"{n} {reason}" for reason, n in skipped.most_common()) + ")" if skipped else ""),
        ]
        lines = [f"ingest: {self.found} files found: {', '.join(parts)}; in {self.seconds:.1f} s"]
        for path, stage, message in self.failures[:limit]:
            lines.append(f"  failed [{stage}] {path}: {message}")
        if len(self.failures) > limit:
            lines.append(f"  ... and {len(self.failures) - limit} more (`findings failures` lists them)")
        return "\n".join(lines)


@task(name="ingest-chunk", cache_policy=NO_CACHE, retries=0)
def ingest_chunk(paths: list[str], db_url: str) -> list[Outcome]:
    """A chunk of files as a Prefect task: `process_files` in a worker of the local pool, or in
    the Dask worker that runs the task."""
    return run_in_workers(process_files, paths, db_url)


# Called with each batch of outcomes as it arrives (set by `run_ingest` for its progress bar).
_progress: Callable[[IngestReport], None] | None = None


@flow(name="ingest", log_prints=False, validate_parameters=False)
def ingest(
    paths: list[str],
    db_url: str,
    chunk_size: int | None = None,
    retry_failed: bool = False,
    isolate: bool = False,
    parallelism: int = 1,
) -> IngestReport:
    """Ingest files and folders into the findings database at `db_url`.

    `isolate` runs one file at a time and blames a worker's death on the file
    it was processing (used for the files a dead worker left unfinished).
    """
    from pipeline.store.database import open_database

    started_wall, started = time.time(), time.perf_counter()
    engine = open_database(db_url)
    report = IngestReport()
    found = discover([Path(_from_parameter(p)) for p in paths])
    report.found = len(found.files) + len(found.skipped)
    report.skipped = list(found.skipped)
    todo = _plan(engine, found.files, report, retry_failed=retry_failed)
    _notify(report)
    size = 1 if isolate else chunk_size or chunk_size_for(len(todo), parallelism)
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    with untagged_tasks():
        _run_chunks(chunks, db_url, engine, report, started_wall, isolate=isolate)
    report.seconds = time.perf_counter() - started
    return report


def _run_chunks(chunks: list[list[tuple[str, str]]], db_url: str, engine, report: IngestReport, since: float,
                *, isolate: bool) -> None:
    """Run the chunks as tasks and count their outcomes (one at a time, in order, when `isolate`)."""
    if isolate:
        for number, chunk in enumerate(chunks):
            future = ingest_chunk.submit([p for p, _ in chunk], db_url)
            if not _collect(future, chunk, engine, report, since, blame_first=True):
                report.crashed = [p for c in chunks[number + 1 :] for p, _ in c]
                break
    else:
        futures = {ingest_chunk.submit([p for p, _ in chunk], db_url): chunk for chunk in chunks}
        for future in as_completed(list(futures)):
            _collect(future, futures[future], engine, report, since, blame_first=False)


def chunk_size_for(files: int, workers: int) -> int:
    """Documents per task for `files` on `workers`: about four tasks each, at most MAX_CHUNK_SIZE."""
    return max(1, min(MAX_CHUNK_SIZE, -(-files // (max(1, workers) * TASKS_PER_WORKER))))


_HEX_PREFIX = "hex:"


def _to_parameter(path: str | Path) -> str:
    """An absolute path as a flow parameter Prefect can send as JSON (hex bytes when not UTF-8)."""
    absolute = os.path.abspath(path)
    try:
        absolute.encode("utf-8")
    except UnicodeEncodeError:
        return _HEX_PREFIX + os.fsencode(absolute).hex()
    return absolute


def _from_parameter(value: str) -> str:
    """The path `_to_parameter` encoded."""
    return os.fsdecode(bytes.fromhex(value.removeprefix(_HEX_PREFIX))) if value.startswith(_HEX_PREFIX) else value


def _plan(engine, files: list[Path], report: IngestReport, *, retry_failed: bool) -> list[tuple[str, str]]:
    """(path, sha256) of the files to process; the others get their outcome now."""
    from pipeline.store.database import record_failure, stored_hashes, unresolved_failures

    hashed: list[tuple[Path, str]] = []
    for path in files:
        try:
            hashed.append((path, file_sha256(path)))
        except OSError as exc:
            message = f"the file could not be opened: {exc.strerror or exc}"
            record_failure(engine, path=display_path(path), sha256=None, stage="discover", message=message)
            report.add(Outcome(display_path(path), FAILED, "discover", message))
    known = stored_hashes(engine)
    earlier = {} if retry_failed else unresolved_failures(engine, [sha for _, sha in hashed if sha not in known])
    todo, planned = [], set()
    for path, sha in hashed:
        if sha in known:
            report.add(Outcome(display_path(path), ALREADY_STORED))
        elif sha in planned:
            report.add(Outcome(display_path(path), DUPLICATE))
        elif sha in earlier:
            report.skipped.append((display_path(path), RETRY_HINT))
        else:
            planned.add(sha)
            todo.append((str(path), sha))
    return todo


def _collect(future, chunk: list[tuple[str, str]], engine, report: IngestReport, since: float,
             *, blame_first: bool) -> bool:
    """Count a chunk's outcomes; False when its worker died (what it finished is looked up)."""
    try:
        outcomes = future.result()
    except Exception:  # noqa: BLE001 - a dead worker loses no stored file and stops no other chunk
        _after_crash(chunk, engine, report, since, blame_first=blame_first)
        _notify(report)
        return False
    for outcome in outcomes:
        report.add(outcome)
    _notify(report)
    return True


def _after_crash(chunk: list[tuple[str, str]], engine, report: IngestReport, since: float,
                 *, blame_first: bool) -> None:
    from pipeline.store.database import record_failure, stored_hashes, unresolved_failures

    shas = [sha for _, sha in chunk]
    stored = stored_hashes(engine, only=shas)
    failed = {sha: row for sha, row in unresolved_failures(engine, shas).items()
              if row.last_seen_at.timestamp() >= since - 1}
    for index, (path, sha) in enumerate(chunk):
        shown = display_path(path)
        if sha in stored:
            report.add(Outcome(shown, STORED))
        elif sha in failed:
            report.add(Outcome(shown, FAILED, failed[sha].stage, failed[sha].message))
        elif blame_first and index == 0:
            record_failure(engine, path=shown, sha256=sha, stage="extract", message=CRASH_MESSAGE)
            report.add(Outcome(shown, FAILED, "extract", CRASH_MESSAGE))
        else:
            report.crashed.append(path)


def _notify(report: IngestReport) -> None:
    if _progress is not None:
        _progress(report)


@contextlib.contextmanager
def _quiet_stderr(log_path: Path, enabled: bool) -> Iterator[IO[str]]:
    """Send everything written to fd 2 (Prefect's server and logs) to a file; yield the terminal."""
    if not enabled:
        yield sys.stderr
        return
    sys.stderr.flush()
    saved = os.dup(2)
    terminal = os.fdopen(os.dup(saved), "w", encoding="utf-8", errors="backslashreplace")
    with log_path.open("ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            terminal.close()


def prefect_log_path() -> Path:
    """Where Prefect's messages go unless --verbose."""
    return Path(tempfile.gettempdir()) / "findings-ingest-prefect.log"


@contextlib.contextmanager
def prefect_run(*, verbose: bool = False) -> Iterator[IO[str]]:
    """What every command that runs a flow needs around it: Prefect's messages in the log file
    (unless `verbose`), one API server, the reaper and scratch folder, the run tags. Yields the
    terminal."""
    from flows.runtime import IngestRuntime, run_tags

    log_path = prefect_log_path()
    with (
        _quiet_stderr(log_path, enabled=not verbose) as terminal,
        log_path.open("ab") as log,
        IngestRuntime(log),
        run_tags(),
    ):
        yield terminal


def run_ingest(
    paths: list[Path],
    *,
    db_url: str,
    workers: int | None = None,
    chunk_size: int | None = None,
    verbose: bool = False,
    retry_failed: bool = False,
    progress: bool = False,
    worker_memory_bytes: int = WORKER_MEMORY_BYTES,
    dask_address: str | None = None,
) -> IngestReport:
    """Run the ingest flow with everything it needs started and, at the end or on a kill, stopped.

    Prefect's messages go to a log file unless `verbose`; `progress` shows a
    live bar on the terminal. `workers` (default: every core) is the local
    process pool; with `dask_address` the tasks go to that Dask scheduler's
    workers instead (see `flows.dask`).
    """
    from flows.progress import ProgressBar

    global _progress
    workers = workers or os.cpu_count() or 1
    if dask_address:  # before starting anything: an unreachable scheduler ends the run at once
        from flows.dask import prepare_cluster

        workers = prepare_cluster(dask_address)
    with prefect_run(verbose=verbose) as terminal, ProgressBar(terminal, enabled=progress) as bar:
        _progress = bar.update
        try:
            if dask_address:
                from flows.dask import dask_task_runner

                runner = dask_task_runner(dask_address)
            else:
                runner = LocalPoolTaskRunner(workers, worker_memory_bytes)
            report = ingest_everything(paths, db_url, runner, chunk_size=chunk_size, retry_failed=retry_failed,
                                       worker_memory_bytes=worker_memory_bytes, parallelism=workers)
        finally:
            _progress = None
    report.log_path = None if verbose else str(prefect_log_path())
    return report


def ingest_everything(
    paths: list[Path] | list[str],
    db_url: str,
    runner,
    *,
    chunk_size: int | None = None,
    retry_failed: bool = False,
    worker_memory_bytes: int = WORKER_MEMORY_BYTES,
    parallelism: int = 1,
) -> IngestReport:
    """The ingest flow on `runner` (`parallelism` workers), then the files a dead worker left
    unfinished, one at a time."""
    report = ingest.with_options(task_runner=runner)(
        [_to_parameter(p) for p in paths], db_url, chunk_size, retry_failed, parallelism=parallelism)
    for _round in range(ISOLATION_ROUNDS):
        if not report.crashed:
            break
        alone = ingest.with_options(task_runner=LocalPoolTaskRunner(1, worker_memory_bytes))
        report.merge(alone([_to_parameter(p) for p in report.crashed], db_url, 1, True, isolate=True))
    _fail_unfinished(report, db_url)
    if report.stored:
        from pipeline.store.database import open_database, refresh_statistics

        refresh_statistics(open_database(db_url))
    return report


def _fail_unfinished(report: IngestReport, db_url: str) -> None:
    """Files still unfinished after the isolation rounds: failed with the crash message."""
    if not report.crashed:
        return
    from pipeline.store.database import open_database, record_failure

    engine = open_database(db_url)
    for path in report.crashed:
        record_failure(engine, path=display_path(path), sha256=file_sha256(Path(path)), stage="extract",
                       message=CRASH_MESSAGE)
        report.add(Outcome(display_path(path), FAILED, "extract", CRASH_MESSAGE))
    report.crashed = []
