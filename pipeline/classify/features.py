"""Features for the finding, polarity and category classifiers.

A statement is the clause text, its underthesea word segmentation
(multi-syllable words joined by '_', so 'kiểm_tra' is one feature), the cue
that introduced its list, and the polarity the discourse rules read. The same
`Statement` is built from a corpus record at training time and from a
candidate clause at run time, so train and predict see identical features.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, make_pipeline

from pipeline.extract.cues import NEGATORS
from pipeline.extract.findings import NEGATED_FAULT, deciding_rule
from pipeline.taxonomy import load_taxonomy

FEATURES_VERSION = "features.v4"  # v3: negation scope; v4: proper names masked


@dataclass
class Statement:
    """What the classifiers see of one clause."""

    text: str
    tokens: str
    context: str = ""
    context_polarity: str = ""
    rule_polarity: str = ""

    def as_record(self) -> dict[str, str]:
        return asdict(self)


# Words after which a capitalised word starts a proper name ('xã Ninh Sở', 'thị trấn Na Dương', 'ông Trần A').
NAME_HEADS = frozenset({
    "xã", "phường", "thị trấn", "thị xã", "huyện", "quận", "thành phố", "tp", "tp.", "tỉnh", "ông", "bà",
    "đồng chí", "trấn", "phố", "chí",
})
NAME_MASK = "<tên>"
_TRAILING_PUNCTUATION = ",.;:!?)”\"'…"


def mask_names(words: list[str]) -> list[str]:
    """The words with each proper name after a unit level or a title replaced by one NAME_MASK.

    Corpus statements and real reports name different places and people; masking them keeps
    the classifiers from learning names ('xã Ninh Sở' -> 'xã <tên>'). Works on whitespace words
    and on underthesea's segmented words alike (both keep their case).
    """
    masked: list[str] = []
    after_head = in_name = False
    for word in words:
        core = word.rstrip(_TRAILING_PUNCTUATION)
        if (after_head or in_name) and core[:1].isupper():
            if not in_name:
                masked.append(NAME_MASK)
            in_name = core == word  # a name ends with its punctuation
            if not in_name and word[len(core):].strip():
                masked.append(word[len(core):])
            after_head = False
            continue
        in_name = False
        after_head = word.lower().replace("_", " ") in NAME_HEADS
        masked.append(word)
    return masked


def mask_text(text: str) -> str:
    """`text` with its proper names masked (see `mask_names`)."""
    return " ".join(mask_names(text.split()))


def statement_tokens(words: list[str]) -> str:
    """Segmented words as the classifiers read them: names masked, words joined by '_', lowercased."""
    return " ".join(w.replace(" ", "_") for w in mask_names(words)).lower()


def segment_words(text: str) -> str:
    """underthesea word segmentation as the classifiers read it (`statement_tokens`)."""
    from underthesea import word_tokenize

    return statement_tokens(word_tokenize(text))


class FieldSelector(BaseEstimator, TransformerMixin):
    """Pick one field of the statement records."""

    def __init__(self, field: str = "text") -> None:
        self.field = field

    def fit(self, records, y=None):
        return self

    def transform(self, records):
        return [record[self.field] or "" for record in records]


@lru_cache(maxsize=1)
def cue_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One alternation per category and polarity, compiled once per process."""
    taxonomy = load_taxonomy()
    groups = [(f"cat_cue={c.code}", c.cues) for c in taxonomy.categories.values() if c.cues]
    groups += [(f"pol_cue={p}", cues) for p, cues in taxonomy.polarities.items()]
    return tuple(
        (name, re.compile(r"(?<!\w)(" + "|".join(re.escape(c) for c in cues) + r")(?!\w)"))
        for name, cues in groups
    )


NO_NEGATION = "neg:-"  # a clause with no negator (keeps the vocabulary non-empty)
NEGATION_SCOPE = 3  # words after a negator that it governs ('không đeo thẻ', 'chưa cập nhật kịp thời')
_SCOPE_BREAK = frozenset(",;.:!?()…")


def negation_scope(tokens: str) -> str:
    """The segmented words under a negator, each marked 'neg:' ('không đeo thẻ' -> 'neg:đeo neg:thẻ').

    The word n-grams alone see 'đeo thẻ' in 'đeo thẻ đầy đủ' and 'không đeo thẻ' alike;
    these tokens tell the classifiers which words are denied.
    """
    marked: list[str] = []
    remaining = 0
    for token in tokens.split():
        head, *rest = token.split("_", 1)
        if token in _SCOPE_BREAK:
            remaining = 0
        elif head in NEGATORS:  # 'không_có' is one segmented word: what follows the negator is in scope
            remaining = NEGATION_SCOPE
            marked.extend(f"neg:{word}" for word in rest)
        elif remaining:
            marked.append(f"neg:{token}")
            remaining -= 1
    return " ".join(marked) or NO_NEGATION


class NegationScope(BaseEstimator, TransformerMixin):
    """The negation-scope tokens of each record's segmented words."""

    def fit(self, records, y=None):
        return self

    def transform(self, records):
        return [negation_scope(record["tokens"] or "") for record in records]


class CueFeatures(BaseEstimator, TransformerMixin):
    """Counts of each category's and polarity's cue words, plus discourse flags."""

    def __init__(self, use_discourse: bool = True) -> None:
        self.use_discourse = use_discourse

    def fit(self, records, y=None):
        return self

    def _features(self, record: dict[str, str]) -> dict[str, float]:
        text = record["text"].lower()
        features: dict[str, float] = {}
        for name, pattern in cue_patterns():
            hits = len(pattern.findall(text))
            if hits:
                features[name] = float(hits)
        if NEGATED_FAULT.search(text):
            features["negated_fault"] = 1.0
        rule = deciding_rule(text, context=None)
        features[f"polarity_rule={rule.name if rule else 'none'}"] = 1.0
        if self.use_discourse:
            features[f"context={record['context_polarity'] or 'none'}"] = 1.0
            features[f"rule={record['rule_polarity'] or 'none'}"] = 1.0
        features["length"] = min(len(text.split()), 60) / 60
        return features

    def transform(self, records):
        return [self._features(record) for record in records]


def build_features(*, discourse: bool, char_ngrams: bool = True) -> FeatureUnion:
    """Word n-grams on segmented words, character n-grams, cue and discourse features."""
    parts = [
        ("words", make_pipeline(
            FieldSelector("tokens"),
            TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), min_df=1, sublinear_tf=True),
        )),
        ("cues", make_pipeline(CueFeatures(use_discourse=discourse), DictVectorizer())),
        ("negation", make_pipeline(
            NegationScope(), TfidfVectorizer(token_pattern=r"\S+", min_df=1, sublinear_tf=True),
        )),
    ]
    if char_ngrams:
        parts.append(("chars", make_pipeline(
            FieldSelector("text"),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                            lowercase=True, max_features=60000),
        )))
    if discourse:
        parts.append(("context", make_pipeline(
            FieldSelector("context"),
            TfidfVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2), lowercase=True),
        )))
    return FeatureUnion(parts)
