"""pipeline.relevance: inspection reports are judged on-topic, other news that uses the same words is not.

The texts here are written for these tests (inspection news, a formal
conclusion, and sport, health, business and computing news that say
'kiểm tra', 'vi phạm', 'chưa', 'đảm bảo'); the measuring sets are only
checked, never quoted.
"""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest
import spacy

from pipeline.layout import classify_lines
from pipeline.relevance import (
    CUES,
    RELEVANCE_VERSION,
    RelevanceConfig,
    compiled_cues,
    find_cues,
    group_evidence,
    judge,
)

from .conftest import EVAL_DOCS, SAMPLES, SEEDS, SHARED, require_shared

INSPECTION_NEWS = """Kiểm tra kỷ luật, kỷ cương hành chính tại huyện Sơn Lâm

Sáng 12/3, Đoàn kiểm tra công vụ của UBND tỉnh do ông Trần Văn Bình, Phó Giám đốc Sở Nội vụ làm trưởng đoàn đã kiểm tra đột xuất việc chấp hành giờ làm việc tại UBND huyện Sơn Lâm và UBND xã Tân Phú.

Qua kiểm tra, phần lớn cán bộ, công chức có mặt đúng giờ, đeo thẻ công chức theo quy định, tác phong làm việc nghiêm túc.

Tuy nhiên, tại Bộ phận một cửa của xã Tân Phú vẫn còn 2 công chức đi muộn, bảng niêm yết thủ tục hành chính chưa được cập nhật.

Đoàn đề nghị Chủ tịch UBND xã Tân Phú chấn chỉnh kỷ luật, kỷ cương và báo cáo kết quả khắc phục trước ngày 30/3.
"""

FORMAL_CONCLUSION = """THÔNG BÁO
Kết luận kiểm tra công tác cải cách hành chính năm 2023 tại UBND xã Hòa Bình

Thực hiện Kế hoạch kiểm tra cải cách hành chính của UBND huyện, ngày 5/10/2023 Đoàn kiểm tra đã làm việc với UBND xã Hòa Bình. Kết quả như sau:
I. ƯU ĐIỂM
1. UBND xã ban hành kế hoạch cải cách hành chính kịp thời.
2. Bộ phận tiếp nhận và trả kết quả bố trí đủ công chức.
II. HẠN CHẾ, TỒN TẠI
1. Còn 5 hồ sơ giải quyết trễ hạn nhưng chưa có văn bản xin lỗi.
2. Sổ theo dõi hồ sơ ghi chưa đầy đủ.
3. Trụ sở làm việc chật hẹp.
III. KIẾN NGHỊ
Đề nghị UBND xã khắc phục các tồn tại nêu trên, báo cáo về Phòng Nội vụ trước ngày 30/10/2023.
"""

OFF_TOPIC = {
    "sport": """Đội tuyển bóng đá giành chiến thắng trước đối thủ

Trận đấu chiều qua diễn ra trên sân nhà, các cầu thủ đã kiểm tra mặt sân từ sáng sớm. Huấn luyện viên cho biết đội chưa đảm bảo thể lực tốt nhất sau chuyến đi dài.

Trọng tài đã rút thẻ vàng với hai cầu thủ vì vi phạm luật. Ban tổ chức giải cần xem xét thêm việc kiểm tra doping sau trận.
""",
    "health": """Bệnh viện tiếp nhận nhiều ca sốt xuất huyết

Các bác sĩ khuyên người dân nên đi kiểm tra sức khỏe định kỳ, chưa nên tự ý dùng thuốc hạ sốt khi chưa có chỉ định.

Nhiều cơ sở kinh doanh thực phẩm vi phạm quy định về vệ sinh, chưa đảm bảo an toàn cho người tiêu dùng.
""",
    "business": """Giá vàng tăng mạnh trong tuần

Các nhà đầu tư cần kiểm tra kỹ thông tin trước khi mua. Cổ phiếu niêm yết trên sàn giao dịch chưa có dấu hiệu hồi phục, thị trường vẫn còn nhiều rủi ro.

Một số doanh nghiệp vi phạm cam kết giao hàng, chậm thanh toán cho đối tác.
""",
    "computing": """Phần mềm diệt virus mới ra mắt

Người dùng nên kiểm tra máy tính thường xuyên. Phiên bản cũ vẫn còn lỗi bảo mật chưa được khắc phục, dữ liệu lưu trữ trên ổ cứng có thể bị đánh cắp.

Nhà sản xuất đảm bảo bản cập nhật sẽ có trong tuần tới.
""",
}

MIXED_PAGE = INSPECTION_NEWS + """
Giải bóng đá thiếu niên khởi tranh

Hai mươi đội bóng đến từ các trường học tham dự giải năm nay. Ban tổ chức cho biết sân thi đấu đã được kiểm tra kỹ.

Các trận đấu sẽ diễn ra vào cuối tuần, khán giả được vào xem miễn phí.

Đội chủ nhà chưa thua trận nào trong ba mùa giải gần đây.

Nhiều phụ huynh đã đến cổ vũ con em mình từ sáng sớm.

Giải đấu kết thúc vào cuối tháng sau với lễ trao giải tại nhà văn hóa.
"""


def decide(text: str, config: RelevanceConfig | None = None):
    return judge(text, classify_lines(text), config=config)


@pytest.mark.parametrize("cue", CUES, ids=lambda c: c.name)
def test_every_cue_matches_its_examples_and_not_its_counter_examples(cue) -> None:
    assert cue.positive, "every cue has examples"
    for text in cue.positive:
        assert cue in {c for _, c in find_cues(text)}, (cue.name, text)
    for text in cue.negative:
        assert cue not in {c for _, c in find_cues(text)}, (cue.name, text)


@pytest.mark.parametrize("cue", [c for c, _ in compiled_cues() if not c.case_sensitive], ids=lambda c: c.name)
def test_patterns_matched_on_lower_cased_text_are_lower_case(cue) -> None:
    assert cue.pattern == cue.pattern.lower()


def test_finding_words_come_from_the_taxonomy() -> None:
    assert group_evidence("chưa")["finding"] > 0
    assert group_evidence("kiến nghị")["finding"] > 0
    assert group_evidence("bầu trời xanh")["finding"] == 0


@pytest.mark.parametrize("text", [INSPECTION_NEWS, FORMAL_CONCLUSION], ids=["news", "conclusion"])
def test_inspection_texts_are_on_topic_and_every_body_line_is_mined(text) -> None:
    relevance = decide(text)
    assert relevance.topic == "inspection"
    assert relevance.confidence > 0.8
    lines = [ln for ln in classify_lines(text) if ln.kind == "body"]
    assert all(relevance.covers((ln.start, ln.end)) for ln in lines)


@pytest.mark.parametrize("name", sorted(OFF_TOPIC))
def test_news_that_uses_inspection_words_is_off_topic(name) -> None:
    relevance = decide(OFF_TOPIC[name])
    assert relevance.topic == "other"
    assert relevance.confidence > 0.5
    assert relevance.relevant_spans() == []


def test_a_mixed_page_mines_only_the_inspection_story() -> None:
    relevance = decide(MIXED_PAGE)
    assert relevance.topic == "inspection"
    text = MIXED_PAGE
    assert relevance.covers((text.index("Tuy nhiên, tại Bộ phận"), text.index("Tuy nhiên, tại Bộ phận") + 1))
    assert not relevance.covers((text.index("Giải đấu kết thúc"), text.index("Giải đấu kết thúc") + 1))


def test_a_passing_mention_in_a_long_story_is_not_an_inspection() -> None:
    filler = "Người dân trong vùng sống chủ yếu bằng nghề trồng lúa và nuôi cá, cuộc sống ngày càng khấm khá hơn.\n\n"
    story = ("Làng nghề ven sông\n\n" + filler * 6
             + "Năm ngoái, đoàn kiểm tra của huyện về thăm một cửa hàng gốm và ghi nhận thủ tục hành chính đơn giản.\n\n"
             + filler * 12)
    assert decide(story).topic == "other"


def test_thresholds_are_config_and_part_of_the_version() -> None:
    default = RelevanceConfig()
    strict = RelevanceConfig(document_threshold=500.0)
    assert default.version.startswith(RELEVANCE_VERSION) and default.version != strict.version
    assert decide(INSPECTION_NEWS, strict).topic == "other"


def test_the_factory_takes_every_setting_of_the_config() -> None:
    from pipeline.relevance_component import make_relevance

    settings = set(inspect.signature(make_relevance).parameters) - {"nlp", "name"}
    assert settings == {f.name for f in dataclasses.fields(RelevanceConfig)}


def test_component_writes_the_decision_and_its_version_to_the_doc() -> None:
    import pipeline.components  # noqa: F401 - registers the layout component and the tokenizer
    import pipeline.relevance_component  # noqa: F401
    from pipeline.relevance_component import relevant_line_spans

    nlp = spacy.blank("xx")  # whitespace tokens are enough: the component reads the text and the lines
    nlp.add_pipe("findings_layout_v1")
    nlp.add_pipe("findings_relevance_v1", config={"document_threshold": 9.0})
    doc = nlp(OFF_TOPIC["sport"])
    assert doc._.relevance.topic == "other" and relevant_line_spans(doc) == []
    assert doc._.versions["relevance"] == RelevanceConfig(document_threshold=9.0).version
    doc = nlp(INSPECTION_NEWS)
    assert doc._.relevance.topic == "inspection" and relevant_line_spans(doc)


def _texts(folder: Path) -> list[tuple[str, str]]:
    from pipeline.normalise import normalise_document
    from pipeline.read import read_document

    return [(p.name, normalise_document(read_document(p)).text) for p in sorted(folder.glob("*.txt"))]


@pytest.mark.parametrize("folder", [EVAL_DOCS, SAMPLES], ids=["corpus-eval", "corpus-samples"])
def test_every_project_report_is_on_topic(folder) -> None:
    judged = {name: decide(text).topic for name, text in _texts(folder)}
    assert judged and all(topic == "inspection" for topic in judged.values()), judged


@pytest.mark.parametrize("folder", [SEEDS, SHARED / "realdev" / "docs"], ids=["seeds", "realdev"])
def test_every_real_inspection_text_is_on_topic(folder) -> None:
    require_shared()
    if not folder.is_dir():
        pytest.skip(f"{folder} is not available")
    judged = {name: decide(text).topic for name, text in _texts(folder)}
    assert judged and all(topic == "inspection" for topic in judged.values()), judged
