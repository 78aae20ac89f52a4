"""The `reprocess` Prefect flow: run stored documents through the current pipeline again.

A stored document records the version of every stage that produced it
(reader, normaliser, layout, relevance, metadata, dates, legal references,
units and gazetteer, findings rules, classifier with its training data and
decision thresholds, attribution). With `stale_only`, only documents whose
versions differ from the current pipeline's are run again. Each document is
read again from its file (which must still hold the same bytes), mined, and
replaced in one transaction; analysts' corrections are applied again to the
new findings, or kept as `orphaned` when the finding they corrected is gone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed

from flows.ingest import chunk_size_for
from flows.pool import LocalPoolTaskRunner, run_in_workers
from flows.runtime import untagged_tasks
from flows.worker import WORKER_MEMORY_BYTES, Reprocessed, reprocess_documents


@dataclass
class ReprocessReport:
    """What one run did."""

    stored: int = 0
    stale: int = 0
    reprocessed: int = 0
    corrections_applied: int = 0
    corrections_orphaned: int = 0
    problems: list[Reprocessed] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 3 if self.problems else 0

    def describe(self, *, limit: int = 20) -> str:
        lines = [
            f"reprocess: {self.stored} documents stored, {self.stale} to run again, {self.reprocessed} done, "
            f"{len(self.problems)} not; corrections: {self.corrections_applied} applied again, "
            f"{self.corrections_orphaned} orphaned (their finding is gone); in {self.seconds:.1f} s"
        ]
        lines += [f"  {p.status} {p.path}: {p.message}" for p in self.problems[:limit]]
        return "\n".join(lines)


@task(name="reprocess-chunk", cache_policy=NO_CACHE, retries=0)
def reprocess_chunk(items: list[tuple[str, str]], db_url: str) -> list[Reprocessed]:
    """Run a chunk of stored documents again in a worker (pipeline loaded once per process)."""
    return run_in_workers(reprocess_documents, items, db_url)


@flow(name="reprocess", log_prints=False, validate_parameters=False)
def reprocess(db_url: str, stale_only: bool = True, chunk_size: int | None = None,
              parallelism: int = 1) -> ReprocessReport:
    """Run the stored documents (with `stale_only`, those an older pipeline produced) again."""
    from pipeline.process import get_extractor
    from pipeline.store.database import open_database, refresh_statistics, stale_documents, stored_hashes

    started = time.perf_counter()
    engine = open_database(db_url, create=False)
    report = ReprocessReport(stored=len(stored_hashes(engine)))
    current = get_extractor().versions() if stale_only else {"always": "run again"}
    todo = [(path, sha256) for sha256, path, _ in stale_documents(engine, current)]
    report.stale = len(todo)
    size = chunk_size or chunk_size_for(len(todo), parallelism)
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    with untagged_tasks():
        futures = {reprocess_chunk.submit(chunk, db_url): chunk for chunk in chunks}
    for future in as_completed(list(futures)):
        try:
            outcomes = future.result()
        except Exception as exc:  # noqa: BLE001 - a dead worker costs its chunk, not the run
            outcomes = [Reprocessed(path, "failed", f"the worker stopped ({type(exc).__name__})")
                        for path, _ in futures[future]]
        for outcome in outcomes:
            if outcome.status == "reprocessed":
                report.reprocessed += 1
                report.corrections_applied += outcome.applied
                report.corrections_orphaned += outcome.orphaned
            else:
                report.problems.append(outcome)
    if report.reprocessed:
        refresh_statistics(engine)
    report.seconds = time.perf_counter() - started
    return report


def run_reprocess(db_url: str, *, stale_only: bool = True, workers: int | None = None,
                  verbose: bool = False) -> ReprocessReport:
    """Run the reprocess flow with one Prefect server and worker processes, like `run_ingest`."""
    import os

    from flows.ingest import prefect_run

    with prefect_run(verbose=verbose):
        workers = workers or os.cpu_count() or 1
        runner = LocalPoolTaskRunner(workers, WORKER_MEMORY_BYTES)
        return reprocess.with_options(task_runner=runner)(db_url, stale_only, parallelism=workers)
