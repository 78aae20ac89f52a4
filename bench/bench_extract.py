"""Extraction speed on real news, next to underthesea word segmentation alone.

Reads N articles of ../shared/data/vntc (the 'Chinh tri Xa hoi' folder by
default), normalises them, then times on one core:
  1. underthesea `word_tokenize` alone, line by line (the floor);
  2. segmentation as the pipeline does it (word + sentence, aligned to a Doc);
  3. the whole pipeline (segmentation, layout, metadata, dates, legal
     references, units, candidates, classifier).
Prints characters per second for each and what the stages on top of
segmentation cost relative to segmentation itself.

    python bench/bench_extract.py [--docs 300] [--folder 'Chinh tri Xa hoi']
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VNTC = ROOT.parent / "shared" / "data" / "vntc" / "Train_Full"


def load_texts(folder: str, count: int) -> list[str]:
    from pipeline.normalise import normalise_document
    from pipeline.read import read_document

    paths = sorted((VNTC / folder).glob("*.txt"))[:count]
    return [normalise_document(read_document(p)).text for p in paths]


def timed(label: str, func, texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        func(text)
    seconds = time.perf_counter() - started
    chars = sum(len(t) for t in texts)
    print(f"{label:<46}{seconds:>8.2f} s {chars / seconds:>12,.0f} chars/s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--folder", default="Chinh tri Xa hoi")
    args = parser.parse_args()

    from underthesea import word_tokenize

    from pipeline.components import build_nlp

    texts = load_texts(args.folder, args.docs)
    print(f"{len(texts)} articles, {sum(len(t) for t in texts):,} characters, one process")
    nlp = build_nlp()
    nlp(texts[0])  # load models before timing

    def tokenize_lines(text: str) -> None:
        for line in text.split("\n"):
            if line.strip():
                word_tokenize(line)

    def run_pipeline(text: str) -> None:
        doc = nlp.make_doc(text)
        doc._.hints = {}
        for _, component in nlp.pipeline:
            doc = component(doc)

    floor = timed("underthesea word_tokenize alone", tokenize_lines, texts)
    segmentation = timed("segmentation (word + sentence -> spaCy Doc)", nlp.make_doc, texts)
    total = timed("whole pipeline (segmentation + extraction)", run_pipeline, texts)
    stages = total - segmentation
    print(f"extraction stages on top of segmentation: {stages:.2f} s = "
          f"{stages / segmentation:.2f} x segmentation, {stages / floor:.2f} x word_tokenize alone")


if __name__ == "__main__":
    main()
