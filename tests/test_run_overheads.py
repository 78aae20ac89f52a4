"""What a run costs besides mining: a worker's memory stays flat, tasks make no extra API round trips,
the end of a run waits for nothing that is already stopped."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from prefect import flow, task
from prefect.context import TaskRunContext

from flows.ingest import prefect_run, process_files
from flows.pool import LocalPoolTaskRunner, WorkerPool, run_in_workers
from flows.runtime import RUN_TAG, untagged_tasks
from pipeline.process import extract_path, get_extractor
from pipeline.store.database import open_database

from . import worker_probe

WORDS = ("Đoàn kiểm tra đã làm việc với Ủy ban nhân dân xã {name}; xã {name} còn chậm trả hồ sơ "
         "và chưa niêm yết đầy đủ thủ tục hành chính.")


def _files(folder: Path, names: list[str]) -> list[str]:
    paths = []
    for name in names:
        path = folder / f"{name}.txt"
        path.write_text(WORDS.format(name=name), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_words_a_chunk_brings_leave_the_vocabulary_after_it(tmp_path):
    strings = get_extractor().nlp.vocab.strings
    db_url = f"sqlite:///{tmp_path / 'findings.db'}"
    open_database(db_url)
    outcomes = process_files(_files(tmp_path, ["Quxaphent", "Zorvilam"]), db_url)
    assert [o.status for o in outcomes] == ["stored", "stored"]
    assert "Quxaphent" not in strings and "Zorvilam" not in strings
    # Mined outside a chunk, a document's words stay (what the chunk's memory zone prevents).
    extract_path(Path(_files(tmp_path, ["Vextrodan"])[0]))
    assert "Vextrodan" in strings


@task
def _task_tags() -> list[str]:
    return sorted(TaskRunContext.get().task_run.tags)


@flow
def _tags_seen() -> tuple[list[str], list[str]]:
    with untagged_tasks():
        untagged = _task_tags.submit().result()
    return untagged, _task_tags.submit().result()


def test_ingest_tasks_carry_none_of_the_run_tags():
    """A tagged task run first asks the API server for tag concurrency slots: a round trip per task."""
    with prefect_run():  # tags the flow runs inside with the run tag and their owner
        untagged, tagged = _tags_seen()
    assert untagged == []
    assert RUN_TAG in tagged


def test_the_reaper_does_not_wait_for_a_killed_process_its_parent_has_not_collected():
    """At the end of a run the ingest waits for the reaper, so the reaper must not wait for the
    ingest's own killed children to be collected (they stay zombies until the ingest does it)."""
    import subprocess
    import sys

    import psutil

    from flows.reaper import _running, kill_all

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        process = psutil.Process(child.pid)
        assert _running(process)
        assert kill_all({child.pid: process.create_time()}) == 1
        assert process.status() == psutil.STATUS_ZOMBIE  # killed, not yet collected by this process
        assert not _running(process)
    finally:
        child.kill()
        child.wait()


def test_a_run_leaves_its_callers_multiprocessing_helper_running(tmp_path):
    """The resource tracker ends with the process that started it; killing it at the end of a run
    made multiprocessing warn and start another at its next use."""
    from multiprocessing import resource_tracker

    import psutil

    from flows.ingest import run_ingest
    from flows.reaper import _running

    _files(tmp_path, ["Mulvaren"])
    report = run_ingest([tmp_path], db_url=f"sqlite:///{tmp_path / 'findings.db'}", workers=1)
    assert report.stored == 1
    tracker = resource_tracker._resource_tracker._pid
    assert tracker is not None and _running(psutil.Process(tracker))


@task
def _in_a_worker(function: Callable[[], tuple[int, bool]]) -> tuple[int, bool]:
    return run_in_workers(function)


@flow
def _worker_states(count: int) -> list[tuple[int, bool]]:
    with untagged_tasks():
        return [_in_a_worker.submit(worker_probe.state).result() for _ in range(count)]


def test_local_workers_import_no_prefect():
    """Locally the tasks run in the flow process and hand their chunks to plain worker processes:
    no Prefect import, context or API client in a worker (a second or more of each worker's time)."""
    with prefect_run():
        states = _worker_states.with_options(task_runner=LocalPoolTaskRunner(1))(3)
    assert len({pid for pid, _ in states}) == 1 and states[0][0] != os.getpid()
    assert [imported for _, imported in states] == [False] * 3


def test_a_dead_worker_fails_its_chunk_and_the_next_chunk_gets_fresh_workers():
    pool = WorkerPool(1)
    try:
        first, _ = pool.run(worker_probe.state)
        with pytest.raises(BrokenProcessPool):
            pool.run(worker_probe.die)
        second, _ = pool.run(worker_probe.state)
    finally:
        pool.close()
    assert second != first


def test_an_interrupted_run_stops_its_workers_at_once():
    """Ctrl-C or SIGTERM: the chunks in progress are not waited for (each document they stored is kept)."""
    import threading

    import psutil

    pool = WorkerPool(1)
    worker, _ = pool.run(worker_probe.state)
    errors: list[BaseException] = []

    def chunk() -> None:
        try:
            pool.run(worker_probe.sleep, 120)
        except BaseException as exc:  # noqa: BLE001 - what the task thread sees
            errors.append(exc)

    thread = threading.Thread(target=chunk)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    pool.close(wait=False)
    thread.join(30)
    assert not thread.is_alive() and time.monotonic() - started < 30
    assert [type(e) for e in errors] == [BrokenProcessPool]
    with contextlib.suppress(psutil.NoSuchProcess):  # gone and collected, or a zombie
        assert psutil.Process(worker).status() == psutil.STATUS_ZOMBIE
    with pytest.raises(RuntimeError, match="stopped"):
        pool.run(worker_probe.state)
