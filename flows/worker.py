"""What a worker process runs: a chunk of files to ingest, or of stored documents to run again.

Nothing here imports Prefect: a local run's workers are plain processes
(`flows.pool`) that load the pipeline once, run chunks, and store each
document in its own transaction as soon as it is mined. The same functions
run inside Prefect tasks on Dask workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.paths import display_path

# Address space one worker process may use (the pipeline takes about 0.6 GB);
# a document that needs more fails with a message and the worker lives on.
WORKER_MEMORY_BYTES = 4 * 1024**3

STORED, PARTIAL, DUPLICATE, ALREADY_STORED, FAILED = "stored", "partial", "duplicate", "already stored", "failed"


@dataclass
class Outcome:
    """What happened to one file (`path` as display text)."""

    path: str
    status: str
    stage: str | None = None
    message: str | None = None
    findings: int = 0


@dataclass
class Reprocessed:
    """What happened to one stored document run again."""

    path: str
    status: str  # "reprocessed" | "missing" | "changed" | "failed"
    message: str | None = None
    applied: int = 0
    orphaned: int = 0


def prepare_worker(memory_bytes: int) -> None:
    """Run once in each worker process: cap its memory (a soft limit its readers may lower)."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@lru_cache(maxsize=4)
def worker_engine(db_url: str):
    """The database engine of this process for `db_url` (one per process and URL)."""
    from pipeline.store.database import open_database

    return open_database(db_url)


def process_file(path: Path, db_url: str) -> Outcome:
    """Read, mine and store one file in this process; never raises for a bad file."""
    from pipeline.process import extract_path
    from pipeline.store.database import record_failure, save_result

    engine = worker_engine(db_url)
    shown = display_path(path)
    result = extract_path(path)
    sha256 = result.source.sha256 or None
    if result.status == "failed":
        error = result.errors[-1] if result.errors else None
        stage, message = (error.stage, error.message) if error else ("extract", "failed")
        record_failure(engine, path=shown, sha256=sha256, stage=stage, message=message)
        return Outcome(shown, FAILED, stage, message)
    try:
        stored = save_result(engine, result)
    except Exception as exc:  # noqa: BLE001 - one document must never stop the batch
        message = f"could not be stored: {type(exc).__name__}: {exc}".splitlines()[0][:2000]
        record_failure(engine, path=shown, sha256=sha256, stage="store", message=message)
        return Outcome(shown, FAILED, "store", message)
    if not stored:
        return Outcome(shown, DUPLICATE)
    reason = "; ".join(e.message for e in result.errors) or None
    return Outcome(shown, PARTIAL if result.status == "partial" else STORED, message=reason,
                   findings=len(result.findings))


def process_files(paths: list[str], db_url: str) -> list[Outcome]:
    """Read, mine and store files in this process (pipeline loaded once per process; the words
    they add to its vocabulary freed after them)."""
    from pipeline.process import get_extractor

    with get_extractor().memory_zone():
        return [process_file(Path(p), db_url) for p in paths]


def reprocess_document(path: str, sha256: str, db_url: str) -> Reprocessed:
    """Read, mine and replace one stored document; never raises for a bad file."""
    from pipeline.paths import real_path
    from pipeline.process import extract_path
    from pipeline.read import file_sha256
    from pipeline.store.database import replace_result

    source = real_path(path)
    if not source.is_file():
        return Reprocessed(path, "missing", "the file is no longer there (its stored results are kept)")
    if file_sha256(source) != sha256:
        return Reprocessed(path, "changed", "the file has changed since it was stored (ingest it to store the "
                                            "new version; the stored results are kept)")
    result = extract_path(source)
    if result.status == "failed" or result.source.sha256 != sha256:
        message = result.errors[-1].message if result.errors else "failed"
        return Reprocessed(path, "failed", f"{message} (the stored results are kept)")
    replaced = replace_result(worker_engine(db_url), result)
    return Reprocessed(path, "reprocessed", applied=replaced.applied, orphaned=replaced.orphaned)


def reprocess_documents(items: list[tuple[str, str]], db_url: str) -> list[Reprocessed]:
    """Run a chunk of stored documents ((path, sha256)) again in this process."""
    from pipeline.process import get_extractor

    with get_extractor().memory_zone():
        return [reprocess_document(path, sha256, db_url) for path, sha256 in items]
