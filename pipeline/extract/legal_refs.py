"""References to legal and administrative documents.

'Quyết định số 138/QĐ-UBND ngày 19/01/2017 của UBND tỉnh', 'Chỉ thị 26 của
Thủ tướng Chính phủ', 'Nghị định số 61/2018/NĐ-CP', 'Hướng dẫn số 11-HD/HU'.
"""

from __future__ import annotations

import re

from pipeline.contract import DateMention, LegalRef
from pipeline.extract.dates import find_dates, is_day_precision

LEGAL_REFS_VERSION = "legal_refs.v1"

DOCUMENT_KINDS = (
    "Quyết định", "Chỉ thị", "Nghị định", "Nghị quyết", "Kế hoạch", "Hướng dẫn", "Thông tư",
    "Thông tư liên tịch", "Công văn", "Thông báo", "Kết luận", "Báo cáo", "Luật", "Pháp lệnh",
    "Quy định", "Đề án", "Văn bản",
)
_KIND = "|".join(sorted((re.escape(k) for k in DOCUMENT_KINDS), key=len, reverse=True))
_NUMBER = r"\d+[\w/.-]*[\wĐđ]"
_REF = re.compile(rf"(?<!\w)({_KIND})(?:\s+số)?\s*:?\s+({_NUMBER}|\d+)(?![\w/])", re.IGNORECASE)
_DATE_TAIL = re.compile(
    r"\s*,?\s*ngày\s+(\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})\s*,?"
)
_ISSUER_TAIL = re.compile(
    r"\s*,?\s*của\s+([^\s,.;:()]+(?:\s[^\s,.;:()]+){0,9}?)"
    r"(?=\s+(?:về|quy định|hướng dẫn|ban hành|và|đã|nhằm)\b|[,.;:()]|$)"
)
_SUFFIX_KIND = {
    "QĐ": "Quyết định", "CT": "Chỉ thị", "NĐ": "Nghị định", "NQ": "Nghị quyết", "KH": "Kế hoạch",
    "HD": "Hướng dẫn", "TT": "Thông tư", "TB": "Thông báo", "BC": "Báo cáo", "KL": "Kết luận",
}


def _canonical_kind(word: str) -> str:
    lowered = word.lower()
    return next((k for k in DOCUMENT_KINDS if k.lower() == lowered), word)


def find_legal_refs(text: str, *, dates: list[DateMention] = ()) -> list[LegalRef]:  # type: ignore[assignment]
    """Every cited document with its kind, number, date and issuer when given."""
    refs: list[LegalRef] = []
    for match in _REF.finditer(text):
        kind = _canonical_kind(match.group(1))
        number = match.group(2)
        if kind in ("Luật", "Văn bản", "Báo cáo", "Thông báo") and "/" not in number:
            continue  # 'báo cáo 3 lần' is not a citation
        end = match.end()
        ref_date = None
        date_match = _DATE_TAIL.match(text, end)
        if date_match:
            date_span_start = date_match.start(1)
            ref_date = next((d.iso for d in dates if d.span[0] == date_span_start), None)
            if ref_date is None:
                parsed = find_dates(date_match.group(1))
                ref_date = parsed[0].iso if parsed and is_day_precision(parsed[0].iso) else None
            end = date_match.end(1)
        issuer = None
        issuer_match = _ISSUER_TAIL.match(text, end)
        if issuer_match:
            issuer = issuer_match.group(1).strip()
            end = issuer_match.end(1)
        refs.append(
            LegalRef(kind=kind, number=number, span=(match.start(), end), date=ref_date,
                     issuer=issuer, text=text[match.start():end])
        )
    return refs
