"""DOCX files with python-docx: paragraphs and table rows in document order.

After the body come footnotes and endnotes, then the text of text boxes
(diagram labels; one block per box paragraph, not spliced into the sentence
they are anchored in), then headers and footers (kept apart as their own
parts). Tracked deletions are read in place and marked (`TextBlock.deleted`)
so they are never mined. Runs set in legacy fonts are converted run by run:
`.Vn*` fonts are TCVN3 (`.VnTimeH`-style capital fonts upper-cased), `VNI-*`
fonts are VNI. Text in other fonts that still looks like TCVN3/VNI is
converted by detection.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import replace

from pipeline.contract import StageError
from pipeline.read.detect import convert_legacy_text
from pipeline.read.document import (
    DELETION_END,
    DELETION_START,
    BlockPart,
    ReadError,
    TextBlock,
    take_deletion_marks,
)
from pipeline.read.legacy_encodings import tcvn3_to_unicode, vni_to_unicode
from pipeline.read.limits import DEFAULT_LIMITS, ReadLimits

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


def check_zip(data: bytes, *, limits: ReadLimits, kind: str, required: str) -> None:
    """Refuse damaged zips and zip bombs by reading the zip directory only."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReadError(
            f"the file is not a valid {kind} document: it is not a zip archive (it is damaged, "
            f"cut short, or another kind of file named .{kind.lower()})"
        ) from exc
    with archive:
        infos = archive.infolist()
        total = sum(info.file_size for info in infos)
        if total > limits.max_unzipped_bytes:
            raise ReadError(
                f"the {kind} file unpacks to {total // 2**20} MB, more than the "
                f"{limits.max_unzipped_bytes // 2**20} MB limit (it may be a zip bomb)"
            )
        for info in infos:
            if info.compress_size and info.file_size / info.compress_size > limits.max_zip_ratio:
                raise ReadError(
                    f"the {kind} file contains a part ({info.filename}) compressed "
                    f"{info.file_size // info.compress_size}:1, which looks like a zip bomb"
                )
        if required not in archive.namelist():
            raise ReadError(f"the file is a zip archive but not a {kind} document")


def legacy_font_encoding(font: str | None) -> str | None:
    """'tcvn3' for `.Vn*` fonts, 'vni' for `VNI-*` fonts, else None."""
    if not font:
        return None
    name = font.strip()
    if name.startswith(".Vn") or name.startswith("Vn") and name[2:3].isupper():
        return "tcvn3"
    if name.upper().startswith("VNI-") or name.upper().startswith("VNI "):
        return "vni"
    return None


def convert_run_text(text: str, font: str | None) -> tuple[str, str | None]:
    """Convert one run's text by its font; return (text, encoding used or None)."""
    encoding = legacy_font_encoding(font)
    if encoding == "tcvn3":
        upper = font is not None and font.rstrip().endswith("H")
        return tcvn3_to_unicode(text, uppercase=upper), encoding
    if encoding == "vni":
        return vni_to_unicode(text), encoding
    return text, None


class _FontResolver:
    """The font a run is drawn in: run, character style, paragraph style, defaults."""

    def __init__(self, document) -> None:
        self.default = None
        styles = document.styles.element
        defaults = styles.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}rFonts")
        if defaults is not None:
            self.default = defaults.get(f"{_W}ascii") or defaults.get(f"{_W}hAnsi")

    @staticmethod
    def _element_font(r_pr) -> str | None:
        if r_pr is None:
            return None
        fonts = r_pr.find(f"{_W}rFonts")
        if fonts is None:
            return None
        return fonts.get(f"{_W}ascii") or fonts.get(f"{_W}hAnsi") or fonts.get(f"{_W}cs")

    @staticmethod
    def _style_font(style) -> str | None:
        seen = 0
        while style is not None and seen < 20:
            if style.font.name:
                return style.font.name
            style, seen = style.base_style, seen + 1
        return None

    def font(self, run, paragraph) -> str | None:
        return (
            self._element_font(run._element.rPr)
            or (self._style_font(run.style) if run._element.rPr is not None else None)
            or self._style_font(paragraph.style)
            or self.default
        )


def _paragraph_text(paragraph, fonts: _FontResolver, used: set[str]) -> tuple[str, bool]:
    """Text of a paragraph with legacy-font runs converted; (text, any run converted)."""
    groups: list[tuple[str | None, bool, list[str]]] = []
    for run, deleted in _runs(paragraph):
        font = fonts.font(run, paragraph)
        text = run_text(run._r)
        if groups and groups[-1][0] == font and groups[-1][1] == deleted:
            groups[-1][2].append(text)
        else:
            groups.append((font, deleted, [text]))
    parts, converted = [], False
    for font, deleted, texts in groups:
        text, used_encoding = convert_run_text("".join(texts), font)
        if used_encoding:
            used.add(used_encoding)
            converted = True
        parts.append(f"{DELETION_START}{text}{DELETION_END}" if deleted else text)
    return "".join(parts), converted


_RUN_CHARS = {"tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-", "softHyphen": "\xad"}


def run_text(r) -> str:
    """Text of a `w:r` element, keeping soft hyphens (TCVN3 'ư' is byte 0xAD)."""
    parts = []
    for child in r:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag in ("t", "delText"):
            parts.append((child.text or "").replace(DELETION_START, "").replace(DELETION_END, ""))
        elif tag in _RUN_CHARS:
            parts.append(_RUN_CHARS[tag])
        elif tag == "sym":
            code = child.get(f"{_W}char") or ""
            try:
                value = int(code, 16)
            except ValueError:
                continue
            parts.append(chr(value - 0xF000 if value >= 0xF000 else value))
    return "".join(parts)


_SKIP_ANCESTORS = {_MC + "Fallback", f"{_W}txbxContent"}
_DELETED_ANCESTORS = {f"{_W}del", f"{_W}moveFrom"}


def _runs(paragraph) -> Iterator[tuple]:
    """(run, deleted) for the runs of a paragraph, with insertions and hyperlinks.

    Text boxes (read apart by `_text_boxes`) and the fallback copy of
    drawings are skipped; tracked deletions and moved-away text come with
    `deleted` true.
    """
    from docx.text.run import Run

    p = paragraph._p
    for r in p.iter(f"{_W}r"):
        node, skip, deleted = r.getparent(), False, False
        while node is not None and node is not p:
            if node.tag in _SKIP_ANCESTORS:
                skip = True
                break
            deleted = deleted or node.tag in _DELETED_ANCESTORS
            node = node.getparent()
        if not skip:
            yield Run(r, paragraph), deleted


def _blocks_of(container, part: BlockPart, fonts: _FontResolver, used: set[str]):
    """Yield (TextBlock, converted) for paragraphs and table rows in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in container.iter_inner_content():
        if isinstance(item, Paragraph):
            text, converted = _paragraph_text(item, fonts, used)
            if text.strip():
                yield TextBlock(text=text, part=part), converted
        elif isinstance(item, Table):
            yield from _table_rows(item, part, fonts, used)


def _paged_body(document, fonts: _FontResolver, used: set[str]) -> list[tuple[TextBlock, bool]]:
    """The body's blocks with the page each starts on, where the file tells.

    Word records where pages began when it last laid the document out
    (`w:lastRenderedPageBreak`); without those, hard page breaks (`w:br
    w:type="page"`, `w:pageBreakBefore`) are counted. A file with neither
    leaves pages unknown (None).
    """
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = document.element.body
    rendered = next(body.iter(f"{_W}lastRenderedPageBreak"), None) is not None
    found: list[tuple[TextBlock, bool]] = []
    page, any_break = 1, False
    for item in document.iter_inner_content():
        element = item._p if isinstance(item, Paragraph) else item._tbl
        before = _page_breaks(element, rendered, leading=True)
        page += before
        if isinstance(item, Paragraph):
            text, converted = _paragraph_text(item, fonts, used)
            blocks = [(TextBlock(text=text, part="body", page=page), converted)] if text.strip() else []
        elif isinstance(item, Table):
            rows = _table_rows(item, "body", fonts, used)
            blocks = [(replace(block, page=page), converted) for block, converted in rows]
        else:
            blocks = []
        found.extend(blocks)
        after = _page_breaks(element, rendered, leading=False)
        page += after
        any_break = any_break or bool(before or after)
    if not any_break:
        found = [(replace(block, page=None), converted) for block, converted in found]
    return found


def _page_breaks(element, rendered: bool, *, leading: bool) -> int:
    """Page breaks at the start of `element` (`leading`) or after its start."""
    if rendered:
        marks = list(element.iter(f"{_W}lastRenderedPageBreak"))
    else:
        marks = [br for br in element.iter(f"{_W}br") if br.get(f"{_W}type") == "page"]
        if leading and element.find(f"{_W}pPr/{_W}pageBreakBefore") is not None:
            return 1
    starts = [m for m in marks if _before_any_text(m, element)]
    return len(starts) if leading else len(marks) - len(starts)


def _before_any_text(mark, element) -> bool:
    """Whether no text of `element` comes before `mark`."""
    for node in element.iter(f"{_W}t", f"{_W}lastRenderedPageBreak", f"{_W}br"):
        if node is mark:
            return True
        if node.tag == f"{_W}t" and (node.text or "").strip():
            return False
    return True


def _table_rows(table, part: BlockPart, fonts: _FontResolver, used: set[str]):
    """One block per row, from the row's own cells (merged continuations left empty)."""
    from docx.table import _Cell

    block_part: BlockPart = "table" if part == "body" else part
    for tr in table._tbl.tr_lst:
        cells, converted = [], False
        for tc in tr.tc_lst:
            if tc.vMerge == "continue":
                cells.append("")
                continue
            texts = []
            cell = _Cell(tc, table)
            for item in cell.iter_inner_content():
                if hasattr(item, "rows"):  # nested table: flatten its rows
                    for block, was in _table_rows(item, part, fonts, used):
                        converted |= was
                        texts.append(block.text)
                    continue
                text, was = _paragraph_text(item, fonts, used)
                converted |= was
                if text.strip():
                    texts.append(text)
            cells.append(" ".join(texts).strip())
        if any(cells):
            yield TextBlock(text=" | ".join(cells), part=block_part), converted


def _text_boxes(root, document, fonts: _FontResolver, used: set[str]):
    """Yield, for each text box under `root`, its paragraphs as (TextBlock, converted)."""
    from docx.text.paragraph import Paragraph

    for box in root.iter(f"{_W}txbxContent"):
        if any(a.tag in (_MC + "Fallback", f"{_W}txbxContent") for a in box.iterancestors()):
            continue  # the VML copy of a drawing, or a box nested in a box
        paragraphs = []
        for p in box.iter(f"{_W}p"):
            if any(a.tag == f"{_W}txbxContent" for a in p.iterancestors() if a is not box):
                continue
            text, converted = _paragraph_text(Paragraph(p, document._body), fonts, used)
            if text.strip():
                paragraphs.append((TextBlock(text=text), converted))
        if paragraphs:
            yield paragraphs


def _letters(text: str) -> str:
    """Lower-case letters and digits only: what two copies of a label share."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text).lower() if ch.isalnum())


def _in_story_order(boxes: list[list[TextBlock]], story: str) -> list[list[TextBlock]]:
    """Sort text boxes by where their text comes in `story` (unfound boxes last).

    A .doc keeps its text boxes in a story of their own, in the order the
    author made them; LibreOffice lists them by anchor instead.
    """
    story_letters = _letters(story)
    claimed: list[tuple[int, int]] = []

    def position(box: list[TextBlock]) -> int:
        key = _letters("".join(block.text for block in box))
        start = story_letters.find(key) if key else -1
        while start >= 0:
            end = start + len(key)
            if not any(start < b and a < end for a, b in claimed):
                claimed.append((start, end))
                return start
            start = story_letters.find(key, start + 1)
        return len(story_letters)

    return sorted(boxes, key=position)  # stable: unfound boxes keep their order


def _note_blocks(document, fonts: _FontResolver, used: set[str]):
    """Yield (TextBlock, converted) for footnote and endnote paragraphs, as body text."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.text.paragraph import Paragraph

    for rel in document.part.rels.values():
        if rel.is_external or rel.reltype not in (RT.FOOTNOTES, RT.ENDNOTES):
            continue
        root = parse_xml(rel.target_part.blob)
        for note in root:
            if note.get(f"{_W}type") in ("separator", "continuationSeparator",
                                         "continuationNotice"):
                continue
            for p in note.iter(f"{_W}p"):
                text, converted = _paragraph_text(Paragraph(p, document._body), fonts, used)
                if text.strip():
                    yield TextBlock(text=text.strip()), converted


def _deep_paragraphs(data: bytes) -> list[TextBlock]:
    """Paragraph texts of word/document.xml read as a stream, whatever its nesting depth."""
    from lxml import etree

    blocks = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("word/document.xml") as part:
        for _event, element in etree.iterparse(part, tag=f"{_W}p", huge_tree=True, resolve_entities=False):
            text = "".join(t.text or "" for t in element.iter(f"{_W}t")).strip()
            if text:
                blocks.append(TextBlock(text=unicodedata.normalize("NFC", text)))
            element.clear(keep_tail=True)
    return blocks


def _margins(section, document) -> Iterator[tuple[BlockPart, object]]:
    """(part, header or footer) for every header and footer a section shows."""
    yield "header", section.header
    if section.different_first_page_header_footer:
        yield "header", section.first_page_header
    if document.settings.odd_and_even_pages_header_footer:
        yield "header", section.even_page_header
    yield "footer", section.footer
    if section.different_first_page_header_footer:
        yield "footer", section.first_page_footer
    if document.settings.odd_and_even_pages_header_footer:
        yield "footer", section.even_page_footer


def read_docx(
    data: bytes,
    *,
    limits: ReadLimits = DEFAULT_LIMITS,
    text_box_story: str | None = None,
    errors: list[StageError] | None = None,
) -> tuple[list[TextBlock], str | None]:
    """Read DOCX bytes; return (blocks, legacy encoding converted or None).

    `text_box_story` is the text of the original file's text boxes in their
    own order (a .doc's text-box story), which the boxes are then read in.
    A document nested deeper than the XML parser's depth limit (tables within
    tables hundreds of levels down) is read paragraph by paragraph instead,
    with a note in `errors`.
    """
    check_zip(data, limits=limits, kind="DOCX", required="word/document.xml")
    import docx
    from lxml import etree

    try:
        document = docx.Document(io.BytesIO(data))
    except etree.XMLSyntaxError as exc:
        if "depth" not in str(exc).lower():
            raise ReadError(f"the DOCX file is damaged: its text part is not well-formed XML ({exc})") from exc
        if errors is not None:
            errors.append(StageError(
                "read", "the document nests tables more than 256 levels deep; its text was read "
                "paragraph by paragraph, without the table layout"))
        return _deep_paragraphs(data), None
    except Exception as exc:  # python-docx raises many types on broken parts
        raise ReadError(
            f"the DOCX file is damaged and cannot be opened ({type(exc).__name__})"
        ) from exc
    fonts = _FontResolver(document)
    used: set[str] = set()
    found: list[tuple[TextBlock, bool]] = []
    seen_margins: set[str] = set()
    for section in document.sections:
        for part, margin in _margins(section, document):
            if margin.is_linked_to_previous and seen_margins:
                continue
            for block, converted in _blocks_of(margin, part, fonts, used):
                key = f"{part}:{block.text}"
                if key not in seen_margins:
                    seen_margins.add(key)
                    found.append((block, converted))
    found.extend(_paged_body(document, fonts, used))
    found.extend(_note_blocks(document, fonts, used))
    boxes = list(_text_boxes(document.element.body, document, fonts, used))
    found.extend(item for box in boxes for item in box)
    found.sort(key=lambda item: item[0].part in ("header", "footer"))
    blocks = _detect_remaining(found, used)
    if text_box_story and len(boxes) > 1:
        # Sorted once their text is Unicode, whichever way it was converted.
        box_blocks = [[block for block, _ in box] for box in boxes]
        start = next(i for i, block in enumerate(blocks) if block is box_blocks[0][0])
        ordered = _in_story_order(box_blocks, text_box_story)
        blocks[start:start + sum(map(len, box_blocks))] = [b for box in ordered for b in box]
    if not blocks:
        raise ReadError("the DOCX file contains no text")
    encoding = None
    if used:
        encoding = "mixed tcvn3+vni" if len(used) > 1 else next(iter(used))
    return blocks, encoding


def _detect_remaining(found: list[tuple[TextBlock, bool]], used: set[str]) -> list[TextBlock]:
    """Convert blocks not in a legacy font that still look like TCVN3/VNI."""
    plain = [block for block, converted in found if not converted]
    joined = "\n".join(block.text for block in plain)
    converted_text, encoding = convert_legacy_text(joined)
    if encoding:
        lines = converted_text.split("\n")
        position = 0
        for block in plain:
            count = block.text.count("\n") + 1
            block.text = "\n".join(lines[position:position + count])
            position += count
        used.update(encoding.replace("mixed ", "").split("+"))
    else:
        for block in plain:  # soft hyphens only matter as TCVN3 bytes
            block.text = block.text.replace("\xad", "")
    return [take_deletion_marks(block) for block, _ in found]
