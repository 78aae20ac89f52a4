"""The ingest flow on a real Dask scheduler and two workers on loopback gives what a local run gives."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.dask import pipeline_loaded
from flows.ingest import run_ingest
from pipeline.cli import app

from .conftest import seeds_and_news
from .test_ingest_processes import _contents

pytestmark = pytest.mark.slow
DASK = str(Path(sys.executable).with_name("dask"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """`dask scheduler` and two `dask worker` processes (one thread each) on 127.0.0.1."""
    from distributed import Client

    address = f"tcp://127.0.0.1:{_free_port()}"
    log = (tmp_path_factory.mktemp("dask") / "dask.log").open("wb")
    processes = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                   "--no-dashboard"], stdout=log, stderr=log)]
    processes += [subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                                    "--no-dashboard", "--memory-limit", "0", "--name", f"worker-{n}"],
                                   stdout=log, stderr=log) for n in range(2)]
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    folder = seeds_and_news(tmp_path_factory.mktemp("archive"), 15)
    (folder / "broken.txt").write_bytes(b"\x00\x01" * 50)
    return folder


def test_workers_are_ready_for_a_task_before_the_flow_starts(cluster):
    """Registering the plugin loads the pipeline and what Prefect imports for a task, and stops
    the profiler that sampled every task's stack (first in this module: the workers have run no
    task yet)."""
    from distributed import Client

    from flows.dask import prepare_cluster, profiler_running

    with Client(cluster, timeout=30) as client:
        assert set(client.run(pipeline_loaded).values()) == {False}
        assert set(client.run(profiler_running).values()) == {True}
        assert prepare_cluster(cluster) == 2
        assert set(client.run(pipeline_loaded).values()) == {True}
        assert set(client.run(profiler_running).values()) == {False}


def test_a_dask_run_stores_what_a_local_run_stores(cluster, archive, tmp_path):
    from distributed import Client

    local = run_ingest([archive], db_url=f"sqlite:///{tmp_path / 'local.db'}", workers=2, chunk_size=3)
    on_dask = run_ingest([archive], db_url=f"sqlite:///{tmp_path / 'dask.db'}", chunk_size=3,
                         dask_address=cluster)
    assert (on_dask.found, on_dask.stored, on_dask.failed) == (local.found, local.stored, local.failed) == (21, 20, 1)
    assert _contents(tmp_path / "dask.db") == _contents(tmp_path / "local.db")
    with Client(cluster, timeout=30) as client:
        assert set(client.run(pipeline_loaded).values()) == {True}  # each worker loaded the pipeline once
        assert len(set(client.run(os.getpid).values())) == 2


def test_the_cli_takes_a_dask_address_and_says_when_it_is_unreachable(cluster, archive, tmp_path, monkeypatch):
    result = CliRunner().invoke(app, ["ingest", str(archive), "--db", str(tmp_path / "f.db"), "-q",
                                      "--dask-address", cluster])
    assert result.exit_code == 3, result.output  # the broken file
    assert "broken.txt" in result.output
    monkeypatch.setattr("flows.dask.CONNECT_TIMEOUT_S", 3)
    unreachable = f"tcp://127.0.0.1:{_free_port()}"
    result = CliRunner().invoke(app, ["ingest", str(archive), "--db", str(tmp_path / "g.db"),
                                      "--dask-address", unreachable])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot reach the Dask scheduler at {unreachable}")
