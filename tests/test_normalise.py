import unicodedata

import pytest

from pipeline.normalise import fix_tone_marks, normalise_block, normalise_blocks
from pipeline.read.document import TextBlock


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"), ("Hoà Bình", "Hòa Bình"), ("thuỷ lợi", "thủy lợi"), ("khoẻ", "khỏe"),
        ("hoạ sĩ", "họa sĩ"), ("xoè", "xòe"), ("tuỳ", "tùy"), ("HOÀ", "HÒA"),
    ],
)
def test_old_tone_marks_move_to_one_convention(old, new):
    assert fix_tone_marks(old) == new


@pytest.mark.parametrize("kept", ["quý", "Quỳnh", "hoàng", "thuyền", "quà", "hòa", "khuya"])
def test_tone_marks_that_are_already_right_stay(kept):
    assert fix_tone_marks(kept) == kept


def test_decomposed_text_is_composed_and_offsets_point_back():
    source = "  Kiểm tra\r\n\r\n\r\n" + unicodedata.normalize("NFD", "UBND xã Hoà Bình") + "\u00a0 ok"
    text, offsets = normalise_block(source)
    assert text == "Kiểm tra\n\nUBND xã Hòa Bình ok"
    assert len(offsets) == len(text)
    for i, ch in enumerate(text):
        if ch.strip():
            base = unicodedata.normalize("NFD", ch)[0]
            assert unicodedata.normalize("NFD", source[offsets[i]])[0] == base


def test_whitespace_runs_collapse_and_blank_lines_are_kept_once():
    text, _ = normalise_block("a  \t b\n\n\n\nc \n d")
    assert text == "a b\n\nc\nd"


def test_invisible_characters_are_dropped():
    text, _ = normalise_block("xã\u200b Tam\ufeff Quang")
    assert text == "xã Tam Quang"


def test_blocks_keep_their_page_and_headers_stay_apart():
    normalised = normalise_blocks([
        TextBlock("Trang một", page=1),
        TextBlock("Tiêu đề lặp lại", page=1, part="header"),
        TextBlock("Trang hai", page=2),
    ])
    assert normalised.text == "Trang một\n\nTrang hai"
    second = normalised.text.index("hai")
    assert normalised.page_at(0) == 1
    assert normalised.page_at(second) == 2
    assert normalised.source_offset(second) == "Trang hai".index("hai")


@pytest.mark.parametrize(
    ("source", "text", "offsets"),
    [
        ("a b", "a b", [0, 1, 2]),  # a single space between words is left as it is
        ("a\nb", "a\nb", [0, 1, 2]),  # so is a single line break
        (" a b ", "a b", [1, 2, 3]),  # a space at either end goes
        ("a  \n\n\n b", "a\n\nb", [0, 3, 3, 7]),  # a run points at its first line break
        ("a\n\nb", "a\n\nb", [0, 1, 1, 3]),  # a blank line is a run like any other
        ("a   b", "a b", [0, 1, 4]),
    ],
)
def test_whitespace_offsets_point_at_what_each_character_stands_for(source, text, offsets):
    assert normalise_block(source) == (text, offsets)
