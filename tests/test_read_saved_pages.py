"""Web pages saved by a real browser: HTML only, single-file MHTML, printed to PDF."""

from __future__ import annotations

import email.message
import email.policy

import pytest

from pipeline.discover import discover_files
from pipeline.process import extract_path
from pipeline.read import ReadError, read_document
from tests.browser import HOST, print_pdf, save_dom, save_mhtml, serve
from tests.read_fixtures import NEWS_HTML_SCRIPTED, encode_cp1258

TITLE = "Tổ công tác kiểm tra bất ngờ việc thực hiện cải cách hành chính"
ARTICLE = [
    "(Baonghean.vn) - Ngày 24/8, đoàn kiểm tra của UBND tỉnh đã kiểm tra đột xuất công tác "
    "cải cách hành chính tại huyện Tương Dương, xã Tam Quang và xã Xá Lượng.",
    "Qua kiểm tra, một số thủ tục hành chính chưa niêm yết đầy đủ về các lĩnh vực, việc "
    "tiếp nhận hồ sơ còn chậm, một số cán bộ chưa đeo thẻ công chức.",
]
CHROME = ["Trang chủ", "Tin liên quan", "Gửi bình luận", "Bạn đọc Nguyễn Văn A", "Giấy phép số"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The news page saved three ways by Chromium: {'dom': path, 'mhtml': path, 'pdf': path}."""
    folder = tmp_path_factory.mktemp("site")
    (folder / "bai-viet.html").write_text(NEWS_HTML_SCRIPTED, encoding="utf-8")
    out = tmp_path_factory.mktemp("saved")
    url = f"http://{HOST}/bai-viet.html"
    with serve(folder) as port:
        return {
            "dom": save_dom(url, port, out / "bai-viet.html"),
            "mhtml": save_mhtml(url, port, out / "bai-viet.mhtml"),
            "pdf": print_pdf(url, port, out / "bai-viet.pdf"),
        }


@pytest.mark.parametrize(("kind", "fmt"), [("dom", "html"), ("mhtml", "mhtml")])
def test_saved_page_gives_article_and_metadata(saved, kind: str, fmt: str) -> None:
    raw = read_document(saved[kind])
    assert raw.source.format == fmt
    assert raw.title == TITLE
    assert raw.published == "2017-08-25"  # written by the page's script: only the browser has it
    assert raw.publisher == "Baonghean.vn"
    body = [b.text for b in raw.blocks if b.part == "body"]
    assert [" ".join(text.split()) for text in body[:2]] == ARTICLE
    assert all(chrome not in b.text for b in raw.blocks for chrome in CHROME)


def test_printed_page_loses_the_browsers_margins_and_keeps_paragraphs_whole(saved) -> None:
    raw = read_document(saved["pdf"])
    assert raw.source.format == "pdf" and raw.source.pages >= 2
    assert raw.publisher == HOST  # from the address Chromium prints in the footer
    assert raw.title == "Kiểm tra đột xuất cải cách hành chính - Báo Nghệ An"
    texts = [b.text for b in raw.blocks]
    assert ARTICLE[0] in texts and ARTICLE[1] in texts  # wrapped lines joined
    assert not any(f"http://{HOST}" in text for text in texts)
    assert not any(text.startswith(("11/", "1/", "2/")) and ":" in text[:20] for text in texts)


def test_printed_page_mines_the_article_not_its_chrome(saved, tmp_path) -> None:
    result = extract_path(saved["pdf"])
    assert result.status == "ok"
    assert result.document.published == "2017-08-25"
    texts = [f.text for f in result.findings]
    # a comma run of shortcomings gives one finding each
    assert any("chưa niêm yết đầy đủ" in text and "tiếp nhận hồ sơ" not in text for text in texts)
    assert any(text.startswith("việc tiếp nhận hồ sơ còn chậm") for text in texts)
    assert not any("chỉ số cải cách hành chính năm 2016" in text for text in texts)  # related list
    assert not any("thường xuyên hơn" in text for text in texts)  # a reader's comment
    assert {"xã Tam Quang", "xã Xá Lượng"} <= {u.name for u in result.units}


def _web_archive(html: bytes, charset: str, *, url: str | None) -> bytes:
    """An Internet Explorer style .mht: multipart/related with a quoted-printable HTML root."""
    archive = email.message.EmailMessage(policy=email.policy.SMTP)
    archive["MIME-Version"] = "1.0"
    archive.set_type("multipart/related")
    page = email.message.MIMEPart(policy=email.policy.SMTP)
    page.set_payload(html)
    page["Content-Type"] = f'text/html; charset="{charset}"'
    page["Content-Transfer-Encoding"] = "8bit"
    if url:
        page["Content-Location"] = url
    archive.attach(page)
    image = email.message.MIMEPart(policy=email.policy.SMTP)
    image.set_content(b"\x89PNG\r\n", maintype="image", subtype="png")
    archive.attach(image)
    return archive.as_bytes()


def test_internet_explorer_web_archive_in_windows_1258(tmp_path) -> None:
    html = (
        "<html><head><title>Kiểm tra công vụ tại xã Tam Quang</title></head><body><article>"
        "<p>Đoàn kiểm tra công vụ của Sở Nội vụ đã làm việc tại UBND xã Tam Quang, "
        "huyện Tương Dương về kỷ luật, kỷ cương hành chính.</p></article></body></html>"
    )
    path = tmp_path / "trang.mht"
    path.write_bytes(_web_archive(encode_cp1258(html), "windows-1258",
                                  url="http://www.tuongduong.nghean.gov.vn/tin/123.htm"))
    raw = read_document(path)
    assert raw.source.encoding == "windows-1258"
    assert raw.publisher == "tuongduong.nghean.gov.vn"
    assert any("kỷ luật, kỷ cương hành chính" in b.text for b in raw.blocks)


def test_web_archive_without_a_page_fails_clearly(tmp_path) -> None:
    archive = email.message.EmailMessage()
    archive.set_content(b"\x89PNG\r\n", maintype="image", subtype="png")
    path = tmp_path / "anh.mhtml"
    path.write_bytes(archive.as_bytes())
    with pytest.raises(ReadError, match="contains no web page"):
        read_document(path)


def test_saved_from_mark_names_the_site(tmp_path) -> None:
    path = tmp_path / "bai.htm"
    path.write_text(
        "<!DOCTYPE html>\n<!-- saved from url=(0041)https://www.baoquangnam.vn/tin/kiem-tra.html -->\n"
        "<html><body><article><p>Đoàn kiểm tra cải cách hành chính của tỉnh đã làm việc tại "
        "UBND huyện Duy Xuyên và một số xã trên địa bàn huyện.</p></article></body></html>",
        encoding="utf-8",
    )
    assert read_document(path).publisher == "baoquangnam.vn"


def test_a_complete_saved_pages_resource_folder_is_not_ingested(tmp_path) -> None:
    (tmp_path / "bai-viet.html").write_text("<p>bài</p>", encoding="utf-8")
    resources = tmp_path / "bai-viet_files"
    resources.mkdir()
    (resources / "quang-cao.html").write_text("<p>quảng cáo</p>", encoding="utf-8")
    (resources / "style.css").write_text("p {}", encoding="utf-8")
    lone = tmp_path / "bao-cao_files"  # no page beside it: an ordinary folder
    lone.mkdir()
    (lone / "bao-cao.txt").write_text("Báo cáo", encoding="utf-8")
    assert discover_files([tmp_path]) == [tmp_path / "bai-viet.html", lone / "bao-cao.txt"]
