"""DOCX: body order, tables by row, headers/footers apart, legacy-font runs, damaged files."""

from __future__ import annotations

import pytest

from pipeline.read import ReadError, read_document
from pipeline.read.docx import legacy_font_encoding
from tests.read_fixtures import (
    DATA,
    DELETED_TEXT,
    PARAGRAPHS,
    TCVN3_SENTENCE,
    VNI_SENTENCE,
    make_docx,
    make_zip_bomb,
    require_data,
)


@pytest.fixture(scope="module")
def docx_raw(tmp_path_factory):
    return read_document(make_docx(tmp_path_factory.mktemp("docx") / "report.docx"))


def test_body_paragraphs_and_table_rows_in_order(docx_raw) -> None:
    body = [(b.part, b.text) for b in docx_raw.blocks if b.part in ("body", "table")]
    assert body == [
        ("body", PARAGRAPHS[0]),
        ("table", "STT | Đơn vị | Kết quả"),
        ("table", "1 | xã Tam Quang | Đạt"),
        ("body", f"Căn cứ: {TCVN3_SENTENCE}"),
        ("body", VNI_SENTENCE),
        ("body", "BÁO CÁO KẾT QUẢ"),
        *(("body", p) for p in PARAGRAPHS[1:]),
    ]


def test_headers_and_footers_are_kept_apart(docx_raw) -> None:
    margins = [(b.part, b.text) for b in docx_raw.blocks if b.part in ("header", "footer")]
    assert margins == [("header", "UBND TỈNH NGHỆ AN"), ("footer", "Trang chân: Sở Nội vụ")]


def test_legacy_fonts_are_converted_and_reported(docx_raw) -> None:
    assert docx_raw.source.encoding == "mixed tcvn3+vni"
    assert docx_raw.source.format == "docx"
    assert len(docx_raw.source.sha256) == 64


def test_tracked_deletions_are_dropped(docx_raw) -> None:
    assert all(DELETED_TEXT not in b.text for b in docx_raw.blocks)


@pytest.mark.parametrize(
    ("font", "encoding"),
    [(".VnTime", "tcvn3"), (".VnTimeH", "tcvn3"), ("VnArial", "tcvn3"), ("VNI-Times", "vni"),
     ("Times New Roman", None), ("Verdana", None), (None, None)],
)
def test_legacy_font_names(font, encoding) -> None:
    assert legacy_font_encoding(font) == encoding


def test_truncated_docx_fails_with_a_clear_message(tmp_path) -> None:
    whole = make_docx(tmp_path / "whole.docx").read_bytes()
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ReadError, match="damaged or incomplete") as caught:
        read_document(truncated)
    assert caught.value.source is not None and len(caught.value.source.sha256) == 64


def test_zip_bomb_is_refused_before_unpacking(tmp_path) -> None:
    bomb = make_zip_bomb(tmp_path / "bomb.docx", member_bytes=120 * 2**20)
    assert bomb.stat().st_size < 2**20
    with pytest.raises(ReadError, match="zip bomb"):
        read_document(bomb)


def test_zip_that_is_not_a_docx(tmp_path) -> None:
    import zipfile

    path = tmp_path / "photos.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "xin chào")
    with pytest.raises(ReadError, match="not a DOCX"):
        read_document(path)


def test_real_laws_read_with_tables_and_no_legacy_encoding() -> None:
    laws = sorted(require_data(DATA / "vn-gov-docs-pdf-docx" / "docx").glob("*.docx"))
    assert len(laws) == 6
    for path in laws:
        raw = read_document(path)
        assert raw.source.encoding is None, path.name
        text = "\n".join(b.text for b in raw.blocks)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text, path.name
        assert "Điều 1." in text, path.name
        assert any(b.part == "table" for b in raw.blocks), path.name
        assert sum(b.part == "body" for b in raw.blocks) > 200, path.name
