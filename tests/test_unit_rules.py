"""Every unit rule and role rule proves itself on its own examples (Duckling-style corpora)."""

import re

import pytest

from pipeline.contract import UNIT_LEVELS
from pipeline.extract.units import ROLE_RULES, UNIT_RULES, expand_subject, mention_role

UNIT_CASES = [(rule, text, names) for rule in UNIT_RULES for text, names in rule.examples]
UNIT_NEGATIVES = [(rule, text) for rule in UNIT_RULES for text in rule.negatives]
ROLE_CASES = [(rule, text) for rule in ROLE_RULES for text in rule.examples]
ROLE_NEGATIVES = [(rule, text) for rule in ROLE_RULES for text in rule.negatives]


def _names(rule, text):
    return tuple(m.name for m in sorted(rule.find(text), key=lambda m: m.span) if "alias" not in m.rule)


@pytest.mark.parametrize(("rule", "text", "names"), UNIT_CASES, ids=[f"{r.name}:{t}" for r, t, _ in UNIT_CASES])
def test_unit_rule_finds_its_examples(rule, text, names):
    assert _names(rule, text) == names


@pytest.mark.parametrize(("rule", "text"), UNIT_NEGATIVES, ids=[f"{r.name}:{t}" for r, t in UNIT_NEGATIVES])
def test_unit_rule_finds_nothing_in_its_negatives(rule, text):
    assert _names(rule, text) == ()


def test_unit_rules_produce_contract_levels_and_have_unique_names():
    assert all(level in UNIT_LEVELS for rule in UNIT_RULES for level in rule.levels)
    assert len({rule.name for rule in UNIT_RULES}) == len(UNIT_RULES)


def _marked(text):
    m = re.search(r"\[([^\]]+)\]", text)
    plain = text[: m.start()] + m.group(1) + text[m.end() :]
    plain = plain.replace("[", "").replace("]", "")
    return plain, (m.start(), m.start() + len(m.group(1)))


@pytest.mark.parametrize(("rule", "text"), ROLE_CASES, ids=[f"{r.name}:{t}" for r, t in ROLE_CASES])
def test_role_rule_takes_its_examples(rule, text):
    plain, span = _marked(text)
    found = mention_role(plain, span)
    assert found is not None and found.name == rule.name


@pytest.mark.parametrize(("rule", "text"), ROLE_NEGATIVES, ids=[f"{r.name}:{t}" for r, t in ROLE_NEGATIVES])
def test_role_rule_leaves_its_negatives(rule, text):
    plain, span = _marked(text)
    found = mention_role(plain, span)
    assert found is None or found.name != rule.name


@pytest.mark.parametrize(
    ("head", "written", "subject"),
    [("Sở", "GD-ĐT", "Giáo dục và Đào tạo"), ("Sở", "GD&ĐT", "Giáo dục và Đào tạo"),
     ("Sở", "LĐ-TB&XH", "Lao động - Thương binh và Xã hội"), ("Phòng", "LĐ-TB&XH", "Lao động - Thương binh và Xã hội"),
     ("Sở", "NN&PTNT", "Nông nghiệp và Phát triển nông thôn"), ("Phòng", "TN&MT", "Tài nguyên và Môi trường"),
     ("Sở", "VH-TT&DL", "Văn hóa, Thể thao và Du lịch"), ("Phòng", "TC-KH", "Tài chính - Kế hoạch")],
)
def test_one_abbreviation_table_expands_sở_and_phòng(head, written, subject):
    assert expand_subject(head, written, 0) == (subject, len(written))


@pytest.mark.parametrize(("head", "written"), [("Sở", "họp"), ("Phòng", "chống dịch"), ("Sở", "GD-ĐTX")])
def test_unknown_subjects_do_not_expand(head, written):
    assert expand_subject(head, written, 0) is None
