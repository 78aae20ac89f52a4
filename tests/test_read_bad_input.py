"""Bad input fails with a clerk-readable message; the guard keeps a batch going."""

from __future__ import annotations

import random
import time

import pytest

from pipeline.read import MAX_FILE_BYTES, ReadError, read_document, read_document_guarded
from pipeline.read.limits import ReadLimits
from tests.read_fixtures import (
    PARAGRAPHS,
    crashing_reader,
    make_text_pdf,
    memory_hungry_reader,
    ocr_announcing_reader,
    pid_reader,
    slow_reader,
)


@pytest.mark.parametrize("suffix", [".txt", ".pdf", ".docx", ".html", ".doc"])
def test_zero_byte_file(tmp_path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    with pytest.raises(ReadError, match=r"empty \(0 bytes\)") as caught:
        read_document(path)
    assert caught.value.source.size_bytes == 0


def test_binary_garbage_named_txt(tmp_path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(random.Random(3).randbytes(50_000))
    with pytest.raises(ReadError, match="binary"):
        read_document(path)


def test_file_over_the_size_limit_is_not_loaded(tmp_path) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as handle:  # sparse: no 200 MB written to disk
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ReadError, match=r"209,715,201 bytes\), over the limit of 200.0 MB \(209,715,200 bytes\)") as caught:
        read_document(path)
    assert len(caught.value.source.sha256) == 64


def test_unsupported_type_names_the_supported_ones(tmp_path) -> None:
    path = tmp_path / "slides.ppt"
    path.write_bytes(b"x")
    with pytest.raises(ReadError, match="unsupported file type '.ppt'.*\\.docx"):
        read_document(path)


def test_missing_file(tmp_path) -> None:
    with pytest.raises(ReadError, match="cannot be opened"):
        read_document(tmp_path / "gone.txt")


def test_guard_returns_what_the_reader_returns(tmp_path) -> None:
    path = make_text_pdf(tmp_path / "ok.pdf", pages=2)
    guarded = read_document_guarded(path)
    assert [b.text for b in guarded.blocks] == [b.text for b in read_document(path).blocks]
    assert guarded.source.pages == 2


def test_guard_reuses_one_worker(tmp_path) -> None:
    first = read_document_guarded(tmp_path / "a.txt", reader=pid_reader).title
    second = read_document_guarded(tmp_path / "b.txt", reader=pid_reader).title
    assert first == second


def test_guard_stops_a_hung_read_and_the_batch_goes_on(tmp_path) -> None:
    hung = tmp_path / "hung.pdf"
    hung.write_bytes(b"%PDF-1.4")
    started = time.monotonic()
    with pytest.raises(ReadError, match="longer than 1 s") as caught:
        read_document_guarded(hung, limits=ReadLimits(timeout_s=1), reader=slow_reader)
    assert time.monotonic() - started < 15
    assert caught.value.source.path == str(hung) and len(caught.value.source.sha256) == 64
    good = tmp_path / "good.txt"
    good.write_text("\n\n".join(PARAGRAPHS), encoding="utf-8")
    assert [b.text for b in read_document_guarded(good).blocks] == PARAGRAPHS


def test_guard_survives_a_crashing_reader(tmp_path) -> None:
    with pytest.raises(ReadError, match="stopped unexpectedly"):
        read_document_guarded(tmp_path / "x.pdf", reader=crashing_reader)
    assert read_document_guarded(tmp_path / "y.txt", reader=pid_reader).title


def test_guard_stops_a_read_that_needs_too_much_memory(tmp_path) -> None:
    limits = ReadLimits(max_memory_bytes=768 * 2**20)
    hostile = tmp_path / "hostile.pdf"
    hostile.write_bytes(b"%PDF-1.4")
    with pytest.raises(ReadError, match="more than 768 MB of memory") as caught:
        read_document_guarded(hostile, limits=limits, reader=memory_hungry_reader)
    assert caught.value.source.path == str(hostile)
    good = tmp_path / "good.txt"
    good.write_text("\n\n".join(PARAGRAPHS), encoding="utf-8")
    assert [b.text for b in read_document_guarded(good, limits=limits).blocks] == PARAGRAPHS


def test_guard_extends_the_deadline_for_ocr(tmp_path) -> None:
    limits = ReadLimits(timeout_s=1, ocr_timeout_per_page_s=10)
    raw = read_document_guarded(tmp_path / "scan.pdf", limits=limits, reader=ocr_announcing_reader)
    assert raw.title


def test_guard_passes_read_errors_through(tmp_path) -> None:
    path = tmp_path / "empty.docx"
    path.write_bytes(b"")
    with pytest.raises(ReadError, match="empty") as caught:
        read_document_guarded(path)
    assert caught.value.source.format == "docx"
