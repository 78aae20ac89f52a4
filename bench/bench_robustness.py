"""Memory and clean-up of `findings ingest` as a process tree, measured from outside.

Prints, for each case, the wall time, the outcome and the peak resident
memory of the whole process tree (the ingest, its Prefect server, workers,
readers) sampled five times a second, and the largest single process:
- a 200 MB .txt (just under the 200 MB file limit; its first 5,000,000
  characters are analysed, the document is stored as `partial`);
- a batch of N real news articles from ../shared/data/vntc (default 1,000);
- SIGKILL of the ingest mid-batch: how many of the processes it started are
  still alive 5 s later, and whether its scratch folder is gone.

    .venv/bin/python bench/bench_robustness.py [--files 1000] [--workers 2] [--skip-big]
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.evaluate import shared_dir  # noqa: E402

FINDINGS = str(Path(sys.executable).with_name("findings"))
NEWS = shared_dir() / "data" / "vntc" / "Train_Full"


class TreeSampler(threading.Thread):
    """Peak RSS of a process and all its descendants, sampled every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_total = self.peak_single = 0
        self.peak_processes = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            try:
                root = psutil.Process(self.pid)
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                return
            sizes = []
            for process in tree:
                try:
                    sizes.append(process.memory_info().rss)
                except psutil.Error:
                    continue
            self.peak_total = max(self.peak_total, sum(sizes))
            self.peak_single = max(self.peak_single, max(sizes, default=0))
            self.peak_processes = max(self.peak_processes, len(sizes))
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


def ingest(folder: Path, db: Path, workers: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([FINDINGS, "ingest", str(folder), "--db", str(db), "--workers", str(workers), "-q",
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def measured_run(folder: Path, db: Path, workers: int) -> dict:
    started = time.perf_counter()
    run = ingest(folder, db, workers)
    sampler = TreeSampler(run.pid)
    sampler.start()
    out, err = run.communicate()
    sampler.stop()
    with sqlite3.connect(db) as conn:
        statuses = dict(conn.execute("SELECT status, count(*) FROM documents GROUP BY status").fetchall())
        errors = [row[0] for row in conn.execute("SELECT errors FROM documents WHERE status = 'partial' LIMIT 1")]
    return {"seconds": time.perf_counter() - started, "exit": run.returncode, "statuses": statuses,
            "peak_tree_mb": sampler.peak_total / 2**20, "peak_process_mb": sampler.peak_single / 2**20,
            "processes": sampler.peak_processes, "partial_reason": errors[0] if errors else "",
            "output": (out + err).strip().splitlines()[-3:]}


def big_text(folder: Path, size: int) -> Path:
    """A .txt of `size` bytes made of real news articles, repeated."""
    articles = [p.read_bytes() for p in sorted((NEWS / "Chinh tri Xa hoi").glob("*.txt"))[:200]]
    block = b"\n\n".join(articles)
    path = folder / "big.txt"
    with path.open("wb") as handle:
        written = 0
        while written < size:
            piece = block[: size - written]
            handle.write(piece)
            written += len(piece)
    return path


def news_batch(folder: Path, count: int) -> None:
    articles = sorted(p for p in NEWS.rglob("*.txt"))[:count]
    for number, article in enumerate(articles):
        (folder / f"{number:05d}.txt").write_bytes(article.read_bytes())


def kill_mid_batch(folder: Path, db: Path, workers: int) -> dict:
    run = ingest(folder, db, workers)
    while run.poll() is None:
        try:
            with sqlite3.connect(db, timeout=30) as conn:
                if conn.execute("SELECT count(*) FROM documents").fetchone()[0] >= 20:
                    break
        except sqlite3.Error:
            pass
        time.sleep(0.2)
    started = psutil.Process(run.pid).children(recursive=True)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    time.sleep(5)
    alive = [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    scratch = list(Path(tempfile.gettempdir()).glob(f"findings-ingest-{run.pid}-*"))
    return {"started": len(started), "alive_after_5s": len(alive), "scratch_left": len(scratch)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="articles in the batch (default 1,000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--big-mb", type=float, default=199.0, help="size of the big .txt (default 199 MB)")
    parser.add_argument("--skip-big", action="store_true", help="leave out the big .txt case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-robustness-") as tmp:
        work = Path(tmp)
        print(f"machine: {os.cpu_count()} cores; workers: {args.workers}")
        if not args.skip_big:
            (work / "big").mkdir()
            big_text(work / "big", int(args.big_mb * 2**20))
            result = measured_run(work / "big", work / "big.db", 1)
            print(f"\n{args.big_mb:.0f} MB .txt, 1 worker: {result['seconds']:.0f} s, exit {result['exit']}, "
                  f"stored {result['statuses']}")
            print(f"  peak RSS: whole tree {result['peak_tree_mb']:,.0f} MB, largest process "
                  f"{result['peak_process_mb']:,.0f} MB, up to {result['processes']} processes")
            print(f"  partial because: {result['partial_reason'][:200]}")
        (work / "batch").mkdir()
        news_batch(work / "batch", args.files)
        result = measured_run(work / "batch", work / "batch.db", args.workers)
        print(f"\n{args.files:,} news files, {args.workers} workers: {result['seconds']:.0f} s "
              f"({args.files / result['seconds']:.1f} files/s), exit {result['exit']}, stored {result['statuses']}")
        print(f"  peak RSS: whole tree {result['peak_tree_mb']:,.0f} MB, largest process "
              f"{result['peak_process_mb']:,.0f} MB, up to {result['processes']} processes")
        killed = kill_mid_batch(work / "batch", work / "killed.db", args.workers)
        print(f"\nSIGKILL mid-batch: {killed['started']} processes started, {killed['alive_after_5s']} alive 5 s "
              f"later, {killed['scratch_left']} scratch folders left")


if __name__ == "__main__":
    main()
