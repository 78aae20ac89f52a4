"""Candidate findings: atomic splitting and polarity from the discourse."""

import re

import pytest

from pipeline.extract.findings import clause_polarity, find_candidates, find_head, is_background
from pipeline.layout import classify_lines


def candidates(body: str):
    text = "Tiêu đề\n" + body
    sentences = [(m.start(), m.end()) for m in re.finditer(r"[^.\n]+[.]?", text)]
    return [(c.text, c.rule_polarity) for c in find_candidates(text, classify_lines(text), sentences)]


def test_a_listed_sentence_gives_one_candidate_per_item_with_the_cue_polarity():
    found = candidates(
        "Tuy nhiên, đoàn kiểm tra chỉ ra một số hạn chế như: việc lưu trữ hồ sơ của xã; "
        "chưa niêm yết đầy đủ thủ tục hành chính; phòng làm việc của bộ phận một cửa chật hẹp."
    )
    assert found == [
        ("việc lưu trữ hồ sơ của xã", "limitation"),
        ("chưa niêm yết đầy đủ thủ tục hành chính", "limitation"),
        ("phòng làm việc của bộ phận một cửa chật hẹp", "limitation"),
    ]


def test_strength_joined_to_a_limitation_gives_two():
    found = candidates("Các xã đã bố trí phòng làm việc cho bộ phận một cửa nhưng trang thiết bị chưa đáp ứng yêu cầu.")
    assert found == [
        ("Các xã đã bố trí phòng làm việc cho bộ phận một cửa", "strength"),
        ("trang thiết bị chưa đáp ứng yêu cầu", "limitation"),
    ]


def test_recommendations_after_de_nghi():
    found = candidates("Đoàn kiểm tra đề nghị UBND xã bổ sung quy chế làm việc; khẩn trương kiện toàn Tổ tiếp công dân.")
    assert [p for _, p in found] == ["recommendation", "recommendation"]
    assert found[0][0].startswith("bổ sung quy chế")


def test_a_heading_sets_the_polarity_of_its_list():
    found = candidates("II. HẠN CHẾ, TỒN TẠI\n- Việc cập nhật sổ theo dõi hồ sơ;\n- Công tác lưu trữ tài liệu.\nIII. KIẾN NGHỊ\n- Bổ sung đầy đủ sổ theo dõi hồ sơ.")
    assert found == [
        ("Việc cập nhật sổ theo dõi hồ sơ", "limitation"),
        ("Công tác lưu trữ tài liệu", "limitation"),
        ("Bổ sung đầy đủ sổ theo dõi hồ sơ", "recommendation"),
    ]


def test_a_line_ending_in_a_colon_governs_the_items_below():
    found = candidates("Kết quả đạt được:\n- Ban hành kế hoạch cải cách hành chính kịp thời;\nĐoạn văn mới về việc khác của xã.")
    assert found[0] == ("Ban hành kế hoạch cải cách hành chính kịp thời", "strength")


@pytest.mark.parametrize(
    ("clause", "polarity"),
    [
        ("không để xảy ra sai sót trong giải quyết hồ sơ", "strength"),
        ("một số công chức không đeo thẻ", "limitation"),
        ("hồ sơ giải quyết đúng hạn và trước hạn", "strength"),
        ("cần tăng cường công tác kiểm tra", "recommendation"),
        ("huyện đã triển khai các biện pháp khắc phục hạn chế, khuyết điểm", "strength"),
        ("trụ sở một số xã chật hẹp", "limitation"),
    ],
)
def test_clause_polarity(clause, polarity):
    assert clause_polarity(clause, context=None) == polarity


@pytest.mark.parametrize(
    "clause",
    ["Thực hiện Kế hoạch số 45/KH-UBND ngày 12/3/2022 của UBND tỉnh",
     "Sáng 12/5/2022, Đoàn kiểm tra liên ngành đã tiến hành kiểm tra bất ngờ",
     "Đoàn đã tiến hành kiểm tra thực tế tại bộ phận một cửa của hai xã"],
)
def test_background_is_not_a_finding(clause):
    assert is_background(clause)


def test_a_short_comma_list_after_nhu_gives_one_finding_per_item():
    found = candidates("Tuy nhiên, còn một số hạn chế như: bảng niêm yết thủ tục hành chính đã cũ, "
                       "chưa có hòm thư góp ý và chưa bố trí ghế chờ cho người dân.")
    assert [t for t, _ in found] == ["bảng niêm yết thủ tục hành chính đã cũ", "chưa có hòm thư góp ý",
                                     "chưa bố trí ghế chờ cho người dân"]
    assert {p for _, p in found} == {"limitation"}


def test_a_bare_announcement_of_limitations_is_not_a_finding():
    assert is_background("vẫn còn một số hạn chế")
    assert is_background("còn những tồn tại cần khắc phục")
    assert not is_background("còn một số hạn chế như chưa niêm yết thủ tục")


def test_items_after_an_inline_nhu_share_the_leads_polarity_and_an_ellipsis_ends_a_sentence():
    text = ("Tiêu đề\nCác xã làm khá tốt công tác công vụ như: mở cửa đúng giờ hành chính, "
            "công chức mặc đồng phục khi tiếp dân, trả lời người dân nhã nhặn… Ngoài ra, còn một số hạn chế như: "
            "bảng niêm yết đã cũ; chưa có hòm thư góp ý.")
    lines = classify_lines(text)
    found = [(c.text, c.rule_polarity) for c in find_candidates(text, lines, [(8, len(text))])]
    assert ("mở cửa đúng giờ hành chính", "strength") in found
    assert ("công chức mặc đồng phục khi tiếp dân", "strength") in found
    assert ("bảng niêm yết đã cũ", "limitation") in found and ("chưa có hòm thư góp ý", "limitation") in found


def test_a_clause_naming_two_aspects_the_model_rates_gives_two_findings():
    from types import SimpleNamespace

    from pipeline.components import _second_aspect

    both = SimpleNamespace(category_ranking=[("tac_phong_ung_xu", 0.55), ("gio_giac_lam_viec", 0.3), ("khac", 0.1)])
    text = "cán bộ chấp hành tốt giờ làm việc, tác phong, lề lối làm việc"
    assert _second_aspect(text, "tac_phong_ung_xu", both) == [("gio_giac_lam_viec", 0.3)]
    assert _second_aspect("cán bộ có tác phong, lề lối làm việc chuẩn mực", "tac_phong_ung_xu", both) == []
    weak = SimpleNamespace(category_ranking=[("tac_phong_ung_xu", 0.85), ("gio_giac_lam_viec", 0.1)])
    assert _second_aspect(text, "tac_phong_ung_xu", weak) == []


def test_the_inspecting_bodys_own_work_is_background():
    assert is_background("Phòng GD&ĐT huyện đã thành lập đoàn kiểm tra thực hiện kỷ luật, kỷ cương hành chính")
    assert is_background("từ đầu năm đến nay, Đoàn kiểm tra của huyện đã kiểm tra 12 cơ quan, đơn vị")
    assert not is_background("UBND xã chưa thành lập đoàn kiểm tra công vụ theo quy định")
    assert not is_background("xã đã ban hành kế hoạch tự kiểm tra công tác cải cách hành chính")


# Every rule table proves itself with its own examples (Duckling's corpus style).
from pipeline.extract.findings import (  # noqa: E402
    BACKGROUND_RULES,
    HEAD_RULES,
    POLARITY_RULES,
    SPLIT_RULES,
)


@pytest.mark.parametrize("rule", POLARITY_RULES, ids=lambda r: r.name)
def test_polarity_rule_examples(rule):
    context = None if rule.context == "any" else rule.context
    for example in rule.examples:
        assert clause_polarity(example, context=context) == rule.polarity, example
    for example in rule.counter_examples:
        assert not rule.applies(example, context), example


@pytest.mark.parametrize("rule", HEAD_RULES, ids=lambda r: r.name)
def test_head_rule_examples(rule):
    for example in rule.examples:
        assert rule.pattern.search(example), example
        assert find_head(example)[0] == rule.polarity, example
    for example in rule.counter_examples:
        assert not rule.pattern.search(example), example


@pytest.mark.parametrize("rule", SPLIT_RULES.values(), ids=lambda r: r.name)
def test_split_rule_examples(rule):
    for example in rule.examples:
        assert rule.pattern.search(example), example
    for example in rule.counter_examples:
        assert not rule.pattern.search(example), example


@pytest.mark.parametrize("rule", BACKGROUND_RULES, ids=lambda r: r.name)
def test_background_rule_examples(rule):
    for example in rule.examples:
        assert rule.matches(example) and is_background(example), example
    for example in rule.counter_examples:
        assert not is_background(example), example


def test_negation_scope_decides_polarity():
    assert clause_polarity("không còn tình trạng công chức uống rượu bia trong giờ làm việc", context=None) == "strength"
    assert clause_polarity("có đơn vị không ban hành quy chế làm việc", context=None) == "limitation"
    assert clause_polarity("không trả kết quả kịp thời cho người dân", context=None) == "limitation"


def test_a_recommendation_cue_inside_praise_is_not_a_list_head():
    found = candidates("Lãnh đạo huyện đã quan tâm chỉ đạo, hướng dẫn công tác văn thư, lưu trữ của các xã.")
    assert {p for _, p in found} == {"strength"}


def test_a_clause_that_is_mostly_unit_names_is_a_fragment():
    from pipeline.extract.findings import is_fragment

    text = "xã Tân Lập của huyện Yên Lập"
    assert is_fragment(text, (0, len(text)), [(0, 10), (15, len(text))])
    clause = "xã Tân Lập chưa niêm yết thủ tục hành chính"
    assert not is_fragment(clause, (0, len(clause)), [(0, 10)])


def test_the_scope_of_an_inspection_is_not_a_list_of_findings():
    found = candidates("Đoàn kiểm tra các nội dung: cải cách thể chế, cải cách tổ chức bộ máy hành chính, "
                       "cải cách chế độ công vụ và hiện đại hóa hành chính.")
    assert found == []


def test_the_name_of_a_reform_domain_is_a_heading_not_a_finding():
    from pipeline.extract.findings import is_domain_label

    assert is_domain_label("cải cách công vụ") and is_domain_label("Công tác chỉ đạo, điều hành")
    assert is_background("cải cách tổ chức bộ máy hành chính nhà nước")
    assert not is_domain_label("xã chưa thực hiện tốt cải cách thể chế")


def test_a_bare_topic_is_background_alone_but_an_item_under_a_list_cue():
    assert is_background("công tác tiếp công dân")
    assert not is_background("công tác tiếp công dân", context="limitation")


def test_a_breakdown_of_figures_gives_one_statement_per_judged_figure():
    text = "Xã đã giải quyết 240 hồ sơ, trong đó trước hạn 200 hồ sơ, đúng hạn 31 hồ sơ, trễ hạn 9 hồ sơ."
    polarities = candidates(text)
    assert ("trễ hạn 9 hồ sơ", "limitation") in polarities
    assert ("đúng hạn 31 hồ sơ", "strength") in polarities
    assert all(p != "limitation" for t, p in polarities if "trễ" not in t)
    # figures without a judgement stay in one statement
    assert len(candidates("Bộ phận một cửa tiếp nhận 120 hồ sơ, trả kết quả 118 hồ sơ đúng hạn.")) == 1


def test_a_judgement_that_names_no_topic_stays_with_its_statement():
    assert [t for t, _ in candidates("Phòng tiếp công dân của xã bố trí chưa hợp lý, chưa đúng quy định.")] == [
        "Phòng tiếp công dân của xã bố trí chưa hợp lý, chưa đúng quy định"]
    assert len(candidates("UBND xã chưa niêm yết thủ tục hộ tịch mới, chưa bố trí ghế chờ cho người dân.")) == 2
    assert candidates("Xã đã niêm yết bộ thủ tục hành chính nhưng còn thiếu sót.") == [
        ("Xã đã niêm yết bộ thủ tục hành chính nhưng còn thiếu sót", "limitation")]
