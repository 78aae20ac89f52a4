"""The local worker pool: Prefect tasks in threads of the flow process, each handing its chunk to a
plain worker process.

`LocalPoolTaskRunner` is the Prefect task runner of a local run. Its tasks
run in threads of the flow process (Prefect records their runs and states
there, as for any task), and each one sends its chunk to a `WorkerPool` of
`workers` processes and waits for the result. The worker processes run
`flows.worker` and import no Prefect, so a local run's workers cost what a
plain process pool's cost: no Prefect import, context or API client in each
worker, no round trips from them. They start with the run's first chunk.
A worker that dies fails the chunks in progress (the flow finds which of
their files were stored and runs the others again one at a time); the next
chunk gets fresh workers. On Dask workers there is no local pool and
`run_in_workers` runs the chunk where its task runs.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from prefect.task_runners import ThreadPoolTaskRunner

from flows.worker import WORKER_MEMORY_BYTES, prepare_worker

Result = TypeVar("Result")

# The task runner of the local run in progress in this process (None on a Dask worker, or between runs).
_active_runner: LocalPoolTaskRunner | None = None


def run_in_workers(function: Callable[..., Result], *args: Any) -> Result:
    """`function(*args)` in a process of the local run's worker pool; here when there is none."""
    runner = _active_runner
    return function(*args) if runner is None else runner.pool().run(function, *args)


class WorkerPool:
    """`workers` spawned processes, each capped at `memory_bytes` of address space; replaced by
    fresh ones when a worker has died."""

    def __init__(self, workers: int, memory_bytes: int = WORKER_MEMORY_BYTES) -> None:
        self.workers, self.memory_bytes = workers, memory_bytes
        self._lock = threading.Lock()
        self._closed = False
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=prepare_worker, initargs=(self.memory_bytes,))

    def run(self, function: Callable[..., Result], *args: Any) -> Result:
        """`function(*args)` in a worker; raises BrokenProcessPool when that worker dies."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the worker pool is stopped")
            try:
                future = self._executor.submit(function, *args)
            except BrokenProcessPool:  # a worker died since the last chunk: start afresh
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = self._start()
                future = self._executor.submit(function, *args)
        return future.result()

    def close(self, *, wait: bool = True) -> None:
        """Stop the workers: after the chunks they are running with `wait`, else at once."""
        with self._lock:
            self._closed = True
        if not wait:
            terminate = getattr(self._executor, "terminate_workers", None)  # Python 3.14
            if terminate is not None:
                terminate()
            else:
                for process in list(getattr(self._executor, "_processes", {}).values()):
                    process.terminate()
        self._executor.shutdown(wait=wait, cancel_futures=True)


class LocalPoolTaskRunner(ThreadPoolTaskRunner):
    """A Prefect task runner for a local run: `workers` task threads and a `WorkerPool` of
    `workers` processes, started by the first chunk and stopped when the flow ends."""

    def __init__(self, workers: int, memory_bytes: int = WORKER_MEMORY_BYTES) -> None:
        super().__init__(max_workers=workers)
        self.workers, self.memory_bytes = workers, memory_bytes
        self._pool: WorkerPool | None = None
        self._pool_lock = threading.Lock()
        self._stopped = False

    def duplicate(self) -> LocalPoolTaskRunner:
        return type(self)(self.workers, self.memory_bytes)

    def pool(self) -> WorkerPool:
        """The run's worker pool, started at the first call."""
        with self._pool_lock:
            if self._stopped:
                raise RuntimeError("the run's worker pool is stopped")
            if self._pool is None:
                self._pool = WorkerPool(self.workers, self.memory_bytes)
            return self._pool

    def __enter__(self) -> LocalPoolTaskRunner:
        global _active_runner
        super().__enter__()
        self._stopped = False
        _active_runner = self
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        global _active_runner
        with self._pool_lock:
            pool, self._pool, self._stopped = self._pool, None, True
            if pool is not None and exc_type is not None:  # interrupted: stop the workers, then the threads
                pool.close(wait=False)
        try:
            super().__exit__(exc_type, exc_value, traceback)
        finally:
            _active_runner = None
            if pool is not None and exc_type is None:
                pool.close()

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_pool_lock", None)
        return {**state, "_pool": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._pool_lock = threading.Lock()
