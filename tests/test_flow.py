"""End to end: the Prefect flow ingests the seed articles into a temporary SQLite database."""

import json
import shutil

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from flows.ingest import RETRY_HINT, run_ingest
from pipeline.classify.train import records_from_corrections
from pipeline.cli import app
from pipeline.query.findings import FindingFilter, query_findings, summarise
from pipeline.store import schema
from pipeline.store.database import corrected_findings, load_document, open_database

from .conftest import SEEDS, require_shared

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    require_shared()
    folder = tmp_path_factory.mktemp("archive")
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    db_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'findings.db'}"
    first = run_ingest([folder], db_url=db_url, chunk_size=2)
    second = run_ingest([folder], db_url=db_url, chunk_size=2)
    return folder, db_url, first, second


def count(engine, table):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_every_seed_is_stored_with_units_findings_and_dates(ingested):
    _, db_url, first, _ = ingested
    engine = open_database(db_url)
    assert first.stored == 5
    assert count(engine, schema.documents) == 5
    assert count(engine, schema.findings) >= 40
    assert count(engine, schema.units) >= 10
    assert count(engine, schema.dates) >= 10
    summary = summarise(engine)
    assert set(summary.by_polarity) == {"strength", "limitation", "recommendation"}


def test_a_bad_file_is_recorded_and_the_batch_goes_on(ingested):
    _, db_url, first, _ = ingested
    assert first.failed == 1 and first.exit_code == 3
    assert first.found == 6 and first.done == 6
    engine = open_database(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(schema.failures.c.path, schema.failures.c.stage)).all()
    assert [(path.endswith("broken.txt"), stage) for path, stage in rows] == [(True, "read")]


def test_ingesting_again_adds_nothing_and_does_not_retry_the_failed_file(ingested):
    _, db_url, _, second = ingested
    assert second.stored == 0 and second.already_stored == 5 and second.failed == 0
    assert [(path.endswith("broken.txt"), reason) for path, reason in second.skipped] == [(True, RETRY_HINT)]
    assert second.exit_code == 0
    assert count(open_database(db_url), schema.documents) == 5
    assert count(open_database(db_url), schema.failures) == 1


def test_what_was_stored_can_be_queried_and_shown(ingested):
    _, db_url, _, _ = ingested
    engine = open_database(db_url)
    rows = query_findings(engine, FindingFilter(unit="Tân Thạnh", polarity="limitation"))
    assert rows and all(r.polarity == "limitation" for r in rows)
    assert all(any("Tân Thạnh" in u for u in r.units) for r in rows)
    stored = load_document(engine, rows[0].sha256[:12])
    assert stored is not None and stored.document.text
    for finding in stored.findings:
        assert stored.document.text[finding.span[0] : finding.span[1]] == finding.text


def test_query_command_filters_and_formats(ingested):
    _, db_url, _, _ = ingested
    runner = CliRunner()
    csv_out = runner.invoke(app, ["query", "--db", db_url, "--polarity", "recommendation", "--format", "csv"])
    assert csv_out.exit_code == 0, csv_out.output
    lines = csv_out.stdout.lstrip("\ufeff").splitlines()
    assert len(lines) > 1 and "recommendation" in lines[1]
    bad = runner.invoke(app, ["query", "--db", db_url, "--category", "nonsense"])
    assert bad.exit_code != 0


def test_failures_command_lists_the_bad_file(ingested):
    _, db_url, _, _ = ingested
    out = CliRunner().invoke(app, ["failures", "--db", db_url, "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert [(r["path"].endswith("broken.txt"), r["stage"], r["attempts"]) for r in rows] == [(True, "read", 1)]
    assert rows[0]["first_seen_at"] and rows[0]["last_seen_at"]


def test_recurrence_and_cites_commands(ingested):
    _, db_url, _, _ = ingested
    runner = CliRunner()
    out = runner.invoke(app, ["recurrence", "--db", db_url, "--min-documents", "1", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert rows and all(r["polarity"] == "limitation" and r["documents"] >= 1 for r in rows)
    out = runner.invoke(app, ["cites", "Chỉ thị 26", "--db", db_url, "--format", "json"])
    assert out.exit_code == 0, out.output
    cited = json.loads(out.stdout)
    assert cited and all(r["kind"] == "Chỉ thị" and "26" in (r["number"] or r["text"]) for r in cited)
    none = runner.invoke(app, ["cites", "Nghị định 999/2099/NĐ-CP", "--db", db_url])
    assert "no stored document cites it" in none.stdout


def test_a_correction_is_logged_and_becomes_training_data(ingested, tmp_path):
    _, db_url, _, _ = ingested
    engine = open_database(db_url)
    row = query_findings(engine, FindingFilter(limit=1))[0]
    new_category = "luu_tru_ho_so" if row.category != "luu_tru_ho_so" else "tai_chinh"
    out = CliRunner().invoke(app, ["correct", str(row.id), "--category", new_category, "--who", "analyst-1",
                                   "--db", db_url])
    assert out.exit_code == 0, out.output
    with engine.connect() as conn:
        logged = conn.execute(select(schema.corrections.c.field, schema.corrections.c.old,
                                     schema.corrections.c.new, schema.corrections.c.who)).all()
    assert logged == [("category", row.category, new_category, "analyst-1")]
    corrected = corrected_findings(engine)
    assert [(c.finding_id, c.category) for c in corrected] == [(row.id, new_category)]
    records = records_from_corrections(corrected)
    assert records[0].text == row.text and records[0].finding and records[0].category == new_category
    unknown = CliRunner().invoke(app, ["correct", "999999", "--category", "mot_cua", "--db", db_url])
    assert unknown.exit_code == 1 and "no finding" in unknown.output
