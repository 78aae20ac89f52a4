"""Scheduled intake: a Prefect deployment that ingests new files from an inbox folder.

`findings watch INBOX --every 10m` serves the `scheduled-ingest` flow as a
deployment on an interval (`Flow.serve`): every run ingests what the inbox
holds; files already stored are skipped by their sha256, known failures wait
for `findings ingest --retry-failed`, and a run never starts while the
previous one is still going. The serving process keeps one Prefect API
server for all runs, and everything it started ends with it (see
`flows.runtime`); README shows how to run it under systemd.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import threading
from datetime import timedelta
from pathlib import Path

from prefect import flow

from flows.ingest import ingest_everything
from flows.pool import LocalPoolTaskRunner
from flows.worker import WORKER_MEMORY_BYTES

log = logging.getLogger(__name__)
_INTERVAL = re.compile(r"\s*(\d+)\s*([smhd]?)\s*")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "": "minutes"}


def parse_interval(text: str) -> timedelta:
    """'10m', '30s', '2h', '1d' (a bare number is minutes) as a timedelta; ValueError otherwise."""
    match = _INTERVAL.fullmatch(text or "")
    if not match or int(match[1]) == 0:
        raise ValueError(f"'{text}' is not an interval such as 30s, 10m, 2h or 1d")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def deployment_name(inbox: Path) -> str:
    """One deployment per inbox folder: 'watch-<folder name>-<8 hex of its absolute path>'."""
    absolute = str(inbox.resolve())
    return f"watch-{inbox.resolve().name or 'root'}-{hashlib.sha256(absolute.encode()).hexdigest()[:8]}"


@flow(name="scheduled-ingest", log_prints=False, validate_parameters=False)
def scheduled_ingest(inbox: str, db_url: str, workers: int = 1, chunk_size: int | None = None) -> dict[str, int]:
    """Ingest what `inbox` holds now (one scheduled run); returns the run's counts."""
    try:
        report = ingest_everything([inbox], db_url, LocalPoolTaskRunner(workers, WORKER_MEMORY_BYTES),
                                   chunk_size=chunk_size, parallelism=workers)
    finally:
        _end_children()
    return {"found": report.found, "stored": report.stored, "already_stored": report.already_stored,
            "failed": report.failed, "skipped": len(report.skipped)}


def _end_children() -> None:
    """In the process Prefect's runner starts for a scheduled run: end every process it started.

    Without this, the worker pool's processes of each run outlived the run's
    process (they are re-parented, not stopped), one set per run.
    """
    import multiprocessing

    import psutil

    from pipeline.read.guard import shutdown_workers

    shutdown_workers()
    if multiprocessing.parent_process() is None:
        return  # not a runner's subprocess: the caller owns its children
    children = psutil.Process().children(recursive=True)
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=5)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()


def serve_inbox(inbox: Path, *, db_url: str, every: timedelta, workers: int, chunk_size: int | None) -> None:
    """Serve the scheduled ingest of `inbox` until the process is stopped (blocks).

    The deployment is served by a Prefect runner in this process; a run of it
    is requested every `every` by a timer thread here rather than by the
    server's scheduler service (which Prefect 3.8 cannot run on SQLAlchemy 2.1),
    and never while the previous run is still going.
    """
    from prefect import serve
    from prefect.deployments.runner import EntrypointType

    name = deployment_name(inbox)
    deployment = scheduled_ingest.to_deployment(
        name=name, entrypoint_type=EntrypointType.MODULE_PATH,
        parameters={"inbox": str(inbox.resolve()), "db_url": db_url, "workers": workers, "chunk_size": chunk_size},
    )
    stop = threading.Event()
    timer = threading.Thread(target=_request_runs, args=(f"scheduled-ingest/{name}", every, stop),
                             name="findings-watch-timer", daemon=True)
    timer.start()
    try:
        serve(deployment, limit=1, print_starting_message=False)
    finally:
        stop.set()


def _request_runs(deployment: str, every: timedelta, stop: threading.Event) -> None:
    """Ask for a run of `deployment` now and then every `every`, skipping while one is unfinished."""
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    previous = None
    while not stop.is_set():
        try:
            with get_client(sync_client=True) as client:
                if previous is not None and not client.read_flow_run(previous).state.is_final():
                    stop.wait(every.total_seconds())
                    continue
                client.read_deployment_by_name(deployment)
            previous = run_deployment(deployment, timeout=0, as_subflow=False).id
        except Exception:  # noqa: BLE001 - the deployment is not registered yet, or the API is busy
            log.debug("could not request a run of %s", deployment, exc_info=True)
            stop.wait(2)
            continue
        stop.wait(every.total_seconds())
