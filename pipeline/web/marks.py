"""A document's text with what was mined from it marked up (in the manner of displaCy's entities).

Findings are the outer marks (a sentence or clause, coloured by polarity, with
a tag giving polarity, category and confidence); units, dates and legal
references are inner marks and are cut where a finding starts or ends. Every
piece of document text is HTML-escaped here, so nothing in a document can
become markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from pipeline.labels import POLARITY_LABELS, category_label
from pipeline.query.documents import DocumentView


@dataclass(frozen=True)
class _Mark:
    start: int
    end: int
    kind: str  # finding | unit | date | ref
    open_tag: Markup
    again_tag: Markup | None = None  # where a mark goes on after a paragraph break (no id, no tag)


def _marks(view: DocumentView) -> tuple[list[_Mark], list[_Mark]]:
    outer = []
    for finding in view.findings:
        classes = f"finding {finding.polarity}" + (" dismissed" if finding.dismissed else "")
        title = f"{POLARITY_LABELS.get(finding.polarity, finding.polarity)} · {category_label(finding.category)}"
        tag = Markup(
            '<mark class="{}" id="f{}" title="{}"><span class="tag">{} · {} · {:.2f}{}</span>'
        ).format(classes, finding.id, title, POLARITY_LABELS.get(finding.polarity, finding.polarity),
                 finding.category, finding.confidence,
                 Markup(" · tr. {}").format(finding.page) if finding.page else "")
        again = Markup('<mark class="{}" title="{}">').format(classes, title)
        outer.append(_Mark(finding.span[0], finding.span[1], "finding", tag, again))
    inner = []
    result = view.result
    for unit in result.units:
        for start, end in unit.mentions:
            inner.append(_Mark(start, end, "unit", Markup('<span class="ent unit" title="{} ({})">').format(
                unit.name, unit.level)))
    for mention in result.dates:
        inner.append(_Mark(mention.span[0], mention.span[1], "date", Markup(
            '<span class="ent date" title="{} · {}">').format(mention.iso, mention.role)))
    for ref in result.legal_refs:
        inner.append(_Mark(ref.span[0], ref.span[1], "ref", Markup('<span class="ent ref" title="{} {}">').format(
            ref.kind, ref.number or "")))
    return outer, inner


def _active(marks: list[_Mark], start: int, end: int) -> _Mark | None:
    """The shortest mark covering [start, end)."""
    covering = [m for m in marks if m.start <= start and end <= m.end]
    return min(covering, key=lambda m: (m.end - m.start, m.start), default=None)


def marked_text(view: DocumentView) -> Markup:
    """The document's normalised text as HTML paragraphs with findings and entities marked."""
    text = view.result.document.text or ""
    outer, inner = _marks(view)
    valid = [m for m in outer + inner if 0 <= m.start < m.end <= len(text)]
    outer = [m for m in valid if m.kind == "finding"]
    inner = [m for m in valid if m.kind != "finding"]
    cuts = sorted({0, len(text), *(m.start for m in valid), *(m.end for m in valid),
                   *(i + 1 for i, ch in enumerate(text) if ch == "\n")})
    html: list[str] = ['<p>']
    open_outer: _Mark | None = None
    open_inner: _Mark | None = None
    opened: set[int] = set()  # findings whose mark (with its id and tag) is already written
    for start, end in zip(cuts, cuts[1:], strict=False):
        if start >= end:
            continue
        want_outer, want_inner = _active(outer, start, end), _active(inner, start, end)
        if open_inner is not None and (want_inner is not open_inner or want_outer is not open_outer):
            html.append("</span>")
            open_inner = None
        if want_outer is not open_outer:
            if open_outer is not None:
                html.append("</mark>")
            if want_outer is not None:
                again = id(want_outer) in opened and want_outer.again_tag is not None
                html.append(want_outer.again_tag if again else want_outer.open_tag)
                opened.add(id(want_outer))
            open_outer = want_outer
        if want_inner is not None and open_inner is None:
            html.append(want_inner.open_tag)
            open_inner = want_inner
        piece = text[start:end]
        if piece.endswith("\n"):
            html.append(str(escape(piece[:-1])))
            if open_inner is not None:
                html.append("</span>")
                open_inner = None
            if open_outer is not None:
                html.append("</mark>")
                open_outer = None
            html.append("</p>\n<p>")
        else:
            html.append(str(escape(piece)))
    if open_inner is not None:
        html.append("</span>")
    if open_outer is not None:
        html.append("</mark>")
    html.append("</p>")
    return Markup("".join(html).replace("<p></p>", ""))
