import pytest

from pipeline.extract.dates import find_dates
from pipeline.extract.legal_refs import find_legal_refs


@pytest.mark.parametrize(
    ("text", "kind", "number", "date", "issuer"),
    [
        ("Quyết định số 138/QĐ-UBND ngày 19/01/2017 của UBND tỉnh về việc", "Quyết định", "138/QĐ-UBND", "2017-01-19", "UBND tỉnh"),
        ("Chỉ thị 26 của Thủ tướng Chính phủ", "Chỉ thị", "26", None, "Thủ tướng Chính phủ"),
        ("theo Nghị định số 61/2018/NĐ-CP.", "Nghị định", "61/2018/NĐ-CP", None, None),
        ("Kế hoạch số 1642/KH-UBND", "Kế hoạch", "1642/KH-UBND", None, None),
        ("Hướng dẫn số 11-HD/HU, ngày 02/4/2019, của Ban Tổ chức", "Hướng dẫn", "11-HD/HU", "2019-04-02", "Ban Tổ chức"),
        ("Nghị quyết số 03/2017/NQ-HĐND của HĐND tỉnh", "Nghị quyết", "03/2017/NQ-HĐND", None, "HĐND tỉnh"),
    ],
)
def test_references_are_parsed(text, kind, number, date, issuer):
    (ref,) = find_legal_refs(text, dates=find_dates(text))
    assert (ref.kind, ref.number, ref.date, ref.issuer) == (kind, number, date, issuer)
    assert text[ref.span[0] : ref.span[1]] == ref.text


@pytest.mark.parametrize("text", ["báo cáo 3 lần trong năm", "kế hoạch năm 2022", "văn bản 5 trang"])
def test_not_references(text):
    assert find_legal_refs(text) == []
