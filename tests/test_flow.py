"""End to end: the Prefect flow ingests the seed articles into a temporary SQLite database."""

import shutil

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from flows.ingest import run_ingest
from pipeline.cli import app
from pipeline.query.findings import FindingFilter, query_findings, summarise
from pipeline.store import schema
from pipeline.store.database import load_document, open_database

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
    assert first.failed == 1
    engine = open_database(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(schema.failures.c.path, schema.failures.c.stage)).all()
    assert [(path.endswith("broken.txt"), stage) for path, stage in rows] == [(True, "read")]


def test_ingesting_again_adds_nothing(ingested):
    _, db_url, _, second = ingested
    assert second.stored == 0 and second.already_stored == 5
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
