import pytest

from pipeline.layout import classify_lines

NEWS = """Kiểm tra cải cách hành chính tại huyện Đô Lương
Đăng ngày: 14/05/2021 09:12:45
(Baonghean.vn) - Sáng 12/5, Đoàn kiểm tra của Sở Nội vụ đã kiểm tra tại UBND xã Tràng Sơn.
Đoàn kiểm tra làm việc tại UBND xã Tràng Sơn. Ảnh: Hoàng Lam
Tuy nhiên, xã còn một số hạn chế như: chưa niêm yết đầy đủ thủ tục hành chính; hồ sơ lưu trữ chưa khoa học.
II. HẠN CHẾ, TỒN TẠI
- Chưa cập nhật bộ thủ tục hành chính mới
Minh Châu
Tin liên quan
Gửi bình luận
Nơi nhận:
- Như trên;"""


def kinds(text):
    return {line.text: line.kind for line in classify_lines(text) if line.text}


def test_news_furniture_is_recognised_and_not_mined():
    k = kinds(NEWS)
    assert k["Kiểm tra cải cách hành chính tại huyện Đô Lương"] == "title"
    assert k["Đăng ngày: 14/05/2021 09:12:45"] == "dateline"
    assert k["Đoàn kiểm tra làm việc tại UBND xã Tràng Sơn. Ảnh: Hoàng Lam"] == "caption"
    assert k["II. HẠN CHẾ, TỒN TẠI"] == "heading"
    assert k["Minh Châu"] == "byline"
    assert k["Tin liên quan"] == "chrome"
    assert k["Gửi bình luận"] == "chrome"
    assert k["Nơi nhận:"] == "closing"
    assert k["- Như trên;"] == "closing"


def test_body_lines_and_list_items_are_mined():
    mined = {line.text for line in classify_lines(NEWS) if line.mined}
    assert any(t.startswith("Tuy nhiên, xã còn") for t in mined)
    assert "- Chưa cập nhật bộ thủ tục hành chính mới" in mined
    assert any(t.startswith("(Baonghean.vn)") for t in mined)


def test_a_caption_repeated_on_the_next_line_is_a_caption():
    text = ("Kiểm tra hồ sơ tại xã Tràng Sơn, huyện Đô Lương Ảnh minh họa\n"
            "Kiểm tra hồ sơ tại xã Tràng Sơn, huyện Đô Lương. Ảnh: Hoàng Lam\n"
            "Đoạn văn bản chính có nhiều chữ hơn để không bị coi là chú thích ảnh, có dấu chấm ở cuối câu.")
    lines = [line for line in classify_lines("Tiêu đề\n" + text) if line.text]
    assert [line.kind for line in lines[1:]] == ["caption", "caption", "body"]


def test_related_headlines_and_the_comment_section_are_chrome():
    text = (
        "Kiểm tra công vụ tại huyện Tương Dương\n"
        "Đoàn kiểm tra đã làm việc tại xã Tam Quang, nhiều cán bộ chưa đeo thẻ công chức.\n"
        "Tin liên quan\n\n"
        "Nghệ An công bố chỉ số cải cách hành chính năm 2016, nhiều huyện tăng hạng\n"
        "Tương Dương đẩy mạnh ứng dụng công nghệ thông tin\n\n"
        "II. KIẾN NGHỊ\n"
        "Đề nghị UBND xã khắc phục ngay những hạn chế nêu trên.\n"
        "Gửi bình luận\n"
        "Bạn đọc A: Cần kiểm tra thường xuyên hơn.\n"
        "Một ý kiến khác của bạn đọc.\n"
    )
    kinds = [(line.kind, line.text[:20]) for line in classify_lines(text) if line.text]
    assert kinds == [
        ("title", "Kiểm tra công vụ tại"),
        ("body", "Đoàn kiểm tra đã làm"),
        ("chrome", "Tin liên quan"),
        ("chrome", "Nghệ An công bố chỉ "),
        ("chrome", "Tương Dương đẩy mạnh"),
        ("heading", "II. KIẾN NGHỊ"),
        ("body", "Đề nghị UBND xã khắc"),
        ("chrome", "Gửi bình luận"),
        ("chrome", "Bạn đọc A: Cần kiểm "),
        ("chrome", "Một ý kiến khác của "),
    ]


# --- the line-kind tables, proved by their own examples ---------------------------------------------

from pipeline.layout import DATELINE_RULES, LINE_RULES, dateline_rule, line_rule  # noqa: E402

LINE_EXAMPLES = [(rule.name, text) for rule in LINE_RULES for text in rule.examples]
LINE_COUNTER_EXAMPLES = [(rule.name, text) for rule in LINE_RULES for text in rule.counter_examples]


@pytest.mark.parametrize(("name", "text"), LINE_EXAMPLES)
def test_a_line_rule_claims_its_examples(name, text):
    assert line_rule(text).name == name


@pytest.mark.parametrize(("name", "text"), LINE_COUNTER_EXAMPLES)
def test_a_line_rule_does_not_claim_its_counter_examples(name, text):
    assert line_rule(text).name != name


@pytest.mark.parametrize(
    ("name", "text"), [(rule.name, text) for rule in DATELINE_RULES for text in rule.examples]
)
def test_a_dateline_rule_reads_its_examples(name, text):
    assert dateline_rule(text).name == name


@pytest.mark.parametrize(
    ("name", "text"), [(rule.name, text) for rule in DATELINE_RULES for text in rule.counter_examples]
)
def test_a_dateline_rule_does_not_read_its_counter_examples(name, text):
    rule = next(rule for rule in DATELINE_RULES if rule.name == name)
    assert rule.pattern.match(text) is None


# --- position: the head of a page, a text without a headline -------------------------------------------

PARAGRAPH = ("Đoàn kiểm tra của huyện Yên Hòa đã làm việc tại xã Đông Phong, ghi nhận xã đã niêm yết "
             "đầy đủ thủ tục hành chính, nhưng một số công chức đến muộn và chưa đeo thẻ khi làm việc.")


def test_a_text_that_starts_mid_article_has_no_title_and_every_paragraph_is_mined():
    text = PARAGRAPH + "\nQua kiểm tra, đoàn đề nghị xã chấn chỉnh ngay giờ giấc làm việc của công chức."
    assert [line.kind for line in classify_lines(text)] == ["body", "body"]


def test_a_lead_opened_by_a_site_tag_is_body_not_a_title():
    for tag in ("(Baoxyz.vn) - ", "HNT - ", "(ABC) – "):
        text = f"{tag}Sáng 12/3, đoàn kiểm tra đến xã Đông Phong\n{PARAGRAPH}"
        assert classify_lines(text)[0].kind == "body", tag


def test_a_short_first_sentence_with_a_full_stop_is_body():
    assert classify_lines("Đoàn đã kiểm tra tại xã Đông Phong.\n" + PARAGRAPH)[0].kind == "body"


def test_a_title_closed_by_a_full_stop_is_still_a_title_above_a_dateline():
    k = kinds("Kiểm tra công vụ tại huyện Yên Hòa.\nĐăng ngày: 03/04/2022 08:00\n" + PARAGRAPH)
    assert k["Kiểm tra công vụ tại huyện Yên Hòa."] == "title"


def test_the_title_is_the_line_above_the_time_stamp_under_the_site_furniture():
    text = ("Cổng thông tin điện tử huyện Yên Hòa\nTin tức - Sự kiện\n\n"
            "Kiểm tra cải cách hành chính tại xã Đông Phong\n(09:30 | 12/05/2021)\n\n" + PARAGRAPH)
    k = kinds(text)
    assert k["Kiểm tra cải cách hành chính tại xã Đông Phong"] == "title"
    assert k["(09:30 | 12/05/2021)"] == "dateline"
    assert k["Cổng thông tin điện tử huyện Yên Hòa"] == "chrome"
    assert k[PARAGRAPH] == "body"


def test_a_stamp_above_the_title_is_a_dateline_and_the_next_short_line_the_title():
    k = kinds("09:15 12/05/2019\nYên Hòa chấn chỉnh giờ giấc làm việc\n" + PARAGRAPH)
    assert (k["09:15 12/05/2019"], k["Yên Hòa chấn chỉnh giờ giấc làm việc"]) == ("dateline", "title")


def test_a_bare_date_inside_the_body_is_not_a_dateline():
    k = kinds("Tiêu đề của bài\n" + PARAGRAPH + "\n12/05/2019\nMột đoạn khác có dấu chấm ở cuối câu này.")
    assert k["12/05/2019"] != "dateline"


def test_markup_and_contact_strips_are_chrome():
    k = kinds("toasoan@baoxyz.vn | Hotline: 0912 345 678\nnull\nTiếng Việt | English\n"
              "Tiêu đề bài viết về kiểm tra\n" + PARAGRAPH)
    assert [k[t] for t in ("toasoan@baoxyz.vn | Hotline: 0912 345 678", "null", "Tiếng Việt | English")] == [
        "chrome", "chrome", "chrome"]
    assert k["Tiêu đề bài viết về kiểm tra"] == "title"
