from pathlib import Path

import pytest

from pipeline.normalise import normalise_text
from pipeline.segment import align_tokens, doc_text

from .conftest import SAMPLES, SEEDS, require_shared


def test_align_tokens_handles_rewritten_tokens():
    text = "Ủy ban  nhân dân xã"
    spans = list(align_tokens(text, ["Ủy ban", "nhân dân", "xã"]))
    assert [text[s:e] for s, e in spans] == ["Ủy ban", "nhân dân", "xã"]


def test_align_tokens_never_drifts_when_a_token_is_unknown():
    text = "a “quoted” b"
    spans = list(align_tokens(text, ["a", '"', "quoted", '"', "b"]))
    assert [text[s:e] for s, e in spans][-1] == "b"


def test_multi_syllable_words_are_single_tokens(nlp_without_classifier):
    doc = nlp_without_classifier.make_doc("Đoàn kiểm tra liên ngành đã kiểm tra tại xã Tam Hòa.")
    words = [t.text for t in doc if not t.is_space]
    assert "kiểm tra" in words
    assert "liên ngành" in words


def _texts():
    require_shared()
    paths = sorted(SEEDS.glob("*.txt")) + sorted(SAMPLES.glob("*.txt"))
    return [normalise_text(Path(p).read_text(encoding="utf-8")) for p in paths]


def test_doc_text_and_token_offsets_equal_the_normalised_text(nlp_without_classifier):
    for text in _texts():
        doc = nlp_without_classifier.make_doc(text)
        assert doc.text == text
        assert doc_text(doc) == text  # the tokenizer's remembered text is the tokens' text
        for token in doc:
            assert text[token.idx : token.idx + len(token.text)] == token.text
        starts = [s.start_char for s in doc.sents]
        assert starts == sorted(starts) and len(starts) > 3


@pytest.mark.parametrize("text", ["", "\n\n", "a", "Xin chào.\n\nTạm biệt!"])
def test_edge_texts_round_trip(nlp_without_classifier, text):
    doc = nlp_without_classifier.make_doc(text)
    assert doc.text == doc_text(doc) == text


def test_a_sentence_opening_with_words_of_the_one_before_starts_where_it_does():
    from pipeline.segment import sentence_starts

    line = ("Xã bố trí 3 công chức tại Bộ phận một cửa, có thái độ niềm nở. "
            "Bộ phận một cửa được trang bị máy tính và máy in.")
    assert sentence_starts(line) == [0, line.index("Bộ phận một cửa được")]
