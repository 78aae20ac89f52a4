"""Encodings: TCVN3/VNI tables, detection of UTF-8/16, Windows-1258, legacy and mixed text."""

from __future__ import annotations

import random

import pytest

from pipeline.read.detect import convert_legacy_text, is_vietnamese_syllable
from pipeline.read.document import ReadError
from pipeline.read.legacy_encodings import (
    legacy_bytes_to_str,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)
from pipeline.read.text import decode_text, read_text
from tests.read_fixtures import (
    LEGACY,
    PARAGRAPHS,
    cer,
    encode_cp1258,
    require_data,
    tcvn3_bytes,
    vni_bytes,
)

TEXT = "\n".join(PARAGRAPHS) + "\nNgười dân phường Phước Long, tỉnh Bình Phước được hướng dẫn."

# Known words: (Unicode, TCVN3 as Latin-1, VNI as Latin-1), from real documents.
KNOWN_WORDS = [
    ("Quyết định", "QuyÕt ®Þnh", "Quyeát ñònh"),
    ("Thủ tướng", "Thñ t\xadíng", "Thuû töôùng"),
    ("Độc lập", "§éc lËp", "Ñoäc laäp"),
    ("Hạnh phúc", "H¹nh phóc", "Haïnh phuùc"),
    ("ngày tháng năm", "ngµy th¸ng n¨m", "ngaøy thaùng naêm"),
    ("Cần Thơ", "CÇn Th¬", "Caàn Thô"),
    ("nghĩa", "nghÜa", "nghóa"),
    ("tỉnh", "tØnh", "tænh"),
    ("người", "ng\xadêi", "ngöôøi"),
    ("kỳ ỵ", "kú þ", "kyø î"),
]


@pytest.mark.parametrize(("unicode", "tcvn3", "vni"), KNOWN_WORDS)
def test_tables_convert_known_words(unicode: str, tcvn3: str, vni: str) -> None:
    assert tcvn3_to_unicode(tcvn3) == unicode
    assert vni_to_unicode(vni) == unicode
    assert unicode_to_vni(unicode) == vni
    assert unicode_to_tcvn3(unicode) == tcvn3


def test_sample_lines_from_source_md() -> None:
    raw = "phè cÇn th¬ \t §éc lËp - Tù do - H¹nh phóc"
    assert tcvn3_to_unicode(raw) == "phố cần thơ \t Độc lập - Tự do - Hạnh phúc"
    raw = "UÛY BAN NHAÂN DAÂN  \tCOÄNG HOAØ XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM"
    assert vni_to_unicode(raw) == "ỦY BAN NHÂN DÂN  \tCỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def test_vni_round_trip_keeps_case_and_tcvn3_lowers_capitals() -> None:
    assert vni_to_unicode(unicode_to_vni(TEXT)) == TEXT
    assert tcvn3_to_unicode(unicode_to_tcvn3(TEXT)).lower() == TEXT.lower()
    assert tcvn3_to_unicode(unicode_to_tcvn3("báo cáo"), uppercase=True) == "BÁO CÁO"


def test_syllable_check() -> None:
    for word in ("người", "nghiêng", "khuyến", "quyết", "gì", "chuyện", "Việt", "xoong"):
        assert is_vietnamese_syllable(word), word
    for word in ("néi", "thµnh", "ñoäc", "Vieọt"):
        assert not is_vietnamese_syllable(word), word


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8"),
        (b"\xff\xfe" + TEXT.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (encode_cp1258(TEXT), "windows-1258"),
        (tcvn3_bytes(TEXT), "tcvn3"),
        (vni_bytes(TEXT), "vni"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "cp1258",
         "tcvn3", "vni"],
)
def test_decode_detects_encoding(data: bytes, encoding: str) -> None:
    text, detected = decode_text(data)
    assert detected == encoding
    assert cer(text, TEXT) == 0.0


def test_mixed_tcvn3_and_vni_lines_convert_both() -> None:
    lines = TEXT.split("\n")
    data = b"\n".join(
        tcvn3_bytes(line) if i % 2 else vni_bytes(line) for i, line in enumerate(lines)
    )
    text, encoding = decode_text(data)
    assert encoding == "mixed tcvn3+vni"
    assert text.lower() == TEXT.lower()


def test_utf8_file_holding_tcvn3_characters_is_converted() -> None:
    data = unicode_to_tcvn3(TEXT).encode("utf-8")
    text, encoding = decode_text(data)
    assert encoding == "tcvn3"
    assert text.lower() == TEXT.lower()


def test_unicode_text_is_left_alone() -> None:
    text = "Tôi là ai\nCộng hòa xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc"
    assert convert_legacy_text(text) == (text, None)


def test_read_text_splits_paragraphs() -> None:
    blocks, encoding, doubts = read_text(("\r\n\r\n".join(PARAGRAPHS)).encode("utf-8"))
    assert doubts == []
    assert encoding == "utf-8"
    assert [b.text for b in blocks] == PARAGRAPHS


def test_binary_garbage_is_refused() -> None:
    garbage = random.Random(7).randbytes(20_000)
    with pytest.raises(ReadError, match="binary"):
        decode_text(garbage)
    no_nul = bytes(b or 1 for b in garbage)
    with pytest.raises(ReadError, match="binary|readable"):
        decode_text(no_nul)


def test_legacy_corpus_transcripts_round_trip() -> None:
    """Every ground-truth transcript, encoded to TCVN3 and VNI, decodes back (CER < 0.5%)."""
    truths = sorted(require_data(LEGACY / "ground-truth").glob("*.txt"))
    assert len(truths) == 96
    for path in truths:
        truth = path.read_text(encoding="utf-8")
        for make, name in ((tcvn3_bytes, "tcvn3"), (vni_bytes, "vni")):
            text, encoding = decode_text(make(truth))
            assert encoding == name, path.name
            assert cer(text, truth) < 0.005, (path.name, name)


def test_doubled_tcvn3_u_horn_is_one_letter() -> None:
    # Word hid 0xAD ('ư') as an optional hyphen, so typists typed it twice.
    assert tcvn3_to_unicode("®\xad\xada vµo") == "đưa vào"


def test_legacy_bytes_to_str_uses_cp1252_for_0x80_0x9f() -> None:
    assert legacy_bytes_to_str(b"\x93a\x94\xad") == "\u201ca\u201d\xad"
