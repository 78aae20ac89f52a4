"""PDF: pages kept, running heads removed, two columns in order, OCR, damaged and protected files."""

from __future__ import annotations

import pytest

from pipeline.read import ReadError, read_document
from pipeline.read.limits import ReadLimits
from tests.read_fixtures import (
    DATA,
    PARAGRAPHS,
    SCAN_LINES,
    cer,
    make_damaged_pdf,
    make_scanned_pdf,
    make_text_pdf,
    make_two_column_pdf,
    require_data,
    require_tool,
)


def _joined(raw, page: int | None = None) -> str:
    return "\n".join(b.text for b in raw.blocks if page is None or b.page == page)


def test_text_per_page_with_running_header_and_page_numbers_removed(tmp_path) -> None:
    raw = read_document(make_text_pdf(tmp_path / "report.pdf", pages=3))
    assert raw.source.pages == 3 and raw.source.ocr is False and not raw.errors
    assert sorted({b.page for b in raw.blocks}) == [1, 2, 3]
    for page in (1, 2, 3):
        text = _joined(raw, page)
        assert "BÁO CÁO KIỂM TRA" not in text
        assert [b.text for b in raw.blocks if b.page == page] == [
            *PARAGRAPHS, f"Nội dung riêng của trang {page}."
        ]  # one block per paragraph, its wrapped lines joined
    assert not any(b.text.strip().isdigit() for b in raw.blocks)


def test_two_columns_are_read_left_then_right_after_the_title(tmp_path) -> None:
    raw = read_document(make_two_column_pdf(tmp_path / "columns.pdf"))
    title, rest = _joined(raw).split("\n", 1)
    assert title == "KẾT QUẢ KIỂM TRA CÔNG TÁC CẢI CÁCH HÀNH CHÍNH TẠI CÁC XÃ"
    expected = [f"Trái {i:02d}: xã Tam Quang niêm yết đủ" for i in range(1, 26)]
    expected += [f"Phải {i:02d}: xã Xá Lượng còn hạn chế" for i in range(1, 26)]
    # Each column's lines all run to its edge and end unpunctuated: they may be read as
    # wrapped lines of one paragraph; what matters here is the order.
    assert rest.split() == " ".join(expected).split()


def test_password_protected_pdf_fails_with_a_clear_message(tmp_path) -> None:
    path = make_text_pdf(tmp_path / "locked.pdf", pages=1, encrypt="mật khẩu")
    with pytest.raises(ReadError, match="password-protected"):
        read_document(path)


def test_damaged_page_gives_a_partial_document(tmp_path) -> None:
    raw = read_document(make_damaged_pdf(tmp_path / "damaged.pdf"))
    assert raw.partial
    assert sorted({b.page for b in raw.blocks}) == [1, 3]
    assert [e.message.split(" is damaged")[0] for e in raw.errors] == ["page 2"]


def test_garbage_named_pdf_fails(tmp_path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    with pytest.raises(ReadError, match="damaged"):
        read_document(path)


def test_page_limit_reads_the_first_pages_and_says_so(tmp_path) -> None:
    raw = read_document(make_text_pdf(tmp_path / "long.pdf", pages=4), limits=ReadLimits(max_pages=2))
    assert sorted({b.page for b in raw.blocks}) == [1, 2]
    assert raw.partial and "only the first 2" in raw.errors[0].message


def test_scanned_pdf_is_ocred_in_vietnamese(tmp_path) -> None:
    require_tool("tesseract", "package tesseract-ocr-vie")
    announced: list[int] = []
    raw = read_document(make_scanned_pdf(tmp_path / "scan.pdf"), progress=announced.append)
    assert raw.source.ocr is True and announced == [1]
    assert all(b.ocr and b.page == 1 for b in raw.blocks)
    assert cer(_joined(raw), "\n".join(SCAN_LINES)) < 0.05


def test_ocr_writes_no_files_and_stops_when_its_budget_is_spent(tmp_path, monkeypatch) -> None:
    import tempfile

    from pipeline.read import ReadLimits

    require_tool("tesseract", "package tesseract-ocr-vie")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    raw = read_document(make_scanned_pdf(tmp_path / "scan.pdf"))
    assert raw.blocks and list(scratch.iterdir()) == []  # page images go through a pipe
    with pytest.raises(ReadError, match=r"OCR stopped after 0 of 1 scanned pages: the limit of 0.5 s of OCR"):
        read_document(make_scanned_pdf(tmp_path / "scan2.pdf"), limits=ReadLimits(ocr_max_total_s=0.5))


def test_mixed_pdf_ocrs_only_the_scanned_page(tmp_path) -> None:
    require_tool("tesseract", "package tesseract-ocr-vie")
    raw = read_document(make_scanned_pdf(tmp_path / "mixed.pdf", with_text_page=True))
    assert raw.source.ocr is True
    assert {b.page for b in raw.blocks if b.ocr} == {2}
    assert {b.page for b in raw.blocks if not b.ocr} == {1}
    assert PARAGRAPHS[0] in _joined(raw, 1)


def test_missing_tesseract_names_the_packages(tmp_path, monkeypatch) -> None:
    import pipeline.read.ocr as ocr

    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    with pytest.raises(ReadError, match="tesseract-ocr-vie"):
        read_document(make_scanned_pdf(tmp_path / "scan.pdf"))


def test_real_text_pdf_keeps_its_35_pages() -> None:
    path = require_data(DATA / "vn-gov-docs-pdf-docx" / "text-pdf" / "HNMU.pdf")
    raw = read_document(path)
    assert raw.source.pages == 35 and raw.source.ocr is False and not raw.errors
    assert {b.page for b in raw.blocks} == set(range(1, 36))
    text = _joined(raw)
    assert "Ban hành Quy định hoạt động đào tạo hệ chính quy" in text
    assert len(text) > 55_000


@pytest.mark.slow
def test_real_scanned_decision_first_pages_by_ocr() -> None:
    require_tool("tesseract", "package tesseract-ocr-vie")
    path = require_data(DATA / "vn-gov-docs-pdf-docx" / "scanned-pdf" / "222-ttg.signed.pdf")
    raw = read_document(path, limits=ReadLimits(max_pages=2))
    assert raw.source.ocr is True and raw.source.pages == 28
    assert {b.page for b in raw.blocks} == {1, 2} and all(b.ocr for b in raw.blocks)
    text = " ".join(_joined(raw, 1).split())
    for expected in ("222/QĐ-TTg", "Ban hành Kế hoạch hành động quốc gia", "kinh tế tuần hoàn"):
        assert expected in text
