import pytest

from pipeline.layout import classify_lines
from pipeline.metadata import extract_metadata


def meta(text, **hints):
    return extract_metadata(classify_lines(text), **hints)


def test_a_formal_documents_place_date_line_is_its_issue_date_not_a_publication_date():
    found = meta("UBND TỈNH HÀ TĨNH\nHà Tĩnh, ngày 09 tháng 10 năm 2022\nTHÔNG BÁO\nKết luận kiểm tra")
    assert (found.published, found.issued, found.kind) == (None, "2022-10-09", "report")


@pytest.mark.parametrize(
    ("text", "published", "confidence_at_least"),
    [
        ("Tiêu đề bài\nĐăng ngày: 25/08/2017 10:48:24\nNội dung bài viết dài.", "2017-08-25", 0.9),
        ("Tiêu đề bài\nCập nhật ngày: 14/11/2014 09:05:12\nNội dung.", "2014-11-14", 0.9),
        ("Tân Kỳ: Chấn chỉnh giờ giấc (09:40 07/05/2021)\nBNA - Nội dung bài viết.", "2021-05-07", 0.9),
    ],
)
def test_publication_date(text, published, confidence_at_least):
    m = meta(text)
    assert m.published == published
    assert m.published_confidence >= confidence_at_least


def test_a_site_date_bar_is_only_a_low_confidence_guess():
    m = meta("Thứ sáu,  12/05/2023\n\nTân Kỳ: Chấn chỉnh giờ giấc\n\n(BNA) – Nội dung bài viết.")
    assert m.published == "2023-05-12"
    assert m.published_confidence < 0.5


def test_a_real_dateline_wins_over_a_date_bar():
    m = meta("Thứ hai, 12/06/2023\nTiêu đề\nĐăng ngày: 10/06/2023 08:00\n(QNO) - Nội dung.")
    assert m.published == "2023-06-10"


@pytest.mark.parametrize(
    ("lead", "publisher"),
    [("(Baoxyz.vn) - Sáng qua", "Baoxyz.vn"), ("(LSO) – Chiều 5/6", "LSO"),
     ("QĐND - Hôm nay", "QĐND"), ("BĐT - Sáng nay", "BĐT")],
)
def test_publisher(lead, publisher):
    m = meta(f"Tiêu đề của bài\n\n{lead} đoàn kiểm tra đã làm việc tại xã.")
    assert m.publisher == publisher
    assert m.kind == "news"


def test_formal_notice_kind_and_title():
    text = "SỞ NỘI VỤ\nSố: 123/TB-SNV\nTHÔNG BÁO\nKết luận kiểm tra công tác cải cách hành chính tại UBND huyện Can Lộc\n"
    m = meta(text)
    assert m.kind == "report"
    assert m.title == "Thông Báo Kết luận kiểm tra công tác cải cách hành chính tại UBND huyện Can Lộc"


def test_hints_from_the_file_format_win():
    m = meta("Tiêu đề\nNội dung.", hint_title="Tiêu đề HTML", hint_published="2021-01-02", hint_publisher="baoxyz.vn")
    assert (m.title, m.published, m.publisher) == ("Tiêu đề HTML", "2021-01-02", "baoxyz.vn")


def test_a_weekday_with_a_time_is_the_articles_timestamp_but_a_bare_date_bar_is_weak():
    stamped = meta("Tiêu đề bài\nThứ Hai, 11/10/2021 - 15:20\n(Baomiennghe.vn) - Nội dung bài viết.")
    assert stamped.published == "2021-10-11" and stamped.published_confidence >= 0.8
    bar = meta("Thứ tư, 29/03/2023\nTiêu đề bài\nNội dung bài viết.")
    assert bar.published == "2023-03-29" and bar.published_confidence < 0.5


LEAD = "\n(Baoxyz.vn) - Sáng 10/5, đoàn kiểm tra của tỉnh đã làm việc tại xã Đông Phong, huyện Yên Hòa."


@pytest.mark.parametrize(
    "header",
    [
        "Tiêu đề bài viết\n08:15 12/05/2019",
        "Tiêu đề bài viết\n12/05/2019 08:15",
        "Tiêu đề bài viết\nThứ Bảy, 12/05/2019 - 08:15",
        "Tiêu đề bài viết\nThứ bảy, 12/5/2019, 08:15 (GMT+7)",
        "Tiêu đề bài viết\nCập nhật: 08:15, 12/05/2019",
        "Tiêu đề bài viết\nNgày đăng: 12/05/2019",
        "Tiêu đề bài viết\nĐăng lúc 08:15 ngày 12/05/2019",
        "Tiêu đề bài viết\n12/05/2019",
        "Tiêu đề bài viết\n(ngày 12/5/2019)",
        "Tiêu đề bài viết\nPosted: 12/05/2019 08:15",
        "Tiêu đề bài viết\n(08:15 | 12/05/2019)",
        "08:15:00 12/05/2019\n\nTiêu đề bài viết",
        "Tiêu đề bài viết (08:15 12/05/2019)",
    ],
)
def test_a_full_date_in_the_head_is_the_publication_date(header):
    m = meta(header + LEAD)
    assert m.published == "2019-05-12"
    assert m.published_confidence >= 0.5


def test_a_label_opening_the_lead_gives_the_publication_date():
    m = meta("date 2019-05-12 (ABC) - Ngày 10-5, đoàn giám sát làm việc tại xã Đông Phong, huyện Yên Hòa.")
    assert m.published == "2019-05-12"


@pytest.mark.parametrize(
    "text",
    [
        "Tiêu đề bài viết" + LEAD + "\nNgày 12/05/2019, đoàn tiếp tục kiểm tra tại xã Tây Phong.",
        "Tiêu đề bài viết" + LEAD + "\nKết quả kiểm tra\n12/05/2019\nĐoàn đề nghị xã khắc phục.",
        "Đoàn kiểm tra ngày 12/05/2019 đã làm việc tại xã Đông Phong, huyện Yên Hòa, tỉnh Yên Bình.",
        "Tiêu đề bài viết\nCập nhật bộ thủ tục hành chính mới" + LEAD,
    ],
)
def test_a_date_inside_the_body_is_not_a_publication_date(text):
    assert meta(text).published is None


def test_a_text_without_a_headline_has_no_title():
    m = meta("Đoàn kiểm tra ngày 12/05/2019 đã làm việc tại xã Đông Phong, huyện Yên Hòa, tỉnh Yên Bình.")
    assert m.title is None
