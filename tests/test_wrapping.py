"""Undoing line wraps in PDF and OCR paragraphs without joining list items or headings."""

from __future__ import annotations

import pytest

from pipeline.read.wrapping import is_wrap, unwrap


@pytest.mark.parametrize(
    ("line", "following", "full_width", "expected"),
    [
        ("Qua kiểm tra, một số thủ tục hành chính chưa", "niêm yết đầy đủ.", None, True),
        ("Đoàn đã làm việc tại", "UBND xã Tam Quang ngày 5/6.", True, True),
        ("Đoàn đã làm việc tại", "UBND xã Tam Quang ngày 5/6.", None, False),
        ("Căn cứ Luật Tổ chức chính quyền địa phương;", "căn cứ Nghị định số 61/2018/NĐ-CP;", None, False),
        ("1. Ưu điểm", "Trong năm, UBND xã đã ban hành kế hoạch.", False, False),
        ("UBND xã đã ban hành kế hoạch cải cách hành chính năm 2023, kịp thời", "- Việc niêm yết thủ tục", True, False),
        ("còn chậm trong các lĩnh vực đất đai và", "2. Hạn chế", True, False),
        ("KẾT LUẬN KIỂM TRA CÔNG TÁC CẢI CÁCH HÀNH CHÍNH", "tại UBND xã Tam Quang", True, False),
        ("hồ sơ trễ hẹn là", "12 hồ sơ trong quý II.", None, True),
        ("", "niêm yết", True, False),
    ],
)
def test_is_wrap(line: str, following: str, full_width: bool | None, expected: bool) -> None:
    assert is_wrap(line, following, full_width=full_width) is expected


def test_unwrap_joins_wraps_and_keeps_items_apart() -> None:
    lines = ["II. HẠN CHẾ", "- Một số thủ tục hành chính chưa", "niêm yết đầy đủ;",
             "- Cán bộ chưa đeo thẻ", "công chức."]
    assert unwrap(lines) == (
        "II. HẠN CHẾ\n- Một số thủ tục hành chính chưa niêm yết đầy đủ;\n- Cán bộ chưa đeo thẻ công chức."
    )
    assert unwrap([]) == ""
    assert unwrap(["a", "b"], [True, False]) == "a b"
