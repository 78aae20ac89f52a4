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
