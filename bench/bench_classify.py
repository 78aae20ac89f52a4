"""Classifier speed: statements per second through the three models, one core.

Loads the shipped model and classifies the corpus statements in document-sized
batches (the pipeline calls the model once per document).

    python bench/bench_classify.py [--batch 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=20, help="statements per call (a document's candidates)")
    args = parser.parse_args()

    from pipeline.classify.features import segment_words
    from pipeline.classify.model import load_classifier
    from pipeline.classify.train import load_corpus, to_statement

    bundle = load_classifier()
    corpus = load_corpus()
    started = time.perf_counter()
    tokens = [segment_words(r.text) for r in corpus]
    segmenting = time.perf_counter() - started
    statements = [to_statement(r.text, r.context, t) for r, t in zip(corpus, tokens, strict=True)]
    started = time.perf_counter()
    for start in range(0, len(statements), args.batch):
        bundle.predict(statements[start : start + args.batch])
    predicting = time.perf_counter() - started
    print(f"model {bundle.version}; {len(statements)} statements in batches of {args.batch}")
    print(f"word segmentation (underthesea)   {len(statements) / segmenting:10,.0f} statements/s")
    print(f"finding + polarity + category     {len(statements) / predicting:10,.0f} statements/s")


if __name__ == "__main__":
    main()
