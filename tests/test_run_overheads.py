"""What a run costs besides mining: a worker's memory stays flat, tasks make no extra API round trips,
the end of a run waits for nothing that is already stopped."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.context import TaskRunContext

from flows.ingest import prefect_run, process_files
from flows.runtime import RUN_TAG, untagged_tasks
from pipeline.process import extract_path, get_extractor
from pipeline.store.database import open_database

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
def _worker_state() -> tuple[bool, int, int]:
    """Whether this worker imported `distributed`, its process and its API client."""
    import os
    import sys

    from prefect.client.orchestration import get_client

    return "distributed" in sys.modules, os.getpid(), id(get_client(sync_client=True))


@flow
def _worker_states(count: int) -> list[tuple[bool, int, int]]:
    with untagged_tasks():
        return [_worker_state.submit().result() for _ in range(count)]


def test_a_local_worker_sets_prefect_up_once_for_all_its_tasks():
    """No Prefect collection is imported in a local worker (prefect-dask would bring in
    `distributed`, 0.7 s of its start) and all its tasks share one API client (each built its own
    two, with a TLS context each)."""
    from flows.ingest import WORKER_MEMORY_BYTES, _task_runner

    with prefect_run():
        states = _worker_states.with_options(task_runner=_task_runner(1, WORKER_MEMORY_BYTES))(3)
    assert [imported for imported, _, _ in states] == [False, False, False]
    assert len({pid for _, pid, _ in states}) == 1
    assert len({client for _, _, client in states}) == 1
