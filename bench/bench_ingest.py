"""End-to-end ingest throughput and its scaling, next to underthesea's `word_tokenize` alone.

For N files of ../shared/data/vntc (default 2,000; `--all` for every file), in
one run, for each worker count (1, 2, 4 ... up to the cores, or `--workers`):
- `word_tokenize` alone on the same texts in a plain process pool (the ceiling);
- a plain process pool running the whole pipeline per file (read, normalise,
  segment, extract, classify, store), no Prefect;
- `findings ingest --workers W` (the Prefect flow on a local process pool);
- `findings ingest --dask-address` on a Dask scheduler with W one-thread workers
  on loopback (unless `--no-dask`).
It prints each round's seconds as it goes, then files/s, characters/s, the
ratio to `word_tokenize` alone, the Prefect (+ Dask) overhead over the plain
pool, scaling efficiency, and the peak resident memory of one worker process.
Flow figures are the flow's own time (from its start to its last file);
`wall f/s` is the whole command, with its fixed start-up and shutdown (the
Prefect API server, about 5-8 s).

    .venv/bin/python bench/bench_ingest.py [--files 2000 | --all] [--workers 1,2] [--no-dask] [--repeat 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import socket
import statistics
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
DASK = str(Path(sys.executable).with_name("dask"))
NEWS = shared_dir() / "data" / "vntc" / "Train_Full"


def select_files(count: int | None) -> list[Path]:
    """`count` articles spread over every topic folder (all of them when None)."""
    folders = sorted(p for p in NEWS.iterdir() if p.is_dir())
    per_folder = [sorted(f.glob("*.txt")) for f in folders]
    if count is None:
        return [p for files in per_folder for p in files]
    chosen: list[Path] = []
    index = 0
    while len(chosen) < count and any(index < len(files) for files in per_folder):
        chosen += [files[index] for files in per_folder if index < len(files)][: count - len(chosen)]
        index += 1
    return chosen


def _tokenize(path: str) -> int:
    from underthesea import word_tokenize

    from pipeline.read.text import decode_text

    text, _ = decode_text(Path(path).read_bytes())
    word_tokenize(text)
    return len(text)


def tokenize_alone(files: list[Path], workers: int) -> tuple[float, int]:
    """Seconds and characters for `word_tokenize` of every file in a pool of `workers`."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_tokenize, initargs=(str(files[0]),)) as pool:
        started = time.perf_counter()
        chars = sum(pool.map(_tokenize, [str(f) for f in files], chunksize=8))
        return time.perf_counter() - started, chars


_DB_URL = ""


def _plain_init(db_url: str) -> None:
    global _DB_URL
    _DB_URL = db_url
    from pipeline.process import get_extractor

    get_extractor()


def _plain_chunk(paths: list[str]) -> int:
    from flows.worker import process_files

    return len(process_files(paths, _DB_URL))


def plain_pool(files: list[Path], workers: int, db_url: str) -> float:
    """Seconds for the whole pipeline per file in a plain process pool, in the flow's chunks."""
    from flows.ingest import chunk_size_for
    from pipeline.store.database import open_database

    open_database(db_url)
    size = chunk_size_for(len(files), workers)
    chunks = [[str(f) for f in files[i : i + size]] for i in range(0, len(files), size)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_plain_init, initargs=(db_url,)) as pool:
        started = time.perf_counter()
        pool.map(_plain_chunk, chunks, chunksize=1)
        return time.perf_counter() - started


class WorkerPeak(threading.Thread):
    """Largest RSS of any one worker process under `pid` (pool workers and Dask workers)."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids, self.peak = pids, 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.25):
            for pid in self.pids:
                try:
                    tree = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
                except psutil.Error:
                    continue
                for process in tree:
                    try:
                        if "spawn_main" in " ".join(process.cmdline()) or "dask" in " ".join(process.cmdline()):
                            self.peak = max(self.peak, process.memory_info().rss)
                    except psutil.Error:
                        continue

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


def flow_run(folder: Path, db: Path, *extra: str, watch: list[int] | None = None) -> tuple[float, float, int]:
    """(flow seconds, wall seconds, peak worker RSS) of `findings ingest` on `folder`."""
    started = time.perf_counter()
    run = subprocess.Popen([FINDINGS, "ingest", str(folder), "--db", str(db), *extra],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = WorkerPeak([run.pid, *(watch or [])])
    peak.start()
    out, err = run.communicate()
    wall = time.perf_counter() - started
    worker_rss = peak.stop()
    if run.returncode not in (0, 3):
        raise RuntimeError(f"ingest failed ({run.returncode}): {err[-2000:]}")
    match = re.search(r"in ([\d.]+) s", out)
    return (float(match[1]) if match else wall), wall, worker_rss


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dask_cluster(workers: int, log) -> tuple[str, list[subprocess.Popen]]:
    from distributed import Client

    address = f"tcp://127.0.0.1:{_free_port()}"
    processes = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                   "--no-dashboard"], stdout=log, stderr=log)]
    processes.append(subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--nworkers", str(workers),
                                       "--host", "127.0.0.1", "--no-dashboard", "--memory-limit", "0"],
                                      stdout=log, stderr=log))
    with Client(address, timeout=60) as client:
        client.wait_for_workers(workers, timeout=180)
    return address, processes


def dask_run(folder: Path, db: Path, workers: int, log) -> float:
    """Flow seconds of `findings ingest --dask-address` on a fresh loopback cluster of `workers`."""
    address, processes = dask_cluster(workers, log)
    try:
        return flow_run(folder, db, "--dask-address", address, watch=[p.pid for p in processes])[0]
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)


def measure(files: list[Path], folder: Path, work: Path, workers: int, log, *, dask: bool) -> tuple:
    """One run of everything with `workers` processes: (tokenize s, plain s, flow s, flow wall s,
    Dask flow s or inf, characters, peak worker RSS)."""
    work.mkdir()
    token_s, chars = tokenize_alone(files, workers)
    plain_s = plain_pool(files, workers, f"sqlite:///{work / 'plain.db'}")
    flow_s, wall_s, worker_rss = flow_run(folder, work / "flow.db", "--workers", str(workers))
    dask_s = dask_run(folder, work / "dask.db", workers, log) if dask else float("inf")
    return token_s, plain_s, flow_s, wall_s, dask_s, chars, worker_rss


def describe_round(run: tuple, *, dask: bool) -> str:
    """One round's seconds, each flow's against the plain pool's."""
    token_s, plain_s, flow_s, wall_s, dask_s = run[:5]
    return (f"tokenize {token_s:.1f} s, plain {plain_s:.1f} s, flow {flow_s:.1f} s ({flow_s / plain_s - 1:+.0%}; "
            f"wall {wall_s:.1f} s)" + (f", dask {dask_s:.1f} s ({dask_s / plain_s - 1:+.0%})" if dask else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--all", action="store_true", help="every file of vntc (14,734)")
    parser.add_argument("--workers", default="", help="worker counts, e.g. 1,2,4 (default: 1, 2, 4 ... cores)")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of every measurement, interleaved (this machine's speed drifts): speeds are the "
                             "fastest round's, overheads the median of each round's own")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    counts = [int(w) for w in args.workers.split(",") if w] or sorted({*[2**i for i in range(8) if 2**i <= cores],
                                                                       cores})
    files = select_files(None if args.all else args.files)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        folder = work / "files"
        folder.mkdir()
        for number, path in enumerate(files):
            shutil.copy(path, folder / f"{number:05d}.txt")
        print(f"machine: {cores} cores; {len(files):,} files of vntc")
        base_rate = None  # flow files/s per worker at the first worker count
        log = (work / "dask.log").open("wb")
        rows: list[str] = []
        for workers in counts:
            # Interleaved, so a slow spell of the machine hits every measurement alike; the fastest counts.
            runs = []
            for attempt in range(args.repeat):
                runs.append(measure(files, folder, work / f"{workers}-{attempt}", workers, log, dask=not args.no_dask))
                line = describe_round(runs[-1], dask=not args.no_dask)
                print(f"  round {attempt + 1} of {workers} worker(s): {line}", flush=True)
            columns = list(zip(*runs, strict=True))
            token_s, plain_s, flow_s, wall_s, dask_s = map(min, columns[:5])
            chars, worker_rss = columns[5][0], max(columns[6])
            # Overheads pair each run with the plain pool of the same round (minutes apart at most), median.
            flow_overhead = statistics.median(run[2] / run[1] - 1 for run in runs)
            dask_overhead = statistics.median(run[4] / run[1] - 1 for run in runs)
            base_rate = base_rate or len(files) / flow_s / workers
            efficiency = len(files) / flow_s / workers / base_rate
            dask_cells = "" if args.no_dask else f"{len(files) / dask_s:9.1f}  {dask_overhead:12.0%}"
            rows.append(f"{workers:>7} {len(files) / token_s:12.1f} {len(files) / plain_s:10.1f} "
                        f"{len(files) / flow_s:9.1f} {len(files) / wall_s:9.1f} "
                        f"{chars / flow_s:10,.0f} {token_s / flow_s:6.2f} {flow_overhead:9.0%} {efficiency:10.2f} "
                        f"{worker_rss / 2**20:9,.0f}  {dask_cells}")
        log.close()
    print(f"{'workers':>7} {'tokenize f/s':>12} {'plain f/s':>10} {'flow f/s':>9} {'wall f/s':>9} {'chars/s':>10} "
          f"{'ratio':>6} {'overhead':>9} {'efficiency':>10} {'worker MB':>9}  dask f/s  dask overhead")
    print("\n".join(rows))
    print("ratio: end-to-end flow throughput / word_tokenize alone with the same processes; overhead: "
          f"flow time over the plain pool's; efficiency: flow files/s per worker against {counts[0]} worker(s)"
          + (f"; each speed the best of {args.repeat} interleaved runs, each overhead the median of the "
             "runs' own (flow against the plain pool of the same round)" if args.repeat > 1 else "") + ".")


if __name__ == "__main__":
    main()
