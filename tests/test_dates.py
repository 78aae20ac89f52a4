"""Dates: a positive corpus (text -> ISO, role) and a negative one (must not match)."""

import pytest

from pipeline.extract.dates import assign_date_roles, find_dates, is_day_precision


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("Đăng ngày: 25/08/2017 10:48:24", None, ["2017-08-25"]),
        ("trong ngày 5/6.", None, ["--06-05"]),
        ("trong ngày 5/6.", 2018, ["2018-06-05"]),
        ("sáng 24/8, đoàn đến", 2019, ["2019-08-24"]),
        ("Hà Tĩnh, ngày 09 tháng 10 năm 2018", None, ["2018-10-09"]),
        ("ngày 21-3-2013 đoàn kiểm tra", None, ["2013-03-21"]),
        ("từ ngày 12/9 đến ngày 16/9/2022", None, ["2022-09-12", "2022-09-16"]),
        ("năm 2017", None, ["2017"]),
        ("quý I/2020", None, ["2020-01"]),
        ("6 tháng đầu năm 2021", None, ["2021-01"]),
        ("năm học 2019 – 2020", None, ["2019"]),
        ("nhiệm kỳ 2016 - 2021", None, ["2016"]),
        ("tháng 6/2021", None, ["2021-06"]),
        ("ngày 4 tháng 7", 2022, ["2022-07-04"]),
    ],
)
def test_dates_are_found_and_normalised(text, year, expected):
    assert [d.iso for d in find_dates(text, reference_year=year)] == expected


def test_periods_keep_their_end():
    (quarter,) = find_dates("quý III/2022")
    assert (quarter.iso, quarter.end_iso, quarter.role) == ("2022-07", "2022-09", "period")
    (term,) = find_dates("nhiệm kỳ 2016 - 2021")
    assert term.end_iso == "2021"


@pytest.mark.parametrize(
    "text",
    ["7/21 xã, thị trấn", "đạt 28/81 đơn vị", "16h30 phút", "số 138/QĐ-UBND", "bố trí từ 02 - 03 người trực",
     "ISO 9001:2015", "tỷ lệ 98,5%", "Quyết định 1875/QĐ-UBND"],
)
def test_things_that_are_not_dates(text):
    assert [d.iso for d in find_dates(text) if is_day_precision(d.iso)] == []


def test_roles_published_document_inspection():
    text = ("Đăng ngày: 25/08/2017\n"
            "Thực hiện Quyết định số 138/QĐ-UBND ngày 19/01/2017 của UBND tỉnh. "
            "Ngày 24/8/2017 Đoàn kiểm tra đã kiểm tra tại Sở Tư pháp.")
    dates = find_dates(text)
    sentences = [(0, 21), (22, 88), (89, len(text))]
    ref_start = text.index("Quyết định")
    assign_date_roles(text, dates, sentences=sentences, document_spans=[(ref_start, ref_start + 38)],
                      published_span=(0, 21))
    assert {d.iso: d.role for d in dates} == {
        "2017-08-25": "published", "2017-01-19": "document", "2017-08-24": "inspection",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Từ ngày 17 đến 19-7-2023, Đoàn kiểm tra", ["2023-07-17", "2023-07-19"]),
        ("Trong 2 ngày 21 và 22/9, Đoàn kiểm tra", ["--09-21", "--09-22"]),
        ("Ngày 27 và 28 tháng 6 năm 2023, Đoàn", ["2023-06-27", "2023-06-28"]),
        ("Hà Nội, 12 tháng 5 năm 2023", ["2023-05-12"]),
    ],
)
def test_day_ranges_share_the_month_and_year_written_last(text, expected):
    assert [d.iso for d in find_dates(text)] == expected


def test_a_time_of_day_goes_with_its_day():
    found = find_dates("Vào lúc 16h30 ngày 5/6, đoàn đến; lúc 7 giờ 30 phút sáng 24/8 và ngày 12/9/2022, lúc 14 giờ họp")
    assert [(d.iso, d.time, d.text) for d in found] == [
        ("--06-05", "16:30", "16h30 ngày 5/6"),
        ("--08-24", "07:30", "7 giờ 30 phút sáng 24/8"),
        ("2022-09-12", "14:00", "12/9/2022"),
    ]


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Đoàn kiểm tra đề nghị xã gửi báo cáo về Sở Nội vụ trước ngày 3/7/2021.", "other"),
        ("Đoàn kiểm tra yêu cầu khắc phục, chậm nhất ngày 15/8/2021 báo cáo kết quả.", "other"),
        ("Ngày 3/7/2021, đoàn kiểm tra làm việc tại xã Đông Phong.", "inspection"),
    ],
)
def test_a_deadline_is_not_the_day_of_the_inspection(text, role):
    dates = find_dates(text)
    assign_date_roles(text, dates, sentences=[(0, len(text))])
    assert [d.role for d in dates] == [role]
