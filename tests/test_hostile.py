"""A hostile archive, generated here, ingested in one run: every file gets exactly one outcome.

Small enough for a 2-core CI (tens of files, none over a few MB on disk; the
long document is made by repetition, the oversized one is a sparse file).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from flows.ingest import run_ingest
from pipeline.discover import SKIP_BROKEN_LINK, SKIP_LINK_LOOP, SKIP_NOT_REGULAR, SKIP_UNSUPPORTED
from pipeline.read import MAX_FILE_BYTES
from pipeline.store import schema
from pipeline.store.database import list_failures, load_document, open_database

from .conftest import SEEDS, require_shared
from .read_fixtures import encode_cp1258, make_nested_tables_docx, make_text_pdf, make_zip_bomb

pytestmark = pytest.mark.slow

UTF8_HALF = "Đoàn kiểm tra công vụ làm việc tại UBND xã Tam Quang.\nCán bộ một cửa niêm yết đầy đủ thủ tục hành chính."
CP1258_HALF = "Tuy nhiên, một số công chức đi làm muộn.\nĐề nghị UBND xã chấn chỉnh giờ giấc làm việc."


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    require_shared()
    root = tmp_path_factory.mktemp("hostile")
    archive = root / "archive"
    archive.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    expected: dict[str, str] = {}  # file name -> outcome

    for seed in seeds[:2]:
        shutil.copy(seed, archive / seed.name)
        expected[seed.name] = "stored"
    shutil.copy(seeds[0], archive / "copy-of-first.txt")
    expected["copy-of-first.txt"] = "duplicate"
    legacy_name = os.fsencode(archive) + b"/bi\xean b\xe1n c\xf4ng v\xf5.txt"  # a name in Windows-1258 bytes
    with open(legacy_name, "wb") as handle:
        handle.write(seeds[1].read_bytes() + b"\n\nPh\xe1\xba\xa7n b\xe1\xbb\x95 sung.\n")
    expected[os.fsdecode(legacy_name).rsplit("/", 1)[1]] = "stored"
    (archive / "empty.txt").write_bytes(b"")
    expected["empty.txt"] = "failed"
    (archive / "random.txt").write_bytes(bytes(range(256)) * 40)
    expected["random.txt"] = "failed"
    (archive / "truncated.pdf").write_bytes(make_text_pdf(root / "whole.pdf").read_bytes()[:900])
    expected["truncated.pdf"] = "failed"
    make_text_pdf(archive / "really-a-pdf.docx", pages=2)
    expected["really-a-pdf.docx"] = "stored"
    make_zip_bomb(archive / "bomb.docx", member_bytes=120 * 2**20)
    expected["bomb.docx"] = "failed"
    make_nested_tables_docx(archive / "nested.docx", depth=300)
    expected["nested.docx"] = "partial"
    (archive / "mixed.txt").write_bytes(UTF8_HALF.encode("utf-8") + b"\n" + encode_cp1258(CP1258_HALF))
    expected["mixed.txt"] = "stored"
    (archive / "unknown-encoding.txt").write_bytes(b"Bao cao \xd0\xfe\xe6 \xde\xf0\xe6\xdd \xfe\xf0\xd0 \xe6\xde\xfd xyz\n" * 40)
    expected["unknown-encoding.txt"] = "partial"
    paragraph = seeds[0].read_text(encoding="utf-8")
    (archive / "long.txt").write_text("\n\n".join([paragraph] * (1_050_000 // len(paragraph) + 1)), encoding="utf-8")
    expected["long.txt"] = "stored"
    with (archive / "oversized.txt").open("wb") as handle:  # sparse: nothing written to disk
        handle.truncate(MAX_FILE_BYTES + 1)
    expected["oversized.txt"] = "failed"
    os.mkfifo(archive / "pipe.txt")
    expected["pipe.txt"] = SKIP_NOT_REGULAR
    (archive / "loop").symlink_to(archive, target_is_directory=True)
    expected["loop"] = SKIP_LINK_LOOP
    (archive / "gone.txt").symlink_to(archive / "no-such-file.txt")
    expected["gone.txt"] = SKIP_BROKEN_LINK
    (archive / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 100)
    expected["photo.jpg"] = SKIP_UNSUPPORTED
    (archive / ".hidden.txt").write_text("not counted", encoding="utf-8")
    db_url = f"sqlite:///{root / 'findings.db'}"
    report = run_ingest([archive], db_url=db_url, workers=2, chunk_size=3)
    return archive, db_url, report, expected


def _outcomes(report) -> dict[str, str]:
    found = {path.rsplit("/", 1)[1]: f"failed:{stage}" for path, stage, _ in report.failures}
    found.update((path.rsplit("/", 1)[1], reason) for path, reason in report.skipped)
    return found


def test_every_file_found_gets_one_outcome_and_the_batch_finishes(hostile):
    _, _, report, expected = hostile
    assert report.found == len(expected)
    assert report.done == report.found
    assert report.stored + report.already_stored + report.duplicates + report.failed + len(report.skipped) == report.found
    assert report.exit_code == 3


def test_failed_files_are_recorded_with_a_stage_and_a_clear_message(hostile):
    _, db_url, report, expected = hostile
    failed = {name for name, outcome in expected.items() if outcome == "failed"}
    assert {name for name in _outcomes(report) if _outcomes(report)[name].startswith("failed")} == failed
    messages = {Path(r.path).name: r.message for r in list_failures(open_database(db_url))}
    assert set(messages) == failed
    assert "empty" in messages["empty.txt"]
    assert "zip bomb" in messages["bomb.docx"]
    assert "over the limit of 200.0 MB" in messages["oversized.txt"]
    assert all("Traceback" not in m and len(m) < 400 for m in messages.values())


def test_skipped_entries_say_why(hostile):
    _, _, report, expected = hostile
    outcomes = _outcomes(report)
    for name, outcome in expected.items():
        if outcome.startswith(("a ", "not ")):
            assert outcomes[name] == outcome, name
    assert ".hidden.txt" not in outcomes


def _stored(db_url: str) -> dict[str, tuple[str, str | None, str]]:
    with open_database(db_url).connect() as conn:
        rows = conn.execute(select(schema.documents.c.path, schema.documents.c.status,
                                   schema.documents.c.encoding, schema.documents.c.format)).all()
    return {Path(path).name: (status, encoding, fmt) for path, status, encoding, fmt in rows}


def test_a_name_that_is_not_utf8_is_stored_as_readable_text(hostile):
    _, db_url, _, _ = hostile
    stored = _stored(db_url)
    assert stored["bi\\xean b\\xe1n c\\xf4ng v\\xf5.txt"][0] == "ok"


def test_a_pdf_with_a_docx_name_is_read_as_a_pdf(hostile):
    _, db_url, _, _ = hostile
    assert _stored(db_url)["really-a-pdf.docx"][2] == "pdf"


def test_tables_nested_300_deep_are_read_as_partial_with_the_reason(hostile):
    archive, db_url, _, _ = hostile
    result = load_document(open_database(db_url), str(archive / "nested.docx"))
    assert result.status == "partial" and "256 levels deep" in result.errors[0].message
    assert "Ô tầng 299" in result.document.text and "Tam Quang" in result.document.text


def test_mixed_utf8_and_windows_1258_lines_are_each_decoded(hostile):
    archive, db_url, _, _ = hostile
    result = load_document(open_database(db_url), str(archive / "mixed.txt"))
    assert result.status == "ok" and result.source.encoding == "mixed utf-8+windows-1258"
    for line in (UTF8_HALF + "\n" + CP1258_HALF).splitlines():
        assert line in result.document.text


def test_text_whose_encoding_cannot_be_told_is_partial_with_the_reason(hostile):
    archive, db_url, _, _ = hostile
    result = load_document(open_database(db_url), str(archive / "unknown-encoding.txt"))
    assert result.status == "partial"
    assert "could not be determined with confidence" in result.errors[0].message


def test_a_document_over_a_million_characters_is_mined_in_pieces_with_exact_spans(hostile):
    archive, db_url, _, _ = hostile
    result = load_document(open_database(db_url), str(archive / "long.txt"))
    text = result.document.text
    assert result.status == "ok" and len(text) > 1_000_000
    assert len(result.findings) > 100
    assert max(f.span[1] for f in result.findings) > 900_000
    for item in [*result.findings, *result.dates]:
        assert text[item.span[0] : item.span[1]] == item.text
    for unit in result.units:
        assert all(text[s:e] for s, e in unit.mentions)


def test_nothing_the_run_started_is_left_behind(hostile):
    import psutil

    scratch = [p for p in Path(os.environ.get("TMPDIR", "/tmp")).glob("findings-ingest-*") if p.is_dir()]
    own = [p for p in scratch if p.name.split("-")[2] == str(os.getpid())]
    assert own == []
    started = ("uvicorn", "flows.reaper", "spawn_main")

    def running(process: psutil.Process) -> str:
        try:
            return "" if process.status() == psutil.STATUS_ZOMBIE else " ".join(process.cmdline())
        except psutil.Error:  # ended (or a zombie) between listing and reading
            return ""

    assert not [c for c in psutil.Process().children(recursive=True)
                if any(word in running(c) for word in started)]
