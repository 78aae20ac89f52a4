"""Atomic findings: split sentences into statements and read their polarity.

Discourse decides polarity as much as the clause does: items listed after
'Tuy nhiên, ... còn một số hạn chế như:' are limitations even without 'chưa';
'Đoàn đề nghị ...' introduces recommendations; a section heading
('II. HẠN CHẾ, TỒN TẠI') sets the polarity of what follows it. A sentence
listing several problems gives one candidate per item, and 'A nhưng B' gives
two. Categories are assigned downstream by the classifier.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.contract import Span
from pipeline.layout import Line

FINDINGS_VERSION = "findings.v1"

_LIMITATION_HEAD = re.compile(
    r"(hạn chế|tồn tại|khuyết điểm|thiếu sót|bất cập|vướng mắc|khó khăn|sai sót|vi phạm)"
    r"[^.;:]{0,80}?(\bnhư\b\s*:?|\bsau\s*:|:|\bđó là\b|\blà\b\s*:?)\s*",
    re.IGNORECASE,
)
_RECOMMENDATION_HEAD = re.compile(
    r"(?:^|[,;]\s*|\s)(?<!theo )(?<!đáp ứng )(?<!đạt )(?<!với )(?<!của )(?<!những )(?<!các )"
    r"(?<!về )(?<!Về )(?<!công tác )(?<!sự )"
    r"(?:đã\s+)?(đề nghị|kiến nghị|yêu cầu|đề xuất|chỉ đạo)\b[^.;:]{0,100}?(?::\s*|\s(?=(?:bổ sung|hoàn thiện|"
    r"khẩn trương|tiếp tục|chấn chỉnh|khắc phục|thực hiện|tăng cường|rà soát|kiện toàn|phân công|"
    r"chỉ đạo|thông báo|niêm yết|bố trí|quan tâm|xây dựng|ban hành|sửa đổi|nâng cao|lưu ý|"
    r"phát huy|cập nhật|sắp xếp|đầu tư|triển khai|tổ chức|chấp hành|xử lý|đẩy mạnh|"
    r"kiểm điểm|làm rõ|gỡ bỏ|chấm dứt|nghiêm túc|sửa chữa|thay thế|cải tạo|trang bị|bảo đảm|đảm bảo|"
    r"đôn đốc|giải quyết|hướng dẫn|công khai|nhân rộng|duy trì|lập|mở|số hóa|sớm)\b))",
    re.IGNORECASE,
)
_STRENGTH_HEAD = re.compile(
    r"(ưu điểm|kết quả đạt được|mặt làm được|mặt mạnh)[^.;:]{0,60}?(\blà\b\s*:?|:|\bnhư\b\s*:?)\s*"
    r"|(cho thấy|ghi nhận|đánh giá)\s*:\s*|đánh giá cao\s+",
    re.IGNORECASE,
)
MIN_CLAUSE_WORDS = 4  # shorter pieces ("việc sắp xếp", "nhiệm vụ được giao") are fragments, not statements
_HEADING_POLARITY = (
    (re.compile(r"hạn chế|tồn tại|khuyết điểm|thiếu sót|vi phạm", re.IGNORECASE), "limitation"),
    (re.compile(r"kiến nghị|đề nghị|yêu cầu|đề xuất|nhiệm vụ|giải pháp|phương hướng|khắc phục",
                re.IGNORECASE), "recommendation"),
    (re.compile(r"ưu điểm|kết quả đạt được|kết quả thực hiện|mặt làm được", re.IGNORECASE), "strength"),
)
_NEGATED_FAULT = re.compile(
    r"\bkhông\s+(để xảy ra|gây phiền hà|gây khó khăn|sách nhiễu|làm việc riêng|vi phạm|đi muộn|"
    r"đến muộn|về sớm|sử dụng đồ uống|uống rượu|bỏ vị trí|có trường hợp|có hồ sơ)",
    re.IGNORECASE,
)
_LIMITATION_CUE = re.compile(
    r"\b(chưa|thiếu|chậm|trễ hạn|quá hạn|sai sót|vi phạm|hạn chế|tồn tại|bất cập|"
    r"không đúng|không đầy đủ|không đeo|không đánh số|không thực hiện|không có|vắng mặt|đi muộn|"
    r"không đạt|nhận dư|còn nhiều|còn một số|còn tình trạng|còn để|xuống cấp|chật hẹp|hết hiệu lực|"
    r"chưa khớp|yếu|lúng túng|sơ sài|chiếu lệ|không khoa học|không kịp thời)\b",
    re.IGNORECASE,
)
_RECOMMENDATION_CUE = re.compile(
    r"^\s*(đề nghị|kiến nghị|yêu cầu|cần|phải|tiếp tục|tăng cường|chấn chỉnh|khắc phục|"
    r"khẩn trương|quan tâm|sớm|chỉ đạo|đẩy mạnh|bổ sung|hoàn thiện|rà soát|thường xuyên|"
    r"kịp thời|nâng cao|lưu ý|phát huy|xem xét|kiện toàn|tổ chức|chủ động)\b|"
    r"\b(sẽ tiếp tục|sẽ|cần phải|cần|phải|đề nghị|yêu cầu)\s+\w",
    re.IGNORECASE,
)
_STRENGTH_CUE = re.compile(
    r"\b(đã|tốt|đảm bảo|bảo đảm|đúng quy định|đúng hạn|nghiêm túc|nghiêm|đầy đủ|kịp thời|nề nếp|"
    r"khang trang|ngăn nắp|gọn gàng|niềm nở|tận tình|chuyển biến|hiệu quả|chất lượng cao|"
    r"thuận lợi|khoa học|rõ ràng|công khai|đạt|hoàn thành|100%)\b",
    re.IGNORECASE,
)
_NOT_FINDING = re.compile(
    r"^\s*(thực hiện (quyết định|kế hoạch|chỉ thị|công văn|thông báo)|căn cứ|theo (kế hoạch|quyết định)|"
    r"đoàn (kiểm tra )?(đã )?(tiến hành|đến|làm việc|kiểm tra (đột xuất )?(tại|việc))|"
    r"mục đích|nhằm|đây là|qua đó|thông qua|phát biểu|tham dự|cùng (ngày|đi)|"
    r"(trong|từ) (năm|đầu năm|ngày)|đến nay|dự kiến|theo đó|ông|bà|đồng chí|ngày \d|"
    r"(sáng|chiều) (ngày|nay|\d)|kiểm tra (việc|hồ sơ|công tác|thực tế))"
    r"|^[^;]{0,80}\b(đoàn|tổ) (kiểm tra|công tác|liên ngành)[^;]{0,60}?(đã |đến |tiến hành |làm việc )",
    re.IGNORECASE,
)
_SENTENCE_CONNECTOR = re.compile(
    r"\s*(tuy nhiên|bên cạnh đó|ngoài ra|đồng thời|cùng với đó|mặt khác|nhìn chung|"
    r"qua kiểm tra( cho thấy)?|theo đánh giá[^,]*|trong đó|cụ thể|đặc biệt|đáng chú ý|"
    r"tại [^,]{1,60}|đối với [^,]{1,60}|trong [^,]{1,60})\s*,\s*",
    re.IGNORECASE,
)
_BUT = re.compile(r"\s*,?\s+(nhưng|song|tuy nhiên)\s+(?:vẫn\s+)?(?=còn|chưa|lại|không|vẫn|\S)", re.IGNORECASE)
_ITEM_SPLIT = re.compile(
    r"\s*;\s*|\s*\n\s*|(?<=[a-zà-ỹđ])\s*\.\s+(?=[a-zà-ỹđ])|(?<=…)\s+(?=[A-ZĐ])"
)
# Used with pattern.match(text, pos): no '^', which would not anchor at pos.
_LEADING_JUNK = re.compile(r"[\s\-+•*–,:;.…]+|(và|là|như|gồm|cụ thể)\s+", re.IGNORECASE)
_QUANTITY = re.compile(
    r"\d+\s*/\s*\d+\s+[\wđ]+(?:\s[\wđ,]+){0,2}|\d+(?:[.,]\d+)?\s*%|"
    r"(?:có mặt|vắng mặt|vắng)\s+\d+\s*(?:người|công chức|cán bộ)?|\d+\s+(?:xã|hồ sơ|thủ tục|công chức|"
    r"cán bộ|đơn vị|trường|người)[^,;.]{0,30}",
    re.IGNORECASE,
)


@dataclass
class Candidate:
    """A clause that may be a finding, with what the discourse says about it."""

    span: Span
    text: str
    context_polarity: str | None
    context_cue: str
    sentence_span: Span
    rule_polarity: str | None = None
    quantity: str | None = None


def cue_polarity(cue: str) -> str | None:
    """The polarity a list-introducing cue gives its items ('còn hạn chế như:')."""
    polarity = heading_polarity(cue)
    if polarity:
        return polarity
    if re.search(r"cho thấy|ghi nhận|đánh giá cao|\bđã\s*:?\s*$", cue, re.IGNORECASE):
        return "strength"
    return None


def heading_polarity(text: str) -> str | None:
    """The polarity a section heading sets for the lines under it."""
    for pattern, polarity in _HEADING_POLARITY:
        if pattern.search(text):
            return polarity
    return None


_REMEDIED = re.compile(
    r"(đã|được)\s+(triển khai|thực hiện|tổ chức)?[^.;]{0,30}?khắc phục[^.;]{0,30}?"
    r"(hạn chế|tồn tại|khuyết điểm|thiếu sót)",
    re.IGNORECASE,
)


def clause_polarity(text: str, *, context: str | None) -> str | None:
    """Polarity of one clause from its own cues, then from its context."""
    if _REMEDIED.search(text) and context is None:
        return "strength"
    if (_RECOMMENDATION_CUE.search(text) and not _NEGATED_FAULT.search(text)
            and (context == "recommendation" or re.match(r"^\s*(đề nghị|kiến nghị|yêu cầu|cần|phải)\b", text, re.I))):
        return "recommendation"
    if context == "recommendation":
        return "recommendation"
    if context == "limitation":
        return "limitation"
    if _NEGATED_FAULT.search(text) and not re.search(r"\bchưa\b", text, re.IGNORECASE):
        return "strength"
    if _LIMITATION_CUE.search(text):
        return "limitation"
    if _RECOMMENDATION_CUE.search(text):
        return "recommendation"
    if context == "strength" or _STRENGTH_CUE.search(text):
        return "strength"
    return None


def _split_items(text: str, start: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each list item of `text` (offsets relative to the document)."""
    pos = 0
    for sep in _ITEM_SPLIT.finditer(text):
        yield start + pos, start + sep.start()
        pos = sep.end()
    yield start + pos, start + len(text)


_INLINE_ENUMERATION = re.compile(r"\b(?:như|gồm)\s*:\s*", re.IGNORECASE)
_ENUMERATING_CUE = re.compile(r"\b(như|gồm|là)\s*:?\s*$", re.IGNORECASE)
_COMMA_ITEM = re.compile(r"\s*,\s*|\s+và\s+|…\s*")


def _split_short_commas(text: str, item: Span) -> list[Span]:
    """'như: A, B, C và D' with short items gives four items; long clauses stay whole."""
    parts: list[Span] = []
    pos = item[0]
    for sep in _COMMA_ITEM.finditer(text, item[0], item[1]):
        parts.append((pos, sep.start()))
        pos = sep.end()
    parts.append((pos, item[1]))
    parts = [p for p in parts if text[p[0]:p[1]].strip()]
    if len(parts) >= 3 and all(2 <= len(text[a:b].split()) <= 10 for a, b in parts):
        return parts
    return [item]


def _trim(text: str, span: Span) -> Span:
    """Drop list punctuation and connectors from both ends of a span."""
    s, e = span
    while True:
        m = _LEADING_JUNK.match(text, s, e)
        if not m or m.end() == s:
            break
        s = m.end()
    m = _SENTENCE_CONNECTOR.match(text, s, e)
    if m:
        s = m.end()
    while e > s and text[e - 1] in " .;,:…\n/":
        e -= 1
    return s, e


def split_sentence(
    text: str, sentence: Span, *, context: str | None, cue: str = ""
) -> tuple[list[Candidate], str | None, str]:
    """Split one sentence into candidate clauses; return them and the sentence's context and cue."""
    s, e = sentence
    body = text[s:e]
    incoming_cue = cue
    local_context = context
    item_start = s
    candidates: list[Candidate] = []
    for pattern, polarity in (
        (_LIMITATION_HEAD, "limitation"), (_RECOMMENDATION_HEAD, "recommendation"),
        (_STRENGTH_HEAD, "strength"),
    ):
        m = pattern.search(body)
        if m and m.start() < max(len(body) * 0.6, 40):
            local_context, cue = polarity, body[: m.end()].strip()[-120:]
            item_start = s + m.end()
            if polarity == "recommendation":
                candidates.extend(_findings_before_head(text, s, s + m.start(), sentence, context))
            elif m.start() > 60:
                # a long run before the head is a statement of its own ('... tốt như: A, B. Tuy nhiên, còn hạn chế:')
                before, _, _ = split_sentence(text, (s, s + m.start()), context=context, cue=incoming_cue)
                candidates.extend(before)
            break
    if item_start == s and (colon := _INLINE_ENUMERATION.search(body)) and colon.start() < len(body) * 0.6:
        # 'thực hiện tốt tác phong, lề lối như: A, B, C': the lead is a statement, the items share its polarity
        lead = _trim(text, (s, s + colon.start()))
        lead_polarity = clause_polarity(text[lead[0]:lead[1]], context=context)
        if lead_polarity:
            before, _, _ = split_sentence(text, (s, s + colon.start()), context=context, cue=incoming_cue)
            candidates.extend(before)
            local_context, cue = lead_polarity, body[: colon.end()].strip()[-120:]
            item_start = s + colon.end()
    items = list(_split_items(text[item_start:e], item_start))
    if _ENUMERATING_CUE.search(cue) or re.match(r"\s*(như|gồm|:)", text[item_start:e], re.IGNORECASE):
        items = [part for item in items for part in _split_short_commas(text, item)]
    for item in items:
        inherited = None
        for part in _split_but(text, item):
            span = _trim(text, part)
            clause = text[span[0]:span[1]]
            if len(clause.split()) < MIN_CLAUSE_WORDS:
                continue
            polarity = clause_polarity(clause, context=local_context)
            if polarity is None and candidates and candidates[-1].sentence_span == sentence:
                inherited = candidates[-1].rule_polarity
            candidates.append(
                Candidate(
                    span=span, text=clause, context_polarity=local_context, context_cue=cue,
                    sentence_span=sentence, rule_polarity=polarity or inherited,
                    quantity=_quantity(clause),
                )
            )
    return candidates, local_context, cue


_PREDICATE_COMMA = re.compile(
    r",\s+(?=(?:đã|chưa|không|còn|có|ban hành|bố trí|thực hiện|niêm yết|phân công|tổ chức|"
    r"triển khai|xây dựng|sắp xếp|cập nhật|kiện toàn|chấp hành|tiếp nhận|đeo|sử dụng|"
    r"hướng dẫn|thành lập|lưu trữ|chi trả|đảm bảo|bảo đảm|công khai|mở|ứng dụng|"
    r"thường xuyên|kịp thời|tuyên truyền|quán triệt)\s)",
    re.IGNORECASE,
)


_HEAD_SUBJECT = re.compile(r"[,;]?\s*((các|những)\s+)?(đoàn|tổ)(\s+kiểm tra)?(\s+(đã|cũng|còn))*\s*$", re.IGNORECASE)


def _findings_before_head(
    text: str, start: int, head_start: int, sentence: Span, context: str | None
) -> list[Candidate]:
    """'Tuy nhiên, một số công chức chưa đạt yêu cầu, đoàn đã kiến nghị ...': the part before."""
    subject = _HEAD_SUBJECT.search(text, start, head_start)
    end = subject.start() if subject else head_start
    span = _trim(text, (start, end))
    clause = text[span[0]:span[1]]
    polarity = clause_polarity(clause, context=context)
    if len(clause.split()) < 4 or polarity is None:
        return []
    return [Candidate(span=span, text=clause, context_polarity=context, context_cue="",
                      sentence_span=sentence, rule_polarity=polarity, quantity=_quantity(clause))]


def _split_but(text: str, span: Span) -> list[Span]:
    """'đã bố trí X nhưng Y chưa đáp ứng' -> two spans; 'đã làm A, ban hành B' -> two."""
    m = _BUT.search(text, span[0], span[1])
    if m and m.start() - span[0] >= 15:
        return _split_predicates(text, (span[0], m.start())) + _split_predicates(text, (m.end(), span[1]))
    return _split_predicates(text, span)


def _split_predicates(text: str, span: Span) -> list[Span]:
    """Split at a comma that starts a new predicate, keeping parts of 4+ words."""
    parts: list[Span] = []
    start = span[0]
    for m in _PREDICATE_COMMA.finditer(text, span[0], span[1]):
        if len(text[start:m.start()].split()) >= 4 and len(text[m.end():span[1]].split()) >= 4:
            parts.append((start, m.start()))
            start = m.end()
    parts.append((start, span[1]))
    return parts


def _quantity(clause: str) -> str | None:
    m = _QUANTITY.search(clause)
    return m.group().strip() if m else None


# 'vẫn còn một số hạn chế', 'còn những tồn tại cần khắc phục': announces findings, says none.
_BARE_ANNOUNCEMENT = re.compile(
    r"^\s*(?:vẫn\s+|cũng\s+)?(?:còn\s+)?(?:có\s+)?(?:một số|những|nhiều)\s+(?:hạn chế|tồn tại|khó khăn|"
    r"khuyết điểm|thiếu sót|bất cập)(?:\s*,\s*(?:hạn chế|tồn tại|khó khăn|bất cập))?(?:\s+nhất định)?"
    r"(?:\s+cần\s+(?:được\s+)?khắc phục)?\s*[.:]?\s*$",
    re.IGNORECASE,
)


# The inspecting work itself: 'đã thành lập đoàn kiểm tra', 'được giao thực hiện kiểm tra', 'đã kiểm tra 12 trường'.
_INSPECTING_WORK = re.compile(
    r"\b(thành lập (các )?(đoàn|tổ) kiểm tra|giao (thực hiện |nhiệm vụ )?kiểm tra|"
    r"(đoàn|tổ)[^,;.]{0,40}\b(đã|tiến hành) kiểm tra|đã kiểm tra (được )?\d+|kiểm tra đột xuất (tại|\d+))",
    re.IGNORECASE,
)


def is_background(clause: str) -> bool:
    """Statements about the inspection itself, legal basis, or schedule, and bare announcements."""
    if _NOT_FINDING.match(clause) or _BARE_ANNOUNCEMENT.match(clause):
        return True
    return bool(_INSPECTING_WORK.search(clause)) and not _LIMITATION_CUE.search(clause)


def find_candidates(
    text: str, lines: list[Line], sentences: list[Span]
) -> list[Candidate]:
    """Candidate findings from the mined lines, with discourse context tracked.

    A heading sets the polarity of its section; a line ending in ':' sets the
    polarity of the list items on the lines after it.
    """
    candidates: list[Candidate] = []
    section: tuple[str | None, str] = (None, "")
    carry: tuple[str | None, str] = (None, "")
    for line in lines:
        if line.kind == "heading":
            polarity = heading_polarity(line.text)
            if polarity or re.match(r"^[IVX]+[.)]\s", line.text):
                section = (polarity, line.text if polarity else "")
            carry = (None, "")
            continue
        if not line.mined:
            continue
        if carry[0] and not _is_list_item(line.text):
            carry = (None, "")
        base = carry if carry[0] else section
        local = base
        for sentence in _line_sentences(line, sentences, text):
            found, *local = split_sentence(text, sentence, context=base[0], cue=base[1])
            candidates.extend(found)
        if line.text.rstrip().endswith(":"):
            carry = (local[0], local[1])
    return candidates


_ELLIPSIS_BREAK = re.compile(r"(?:…|\.\.\.)\s+(?=[A-ZĐÀ-Ỹ])")


def _line_sentences(line: Line, sentences: list[Span], text: str) -> list[Span]:
    """The sentences of one line, clipped to it; 'A, B… Bên cạnh đó' also ends a sentence."""
    clipped = [
        (max(s, line.start), min(e, line.end)) for s, e in sentences if s < line.end and e > line.start
    ] or [(line.start, line.end)]
    split: list[Span] = []
    for start, end in clipped:
        for m in _ELLIPSIS_BREAK.finditer(text, start, end):
            split.append((start, m.start() + 1))
            start = m.end()
        split.append((start, end))
    return split


def _is_list_item(line: str) -> bool:
    return bool(re.match(r"^([-+•*–]|\d+[.)]|[a-zđ][.)])\s", line))
