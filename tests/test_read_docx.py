"""DOCX: body order, tables by row, headers/footers apart, legacy-font runs, damaged files."""

from __future__ import annotations

import pytest

from pipeline.normalise import normalise_document
from pipeline.read import ReadError, read_document
from pipeline.read.docx import legacy_font_encoding, read_docx
from tests.read_fixtures import (
    DATA,
    DELETED_TEXT,
    FIRST_PAGE_HEADER,
    PARAGRAPHS,
    REVISED,
    TCVN3_SENTENCE,
    VNI_SENTENCE,
    make_docx,
    make_docx_with_text_boxes,
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
        *(("body", p) for p in PARAGRAPHS[1:-1]),
        ("body", PARAGRAPHS[-1] + DELETED_TEXT),
        ("body", "".join(REVISED)),
    ]


def test_headers_and_footers_are_kept_apart(docx_raw) -> None:
    margins = [(b.part, b.text) for b in docx_raw.blocks if b.part in ("header", "footer")]
    assert margins == [
        ("header", "UBND TỈNH NGHỆ AN"),
        ("header", FIRST_PAGE_HEADER),
        ("footer", "Trang chân: Sở Nội vụ"),
    ]


def test_legacy_fonts_are_converted_and_reported(docx_raw) -> None:
    assert docx_raw.source.encoding == "mixed tcvn3+vni"
    assert docx_raw.source.format == "docx"
    assert len(docx_raw.source.sha256) == 64


def test_tracked_deletions_are_read_in_place_and_marked(docx_raw) -> None:
    revised = next(b for b in docx_raw.blocks if b.text.startswith(REVISED[0]))
    assert [revised.text[a:b] for a, b in revised.deleted] == [REVISED[1]]  # .VnTime run converted
    last = next(b for b in docx_raw.blocks if b.text.startswith(PARAGRAPHS[-1]))
    assert [last.text[a:b] for a, b in last.deleted] == [DELETED_TEXT]
    assert all(not b.deleted for b in docx_raw.blocks if b not in (revised, last))


def test_tracked_deletions_are_not_in_the_mined_text(docx_raw) -> None:
    normalised = normalise_document(docx_raw)
    assert DELETED_TEXT not in normalised.text
    assert REVISED[1].strip() not in normalised.text
    assert f"{REVISED[0]}{REVISED[2]}" in normalised.text
    assert PARAGRAPHS[-1] in normalised.text
    # Offsets still point into the block as read, deletion included.
    at = normalised.text.index(REVISED[2])
    block = docx_raw.blocks[normalised.block_at(at).index]
    start = normalised.source_offset(at)
    assert block.text[start:start + len(REVISED[2])] == REVISED[2]


def test_text_boxes_follow_the_order_of_the_original_files_story(tmp_path) -> None:
    labels = ["Sở Nội vụ", "Phòng Nội vụ huyện", "UBND xã Tam Quang"]
    data = make_docx_with_text_boxes(tmp_path / "diagram.docx", labels).read_bytes()
    blocks, _ = read_docx(data)
    assert [b.text for b in blocks] == [PARAGRAPHS[0], PARAGRAPHS[1], *labels]
    story = "\n".join(["UBND xã Tam Quang", "", "Sở Nội vụ", "Phòng Nội vụ huyện"])
    blocks, _ = read_docx(data, text_box_story=story)
    assert [b.text for b in blocks][2:] == [labels[2], labels[0], labels[1]]


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
    with pytest.raises(ReadError, match="not a valid DOCX document: it is not a zip archive") as caught:
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


def test_docx_page_breaks_give_each_block_its_page(tmp_path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Trang một: UBND xã Tam Quang niêm yết đầy đủ thủ tục.")
    document.add_page_break()
    document.add_paragraph("Trang hai: công chức một cửa còn đi muộn.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "1", "xã Tam Quang"
    document.add_page_break()
    document.add_paragraph("Trang ba: kiến nghị.")
    document.save(tmp_path / "paged.docx")
    raw = read_document(tmp_path / "paged.docx")
    assert [(b.text[:9], b.page) for b in raw.blocks if b.part in ("body", "table")] == [
        ("Trang một", 1), ("Trang hai", 2), ("1 | xã Ta", 2), ("Trang ba:", 3)]


def test_docx_without_page_marks_has_no_pages(tmp_path) -> None:
    raw = read_document(make_docx(tmp_path / "plain.docx"))
    assert {b.page for b in raw.blocks} == {None}
