"""Stops everything an ingest started once the ingest is over, however it ended.

Started by `IngestRuntime` as `python -m flows.reaper PID SCRATCH BEFORE` with a pipe
on its standard input. While the ingest lives, the reaper notes the
processes it started (Prefect server, worker processes, readers,
LibreOffice, Tesseract: its descendants, except the children it already had
before the run, given as BEFORE, and theirs)
twice a second. When the pipe says "done" the run ended in order: whatever
it started and left running (a worker Prefect did not stop) is killed and
the reaper exits. When the pipe closes without it (the ingest was killed,
even by SIGKILL, which no process can catch), it kills every process it
noted that is still alive, with their children, and removes the run's
scratch folder. Processes the ingest's process had before the run are left
alone.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import sys
import time

import psutil

POLL_S = 0.5
KILL_WAIT_S = 5.0


def descendants(pid: int, before: frozenset[tuple[int, float]] = frozenset()) -> dict[int, float]:
    """pid -> creation time of every live descendant of `pid`, leaving out the children it had
    before the run (`before`: (pid, creation time)) and everything under them (one scan of the
    process table)."""
    children: dict[int, list[int]] = {}
    created: dict[int, float] = {}
    for process in psutil.process_iter(["ppid", "create_time"]):
        children.setdefault(process.info["ppid"], []).append(process.pid)
        created[process.pid] = process.info["create_time"]
    found: dict[int, float] = {}
    pending = [child for child in children.get(pid, []) if (child, created[child]) not in before]
    while pending:
        child = pending.pop()
        found[child] = created[child]
        pending += children.get(child, [])
    return found


def children_now(pid: int) -> str:
    """The children `pid` has now, as the reaper's third argument ('pid:created,...')."""
    found = []
    for child in psutil.Process(pid).children():
        try:
            found.append(f"{child.pid}:{child.create_time()!r}")
        except psutil.Error:
            continue
    return ",".join(found)


def _note(noted: dict[int, float], pid: int, before: frozenset[tuple[int, float]]) -> dict[int, float]:
    """The run's processes now, keeping those still alive from before (a process whose parent
    just ended is still the run's), never the reaper itself."""
    found = {**{p: t for p, t in noted.items() if psutil.pid_exists(p)}, **descendants(pid, before)}
    found.pop(os.getpid(), None)
    return found


def _own_helper(pid: int, parent: int) -> bool:
    """Whether `pid` is `parent`'s multiprocessing resource tracker: it ends with its process, and
    stopping it earlier only makes multiprocessing warn and start another."""
    try:
        process = psutil.Process(pid)
        return process.ppid() == parent and "multiprocessing.resource_tracker" in " ".join(process.cmdline())
    except psutil.Error:
        return False


def _parse(before: str) -> frozenset[tuple[int, float]]:
    return frozenset((int(p), float(c)) for p, c in (item.split(":") for item in before.split(",") if item))


def kill_all(noted: dict[int, float]) -> int:
    """SIGKILL the noted processes still alive (and their children); returns how many."""
    targets: dict[int, psutil.Process] = {}
    for pid, created in noted.items():
        try:
            process = psutil.Process(pid)
            if process.create_time() != created:
                continue
            targets[pid] = process
            for child in process.children(recursive=True):
                targets[child.pid] = child
        except psutil.Error:
            continue
    targets.pop(os.getpid(), None)
    for process in targets.values():
        try:
            process.send_signal(signal.SIGKILL)
        except psutil.Error:
            continue
    _wait_gone(list(targets.values()))
    return len(targets)


def _wait_gone(processes: list[psutil.Process], timeout_s: float = KILL_WAIT_S) -> None:
    """Wait until the killed processes are gone or zombies: a zombie waits for its parent (often
    the ingest itself, which is waiting for the reaper) to collect it, and stops nothing."""
    deadline = time.monotonic() + timeout_s
    while processes and time.monotonic() < deadline:
        processes = [p for p in processes if _running(p)]
        if processes:
            time.sleep(0.02)


def _running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def watch(pid: int, scratch: str | None, before: frozenset[tuple[int, float]] = frozenset()) -> None:
    """Note `pid`'s descendants, except the children it had before the run (`before`) and theirs,
    until standard input says "done" or closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the ingest's to handle
    noted: dict[int, float] = {}
    stdin = sys.stdin.buffer
    while True:
        ready, _, _ = select.select([stdin], [], [], POLL_S)
        if ready:
            line = stdin.readline()
            if line.strip() == b"done":
                kill_all({p: t for p, t in _note(noted, pid, before).items() if not _own_helper(p, pid)})
                return
            if not line:  # the ingest is gone without saying goodbye
                break
            continue
        noted = _note(noted, pid, before)
    kill_all(noted)
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    watch(int(sys.argv[1]), sys.argv[2] or None, _parse(sys.argv[3] if len(sys.argv) > 3 else ""))
