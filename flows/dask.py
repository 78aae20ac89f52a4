"""Running the ingest flow's tasks on a Dask cluster (prefect-dask's `DaskTaskRunner`).

Every Dask worker loads the pipeline once, when it joins or when the run
registers `PipelineLoader` (a worker plugin), so the first chunk a worker gets
is not slowed by loading models. The plugin also stops the worker's
statistical profiler: it samples the running task's stack every 10 ms, and
on the pipeline's deep stacks that cost 7-17% of a worker's speed (measured
on 300 news articles; the dashboard's profile page stays empty for these
workers). Workers need this package installed and,
to write to the database, a URL they can reach: SQLite only where every
worker runs on the machine of the database file; PostgreSQL past one machine.
Start workers with one thread each (`dask worker ADDRESS --nthreads 1`): the
pipeline is CPU-bound Python and keeps per-thread readers.
"""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin

from flows.runtime import RuntimeStartError

PLUGIN_NAME = "findings-pipeline"
CONNECT_TIMEOUT_S = 30
# What a worker imports to run an ingest task, loaded by the plugin instead of a run's first task.
TASK_MODULES = ("prefect.task_engine", "flows.ingest")
# The periodic callbacks of a Dask worker's statistical profiler (sampling, and its 1 s cycle).
PROFILER_CALLBACKS = ("profile", "profile-cycle")


def pipeline_loaded() -> bool:
    """Whether this process has loaded the pipeline and what Prefect imports to run a task (run on
    workers with `Client.run`)."""
    import sys

    from pipeline.process import get_extractor

    return set(TASK_MODULES) <= set(sys.modules) and get_extractor.cache_info().currsize == 1


def profiler_running(dask_worker: Any) -> bool:
    """Whether this Dask worker's statistical profiler samples its tasks (run with `Client.run`)."""
    return any(name in dask_worker.periodic_callbacks for name in PROFILER_CALLBACKS)


class PipelineLoader(WorkerPlugin):
    """Load the findings pipeline, and what Prefect needs to run a task, in a Dask worker once,
    before its first task; stop the worker's statistical profiler."""

    name = PLUGIN_NAME

    def setup(self, worker: Any) -> None:
        import importlib

        from prefect.plugins import load_prefect_collections

        from pipeline.process import get_extractor

        for module in TASK_MODULES:
            importlib.import_module(module)
        load_prefect_collections()  # prefect-dask among them: imported when a task rebuilds its context
        get_extractor()
        for name in PROFILER_CALLBACKS:
            callback = worker.periodic_callbacks.pop(name, None)
            if callback is not None:
                callback.stop()


def prepare_cluster(address: str, *, timeout_s: float | None = None) -> int:
    """Check the scheduler at `address`, have each worker load the pipeline; returns the worker count."""
    from distributed import Client

    try:
        client = Client(address, timeout=timeout_s or CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise RuntimeStartError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with client:
        workers = len(client.scheduler_info(n_workers=-1).get("workers", {}))
        if not workers:
            raise RuntimeStartError(f"the Dask scheduler at {address} has no workers")
        client.register_plugin(PipelineLoader(), name=PLUGIN_NAME)
    return workers


def dask_task_runner(address: str):
    """A Prefect task runner that sends tasks to the Dask scheduler at `address`."""
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)
