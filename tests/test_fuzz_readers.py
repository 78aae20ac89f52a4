"""Hypothesis fuzzing of the text and DOCX readers: any input reads or fails with ReadError, quickly."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.read import ReadError, read_document
from pipeline.read.text import read_text

FUZZ = settings(max_examples=60, deadline=5000, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
VIETNAMESE = st.text(alphabet=st.sampled_from("aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệ ,.;:-\n0123456789ĐƯ"),
                     max_size=300)


def _read(path: Path, data: bytes):
    path.write_bytes(data)
    try:
        return read_document(path)
    except ReadError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return None


@FUZZ
@given(data=st.binary(max_size=4000))
def test_any_bytes_in_a_text_file_read_or_fail_clearly(tmp_path, data):
    raw = _read(tmp_path / "fuzz.txt", data)
    if raw is not None:
        assert raw.source.encoding and all(isinstance(b.text, str) for b in raw.blocks)


@FUZZ
@given(lines=st.lists(st.tuples(VIETNAMESE, st.sampled_from(["utf-8", "cp1258", "utf-16-le", "latin-1"])),
                      max_size=12))
def test_text_mixing_encodings_line_by_line_decodes_without_error(lines):
    data = b"\n".join(text.encode(codec, errors="replace") for text, codec in lines)
    try:
        blocks, encoding, doubts = read_text(data, max_chars=10_000)
    except ReadError:
        return
    assert encoding and all(isinstance(d.message, str) for d in doubts)


def _docx(paragraphs: list[str], cells: list[list[str]]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if cells:
        table = document.add_table(rows=len(cells), cols=max(len(row) for row in cells) or 1)
        for row, values in zip(table.rows, cells, strict=False):
            for cell, value in zip(row.cells, values, strict=False):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@FUZZ
@given(paragraphs=st.lists(VIETNAMESE, max_size=8),
       cells=st.lists(st.lists(VIETNAMESE.filter(lambda t: len(t) < 40), min_size=1, max_size=3), max_size=3))
def test_generated_docx_documents_keep_their_text(tmp_path, paragraphs, cells):
    raw = _read(tmp_path / "fuzz.docx", _docx(paragraphs, cells))
    if raw is None:  # refused only when there is no text at all
        assert not "".join(paragraphs + [v for row in cells for v in row]).strip()
        return
    text = "\n".join(b.text for b in raw.blocks)
    for paragraph in paragraphs:
        for word in paragraph.split():
            if word.isalnum():
                assert word in text


_BASE = _docx(["Biên bản kiểm tra công vụ tại UBND xã Tam Quang."], [["STT", "Đơn vị"], ["1", "xã Tam Quang"]])


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, len(_BASE) - 1), st.integers(0, 255)), min_size=1, max_size=20),
       cut=st.one_of(st.none(), st.integers(0, len(_BASE))))
def test_damaged_docx_bytes_read_or_fail_clearly(tmp_path, flips, cut):
    data = bytearray(_BASE)
    for position, value in flips:
        data[position] = value
    _read(tmp_path / "fuzz.docx", bytes(data[:cut] if cut is not None else data))


@FUZZ
@given(xml=st.text(max_size=600))
def test_any_document_part_reads_or_fails_clearly(tmp_path, xml):
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_BASE)) as original, zipfile.ZipFile(buffer, "w") as changed:
        for info in original.infolist():
            body = original.read(info.filename)
            if info.filename == "word/document.xml":
                body = body.replace(b"</w:body>", xml.encode("utf-8", "surrogatepass") + b"</w:body>")
            changed.writestr(info, body)
    _read(tmp_path / "fuzz.docx", buffer.getvalue())


@pytest.mark.parametrize("size", [0, 1, 3])
def test_tiny_files_fail_clearly(tmp_path, size):
    assert _read(tmp_path / "tiny.docx", b"PK\x03\x04"[:size]) is None
