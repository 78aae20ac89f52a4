"""The ingest as a real process: killed with SIGKILL, started on a fresh Prefect home, with dying workers."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import psutil
import pytest
from sqlalchemy import func, select

from flows.ingest import CRASH_MESSAGE, run_ingest
from pipeline.store import schema
from pipeline.store.database import open_database

from .conftest import seeds_and_news, stored_documents

pytestmark = pytest.mark.slow
FINDINGS = str(Path(sys.executable).with_name("findings"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """The five seeds and 55 short news articles: enough for a kill to land mid-batch."""
    return seeds_and_news(tmp_path_factory.mktemp("archive"), 55)


def _ingest(archive: Path, db: Path, home: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    return subprocess.Popen([FINDINGS, "ingest", str(archive), "--db", str(db), "--workers", "2", "-q", *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _contents(db: Path) -> dict:
    """What a database holds, independent of insertion order and row ids."""
    engine = open_database(f"sqlite:///{db}")
    d, f, u, du = schema.documents, schema.findings, schema.units, schema.document_units
    with engine.connect() as conn:
        documents = set(conn.execute(select(d.c.sha256, d.c.status, d.c.text_chars, d.c.topic)).all())
        findings = set(conn.execute(
            select(d.c.sha256, f.c.ordinal, f.c.polarity, f.c.category, f.c.span_start)
            .join(f, f.c.document_id == d.c.id)).all())
        links = set(conn.execute(
            select(d.c.sha256, u.c.key, du.c.role).join(du, du.c.document_id == d.c.id)
            .join(u, u.c.id == du.c.unit_id)).all())
        failures = conn.execute(select(func.count()).select_from(schema.failures)).scalar_one()
    return {"documents": documents, "findings": findings, "units": links, "failures": failures}


def test_sigkill_mid_batch_leaves_no_process_and_a_rerun_completes_the_database(archive, tmp_path):
    home = tmp_path / "prefect-home"  # a fresh Prefect home: the first start must not time out
    reference = _ingest(archive, tmp_path / "reference.db", home)
    _, errors = reference.communicate(timeout=900)
    assert reference.returncode == 0, errors

    killed_db = tmp_path / "killed.db"
    run = _ingest(archive, killed_db, home, "--chunk-size", "1")
    deadline = time.monotonic() + 600
    while stored_documents(killed_db) < 3 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.2)
    started = psutil.Process(run.pid).children(recursive=True)
    commands = [" ".join(p.cmdline()) for p in started if p.is_running()]
    assert sum("uvicorn" in c for c in commands) == 1, commands  # one Prefect server for the whole run
    stored_at_kill = stored_documents(killed_db)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert stored_at_kill < len(list(archive.iterdir()))
    gone, alive = psutil.wait_procs(started, timeout=15)
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob(f"findings-ingest-{run.pid}-*"))

    rerun = _ingest(archive, killed_db, home)
    _, errors = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, errors
    assert _contents(killed_db) == _contents(tmp_path / "reference.db")
    with sqlite3.connect(home / "prefect.db") as prefect_db:
        states = dict(prefect_db.execute(
            "SELECT state_type, count(*) FROM flow_run GROUP BY state_type").fetchall())
    assert states == {"COMPLETED": 2, "CRASHED": 1}  # the killed run is marked, not left RUNNING


def test_workers_that_die_cost_each_file_a_failed_outcome_not_the_batch(archive, tmp_path):
    files = sorted(archive.glob("*.txt"))[:3]
    folder = tmp_path / "few"
    folder.mkdir()
    for path in files:
        shutil.copy(path, folder / path.name)
    db_url = f"sqlite:///{tmp_path / 'findings.db'}"
    # 60 MB of address space: no worker can even load the pipeline.
    report = run_ingest([folder], db_url=db_url, workers=2, worker_memory_bytes=60 * 2**20)
    assert report.found == 3 and report.failed == 3 and report.exit_code == 3
    assert {message for _, _, message in report.failures} == {CRASH_MESSAGE}
    again = run_ingest([folder], db_url=db_url, workers=1)
    assert again.stored == 0 and len(again.skipped) == 3  # known failures wait for --retry-failed
    retried = run_ingest([folder], db_url=db_url, workers=1, retry_failed=True)
    assert retried.stored == 3 and retried.failed == 0


def _open(url: str) -> str:
    from pipeline.store.database import open_database

    engine = open_database(url)
    with engine.connect() as conn:
        return conn.scalar(select(schema.store_meta.c.value))


def test_many_processes_creating_one_new_sqlite_database_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'findings.db'}"
    with ProcessPoolExecutor(6) as pool:
        stamps = list(pool.map(_open, [url] * 12))
    assert set(stamps) == {schema.SCHEMA_VERSION}


def test_processes_the_caller_started_just_before_a_run_are_left_alone(archive, tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(sorted(archive.glob("*.txt"))[0], folder / "one.txt")
    neighbour = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        report = run_ingest([folder], db_url=f"sqlite:///{tmp_path / 'f.db'}", workers=1)
        assert report.stored == 1
        time.sleep(1)
        assert neighbour.poll() is None  # the run's clean-up ends only what the run started
    finally:
        neighbour.kill()
        neighbour.wait()
