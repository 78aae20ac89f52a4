"""CLI mistakes end with one clear line and exit status 2, never a traceback or a new empty database."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.store.database import open_database


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def _one_line_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]


def test_query_on_a_database_that_does_not_exist_says_so_and_creates_nothing(tmp_path):
    missing = tmp_path / "mistyped.db"
    _one_line_error(_run("query", "--db", str(missing)), "no findings database", str(missing))
    assert not missing.exists()
    _one_line_error(_run("failures", "--db", f"sqlite:///{missing}"), "no findings database")
    assert not missing.exists()


@pytest.mark.parametrize("command", ["query", "recurrence", "documents", "failures", "show"])
def test_a_file_that_is_not_a_database(tmp_path, command):
    bogus = tmp_path / "notes.db"
    bogus.write_text("meeting notes, not a database\n" * 100, encoding="utf-8")
    args = [command, "abc"] if command == "show" else [command]
    _one_line_error(_run(*args, "--db", str(bogus)), "not a findings database")


def test_a_database_of_another_application_is_left_alone(tmp_path):
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    _one_line_error(_run("ingest", str(tmp_path), "--db", str(other)), "another application", "invoices")
    with sqlite3.connect(other) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["invoices"]


@pytest.mark.parametrize(("url", "words"), [
    ("nosuchdriver://host/db", ("cannot use the database URL",)),
    ("postgresql+psycopg://findings@127.0.0.1:1/findings", ("refused the connection",)),
])
def test_bad_database_urls(tmp_path, url, words):
    _one_line_error(_run("query", "--db", url), *words)


def test_a_folder_given_as_the_database(tmp_path):
    _one_line_error(_run("query", "--db", str(tmp_path)), "is a folder")


def test_ingest_of_a_path_that_does_not_exist(tmp_path):
    _one_line_error(_run("ingest", str(tmp_path / "nowhere"), "--db", str(tmp_path / "f.db")), "does not exist")
    assert not (tmp_path / "f.db").exists()


def test_a_plain_file_path_is_an_sqlite_database(tmp_path):
    path = tmp_path / "findings.db"
    open_database(str(path))
    result = _run("documents", "--db", str(path))
    assert result.exit_code == 0, result.output
    assert "no stored document" in result.output


def test_password_is_not_shown_in_errors():
    result = _run("query", "--db", "postgresql+psycopg://reader:s3cret@127.0.0.1:1/findings")
    _one_line_error(result)
    assert "s3cret" not in result.output


def test_ingest_of_an_empty_folder_says_so(tmp_path):
    empty = tmp_path / "inbox"
    empty.mkdir()
    result = _run("ingest", str(empty), "--db", str(tmp_path / "f.db"))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"ingest: no files found in {empty}"
