"""Vietnamese names the workbench and the Excel reports show for codes stored in the database."""

from __future__ import annotations

from pipeline.taxonomy import load_taxonomy

POLARITY_LABELS = {"strength": "Ưu điểm", "limitation": "Hạn chế", "recommendation": "Kiến nghị"}
LEVEL_LABELS = {
    "tinh": "Tỉnh", "thanh_pho": "Thành phố", "huyen": "Huyện", "quan": "Quận", "thi_xa": "Thị xã",
    "xa": "Xã", "phuong": "Phường", "thi_tran": "Thị trấn", "so": "Sở, ngành", "phong": "Phòng",
    "ban": "Ban", "truong": "Trường học", "co_quan": "Cơ quan, đơn vị", "khac": "Khác",
}
ROLE_LABELS = {"inspected": "được kiểm tra", "inspector": "đoàn kiểm tra", "mentioned": "được nhắc đến"}
BOOLEAN_LABELS = {"true": "Có", "false": "Không"}


def category_label(code: str) -> str:
    """A category's short Vietnamese name: its description up to the first semicolon."""
    category = load_taxonomy().categories.get(code)
    if category is None or not category.description:
        return code
    return category.description.split(";")[0].strip()


def facet_label(facet: str, value: str) -> str:
    """How a facet value is shown."""
    if facet == "polarity":
        return POLARITY_LABELS.get(value, value)
    if facet == "level":
        return LEVEL_LABELS.get(value, value)
    if facet == "category":
        return category_label(value)
    if facet == "needs_review":
        return BOOLEAN_LABELS.get(value, value)
    return value
