"""Saved news pages: article text, title, date and publisher; site chrome dropped."""

from __future__ import annotations

import pytest

from pipeline.read import ReadError, read_document
from pipeline.read.html import iso_date
from tests.read_fixtures import NEWS_HTML


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "bai-viet.html"
    path.write_text(NEWS_HTML, encoding="utf-8")
    return read_document(path)


def test_metadata(page) -> None:
    assert page.title == "Tổ công tác kiểm tra bất ngờ việc thực hiện cải cách hành chính"
    assert page.published == "2017-08-25"
    assert page.publisher == "Baonghean.vn"
    assert page.source.encoding == "utf-8"


def test_article_paragraphs_are_kept(page) -> None:
    body = [b.text for b in page.blocks if b.part == "body"]
    assert len(body) == 3
    assert body[0].startswith("(Baonghean.vn) - Ngày 24/8, đoàn kiểm tra")
    assert body[2].endswith("báo cáo kết quả trước ngày 15/9.")
    assert [b.text for b in page.blocks if b.part == "caption"] == [
        "Đoàn kiểm tra làm việc tại xã Tam Quang."
    ]


@pytest.mark.parametrize(
    "chrome",
    ["Trang chủ", "Thời sự", "Tin liên quan", "công bố chỉ số", "Ý kiến của bạn",
     "Gửi bình luận", "Bạn đọc Nguyễn Văn A", "Giấy phép số"],
)
def test_menus_comments_related_and_footer_are_dropped(page, chrome: str) -> None:
    assert all(chrome not in b.text for b in page.blocks)


def test_declared_windows_1258_page(tmp_path) -> None:
    from tests.read_fixtures import encode_cp1258

    html = NEWS_HTML.replace('<meta charset="utf-8">', '<meta charset="windows-1258">')
    path = tmp_path / "cu.htm"
    path.write_bytes(encode_cp1258(html))
    raw = read_document(path)
    assert raw.source.encoding == "windows-1258"
    assert any("niêm yết đầy đủ" in b.text for b in raw.blocks)


def test_page_without_article_fails(tmp_path) -> None:
    path = tmp_path / "menu.html"
    path.write_text("<html><body><nav><a href='/'>Trang chủ</a></nav></body></html>", "utf-8")
    with pytest.raises(ReadError, match="no article text"):
        read_document(path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2017-08-25T09:30:00+07:00", "2017-08-25"), ("Thứ Sáu, 25/08/2017 09:30", "2017-08-25"),
     ("25.8.2017", "2017-08-25"), ("31/02/2017", "2017-02-31"), ("no date", None),
     ("13/13/2017", None)],
)
def test_iso_date(value: str, expected: str | None) -> None:
    assert iso_date(value) == expected
