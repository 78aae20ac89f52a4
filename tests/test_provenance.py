"""Provenance: every finding, date, reference and unit mention records the page it came from."""

from __future__ import annotations

from pipeline.process import extract_path
from pipeline.store.database import load_document, open_database, save_result

from .conftest import SEEDS, require_shared
from .read_fixtures import make_text_pdf


def test_pdf_findings_dates_and_units_carry_their_page_through_the_database(tmp_path, extractor):
    path = make_text_pdf(tmp_path / "report.pdf", pages=3)
    result = extract_path(path, extractor=extractor)
    assert result.findings and result.dates and result.units
    text = result.document.text
    page_starts = [text.find(f"Nội dung riêng của trang {n}") for n in (1, 2, 3)]
    for item in (*result.findings, *result.dates):
        expected = 1 + sum(item.span[0] > start for start in page_starts[:-1])
        assert item.page == expected, (item.text, item.page)
    assert {f.page for f in result.findings} == {1, 2, 3}
    for unit in result.units:
        assert len(unit.pages) == len(unit.mentions) and all(p in (1, 2, 3) for p in unit.pages)
    engine = open_database(f"sqlite:///{tmp_path / 'f.db'}")
    assert save_result(engine, result)
    stored = load_document(engine, result.source.sha256)
    assert [f.page for f in stored.findings] == [f.page for f in result.findings]
    assert [d.page for d in stored.dates] == [d.page for d in result.dates]
    assert {u.name: u.pages for u in stored.units if u.role == "inspected"} == {
        u.name: u.pages for u in result.units if u.role == "inspected"}


def test_text_files_have_no_pages(extractor):
    require_shared()
    result = extract_path(sorted(SEEDS.glob("*.txt"))[0], extractor=extractor)
    assert result.findings and {f.page for f in result.findings} == {None}
