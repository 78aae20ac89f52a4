"""What one ingest run starts and must stop: a Prefect API server, a reaper, a scratch folder.

`IngestRuntime` is a context manager around the flow:
- one Prefect API server for the whole run (the flow process and every worker
  process talk to it), started with a generous wait and restarted if it dies
  while starting, unless a server is configured (`PREFECT_API_URL`);
- flow runs of earlier ingests that were killed are marked Crashed instead of
  staying Running;
- a scratch folder (`TMPDIR` of every process the run starts) that is removed
  at the end, and by the next run if this one was killed;
- a reaper process (`flows.reaper`) that kills everything the run started
  if the run's process dies, even by SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import psutil

RUN_TAG = "findings-ingest"
SCRATCH_PREFIX = "findings-ingest-"
SERVER_START_TIMEOUT_S = 180.0
SERVER_START_ATTEMPTS = 3


class RuntimeStartError(RuntimeError):
    """The run could not start what it needs (its message is one line for the user)."""


def owner_tag(pid: int | None = None) -> str:
    """The flow-run tag naming the process (and machine) that runs it."""
    return f"pid:{pid or os.getpid()}@{socket.gethostname()}"


class IngestRuntime:
    """Start the run's helpers on enter; stop them, and clean up, on exit."""

    def __init__(self, log: IO[bytes]) -> None:
        self.log = log
        self.scratch: Path | None = None
        self.api_url: str | None = None
        self._server: subprocess.Popen | None = None
        self._reaper: subprocess.Popen | None = None
        self._saved_env: dict[str, str | None] = {}
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> IngestRuntime:
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        base = Path(tempfile.gettempdir())
        remove_stale_scratch(base)
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=base))
        self._set_env("TMPDIR", str(self.scratch))
        self._stack.callback(setattr, tempfile, "tempdir", tempfile.tempdir)
        tempfile.tempdir = str(self.scratch)
        # Few malloc arenas: each worker's memory cap counts address space, not use.
        self._set_env("MALLOC_ARENA_MAX", os.environ.get("MALLOC_ARENA_MAX", "2"))
        from flows.reaper import children_now

        self._reaper = subprocess.Popen(
            [sys.executable, "-m", "flows.reaper", str(os.getpid()), str(self.scratch), children_now(os.getpid())],
            stdin=subprocess.PIPE, stdout=self.log, stderr=self.log, start_new_session=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
        from prefect.settings import PREFECT_API_URL

        if PREFECT_API_URL.value():
            self.api_url = PREFECT_API_URL.value()
        else:
            self.api_url = self._start_server()
            # Every thread and process of the run (Prefect's own included) reads it from here.
            self._set_env("PREFECT_API_URL", self.api_url)
            _refresh_prefect_settings()
        mark_killed_runs()

    def _set_env(self, name: str, value: str) -> None:
        self._saved_env.setdefault(name, os.environ.get(name))
        os.environ[name] = value

    def _start_server(self) -> str:
        """A Prefect API server on a free loopback port; its URL once it answers."""
        import httpx
        import prefect

        # The API only, started as Prefect starts its temporary server (no background services).
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1", "PREFECT_SERVER_LOGGING_LEVEL": "WARNING"}
        for _attempt in range(SERVER_START_ATTEMPTS):
            port = _free_port()
            self._server = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent),
                 "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
                 "--port", str(port), "--log-level", "error", "--lifespan", "on"],
                stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, env=env,
            )
            url = f"http://127.0.0.1:{port}/api"
            deadline = time.monotonic() + SERVER_START_TIMEOUT_S
            while time.monotonic() < deadline and self._server.poll() is None:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                        return url
                time.sleep(0.2)
            self._stop_server()
        raise RuntimeStartError(
            f"the Prefect API server did not start after {SERVER_START_ATTEMPTS} tries "
            f"(its messages are in {getattr(self.log, 'name', 'the log file')})"
        )

    def _stop_server(self) -> None:
        server, self._server = self._server, None
        if server is None or server.poll() is not None:
            return
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    def __exit__(self, *exc_info: object) -> None:
        if self._server is not None:
            _drain_prefect()  # send the last events and logs while the server still listens
        self._stack.close()
        self._stop_server()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if "PREFECT_API_URL" in self._saved_env:
            _refresh_prefect_settings()
        self._saved_env.clear()
        if self._reaper is not None:
            with contextlib.suppress(OSError):
                self._reaper.stdin.write(b"done\n")
                self._reaper.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._reaper.wait(10)
            self._reaper = None
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def _refresh_prefect_settings() -> None:
    """Make Prefect's process-wide settings follow the environment again."""
    from prefect.context import refresh_global_settings_context

    refresh_global_settings_context()


def _drain_prefect(timeout_s: float = 10.0) -> None:
    """Wait for Prefect's background event and log senders to finish."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (EventsWorker, APILogWorker):
        with contextlib.suppress(Exception):
            worker.drain_all(timeout=timeout_s)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def remove_stale_scratch(base: Path) -> list[Path]:
    """Remove scratch folders of ingest runs whose process is gone; returns them."""
    removed = []
    for folder in base.glob(f"{SCRATCH_PREFIX}*"):
        pid_text = folder.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if pid_text.isdigit() and not psutil.pid_exists(int(pid_text)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def mark_killed_runs() -> int:
    """Mark Crashed the Running ingest flow runs of this machine whose process is gone."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
        FlowRunFilterTags,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    host = socket.gethostname()
    marked = 0
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            tags=FlowRunFilterTags(all_=[RUN_TAG]),
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING])),
        ))
        for run in runs:
            owners = [t.removeprefix("pid:").partition("@") for t in run.tags if t.startswith("pid:")]
            gone = [pid for pid, _, machine in owners
                    if machine == host and pid.isdigit() and not _runs_since(int(pid), run.start_time)]
            if not gone:
                continue
            client.set_flow_run_state(run.id, Crashed(
                message="the ingest process ended without finishing this run (it was killed)"), force=True)
            marked += 1
    return marked


def _runs_since(pid: int, started: object) -> bool:
    """Whether process `pid` is alive and was started before `started` (so it is the run's owner)."""
    try:
        created = psutil.Process(pid).create_time()
    except psutil.Error:
        return False
    timestamp = getattr(started, "timestamp", None)
    return timestamp is None or created <= timestamp() + 1


@contextlib.contextmanager
def untagged_tasks() -> Iterator[None]:
    """Task runs submitted inside carry none of the flow run's tags: a tagged task run first asks
    the API server for that tag's concurrency slots (a round trip per task, seconds at times)."""
    from prefect.context import TagsContext

    with TagsContext(current_tags=set()):
        yield


@contextlib.contextmanager
def run_tags() -> Iterator[None]:
    """Tag the flow runs started inside with the run tag and their owner."""
    from prefect import tags

    with tags(RUN_TAG, owner_tag()):
        yield
