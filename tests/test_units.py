"""Units: mentions, list expansion, roles, gazetteer; and what must not be a unit."""

import re

import pytest

from pipeline.extract.gazetteer import load_gazetteer
from pipeline.extract.units import build_units, find_unit_mentions


def sentences(text):
    return [(m.start(), m.end()) for m in re.finditer(r"[^.\n]+[.\n]?", text)]


def units_of(text, **kwargs):
    return {u.name: u for u in build_units(text, sentences=sentences(text), gazetteer=load_gazetteer(), **kwargs)}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("tại các xã: Tam Quang, Xá Lượng, Lưu Kiền và thị trấn Hòa Bình.",
         ["xã Tam Quang", "xã Xá Lượng", "xã Lưu Kiền", "thị trấn Hòa Bình"]),
        ("đoàn làm việc ở 4 xã: Nghĩa Đồng, Kỳ Tân, Tân Hương và Nghĩa Bình",
         ["xã Nghĩa Đồng", "xã Kỳ Tân", "xã Tân Hương", "xã Nghĩa Bình"]),
        ("UBND huyện Thanh Bình và Ủy ban nhân dân xã Tân Thạnh", ["huyện Thanh Bình", "xã Tân Thạnh"]),
        ("kiểm tra Sở Tư pháp, Sở Văn hóa Thể thao và Du lịch.",
         ["Sở Tư pháp", "Sở Văn hóa Thể thao và Du lịch"]),
        ("trường THCS Lê Lợi", ["trường THCS Lê Lợi"]),
        ("TP. Hà Tĩnh", ["thành phố Hà Tĩnh"]),
    ],
)
def test_mentions_and_lists(text, names):
    assert [m.name for m in find_unit_mentions(text)] == names


@pytest.mark.parametrize(
    "text",
    ["Ảnh: Lê Thanh", "nhiệm kỳ 2016 - 2021", "Hồng Vân (Tân Kỳ)", "các xã, thị trấn đã ban hành",
     "UBND tỉnh", "Huyện ủy Mỹ Đức", "Chủ tịch UBND huyện cho biết"],
)
def test_not_units(text):
    assert find_unit_mentions(text) == []


def test_roles_inspected_inspector_mentioned():
    text = ("Đoàn kiểm tra liên ngành của tỉnh Nghệ An đã kiểm tra đột xuất tại UBND xã Tam Quang, "
            "huyện Tương Dương. Theo Quyết định của UBND thành phố Vinh.")
    units = units_of(text)
    assert units["xã Tam Quang"].role == "inspected"
    assert units["tỉnh Nghệ An"].role == "mentioned"
    assert units["thành phố Vinh"].role == "mentioned"
    assert any(u.role == "inspector" and u.name.startswith("Đoàn kiểm tra liên ngành") for u in units.values())


def test_parent_and_gazetteer_resolution():
    units = units_of("Đoàn đã kiểm tra tại xã Tam Quang (Tương Dương).")
    unit = units["xã Tam Quang"]
    assert unit.parent == "huyện Tương Dương"
    assert unit.province == "Nghệ An"
    assert unit.admin_code and unit.current_province


def test_a_list_item_naming_a_district_is_the_parent():
    text = "Tại huyện Tương Dương, đoàn làm việc tại xã Tam Quang, Tương Dương."
    units = units_of(text)
    assert "xã Tương Dương" not in units
    assert units["xã Tam Quang"].parent == "huyện Tương Dương"


def test_ambiguous_commune_stays_unresolved_without_context():
    units = units_of("Đoàn đã kiểm tra tại xã Tân Thạnh.")
    assert units["xã Tân Thạnh"].admin_code is None


def test_bare_name_refers_to_a_known_unit():
    text = "Ngày 21/3, đoàn đến kiểm tra tại Tân Thạnh và UBND huyện Thanh Bình. UBND xã Tân Thạnh đã ban hành kế hoạch."
    units = units_of(text)
    assert units["xã Tân Thạnh"].role == "inspected"
    assert len(units["xã Tân Thạnh"].mentions) == 2


def test_title_subject_is_inspected():
    title = "Tân Kỳ: Chấn chỉnh giờ giấc làm việc"
    units = units_of(f"{title}\nUBND huyện Tân Kỳ yêu cầu các xã báo cáo.", title=title)
    assert units["huyện Tân Kỳ"].role == "inspected"


def test_names_never_cross_a_line_and_lists_stop_at_institutions():
    names = [m.name for m in find_unit_mentions("UBND huyện Triệu Sơn\nCập nhật ngày 5/6")]
    assert names == ["huyện Triệu Sơn"]
    names = [m.name for m in find_unit_mentions("kiểm tra các xã AL Bá, Ia Ko và Trạm Y tế xã Ia Ko.")]
    assert names == ["xã AL Bá", "xã Ia Ko", "Trạm Y tế xã Ia Ko"]


def test_a_person_after_a_unit_word_is_not_a_unit():
    assert find_unit_mentions("Phó Chủ tịch UBND huyện Trần Đình Khôi phát biểu") == []


def test_a_mixed_commune_list_keeps_communes_as_xa():
    names = [m.name for m in find_unit_mentions("tại 4 xã, thị trấn: Đông Thành, Khải Xuân, thị trấn Thanh Ba")]
    assert names == ["xã Đông Thành", "xã Khải Xuân", "thị trấn Thanh Ba"]


def test_abbreviated_levels():
    assert [m.name for m in find_unit_mentions("kiểm tra tại TT. Hòa Bình và TP. Vinh")] == ["thị trấn Hòa Bình", "thành phố Vinh"]


def test_district_police_without_a_name_takes_its_district_and_provincial_bodies_are_units():
    names = [m.name for m in find_unit_mentions("kiểm tra tại Thư viện tỉnh, Trung tâm Văn hóa tỉnh và Công an huyện.")]
    assert names == ["Thư viện tỉnh", "Trung tâm Văn hóa tỉnh", "Công an huyện"]
    units = units_of("Đoàn kiểm tra tại UBND huyện Kế Sách và Công an huyện (lĩnh vực cư trú).")
    assert "Công an huyện Kế Sách" in units


def test_bylines_and_photo_credits_of_the_seed_articles_are_not_units():
    from pipeline.layout import classify_lines
    from pipeline.normalise import normalise_text

    from .conftest import SEEDS, require_shared

    require_shared()
    credits = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = normalise_text(path.read_text(encoding="utf-8"))
        credits += [line.text for line in classify_lines(text) if line.kind == "byline"]
        credits += [m.group(1) for m in re.finditer(r"Ảnh\s*:\s*([^\n]{2,60})", text)]
    assert credits
    for credit in credits:
        assert find_unit_mentions(credit) == [], credit


def test_a_listed_district_the_gazetteer_lacks_takes_the_level_of_the_others():
    units = units_of("Đoàn kiểm tra tại các địa phương: Con Cuông, Anh Sơn, Sông Lam Mới và Đô Lương.")
    assert {"huyện Con Cuông", "huyện Anh Sơn", "huyện Sông Lam Mới", "huyện Đô Lương"} <= set(units)
    # the list's first name must be a known district
    assert not [n for n in units_of("Đoàn kiểm tra tại các địa phương: Sông Lam Mới, Con Cuông.") if "huyện" in n]


def test_an_office_reporting_the_self_inspection_of_others_is_not_the_unit_assessed():
    report = ("UBND HUYỆN ĐÔ LƯƠNG\nPHÒNG NỘI VỤ\nSố: 8/BC-PNV\n\nBÁO CÁO\n"
              "Phòng Nội vụ báo cáo kết quả tự kiểm tra như sau: Tổ tự kiểm tra của huyện đã kiểm tra tại "
              "UBND xã Bài Sơn.")
    units = units_of(report, self_assessment=True)
    assert units["xã Bài Sơn"].role == "inspected"
    assert units["Phòng Nội vụ"].role != "inspected"
    own = units_of("ỦY BAN NHÂN DÂN\nHUYỆN ĐÔ LƯƠNG\nSố: 9/BC-UBND\n\nBÁO CÁO\n"
                   "Tổ kiểm tra của huyện đã kiểm tra tại UBND xã Bài Sơn.", self_assessment=True)
    assert own["huyện Đô Lương"].role == "inspected"
