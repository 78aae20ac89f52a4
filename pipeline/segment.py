"""Sentence and word segmentation with underthesea, as a spaCy `Doc`.

The tokenizer runs underthesea's `word_tokenize` (multi-syllable words such
as 'kiểm tra' become one token) and `sent_tokenize` line by line, then aligns
every token back to the normalised text, so `doc.text` is exactly the text
the spans index and `token.idx` is a true character offset.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.attrs import IS_SPACE
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab
from underthesea import sent_tokenize, word_tokenize

from pipeline.contract import Span

TOKENIZER_NAME = "findings.underthesea_tokenizer.v1"
SEGMENT_VERSION = "segment.v2"  # v2: a sentence is found after the end of the one before
_WORD = re.compile(r"\S+")
_TEXT = "text"  # where a Doc keeps its text (`doc_text`)
# The only lexical attribute the pipeline reads (besides a token's text): spaCy's full set is
# computed for every new word, about 80% of the cost of adding a word to the vocabulary.
LEXEME_ATTRIBUTES = {IS_SPACE: str.isspace}


def align_tokens(text: str, tokens: list[str]) -> Iterator[tuple[int, int]]:
    """Yield the (start, end) of each token in `text`, in order.

    underthesea may rewrite a token slightly (quotes, spacing inside
    multi-syllable words); where the token is not found verbatim, its
    syllables are matched one by one, and failing that the next
    whitespace-delimited chunk is taken, so alignment never drifts.
    """
    pos = 0
    for token in tokens:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        if text.startswith(token, pos):
            yield pos, pos + len(token)
            pos += len(token)
            continue
        end = _match_syllables(text, pos, token.split())
        if end is None:
            match = _WORD.match(text, pos)
            end = match.end() if match else pos + 1
        yield pos, end
        pos = end


def _match_syllables(text: str, pos: int, syllables: list[str]) -> int | None:
    """End offset if `syllables` follow `pos` separated by any whitespace."""
    for i, syllable in enumerate(syllables):
        if i:
            while pos < len(text) and text[pos] == " ":
                pos += 1
        if not text.startswith(syllable, pos):
            return None
        pos += len(syllable)
    return pos


def sentence_starts(line: str) -> list[int]:
    """Character offsets in `line` where underthesea starts a sentence.

    Each sentence is looked for after the end of the one before, so a sentence that opens with
    words the previous one also holds ('... tại Bộ phận một cửa. Bộ phận một cửa được ...')
    starts where it really does.
    """
    starts = []
    pos = 0
    for sentence in sent_tokenize(line):
        body = sentence.strip()
        if not body:
            continue
        found = line.find(body, pos)
        end = found + len(body)
        if found < 0:  # underthesea rewrote some characters: find the sentence by its first words
            found = line.find(body[:12], pos)
            end = found + 1
        if found >= 0:
            starts.append(found)
            pos = end
    return starts or [0]


class UnderthesaTokenizer:
    """A spaCy tokenizer backed by underthesea word and sentence segmentation."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        sent_start_chars: set[int] = set()
        token_starts: list[int] = []
        pos = 0
        for line_start, line in _lines(text):
            if not line.strip():
                continue
            sent_start_chars.update(line_start + s for s in sentence_starts(line))
            for start, end in align_tokens(line, word_tokenize(line)):
                _add_gap(text, pos, line_start + start, words, spaces, token_starts)
                words.append(text[line_start + start : line_start + end])
                spaces.append(False)
                token_starts.append(line_start + start)
                pos = line_start + end
        _add_gap(text, pos, len(text), words, spaces, token_starts)
        # Sentence starts go in with the words: setting `Token.is_sent_start` one token at a time
        # makes spaCy scan the whole Doc for each token.
        sent_starts = [None if word.isspace() else (i == 0 or start in sent_start_chars)
                       for i, (word, start) in enumerate(zip(words, token_starts, strict=True))]
        doc = Doc(self.vocab, words=words, spaces=spaces, sent_starts=sent_starts)
        doc.user_data[_TEXT] = text  # the tokens cover `text` exactly: `doc_text` need not rebuild it
        return doc

    def to_disk(self, path, **kwargs) -> None:  # noqa: D102 - nothing to save
        pass

    def from_disk(self, path, **kwargs) -> UnderthesaTokenizer:  # noqa: D102
        return self


def _lines(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    for line in text.split("\n"):
        yield start, line
        start += len(line) + 1


def _add_gap(
    text: str, pos: int, next_start: int, words: list[str], spaces: list[bool],
    token_starts: list[int],
) -> None:
    """Record the whitespace between two tokens the way spaCy expects."""
    gap = text[pos:next_start]
    if not gap:
        return
    if gap == " " and words and not spaces[-1]:
        spaces[-1] = True
        return
    if words and not spaces[-1] and gap.startswith(" "):
        spaces[-1] = True
        gap = gap[1:]
        pos += 1
    words.append(gap)
    spaces.append(False)
    token_starts.append(pos)


@registry.tokenizers(TOKENIZER_NAME)
def create_underthesea_tokenizer():
    """spaCy registry entry: `[nlp.tokenizer] @tokenizers = "findings.underthesea_tokenizer.v1"`."""

    def create(nlp) -> UnderthesaTokenizer:
        return UnderthesaTokenizer(nlp.vocab)

    return create


def doc_text(doc: Doc) -> str:
    """The doc's text: the one the tokenizer was given, else built once (spaCy rebuilds `doc.text`
    from the tokens on every access)."""
    cached = doc.user_data.get(_TEXT)
    if cached is None:
        cached = doc.user_data[_TEXT] = doc.text
    return cached


def sentence_spans(doc: Doc) -> list[Span]:
    """(start, end) character offsets of the doc's sentences (computed once per doc)."""
    cached = doc.user_data.get("sentence_spans")
    if cached is None:
        cached = doc.user_data["sentence_spans"] = [(s.start_char, s.end_char) for s in doc.sents]
    return cached
