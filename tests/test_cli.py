"""`findings extract` prints the contract; bad files get a failed line and the run goes on."""

import json
import shutil

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

from .conftest import SEEDS, require_shared

CONTRACT_KEYS = {"status", "errors", "source", "document", "units", "dates", "findings", "legal_refs"}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    require_shared()
    folder = tmp_path_factory.mktemp("docs")
    for path in sorted(SEEDS.glob("*.txt"))[:3]:
        shutil.copy(path, folder / path.name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    unsupported = folder / "notes.xyz"
    unsupported.write_text("không phải tài liệu", encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(folder), str(unsupported), "--format", "jsonl", "--with-text"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_one_line_per_document_in_sorted_order(extracted):
    paths = [d["source"]["path"] for d in extracted]
    assert paths == sorted(paths)
    assert len(extracted) == 6
    for record in extracted:
        assert set(record) >= CONTRACT_KEYS


def test_every_span_indexes_the_normalised_text(extracted):
    for record in (r for r in extracted if r["status"] == "ok"):
        text = record["document"]["text"]
        assert record["document"]["text_chars"] == len(text)
        for finding in record["findings"]:
            start, end = finding["span"]
            assert text[start:end] == finding["text"]
            assert finding["polarity"] in ("strength", "limitation", "recommendation")
            assert 0 <= finding["confidence"] <= 1
        for date in record["dates"]:
            assert text[date["span"][0] : date["span"][1]] == date["text"]
        for unit in record["units"]:
            assert unit["mentions"]
            for start, end in unit["mentions"]:
                assert 0 <= start < end <= len(text)
        for ref in record["legal_refs"]:
            assert text[ref["span"][0] : ref["span"][1]] == ref["text"]


def test_documents_have_findings_units_and_a_sha256(extracted):
    ok = [r for r in extracted if r["status"] == "ok"]
    assert len(ok) == 3
    for record in ok:
        assert len(record["source"]["sha256"]) == 64
        assert record["findings"] and record["units"]
        assert record["versions"]["taxonomy"]


@pytest.mark.parametrize(("name", "words"), [("empty.txt", "empty"), ("binary.txt", "binary"), ("notes.xyz", "unsupported")])
def test_bad_files_get_a_failed_line_with_a_clear_message(extracted, name, words):
    record = next(r for r in extracted if r["source"]["path"].endswith(name))
    assert record["status"] == "failed"
    assert record["errors"][0]["stage"] == "read"
    assert words in record["errors"][0]["message"].lower()


def test_without_with_text_the_text_is_left_out(tmp_path):
    require_shared()
    seed = sorted(SEEDS.glob("*.txt"))[0]
    result = CliRunner().invoke(app, ["extract", str(seed)])
    record = json.loads(result.stdout)
    assert "text" not in record["document"]
    assert record["document"]["text_chars"] > 0


def test_documents_command_lists_the_off_topic_documents(tmp_path):
    from pipeline.store.database import open_database, save_results
    from tests.test_store import sample_results

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    results = sample_results()[:2]
    results[1].document.topic, results[1].findings = "other", []
    results[0].document.topic = "inspection"
    save_results(open_database(url), results)
    result = CliRunner().invoke(app, ["documents", "--db", url, "--topic", "other", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["path"], r["topic"], r["findings"]) for r in rows] == [(results[1].source.path, "other", 0)]
    via_query = CliRunner().invoke(app, ["query", "--db", url, "--off-topic", "--format", "json"])
    assert via_query.exit_code == 0, via_query.output
    assert json.loads(via_query.stdout) == rows
    refused = CliRunner().invoke(app, ["documents", "--db", url, "--topic", "sport"])
    assert refused.exit_code != 0
