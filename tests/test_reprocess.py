"""`findings reprocess --stale`: documents an older pipeline produced run again; corrections survive."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from flows.ingest import run_ingest
from flows.reprocess import run_reprocess
from pipeline.cli import app
from pipeline.store import schema
from pipeline.store.database import correct_finding, load_document, open_database

from .conftest import SEEDS, require_shared


@pytest.fixture(scope="module")
def reprocessed(tmp_path_factory):
    require_shared()
    folder = tmp_path_factory.mktemp("archive")
    seeds = sorted(SEEDS.glob("*.txt"))[:3]
    for seed in seeds:
        shutil.copy(seed, folder / seed.name)
    db_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'findings.db'}"
    run_ingest([folder], db_url=db_url, workers=1)
    engine = open_database(db_url)
    first = load_document(engine, str(folder / seeds[0].name))
    with engine.connect() as conn:
        ids = conn.scalars(select(schema.findings.c.id).join(schema.documents)
                           .where(schema.documents.c.sha256 == first.source.sha256)
                           .order_by(schema.findings.c.ordinal)).all()
    kept, lost = ids[0], ids[1]
    new_category = next(c for c in ("tai_chinh", "khac") if c != first.findings[0].category)
    correct_finding(engine, kept, field="category", value=new_category, who="lan")
    correct_finding(engine, lost, field="polarity", value="recommendation", who="lan")
    with engine.begin() as conn:
        # An older pipeline made every document; the second corrected finding no longer exists.
        for row in conn.execute(select(schema.documents.c.id, schema.documents.c.versions)).all():
            conn.execute(update(schema.documents).where(schema.documents.c.id == row.id)
                         .values(versions={**row.versions, "findings": "findings.v0"}))
        conn.execute(update(schema.corrections).where(schema.corrections.c.finding_id == lost)
                     .values(finding_text="Một câu mà phiên bản mới không còn coi là phát hiện."))
    (folder / seeds[2].name).unlink()  # its file is gone: its stored results stay
    report = run_reprocess(db_url, workers=1)
    again = run_reprocess(db_url, workers=1)
    return db_url, first, new_category, report, again


@pytest.mark.slow
def test_only_stale_documents_run_again_and_a_missing_file_keeps_its_results(reprocessed):
    db_url, _, _, report, again = reprocessed
    assert (report.stored, report.stale, report.reprocessed) == (3, 3, 2)
    assert [p.status for p in report.problems] == ["missing"] and report.exit_code == 3
    assert (again.stale, again.reprocessed) == (1, 0)  # only the document whose file is gone
    with open_database(db_url).connect() as conn:
        assert conn.scalar(select(schema.documents.c.id).where(schema.documents.c.versions.is_(None))) is None
        counts = conn.execute(select(schema.findings.c.document_id)).all()
    assert len({c.document_id for c in counts}) == 3


@pytest.mark.slow
def test_corrections_are_applied_again_or_kept_as_orphaned(reprocessed):
    db_url, first, new_category, report, _ = reprocessed
    assert (report.corrections_applied, report.corrections_orphaned) == (1, 1)
    engine = open_database(db_url)
    with engine.connect() as conn:
        rows = {r.field: r for r in conn.execute(select(schema.corrections)).all()}
    assert rows["polarity"].status == "orphaned" and rows["polarity"].finding_id is None
    assert rows["category"].status == "applied"
    stored = load_document(engine, first.source.sha256)
    corrected = [f for f in stored.findings if f.text == first.findings[0].text]
    assert corrected and corrected[0].category == new_category
    assert stored.versions["findings"] != "findings.v0"


@pytest.mark.slow
def test_the_cli_reports_nothing_stale(reprocessed):
    db_url = reprocessed[0]
    result = CliRunner().invoke(app, ["reprocess", "--db", db_url, "--workers", "1"])
    assert result.exit_code == 3, result.output  # the missing file is still stale
    assert "1 to run again, 0 done" in result.output


def test_every_stage_has_a_version_and_results_record_them(extractor):
    from pipeline.read import READER_VERSION

    versions = extractor.versions()
    assert {"reader", "normalise", "segment", "layout", "relevance", "metadata", "dates", "legal_refs", "units", "gazetteer",
            "findings", "classifier", "attribution", "taxonomy", "pipeline"} <= set(versions)
    assert versions["reader"] == READER_VERSION
    assert "finding_threshold=" in versions["classifier"]  # the decision thresholds are part of it
