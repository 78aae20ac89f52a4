"""Reader figures: OCR accuracy and speed, text-PDF speed, legacy-archive CER, guard overhead.

Prints:
  1. OCR character error rate on a Vietnamese page rendered at 300 dpi
     (the text is known), and OCR pages per second;
  2. text-PDF pages per second (../shared text PDF, 35 pages);
  3. OCR pages per second on the first pages of the real scanned decision;
  4. CER per format (.doc, .rtf, .pdf, .xls) of the viparse legacy archive
     against its Unicode transcripts (letter case aside);
  5. the time `read_document_guarded` adds per file (persistent worker).

    python bench/bench_read.py [--scan-pages 3] [--skip-archive]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.read import read_document, read_document_guarded  # noqa: E402
from pipeline.read.limits import ReadLimits  # noqa: E402
from pipeline.read.ocr import ocr_image_file  # noqa: E402
from tests.read_fixtures import DATA, LEGACY, cer, document_text, render_page_image  # noqa: E402

OCR_PAGE = [
    "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 138/BC-UBND        Vinh, ngày 25 tháng 8 năm 2017",
    "BÁO CÁO",
    "Kết quả kiểm tra công tác cải cách hành chính năm 2017",
    "Thực hiện Kế hoạch số 27/KH-UBND ngày 15/01/2017 của UBND tỉnh,",
    "đoàn kiểm tra đã làm việc tại huyện Tương Dương, xã Tam Quang",
    "và xã Xá Lượng. Qua kiểm tra, một số thủ tục hành chính chưa được",
    "niêm yết đầy đủ; việc tiếp nhận, giải quyết hồ sơ còn chậm so với",
    "thời gian quy định; một số cán bộ, công chức chưa đeo thẻ công chức",
    "khi thi hành công vụ. Đề nghị Chủ tịch UBND huyện chỉ đạo khắc phục",
    "ngay những tồn tại, hạn chế nêu trên và báo cáo kết quả trước ngày",
    "15 tháng 9 năm 2017 về Sở Nội vụ để tổng hợp, báo cáo UBND tỉnh.",
]


def bench_ocr_rendered() -> None:
    image = render_page_image(OCR_PAGE, dpi=300)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.png"
        image.save(path)
        started = time.perf_counter()
        text = ocr_image_file(path, timeout_s=120)
        seconds = time.perf_counter() - started
    rate = cer(text, "\n".join(OCR_PAGE))
    print(f"OCR, rendered Vietnamese page (300 dpi): CER {rate:.2%}, {1 / seconds:.2f} pages/s")


def bench_text_pdf() -> None:
    path = DATA / "vn-gov-docs-pdf-docx" / "text-pdf" / "HNMU.pdf"
    started = time.perf_counter()
    raw = read_document(path)
    seconds = time.perf_counter() - started
    print(f"text PDF ({path.name}, {raw.source.pages} pages): "
          f"{raw.source.pages / seconds:.1f} pages/s")


def bench_scanned_pdf(pages: int) -> None:
    path = DATA / "vn-gov-docs-pdf-docx" / "scanned-pdf" / "222-ttg.signed.pdf"
    started = time.perf_counter()
    raw = read_document(path, limits=ReadLimits(max_pages=pages))
    seconds = time.perf_counter() - started
    print(f"scanned PDF ({path.name}, first {pages} of {raw.source.pages} pages, "
          f"{ReadLimits().ocr_resolution} dpi): {pages / seconds:.2f} pages/s")


def _archive_cer(path: Path) -> tuple[str, str, float]:
    truth = (LEGACY / "ground-truth" / f"{path.stem}.txt").read_text(encoding="utf-8")
    return path.suffix, path.name, cer(document_text(read_document(path)), truth)


def bench_archive() -> None:
    files = sorted(p for p in (LEGACY / "corpus").rglob("*") if p.suffix in (".doc", ".rtf",
                                                                              ".pdf", ".xls"))
    with ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        results = list(pool.map(_archive_cer, files))
    by_format: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for suffix, name, rate in results:
        by_format[suffix].append((name, rate))
    print("viparse legacy archive, CER against transcripts (letter case aside):")
    for suffix, rows in sorted(by_format.items()):
        rates = [rate for _, rate in rows]
        worst = max(rows, key=lambda row: row[1])
        under = sum(rate < 0.02 for rate in rates)
        print(f"  {suffix:5} {len(rows):3} files  mean {statistics.fmean(rates):.2%}  "
              f"median {statistics.median(rates):.2%}  under 2%: {under}/{len(rows)}  "
              f"worst {worst[1]:.2%} ({worst[0]})")


def bench_guard(files: int = 300) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "small.txt"
        path.write_text("Ủy ban nhân dân huyện Tương Dương kiểm tra.\n", encoding="utf-8")
        started = time.perf_counter()
        read_document_guarded(path)
        first = time.perf_counter() - started
        timings = {}
        for reader in (read_document, read_document_guarded):
            started = time.perf_counter()
            for _ in range(files):
                reader(path)
            timings[reader.__name__] = (time.perf_counter() - started) / files
    overhead = timings["read_document_guarded"] - timings["read_document"]
    print(f"guard: worker start {first * 1000:.0f} ms once, then {overhead * 1000:.2f} ms "
          f"added per file (small .txt, {files} files)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scan-pages", type=int, default=3)
    parser.add_argument("--skip-archive", action="store_true")
    args = parser.parse_args()
    bench_ocr_rendered()
    bench_text_pdf()
    bench_scanned_pdf(args.scan_pages)
    bench_guard()
    if not args.skip_archive:
        bench_archive()


if __name__ == "__main__":
    main()
