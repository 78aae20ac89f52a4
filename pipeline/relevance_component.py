"""The spaCy component that judges whether a document reports an inspection.

It runs after the layout component (it scores the layout's lines) and before
the candidates: `doc._.relevance` is a `pipeline.relevance.Relevance`, whose
`relevant_spans()` are the passages findings may be mined from (none when the
document is off-topic). Its thresholds are the component's config, and the
version it records says which ones ran.
"""

from __future__ import annotations

from dataclasses import asdict

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.contract import Span
from pipeline.relevance import RelevanceConfig, judge
from pipeline.segment import doc_text

for _name in ("lines", "versions", "relevance"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

_DEFAULTS = asdict(RelevanceConfig())


@Language.factory("findings_relevance_v1", default_config=_DEFAULTS)
def make_relevance(
    nlp: Language, name: str, *, document_threshold: float, density_minimum: float, density_floor: int,
    reform_minimum: float, title_weight: float, context: int, margin: int, group_cap: int,
    finding_cap: float,
) -> RelevanceComponent:
    return RelevanceComponent(
        RelevanceConfig(
            document_threshold=document_threshold, density_minimum=density_minimum,
            density_floor=density_floor, reform_minimum=reform_minimum, title_weight=title_weight,
            context=context, margin=margin, group_cap=group_cap, finding_cap=finding_cap,
        )
    )


class RelevanceComponent:
    """The document's topic and its relevant passages into `doc._.relevance`.

    Args:
        config: the thresholds (see `RelevanceConfig`); they are part of the
            version recorded in `doc._.versions["relevance"]`.
    """

    def __init__(self, config: RelevanceConfig) -> None:
        self.config = config

    @property
    def stage_versions(self) -> dict[str, str]:
        return {"relevance": self.config.version}

    def __call__(self, doc: Doc) -> Doc:
        doc._.relevance = judge(doc_text(doc), doc._.lines or [], config=self.config)
        if doc._.versions is None:
            doc._.versions = {}
        doc._.versions.update(self.stage_versions)
        return doc


def relevant_line_spans(doc: Doc) -> list[Span]:
    """(start, end) of the lines findings may be mined from.

    Every line when the component has not run (a pipeline without it mines
    everything, as before); none when the document is off-topic.
    """
    relevance = doc._.relevance
    if relevance is None:
        return [(line.start, line.end) for line in doc._.lines or []]
    return relevance.relevant_spans()
