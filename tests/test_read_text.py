"""Plain-text files from the real VNTC news archive (UTF-16LE with BOM, CRLF)."""

from __future__ import annotations

import unicodedata

from pipeline.read import read_document
from tests.read_fixtures import DATA, require_data


def test_vntc_articles_decode_as_utf16_without_carriage_returns() -> None:
    manifest = require_data(DATA / "vntc" / "MANIFEST.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t")[0] for line in manifest.splitlines()[1:]]
    assert len(rows) == 14_734
    for relative in rows[::250]:
        raw = read_document(DATA / "vntc" / relative)
        assert raw.source.encoding == "utf-16-le", relative
        text = "\n".join(b.text for b in raw.blocks)
        assert "\r" not in text and "\ufeff" not in text, relative
        nfc = unicodedata.normalize("NFC", text)
        assert sum(ch in "ăâđêôơư" for ch in nfc.lower()) > 0.01 * len(nfc), relative
