"""Legacy office files through LibreOffice; the viparse archive against its transcripts."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import pytest

from pipeline.read import ReadError, read_document
from pipeline.read.word_binary import read_word_stories
from tests.read_fixtures import (
    LEGACY,
    PARAGRAPHS,
    REVISED,
    cer,
    document_text,
    make_docx,
    make_docx_with_text_boxes,
    require_data,
    require_tool,
)

MAX_CER = 0.02


def _cer_of(path) -> tuple[str, float, str | None]:
    truth = (LEGACY / "ground-truth" / f"{path.stem}.txt").read_text(encoding="utf-8")
    raw = read_document(path)
    return path.name, cer(document_text(raw), truth), raw.source.encoding


def _corpus(*suffixes: str) -> list:
    files = sorted(p for p in require_data(LEGACY / "corpus").rglob("*") if p.suffix in suffixes)
    assert files, suffixes
    return files


@pytest.mark.parametrize(
    ("name", "encoding"),
    [("2005-QD-256.doc", "tcvn3"), ("2008-23.QD-991-UBND.doc", "vni"),
     ("2005-QDSUA522.doc", "mixed tcvn3+vni"), ("2003-A-15.rtf", "tcvn3")],
)
def test_legacy_doc_and_rtf_match_their_transcripts(name: str, encoding: str) -> None:
    require_tool("soffice", "package libreoffice-writer-nogui")
    path = next(require_data(LEGACY / "corpus").rglob(name))
    found, rate, detected = _cer_of(path)
    assert detected == encoding
    assert rate < MAX_CER, (found, rate)


def test_xls_is_read_as_table_rows() -> None:
    require_tool("soffice", "package libreoffice-calc-nogui")
    path = next(require_data(LEGACY / "corpus").rglob("2006-Mau21_CKTC_NSH.xls"))
    raw = read_document(path)
    assert raw.source.encoding == "vni"
    assert raw.blocks and all(b.part == "table" for b in raw.blocks)
    assert any(" | " in b.text for b in raw.blocks)


def _to_doc(source, tmp_path):
    """The .doc LibreOffice writes from one of our DOCX fixtures."""
    binary = require_tool("soffice", "package libreoffice-writer-nogui")
    import subprocess

    subprocess.run(
        [binary, "--headless", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
         "--convert-to", "doc", "--outdir", str(tmp_path / "out"), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    return tmp_path / "out" / f"{source.stem}.doc"


def test_doc_written_by_libreoffice_from_our_docx(tmp_path) -> None:
    raw = read_document(_to_doc(make_docx(tmp_path / "report.docx"), tmp_path))
    assert raw.source.format == "doc"
    texts = [b.text for b in raw.blocks]
    assert "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập - Tự do - Hạnh phúc" in texts
    assert "1 | xã Tam Quang | Đạt" in texts
    revised = next(b for b in raw.blocks if b.text.startswith(REVISED[0]))
    assert revised.text == "".join(REVISED)
    assert [revised.text[a:b] for a, b in revised.deleted] == [REVISED[1]]


def test_doc_stories_are_read_from_the_piece_table(tmp_path) -> None:
    labels = ["Sở Nội vụ", "Phòng Nội vụ huyện", "UBND xã Tam Quang"]
    path = _to_doc(make_docx_with_text_boxes(tmp_path / "diagram.docx", labels), tmp_path)
    stories = read_word_stories(path.read_bytes())
    assert stories is not None
    assert stories.main.split("\r")[0] == PARAGRAPHS[0]
    assert [line for line in stories.text_boxes.split("\r") if line] == labels
    raw = read_document(path)
    assert [b.text for b in raw.blocks] == [PARAGRAPHS[0], PARAGRAPHS[1], *labels]


def test_files_that_are_not_word_binaries_have_no_stories() -> None:
    assert read_word_stories(b"") is None
    assert read_word_stories(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)) is None
    assert read_word_stories(b"plain text") is None


def test_missing_libreoffice_names_what_to_install(tmp_path, monkeypatch) -> None:
    import pipeline.read.office as office

    monkeypatch.setattr(office, "find_soffice", lambda: None)
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(ReadError, match="LibreOffice.*libreoffice-writer"):
        read_document(path)


def test_damaged_doc_fails_with_a_clear_message(tmp_path) -> None:
    require_tool("soffice", "package libreoffice-writer-nogui")
    path = tmp_path / "broken.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(3000))
    with pytest.raises(ReadError, match="damaged|no text"):
        read_document(path)


@pytest.mark.slow
def test_whole_legacy_archive_character_error_rate() -> None:
    """Every .doc/.rtf/.pdf under 2% CER, letter case aside (.xls: see bench/bench_read.py)."""
    require_tool("soffice", "package libreoffice-writer-nogui")
    files = _corpus(".doc", ".rtf", ".pdf")
    with ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        results = list(pool.map(_cer_of, files))
    assert len(results) == 64
    too_high = [
        (name, round(rate, 4)) for name, rate, _ in results if rate >= MAX_CER
    ]
    assert not too_high
    assert all(encoding in ("tcvn3", "vni", "mixed tcvn3+vni") for *_, encoding in results)
