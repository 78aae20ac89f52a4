"""Every date rule proved by its own corpus (Duckling's Corpus.hs): examples it reads, texts it must not."""

import pytest

from pipeline.extract.dates import DATE_RULES, EXAMPLE_REFERENCE_YEAR, find_dates

POSITIVE = [(rule.name, text, expected) for rule in DATE_RULES for text, expected in rule.examples]
NEGATIVE = [(rule.name, text) for rule in DATE_RULES for text in rule.counter_examples]
RULES = {rule.name: rule for rule in DATE_RULES}


def test_every_rule_has_examples_and_a_unique_name():
    assert len(RULES) == len(DATE_RULES)
    assert all(rule.examples for rule in DATE_RULES)


@pytest.mark.parametrize(("name", "text", "expected"), POSITIVE)
def test_the_rule_reads_its_examples(name, text, expected):
    assert RULES[name].apply(text, EXAMPLE_REFERENCE_YEAR), f"{name} does not fire on {text!r}"
    assert tuple(d.iso for d in find_dates(text, reference_year=EXAMPLE_REFERENCE_YEAR)) == expected


@pytest.mark.parametrize(("name", "text"), NEGATIVE)
def test_the_rule_does_not_read_its_counter_examples(name, text):
    assert RULES[name].apply(text, EXAMPLE_REFERENCE_YEAR) == []
