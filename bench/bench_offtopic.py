"""Findings mined from news that is not about inspections (they should be none).

Runs the whole pipeline over N articles of ../shared/data/vntc outside the
'Chinh tri Xa hoi' folder (sport, health, computing, business, law, world,
culture, science, lifestyle news: evenly spaced over the sorted file list, so
every folder is represented and a run is repeatable), then prints findings
per article, the share of articles with any finding, the share judged to be
about an inspection (`document.topic`), per folder, and the time taken.
vntc is a measuring set: nothing in the project is trained or keyed on it.

    python bench/bench_offtopic.py [--docs 2000] [--folder 'The thao' ...] [--list]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VNTC = Path(os.environ.get("FINDINGS_SHARED", ROOT.parent / "shared")) / "data" / "vntc" / "Train_Full"
ON_TOPIC_FOLDER = "Chinh tri Xa hoi"  # politics and society: some of it is about inspections


def pick_articles(count: int, folders: list[str] | None = None, root: Path = VNTC) -> list[Path]:
    """`count` articles evenly spaced over the sorted files of `folders` (default: all but politics)."""
    chosen = folders or sorted(p.name for p in root.iterdir() if p.is_dir() and p.name != ON_TOPIC_FOLDER)
    paths = sorted(p for folder in chosen for p in (root / folder).glob("*.txt"))
    if count >= len(paths):
        return paths
    step = len(paths) / count
    return [paths[int(i * step)] for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--folder", action="append", help="vntc folder(s) to read instead of all but politics")
    parser.add_argument("--list", action="store_true", help="print every article that yields findings")
    args = parser.parse_args()
    if not VNTC.is_dir():
        sys.exit(f"{VNTC} is missing")

    from pipeline.process import Extractor
    from pipeline.read import read_document

    paths = pick_articles(args.docs, args.folder)
    extractor = Extractor()
    per_folder: Counter[str] = Counter()
    with_findings: Counter[str] = Counter()
    judged: Counter[str] = Counter()
    findings = chars = failed = 0
    started = time.perf_counter()
    for path in paths:
        result = extractor.extract(read_document(path))
        folder = path.parent.name
        per_folder[folder] += 1
        if result.status == "failed":
            failed += 1
            continue
        chars += result.document.text_chars
        count = len(result.findings)
        findings += count
        with_findings[folder] += count > 0
        judged[folder] += getattr(result.document, "topic", None) == "inspection"
        if args.list and count:
            print(f"  {count:>3} findings  {folder}/{path.name}  topic={getattr(result.document, 'topic', None)}")
    seconds = time.perf_counter() - started

    total = len(paths)
    where = ", ".join(args.folder) if args.folder else f"all folders but '{ON_TOPIC_FOLDER}'"
    print(f"{total} vntc articles of {where} ({failed} failed), {chars:,} characters")
    print(f"{'folder':<18}{'articles':>9}{'with findings':>15}{'judged inspection':>19}")
    for folder in sorted(per_folder):
        print(f"{folder:<18}{per_folder[folder]:>9}{with_findings[folder]:>15}{judged[folder]:>19}")
    print(f"findings per article: {findings / max(total, 1):.3f} ({findings} findings)")
    print(f"articles with any finding: {100 * sum(with_findings.values()) / max(total, 1):.1f}%")
    print(f"judged about an inspection: {100 * sum(judged.values()) / max(total, 1):.1f}%")
    print(f"time: {seconds:.1f} s, {chars / max(seconds, 1e-9):,.0f} chars/s, one process")


if __name__ == "__main__":
    main()
