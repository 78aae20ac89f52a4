"""Cue words of inspection prose, defined once.

How Vietnamese inspection reports mark what they say about a unit: the
negators and the faults whose negation is praise ('không có hồ sơ trễ hạn'),
the markers of a shortcoming ('chưa', 'còn chậm', 'thiếu'), of a
recommendation ('đề nghị', 'cần', 'chấn chỉnh') and of a strength ('đúng quy
định', 'kịp thời'). The clause rules (`findings.py`), the classifiers'
negation-scope features and the relevance gate import them from here; the
taxonomy's per-category cues stay in `taxonomy.yaml`.
"""

from __future__ import annotations

import re


def alternation(words: tuple[str, ...]) -> str:
    """A regex alternation of whole words, longest first so 'không đúng' wins over 'không'."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


NEGATORS = ("không", "chưa", "chẳng", "cấm", "nghiêm cấm")  # 'quy định cấm uống rượu bia' bans a fault

# Faults: their negation ('không còn tình trạng đi muộn') is a strength.
FAULTS = (
    "vi phạm", "sai phạm", "sai sót", "sai lệch", "tiêu cực", "phiền hà", "sách nhiễu", "nhũng nhiễu",
    "trễ hạn", "trễ hẹn", "quá hạn", "chậm trễ", "tồn đọng", "đi muộn", "đến muộn", "đi trễ", "về sớm",
    "vắng mặt", "bỏ vị trí", "làm việc riêng", "uống rượu", "rượu bia", "khiếu nại", "tố cáo",
    "phản ánh", "kiến nghị", "đơn thư", "tình trạng", "hiện tượng", "trường hợp", "thắc mắc",
    "phàn nàn", "than phiền", "lãng phí",
)
# What links a negator to the fault it negates: 'không có ý kiến phản ánh', 'không để xảy ra sai sót'.
FAULT_LINKS = ("còn", "có", "để xảy ra", "để", "xảy ra", "phát hiện", "phát sinh", "gây", "bị", "nhận được")

# A shortcoming: the clause reports what a unit did not do or did badly.
LIMITATION_MARKERS = (
    "chưa", "thiếu", "chậm", "trễ hạn", "trễ hẹn", "quá hạn", "sai sót", "vi phạm", "sai phạm", "hạn chế",
    "tồn tại", "bất cập", "yếu kém", "không đúng", "không đầy đủ", "không đảm bảo", "không bảo đảm",
    "vắng mặt", "vắng", "đi muộn", "đi trễ", "về sớm", "trễ giờ",
    "làm việc muộn", "muộn hơn", "còn nhiều", "còn một số", "còn tình trạng",
    "còn để", "còn thấp", "còn chậm", "còn hạn chế", "xuống cấp", "chật hẹp", "hết hiệu lực", "lộn xộn",
    "yếu", "lúng túng", "sơ sài", "chiếu lệ", "mang tính hình thức", "còn hình thức", "hình thức, chiếu lệ",
    "không khoa học", "không kịp thời", "trái quy định",
    "sai quy định", "không đúng quy định", "chưa đúng", "chưa đầy đủ", "kéo dài", "uống rượu bia",
    "phát hiện",  # what an inspection 'phát hiện' is a fault ('không phát hiện sai phạm' is a negated fault)
)
# 'không' before any other verb is a shortcoming too, except these idioms.
NEGATION_IDIOMS = ("không ngừng", "không chỉ", "không những", "không kể", "không phải")

RECOMMENDATION_VERBS = (
    "bổ sung", "hoàn thiện", "khẩn trương", "tiếp tục", "chấn chỉnh", "khắc phục", "thực hiện", "tăng cường",
    "rà soát", "kiện toàn", "phân công", "chỉ đạo", "thông báo", "niêm yết", "bố trí", "quan tâm", "xây dựng",
    "ban hành", "sửa đổi", "nâng cao", "lưu ý", "phát huy", "cập nhật", "sắp xếp", "đầu tư", "triển khai",
    "tổ chức", "chấp hành", "xử lý", "đẩy mạnh", "kiểm điểm", "làm rõ", "gỡ bỏ", "chấm dứt", "nghiêm túc",
    "sửa chữa", "thay thế", "cải tạo", "trang bị", "bảo đảm", "đảm bảo", "đôn đốc", "giải quyết", "hướng dẫn",
    "công khai", "nhân rộng", "duy trì", "lập", "mở", "số hóa", "sớm", "thu hồi", "hủy bỏ", "xem xét",
)
# Words that open a recommendation addressed to the inspected unit.
RECOMMENDATION_OPENERS = ("đề nghị", "kiến nghị", "yêu cầu", "đề xuất", "cần", "phải", "cần phải")
RECOMMENDATION_MARKERS = (
    "đề nghị", "kiến nghị", "yêu cầu", "cần", "phải", "tiếp tục", "tăng cường", "chấn chỉnh", "khắc phục",
    "khẩn trương", "quan tâm", "sớm", "đẩy mạnh", "bổ sung", "hoàn thiện", "rà soát", "thường xuyên",
    "nâng cao", "lưu ý", "phát huy", "xem xét", "kiện toàn", "chủ động",
)

STRENGTH_MARKERS = (
    "đã", "tốt", "đảm bảo", "bảo đảm", "đúng quy định", "đúng hạn", "trước hạn", "nghiêm túc", "nghiêm",
    "đầy đủ", "kịp thời", "nề nếp", "khang trang", "ngăn nắp", "gọn gàng", "niềm nở", "tận tình", "lịch sự",
    "hòa nhã", "chuyển biến", "hiệu quả", "chất lượng cao", "thuận lợi", "khoa học", "rõ ràng", "công khai",
    "đạt", "hoàn thành", "100%", "có mặt đầy đủ", "đúng giờ", "chấp hành tốt",
)
