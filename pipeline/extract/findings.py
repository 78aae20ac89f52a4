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
from functools import lru_cache

from pipeline.contract import Polarity, Span
from pipeline.extract.cues import (
    FAULT_LINKS,
    FAULTS,
    LIMITATION_MARKERS,
    NEGATION_IDIOMS,
    NEGATORS,
    RECOMMENDATION_MARKERS,
    RECOMMENDATION_OPENERS,
    RECOMMENDATION_VERBS,
    STRENGTH_MARKERS,
    alternation,
)
from pipeline.layout import Line
from pipeline.taxonomy import load_taxonomy

FINDINGS_VERSION = "findings.v3"  # v3: remedied lists, topic-less judgements kept whole, breakdowns split

MIN_CLAUSE_WORDS = 4  # shorter pieces ("việc sắp xếp", "nhiệm vụ được giao") are fragments, not statements


@dataclass(frozen=True)
class PolarityRule:
    """One way a clause, or the discourse around it, shows its polarity.

    `context` limits the rule to clauses under that discourse polarity ('any':
    always; None: only where no cue or heading governs the clause). The first
    rule of `POLARITY_RULES` that applies decides; `examples` must get this
    polarity and `counter_examples` must not (tests run them).
    """

    name: str
    polarity: Polarity
    pattern: re.Pattern[str] | None
    context: str | None = "any"
    unless: re.Pattern[str] | None = None
    decisive: bool = False  # explicit enough that the polarity model never overrules it
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()

    def applies(self, clause: str, context: str | None) -> bool:
        if self.context != "any" and self.context != context:
            return False
        if self.unless is not None and self.unless.search(clause):
            return False
        return self.pattern is None or bool(self.pattern.search(clause))


_I = re.IGNORECASE
_NEG = alternation(NEGATORS)
# A negated fault: the negator right before the fault, or linked to it by 'có', 'còn', 'để xảy ra'...
NEGATED_FAULT = re.compile(
    rf"\b(?:{_NEG})\s+(?:(?:{alternation(FAULT_LINKS)})\s+(?:\S+\s+){{0,3}}?)?(?:{alternation(FAULTS)})\b"
    rf"|\b(?:không|chưa)\s+(?:có|phát hiện)\s+(?:\S+\s+){{0,2}}?(?:nào|gì)\s+(?:{alternation(FAULTS)})"
    r"|\bkhông\s+(?:\S+\s+){1,4}?(?:muộn|trễ)\b", _I,
)
_LIMITATION_MARKER = re.compile(
    rf"\b(?:{alternation(LIMITATION_MARKERS)})\b"
    rf"|\bkhông\s+(?!(?:{'|'.join(idiom.split()[1] for idiom in NEGATION_IDIOMS)})\b)", _I,
)
_RECOMMENDATION_OPENER = re.compile(rf"^\s*(?:{alternation(RECOMMENDATION_OPENERS)})\b", _I)
_RECOMMENDATION_MARKER = re.compile(
    rf"^\s*(?:{alternation(RECOMMENDATION_MARKERS)}|chỉ đạo|tổ chức)\b"
    r"|\b(?:sẽ tiếp tục|sẽ|cần phải|cần|phải|đề nghị|yêu cầu)\s+\w", _I,
)
_STRENGTH_MARKER = re.compile(rf"\b(?:{alternation(STRENGTH_MARKERS)})\b", _I)
# 'được nâng cao', 'có sự quan tâm': the text reports an improvement or support as done.
_ACHIEVED = re.compile(
    r"\b(?:được|có sự|đã có sự|từng bước được)\s+(?:\S+\s+)?(?:nâng cao|cải thiện|cải tiến|quan tâm|chú trọng|"
    r"duy trì|củng cố|kiện toàn|đẩy mạnh|tăng cường|đổi mới|đầu tư|nâng cấp|chấn chỉnh|khắc phục|hoàn thiện)\b", _I,
)
_REMEDIED = re.compile(
    r"(đã|được)\s+(triển khai|thực hiện|tổ chức)?[^.;]{0,30}?khắc phục[^.;]{0,30}?"
    r"(hạn chế|tồn tại|khuyết điểm|thiếu sót)", _I,
)
# 'chưa' with a negated fault is still a shortcoming ('chưa xử lý các trường hợp vi phạm').
_UNNEGATED_SHORTCOMING = re.compile(r"\bchưa\b(?!\s+(?:có|phát hiện|để xảy ra)\b)", _I)

POLARITY_RULES: tuple[PolarityRule, ...] = (  # first that applies decides
    PolarityRule("shortcoming_remedied", "strength", _REMEDIED, context=None,
                 examples=("huyện đã triển khai các biện pháp khắc phục hạn chế, khuyết điểm",)),
    PolarityRule("addressed_recommendation", "recommendation", _RECOMMENDATION_OPENER, unless=NEGATED_FAULT,
                 decisive=True,
                 examples=("cần tăng cường công tác kiểm tra", "đề nghị UBND xã bố trí ghế chờ cho người dân"),
                 counter_examples=("hồ sơ còn phải bổ sung nhiều lần",)),
    PolarityRule("under_recommendation_cue", "recommendation", None, context="recommendation"),
    PolarityRule("under_limitation_cue", "limitation", None, context="limitation"),
    PolarityRule("excused_absence", "strength", re.compile(
        r"\bvắng(?: mặt)?\b[^,;.]{0,40}?\b(?:đều\s+)?có\s+lý\s+do", _I),
        unless=re.compile(r"\b(không|chưa)\s+(có\s+)?lý\s+do", _I), decisive=True,
        examples=("5 công chức vắng mặt đều có lý do chính đáng",),
        counter_examples=("2 công chức vắng mặt không có lý do",)),
    PolarityRule("negated_fault", "strength", NEGATED_FAULT, unless=_UNNEGATED_SHORTCOMING, decisive=True,
                 examples=("không để xảy ra sai sót trong giải quyết hồ sơ", "không còn tình trạng cán bộ đi muộn",
                           "không có ý kiến phản ánh của người dân", "không có hồ sơ nào trễ hạn",
                           "không phát hiện sai phạm trong thu chi", "giáo viên không đến trường, đến lớp muộn"),
                 counter_examples=("một số công chức không đeo thẻ", "chưa xử lý các trường hợp vi phạm",
                                   "không có văn bản trả lời công dân")),
    PolarityRule("achievement_reported", "strength", _ACHIEVED, unless=re.compile(
        rf"{_LIMITATION_MARKER.pattern}|\b(?:cần|phải)\s+(?:được\s+)?\w|^\s*(?:đề nghị|yêu cầu|kiến nghị)\b", _I),
        decisive=True,
        examples=("chất lượng đội ngũ công chức được nâng cao, đạt chuẩn, đáp ứng yêu cầu nhiệm vụ",
                  "có sự quan tâm lãnh đạo, chỉ đạo của cấp ủy"),
        counter_examples=("chất lượng đội ngũ công chức cần được nâng cao",
                          "hồ sơ được tiếp nhận nhưng chưa cập nhật lên phần mềm")),
    PolarityRule("shortcoming_marker", "limitation", _LIMITATION_MARKER, decisive=True,
                 examples=("trụ sở một số xã chật hẹp", "có đơn vị không ban hành quy chế làm việc",
                           "không trả kết quả cho công dân kịp thời", "vắng 3/17 người tại thời điểm kiểm tra",
                           "việc tuyên truyền còn mang tính hình thức"),
                 counter_examples=("cán bộ không ngừng nâng cao trình độ chuyên môn",
                                   "bảng niêm yết bảo đảm về hình thức và nội dung theo quy định")),
    PolarityRule("recommendation_marker", "recommendation", _RECOMMENDATION_MARKER,
                 examples=("tiếp tục nâng cao chất lượng phục vụ người dân",)),
    PolarityRule("under_strength_cue", "strength", None, context="strength"),
    PolarityRule("strength_marker", "strength", _STRENGTH_MARKER,
                 examples=("hồ sơ giải quyết đúng hạn và trước hạn", "công chức tiếp dân lịch sự, hòa nhã")),
)


@dataclass(frozen=True)
class HeadRule:
    """A cue that introduces a list and gives its items a polarity ('còn một số hạn chế như:')."""

    name: str
    polarity: Polarity
    pattern: re.Pattern[str]
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()


# 'đề nghị' as a head, not when it is a noun ('theo đề nghị của', 'các kiến nghị').
_NOT_A_REQUEST = r"(?<!theo )(?<!đáp ứng )(?<!đạt )(?<!với )(?<!của )(?<!những )(?<!các )(?<!về )(?<!Về )" \
                 r"(?<!công tác )(?<!sự )(?<!phản ánh, )(?<!phản ánh )"
_SHORTCOMINGS = r"(hạn chế|tồn tại|khuyết điểm|thiếu sót|bất cập|vướng mắc|khó khăn|sai sót|vi phạm|sai phạm)"
HEAD_RULES: tuple[HeadRule, ...] = (
    # A follow-up check lists what was put right: its items are strengths.
    HeadRule("remedied_list", "strength", re.compile(
        rf"(kết quả|đã|được)\s+(?:\S+\s+){{0,2}}?khắc phục\s+(?:các\s+|những\s+)?{_SHORTCOMINGS}"
        r"[^.;:]{0,80}?(\bnhư\b\s*:?|\bsau\s*:|:)\s*", _I),
        examples=("Đoàn ghi nhận kết quả khắc phục những hạn chế đã chỉ ra năm trước: ",
                  "xã đã tập trung khắc phục các tồn tại như: "),
        counter_examples=("Đề nghị UBND xã khắc phục những hạn chế sau: ",)),
    HeadRule("limitation_list", "limitation", re.compile(
        rf"(?<!khắc phục )(?<!khắc phục các )(?<!khắc phục những ){_SHORTCOMINGS}"
        r"[^.;:]{0,80}?(\bnhư\b\s*:?|\bsau\s*:|:|\bđó là\b|(?<!nhất )\blà\b\s*:?)\s*", _I),
        examples=("Tuy nhiên, còn một số hạn chế như: ", "Những tồn tại, vi phạm: ")),
    HeadRule("recommendation_list", "recommendation", re.compile(
        rf"(?:^|[,;]\s*|\s){_NOT_A_REQUEST}(?:đã\s+)?"
        rf"(đề nghị|kiến nghị|yêu cầu|đề xuất|(?<!hòm thư )góp ý|lưu ý|nhắc nhở)\b[^.;:]{{0,100}}?"
        rf"(?::\s*|\s(?=(?:{alternation(RECOMMENDATION_VERBS)})\b))", _I),
        examples=("Đoàn kiểm tra đề nghị UBND xã bổ sung", "Trưởng đoàn yêu cầu lãnh đạo phường chấn chỉnh"),
        counter_examples=("theo đề nghị của Sở Nội vụ, thực hiện", "lãnh đạo huyện đã quan tâm chỉ đạo, hướng dẫn")),
    HeadRule("strength_list", "strength", re.compile(
        r"(ưu điểm|kết quả đạt được|mặt làm được|mặt mạnh)[^.;:]{0,60}?(\blà\b\s*:?|:|\bnhư\b\s*:?)\s*"
        r"|(cho thấy|ghi nhận|đánh giá)\s*:\s*|đánh giá cao\s+", _I),
        examples=("Kết quả đạt được là: ", "đoàn đánh giá cao ")),
)
_HEADING_POLARITY = (
    (re.compile(r"hạn chế|tồn tại|khuyết điểm|thiếu sót|vi phạm", _I), "limitation"),
    (re.compile(r"kiến nghị|đề nghị|yêu cầu|đề xuất|nhiệm vụ|giải pháp|phương hướng|khắc phục", _I),
     "recommendation"),
    (re.compile(r"ưu điểm|kết quả đạt được|kết quả thực hiện|mặt làm được", _I), "strength"),
)
# Connectors that open a clause and say nothing about it: dropped from the clause's text.
_SENTENCE_CONNECTOR = re.compile(
    r"\s*(tuy nhiên|tuy vậy|bên cạnh đó|ngoài ra|đồng thời|cùng với đó|mặt khác|nhìn chung|"
    r"qua kiểm tra( cho thấy)?|(qua )?kiểm tra( đột xuất)? (tại|ở) [^,]{1,60}|theo đánh giá[^,]*|"
    r"trong đó|cụ thể|đặc biệt|đáng chú ý|"
    r"tại [^,]{1,60}|đối với [^,]{1,60}|trong [^,]{1,60})\s*,\s*",
    _I,
)


@dataclass(frozen=True)
class SplitRule:
    """Where one sentence holds several statements: each rule names a kind of boundary."""

    name: str
    pattern: re.Pattern[str]
    examples: tuple[str, ...] = ()  # text with the boundary
    counter_examples: tuple[str, ...] = ()  # text where the rule must find no boundary


SPLIT_RULES: dict[str, SplitRule] = {rule.name: rule for rule in (
    # List items: semicolons, line breaks, a full stop between lower-case words, an ellipsis before a capital.
    SplitRule("list_item", re.compile(
        r"\s*;\s*|\s*\n\s*|(?<=[a-zà-ỹđ])\s*\.\s+(?=[a-zà-ỹđ])|(?<=…)\s+(?=[A-ZĐ])"),
        examples=("chưa niêm yết thủ tục; chưa có hòm thư góp ý",),
        counter_examples=("Quyết định số 12/QĐ-UBND ngày 3/4/2020",)),
    # A contrast: 'đã bố trí X nhưng Y chưa đáp ứng', '..., tuy nhiên vẫn còn ...'.
    SplitRule("contrast", re.compile(
        r"\s*,?\s+(nhưng|song|tuy nhiên|tuy vậy|nhưng vẫn|song vẫn)\s+(?:vẫn\s+)?(?=\S)", _I),
        examples=("xã đã bố trí phòng làm việc nhưng trang thiết bị chưa đáp ứng",
                  "hầu hết công chức chấp hành nghiêm, tuy nhiên vẫn còn người đi muộn"),
        counter_examples=("không những đúng hạn mà còn trước hạn",)),
    # A comma that opens a new predicate: 'đã làm A, ban hành B'.
    SplitRule("new_predicate", re.compile(
        r",\s+(?=(?:đã|chưa|không|còn|có|ban hành|bố trí|thực hiện|niêm yết|phân công|tổ chức|"
        r"triển khai|xây dựng|sắp xếp|cập nhật|kiện toàn|chấp hành|tiếp nhận|đeo|sử dụng|"
        r"hướng dẫn|thành lập|lưu trữ|chi trả|đảm bảo|bảo đảm|công khai|mở|ứng dụng|"
        r"thường xuyên|kịp thời|tuyên truyền|quán triệt)\s)", _I),
        examples=("UBND xã đã ban hành kế hoạch, bố trí công chức trực bộ phận một cửa",)),
    # A comma between two statements that each carry their own marker: 'A chưa ..., B còn chậm ...'.
    SplitRule("comma_run", re.compile(r"\s*,\s+"),
              examples=("xã A chưa niêm yết thủ tục, xã B chưa bố trí ghế chờ",),
              counter_examples=("quy chế chưa được sửa đổi bổ sung kịp thời",)),
    # A comma inside an enumeration after 'như:' / 'gồm': short items each make a statement.
    SplitRule("enumeration_comma", re.compile(r"\s*,\s*|\s+và\s+|…\s*"),
              examples=("bảng niêm yết đã cũ, chưa có hòm thư góp ý và chưa bố trí ghế chờ",)),
)}
_INLINE_ENUMERATION = re.compile(r"\b(?:như|gồm)\s*:\s*", _I)
_ENUMERATING_CUE = re.compile(r"\b(như|gồm|là)\s*:?\s*$", _I)
# Used with pattern.match(text, pos): no '^', which would not anchor at pos. A site tag ('(Báo X) - ') is junk too.
_LEADING_JUNK = re.compile(
    r"[\s\-+•*–,:;.…]+|(và|là|như|gồm|cụ thể)\s+|\([^()\n]{2,30}\)\s*[-–]\s*|[\w.]{1,25}\)\s*[-–]\s+", _I)
_QUANTITY = re.compile(
    r"\d+\s*/\s*\d+\s+[\wđ]+(?:\s[\wđ,]+){0,2}|\d+(?:[.,]\d+)?\s*%|"
    r"(?:có mặt|vắng mặt|vắng)\s+\d+\s*(?:người|công chức|cán bộ)?|\d+\s+(?:xã|hồ sơ|thủ tục|công chức|"
    r"cán bộ|đơn vị|trường|người)[^,;.]{0,30}",
    _I,
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
    polarity_rule: str | None = None  # the name of the rule that gave `rule_polarity`
    quantity: str | None = None


def cue_polarity(cue: str) -> str | None:
    """The polarity a list-introducing cue gives its items ('còn hạn chế như:')."""
    polarity = heading_polarity(cue)
    if polarity:
        return polarity
    if re.search(r"cho thấy|ghi nhận|đánh giá cao|\bđã\s*:?\s*$", cue, _I):
        return "strength"
    return None


def heading_polarity(text: str) -> str | None:
    """The polarity a section heading sets for the lines under it."""
    for pattern, polarity in _HEADING_POLARITY:
        if pattern.search(text):
            return polarity
    return None


def deciding_rule(text: str, *, context: str | None) -> PolarityRule | None:
    """The first rule of `POLARITY_RULES` that applies to a clause."""
    return next((rule for rule in POLARITY_RULES if rule.applies(text, context)), None)


def clause_polarity(text: str, *, context: str | None) -> str | None:
    """Polarity of one clause: the first rule of `POLARITY_RULES` that applies."""
    rule = deciding_rule(text, context=context)
    return rule.polarity if rule else None


def _split_items(text: str, start: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each list item of `text` (offsets relative to the document)."""
    pos = 0
    for sep in SPLIT_RULES["list_item"].pattern.finditer(text):
        yield start + pos, start + sep.start()
        pos = sep.end()
    yield start + pos, start + len(text)




def _split_short_commas(text: str, item: Span) -> list[Span]:
    """'như: A, B, C và D' with short items gives four items; long clauses stay whole."""
    parts: list[Span] = []
    pos = item[0]
    for sep in SPLIT_RULES["enumeration_comma"].pattern.finditer(text, item[0], item[1]):
        parts.append((pos, sep.start()))
        pos = sep.end()
    parts.append((pos, item[1]))
    parts = [p for p in parts if text[p[0]:p[1]].strip()]
    if len(parts) >= 3 and all(2 <= len(text[a:b].split()) <= 10 and has_topic(text[a:b]) for a, b in parts):
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


def find_head(body: str) -> tuple[Polarity, re.Match[str]] | None:
    """The list head that governs a sentence: in its first 60 %, or later when an item of
    MIN_CLAUSE_WORDS words follows it ('..., còn một số thiếu sót như không phổ biến kế hoạch').

    Where one head's cue starts inside another's ('chỉ ra nguyên nhân hạn chế, yêu
    cầu các đơn vị ...'), the inner one is the real head: the outer one's lazy gap swallowed it.
    """
    limit = max(len(body) * 0.6, 40)
    found = sorted(
        ((m.start(), head.polarity, m) for head in HEAD_RULES
         if (m := head.pattern.search(body))
         and (m.start() < limit or len(body[m.end():].split()) >= MIN_CLAUSE_WORDS)),
        key=lambda item: item[0],
    )
    if not found:
        return None
    _, polarity, chosen = found[0]
    for start, other_polarity, other in found[1:]:
        if start < chosen.end():
            polarity, chosen = other_polarity, other
    return polarity, chosen


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
    scope = _SCOPE_HEAD.search(body)
    if scope and scope.start() < len(body) * 0.6:
        # the items list what was inspected; only a statement before the list can be a finding
        return (split_sentence(text, (s, s + scope.start()), context=context, cue=cue)[0]
                if scope.start() > 20 else []), context, cue
    head_match = find_head(body)
    if head_match:
        polarity, m = head_match
        local_context, cue = polarity, body[: m.end()].strip()[-120:]
        item_start = s + m.end()
        if polarity == "recommendation":
            candidates.extend(_findings_before_head(text, s, s + m.start(), sentence, context))
        elif m.start() > 60:
            # a long run before the head is a statement of its own ('... tốt như: A, B. Tuy nhiên, còn hạn chế:')
            before, _, _ = split_sentence(text, (s, s + m.start()), context=context, cue=incoming_cue)
            candidates.extend(before)
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
            rule = deciding_rule(clause, context=local_context)
            if rule is None and candidates and candidates[-1].sentence_span == sentence:
                inherited = candidates[-1].rule_polarity
            candidates.append(
                Candidate(
                    span=span, text=clause, context_polarity=local_context, context_cue=cue,
                    sentence_span=sentence, rule_polarity=rule.polarity if rule else inherited,
                    polarity_rule=rule.name if rule else ("inherited" if inherited else None),
                    quantity=_quantity(clause),
                )
            )
    return candidates, local_context, cue


_HEAD_SUBJECT = re.compile(r"[,;]?\s*((các|những)\s+)?(đoàn|tổ)(\s+kiểm tra)?(\s+(đã|cũng|còn))*\s*$", re.IGNORECASE)


def _findings_before_head(
    text: str, start: int, head_start: int, sentence: Span, context: str | None
) -> list[Candidate]:
    """'Tuy nhiên, một số công chức chưa đạt yêu cầu, đoàn đã kiến nghị ...': the part before."""
    subject = _HEAD_SUBJECT.search(text, start, head_start)
    end = subject.start() if subject else head_start
    span = _trim(text, (start, end))
    clause = text[span[0]:span[1]]
    rule = deciding_rule(clause, context=context)
    if len(clause.split()) < 4 or rule is None:
        return []
    return [Candidate(span=span, text=clause, context_polarity=context, context_cue="",
                      sentence_span=sentence, rule_polarity=rule.polarity, polarity_rule=rule.name,
                      quantity=_quantity(clause))]


def _split_but(text: str, span: Span) -> list[Span]:
    """'đã bố trí X nhưng Y chưa đáp ứng' -> two spans; 'đã làm A, ban hành B' -> two;
    'đã niêm yết nhưng còn thiếu sót' stays one (its second half names no topic of its own)."""
    m = SPLIT_RULES["contrast"].pattern.search(text, span[0], span[1])
    if m and m.start() - span[0] >= 15 and has_topic(text[m.end():span[1]]):
        return _split_predicates(text, (span[0], m.start())) + _split_predicates(text, (m.end(), span[1]))
    return _split_predicates(text, span)


def _split_predicates(text: str, span: Span) -> list[Span]:
    """Split at a comma that starts a new predicate, keeping parts of 4+ words that each name a topic."""
    parts: list[Span] = []
    start = span[0]
    for m in SPLIT_RULES["new_predicate"].pattern.finditer(text, span[0], span[1]):
        left, right = text[start:m.start()], text[m.end():span[1]]
        if len(left.split()) >= 4 and len(right.split()) >= 4 and has_topic(left) and has_topic(right):
            parts.append((start, m.start()))
            start = m.end()
    parts.append((start, span[1]))
    return [piece for part in parts for piece in _split_comma_run(text, part)]


# Each statement of a comma run reports its own shortcoming; praise runs share one predicate too often to split.
_RUN_MARKER = re.compile(rf"{_LIMITATION_MARKER.pattern}|{NEGATED_FAULT.pattern}", _I)
COMMA_RUN_MIN_WORDS = 3  # each statement of a comma run names its subject and what it did


# Words that judge without naming what is judged ('chưa đúng quy định', 'thực hiện đầy đủ').
_JUDGEMENT_WORDS = re.compile(
    rf"{_LIMITATION_MARKER.pattern}|{_STRENGTH_MARKER.pattern}|\b(?:{_NEG}|theo|quy định|yêu cầu|đúng|hợp lý|"
    r"thường xuyên|chặt chẽ|còn|vẫn|được|và|nhưng|rất|các|những|một số|thực hiện|cơ bản|chưa thật sự|nhiều)\b", _I)
TOPIC_MIN_WORDS = 2  # a statement of its own names at least this many words besides its judgement


def has_topic(part: str) -> bool:
    """Whether a part names what it judges: 'chưa đúng quy định' does not, 'chưa niêm yết thủ tục' does."""
    return len(_JUDGEMENT_WORDS.sub(" ", part).split()) >= TOPIC_MIN_WORDS


def _is_marked_count(part: str) -> bool:
    """'trước hạn 112 hồ sơ', 'quá hạn 11 hồ sơ': a figure with its own judgement, one item of a breakdown."""
    return bool(_QUANTITY.search(part) and (_LIMITATION_MARKER.search(part) or _STRENGTH_MARKER.search(part)))


def _split_comma_run(text: str, span: Span) -> list[Span]:
    """'A chưa ..., B chưa ..., C còn chậm': a comma between two parts that each carry their own marker;
    'trước hạn 112 hồ sơ, đúng hạn 13 hồ sơ, quá hạn 11 hồ sơ': a breakdown of figures, each judged."""
    pieces: list[Span] = []
    pos = span[0]
    for m in SPLIT_RULES["comma_run"].pattern.finditer(text, span[0], span[1]):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, span[1]))
    if len(pieces) < 2:
        return [span]
    parts: list[Span] = [pieces[0]]
    for piece in pieces[1:]:
        last = parts[-1]
        left, right = text[last[0]:last[1]], text[piece[0]:piece[1]]
        if (len(left.split()) >= COMMA_RUN_MIN_WORDS and len(right.split()) >= COMMA_RUN_MIN_WORDS
                and has_topic(left) and has_topic(right)
                and (_RUN_MARKER.search(left) and _RUN_MARKER.search(right)
                     or _is_marked_count(left) and _is_marked_count(right))):
            parts.append(piece)
        else:
            parts[-1] = (last[0], piece[1])
    return parts


def _quantity(clause: str) -> str | None:
    m = _QUANTITY.search(clause)
    return m.group().strip() if m else None


# A clause that reports a shortcoming, a negated fault, or what the inspection found.
_FOUND = re.compile(
    rf"{_LIMITATION_MARKER.pattern}|{NEGATED_FAULT.pattern}|\b(?:ghi nhận|cho thấy|nhận thấy|chỉ ra)\b", _I,
)
# A clause that assesses: what `_FOUND` reads, praise, or a verb of judging.
_ASSESSED = re.compile(
    rf"{_FOUND.pattern}"
    rf"|\b(?:{alternation(tuple(m for m in STRENGTH_MARKERS if m not in ('đã', 'đạt', 'công khai')))})\b"
    r"|\b(?:nhận xét|đánh giá|xác định)\b", _I,
)


@dataclass(frozen=True)
class BackgroundRule:
    """A kind of clause that reports no finding: the inspection's own work, its basis, an announcement.

    A clause that also matches `unless` is not background: with `_ASSESSED`, one
    that assesses ('kiểm tra tại xã cho thấy vẫn còn ...'); with `_FOUND`, one that
    reports a shortcoming or what was found ('Qua đó, đã phát hiện ... chưa ...').
    """

    name: str
    pattern: re.Pattern[str]
    anchored: bool = False  # the pattern must match at the clause's start
    unless: re.Pattern[str] | None = None
    only_without_cue: bool = False  # under a list cue ('Hạn chế:') a bare topic is an item, not background
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()

    def matches(self, clause: str, context: str | None = None) -> bool:
        if self.only_without_cue and context:
            return False
        found = self.pattern.match(clause) if self.anchored else self.pattern.search(clause)
        return bool(found) and not (self.unless is not None and self.unless.search(clause))


_INSPECTORS = r"(?:đoàn|tổ|thanh tra|ban pháp chế|ban kinh tế|ban văn hóa|đại biểu|lãnh đạo|trưởng đoàn)"
BACKGROUND_RULES: tuple[BackgroundRule, ...] = (
    BackgroundRule("basis_schedule_or_speaker", re.compile(
        r"\s*(thực hiện (quyết định|kế hoạch|chỉ thị|công văn|thông báo)|căn cứ|theo (kế hoạch|quyết định)|"
        r"đoàn (kiểm tra )?(đã )?(tiến hành|đến|làm việc|kiểm tra (đột xuất )?(tại|việc))|"
        r"mục đích|nhằm|đây là|qua đó|thông qua|phát biểu|tham dự|cùng (ngày|đi)|"
        r"(trong|từ) (năm|đầu năm|ngày)|đến nay|dự kiến|theo đó|ông|bà|đồng chí|ngày \d|"
        r"(sáng|chiều|trưa|tối) (ngày|nay|qua|\d)|trước đó|kiểm tra (việc|hồ sơ|công tác|thực tế)|"
        r"(kiểm tra|thanh tra|giám sát|khảo sát)( chuyên đề)?( của [^,;]{1,40}?)? "
        r"(về|việc|các nội dung|nội dung|công tác|tình hình)\b|"
        r"kết quả (kiểm tra|thanh tra|giám sát|khảo sát)( cụ thể)? (của|tại|ở|như sau)\b)", _I),
        anchored=True, unless=_FOUND,
        examples=("Thực hiện Kế hoạch số 45/KH-UBND ngày 12/3/2022 của UBND tỉnh",
                  "Sáng 12/5/2022, Đoàn kiểm tra liên ngành đã tiến hành kiểm tra bất ngờ",
                  "Giám sát chuyên đề của Ban Kinh tế - Xã hội về việc giải quyết đơn thư tại các xã",
                  "kiểm tra các nội dung về quản lý đất đai, xây dựng và tài chính ngân sách"),
        counter_examples=("Qua đó, đã phát hiện nhiều đơn vị chưa quản lý chặt chẽ giờ làm việc",)),
    # Shortcomings announced or pointed at without saying what they are; a topic before them
    # ('quản lý đất đai của xã còn nhiều thiếu sót') makes the clause a finding.
    BackgroundRule("bare_announcement", re.compile(
        r"\s*(?:(?:ngoài|bên cạnh)[^,;]{0,40},\s*)?(?:trong quá trình[^,;]{0,40}?,?\s+)?(?:đồng thời\s+)?"
        r"(?:thẳng thắn\s+)?(?:(?:đoàn|tổ)(?: kiểm tra| giám sát)?\s+(?:đã\s+|cũng\s+)?)?(?:vẫn\s+|cũng\s+)?"
        r"(?:(?:còn|chỉ ra|chỉ rõ|nêu rõ|để xảy ra|có)\s+)*(?:các|một số|những|nhiều)\s+"
        rf"{_SHORTCOMINGS}(?:\s*,\s*{_SHORTCOMINGS})*(?:\s+nhất định)?(?:\s+(?:mà|của)\s+[^,;.:]{{0,50}})?"
        r"(?:\s+cần\s+(?:được\s+)?(?:khắc phục|chấn chỉnh)[^,;.:]{0,20})?\s*[.:]?\s*$", _I),
        anchored=True,
        examples=("vẫn còn một số hạn chế", "còn những tồn tại cần khắc phục",
                  "Ngoài những mặt tích cực, trong quá trình thực hiện còn để xảy ra các hạn chế, thiếu sót",
                  "đồng thời thẳng thắn chỉ ra những hạn chế mà các phòng gặp phải"),
        counter_examples=("còn một số hạn chế như chưa niêm yết thủ tục",
                          "còn một số sai sót trong ghi sổ hộ tịch",
                          "quản lý nhà nước về đất đai của xã còn nhiều thiếu sót")),
    BackgroundRule("inspectors_at_work", re.compile(
        rf"^[^;]{{0,80}}\b{_INSPECTORS}\b[^;]{{0,60}}?\b(đã |đến |tiến hành |làm việc |trực tiếp )"
        r"|\b(thành lập (các )?(đoàn|tổ) kiểm tra|giao (thực hiện |nhiệm vụ )?kiểm tra|"
        r"đã kiểm tra (được )?\d+|kiểm tra đột xuất (tại|\d+)|"
        r"(kiểm tra|thanh tra|giám sát|khảo sát|làm việc)( đột xuất| trực tiếp| thực tế)? (tại|với|ở) )", _I),
        unless=_ASSESSED,
        examples=("Phòng GD&ĐT huyện đã thành lập đoàn kiểm tra thực hiện kỷ luật, kỷ cương hành chính",
                  "từ đầu năm đến nay, Đoàn kiểm tra của huyện đã kiểm tra 12 cơ quan, đơn vị",
                  "Phó Chủ tịch UBND tỉnh cùng đoàn công tác kiểm tra tại Bộ phận một cửa huyện Yên Thế"),
        counter_examples=("UBND xã chưa thành lập đoàn kiểm tra công vụ theo quy định",
                          "xã đã ban hành kế hoạch tự kiểm tra công tác cải cách hành chính",
                          "kiểm tra tại xã Tân Lập cho thấy vẫn còn công chức đi muộn")),
    BackgroundRule("meeting_discussion", re.compile(
        r"\b(thảo luận|trao đổi|đặt câu hỏi|chất vấn|giải trình|làm rõ thêm)\b[^.;]{0,40}?"
        r"\b(các|những|về)\s+(vấn đề|nội dung|ý kiến|kiến nghị)", _I),
        examples=("Các đại biểu đã thảo luận, đặt câu hỏi về những vấn đề còn tồn tại trong thực hiện TTHC",),
        counter_examples=("xã chưa giải quyết dứt điểm các kiến nghị của công dân",)),
    BackgroundRule("explanation_reported", re.compile(
        r"^[^;]{0,80}\b(cho biết|giải trình|lý giải|thông tin thêm|chia sẻ|"
        r"(?<=\w )(?<!chưa )(?<!không )(?<!chậm )(?<!và )báo cáo (?:kết quả|về|tình hình))\b", _I),
        unless=re.compile(rf"{_FOUND.pattern}|\b(?:{alternation(RECOMMENDATION_OPENERS)})\b", _I),
        examples=("Liên quan đến việc này, lãnh đạo sở cho biết đã có văn bản báo cáo UBND tỉnh",
                  "Phó Chủ tịch UBND huyện báo cáo kết quả tiếp công dân, giải quyết đơn thư"),
        counter_examples=("Trưởng đoàn cho biết, qua kiểm tra, một số công chức chưa đeo thẻ",
                          "Đoàn yêu cầu huyện khắc phục các tồn tại và báo cáo kết quả về Sở Nội vụ",
                          "Báo cáo kết quả khắc phục về Phòng Nội vụ trước ngày 30/6")),
    BackgroundRule("topic_phrase", re.compile(r"\s*(công tác|việc|hoạt động)\s+\S+(\s+\S+){0,4}\s*$", _I),
        anchored=True, unless=_ASSESSED, only_without_cue=True,
        examples=("công tác tiếp công dân", "việc lưu trữ hồ sơ"),
        counter_examples=("việc niêm yết chưa đầy đủ",)),
    BackgroundRule("conclusion_announced", re.compile(
        r"\b(vừa (có|ban hành|công bố|ký) (thông báo )?kết luận|công bố kết luận|"
        r"(qua )?(xem xét|kiểm tra xác suất|rà soát) \d+ (hồ sơ|trường hợp)|ban hành (thông báo )?kết luận)", _I),
        unless=_ASSESSED,
        examples=("Thanh tra tỉnh Bắc Giang vừa có kết luận thanh tra về công tác tuyển dụng tại huyện Lục Ngạn",
                  "qua xem xét 25 hồ sơ bổ nhiệm tại sở"),
        counter_examples=("kết luận chỉ ra huyện tuyển dụng 5 trường hợp không đúng quy định",)),
)


def is_fragment(text: str, span: Span, name_spans: list[Span]) -> bool:
    """A clause that, its unit names aside, has under MIN_CLAUSE_WORDS words ('xã A của huyện B')."""
    words = 0
    pos = span[0]
    for start, end in sorted(name_spans):
        if end <= pos or start >= span[1]:
            continue
        words += len(text[pos:max(start, pos)].split())
        pos = max(pos, end)
    words += len(text[pos:span[1]].split())
    return words < MIN_CLAUSE_WORDS


# Lists of what an inspection covers ('kiểm tra các nội dung: cải cách thể chế, ...'): scope, not findings.
_SCOPE_HEAD = re.compile(
    r"\b(kiểm tra|thanh tra|giám sát|khảo sát|đánh giá)\s+(?:về\s+)?(?:các|những|một số|\d+)?\s*"
    r"(nội dung|lĩnh vực|nhóm nhiệm vụ|tiêu chí|chuyên đề)\b[^.;:]{0,60}?(?::|\bnhư\b|\bgồm\b|\bliên quan đến\b)"
    r"|\b(kiểm tra|thanh tra|giám sát|khảo sát)\b[^.;:]{0,120}?\b(?:bao gồm|gồm các nội dung|gồm)\s*:", _I)


@lru_cache(maxsize=1)
def _domain_labels() -> frozenset[str]:
    """The PAR-Index domain names and their short forms ('cải cách công vụ', 'chỉ đạo, điều hành')."""
    labels: set[str] = set()
    for label in load_taxonomy().domains.values():
        for name in (label.lower(), label.lower().split(", chính quyền")[0]):
            short = re.sub(r"\s+cải cách hành chính$", "", re.sub(r"^công tác\s+", "", name))
            labels |= {name, short, short.replace("chế độ ", ""), re.sub(r"^cải cách\s+", "", short)}
    return frozenset(labels)


def is_domain_label(clause: str) -> bool:
    """'cải cách công vụ', 'Công tác chỉ đạo, điều hành': the name of a reform domain, not a finding."""
    return re.sub(r"^(công tác|việc)\s+", "", clause.strip().lower().rstrip(" .;,")) in _domain_labels()


def is_background(clause: str, *, context: str | None = None) -> bool:
    """Statements about the inspection itself, its basis or schedule, bare announcements, domain names.

    `context` is the polarity of the list cue the clause sits under, if any.
    """
    return is_domain_label(clause) or any(rule.matches(clause, context) for rule in BACKGROUND_RULES)


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


DECISIVE_RULES = frozenset(rule.name for rule in POLARITY_RULES if rule.decisive)
