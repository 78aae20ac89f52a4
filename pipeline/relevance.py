"""Is a document, and each of its passages, about an inspection of administrative units?

A reform office's archive mixes inspection reports and news of inspections
with everything else: sport, health, business news that also says 'kiểm tra',
'vi phạm', 'chưa', 'đảm bảo'. Findings are mined only where the text reports
an inspection, supervision or assessment of administrative units (kiểm tra,
thanh tra, giám sát, đánh giá, phúc tra ... of UBND, Sở, phòng, xã, cơ quan)
or a topic of administrative reform (kỷ luật kỷ cương, công vụ, cải cách hành
chính, một cửa, thủ tục hành chính, tiếp công dân, tuyển dụng and bổ nhiệm,
chỉ số CCHC, SIPAS).

The evidence is a regex pass over the text with the cue table `CUES`, each
cue in one of four groups:

- `activity`: an inspection, supervision or assessment taking place;
- `unit`: an administrative unit or its staff (the object of the activity);
- `reform`: a topic of administrative reform (what inspections look at);
- `finding`: the polarity cue words of `pipeline/taxonomy.yaml` (what a
  finding says: 'chưa', 'đảm bảo', 'đề nghị').

A passage (a line of the text: a paragraph of news, an item of a report)
scores the weighted cue counts of its groups. Co-occurrence is what tells an
inspection from news that merely uses the words: an activity with a unit or a
reform topic in the same passage is an inspection passage ('core'); finding
words count only beside such evidence, a passage that is not core counts
half, and one without any activity, unit or reform cue scores nothing.

Passages about administration (core, or naming a unit or a reform topic)
with at most `context` other passages between them form a stretch: the
story of one subject. A stretch reports an inspection when it holds a core
passage and reform evidence and its score (the title counted `title_weight`
times) and its score per 1,000 characters reach their thresholds
(`RelevanceConfig`). The document is about an inspection when one of its
stretches is; the passages of those stretches, with `margin` passages on
either side, are the relevant ones: a mixed page mines only the stretch that
reports the inspection, and an off-topic document has no relevant passage.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from pipeline.contract import Span, Topic, settings_version
from pipeline.layout import Line
from pipeline.taxonomy import load_taxonomy

RELEVANCE_VERSION = "relevance.v1"

CueGroup = Literal["activity", "unit", "reform", "finding"]
GROUPS: tuple[CueGroup, ...] = ("activity", "unit", "reform", "finding")
# Lines that carry the text's own content; captions, chrome, bylines are furniture.
SCORED_KINDS = frozenset({"body", "title", "heading"})


@dataclass(frozen=True)
class Cue:
    """One rule of the cue table: a pattern, the group it is evidence for, and its weight.

    Patterns are written in lower case and matched against the lower-cased
    text (one lower-casing, then case-sensitive scans: twice as fast as
    IGNORECASE), unless `case_sensitive`. `positive` texts must match the
    pattern and `negative` texts must not (tests/test_relevance.py checks every row).
    """

    name: str
    group: CueGroup
    pattern: str
    weight: float
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    case_sensitive: bool = False


# Capitalised unit types stay case-sensitive: 'Sở Nội vụ' is a unit, 'cơ sở' is not.
_UPPER = "A-ZĐÁÀẢÃẠÂẤẦẨẪẬĂẮẰẲẴẶÉÈẺẼẸÊẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÚÙỦŨỤƯỨỪỬỮỰÝỲỶỸỴ"
_UNIT_NAME = rf"\b(?:Sở|Phòng|Chi cục|Cục|Văn phòng|Bộ phận)\s+[{_UPPER}]"

CUES: tuple[Cue, ...] = (
    # activity: an inspection, supervision or assessment taking place
    Cue("inspection_team", "activity",
        r"\b(đoàn|tổ) (công tác|kiểm tra|thanh tra|giám sát|khảo sát|liên ngành)|"
        r"\bkết luận (thanh tra|kiểm tra|giám sát)|\bthông báo kết luận\b|\bphúc tra\b|"
        r"\b(kiểm tra|thanh tra) (đột xuất|công vụ|việc chấp hành|việc thực hiện)|"
        r"\bchấm điểm\b|\bxác định chỉ số\b|\bthẩm định chỉ số\b",
        2.0,
        positive=("Đoàn kiểm tra của tỉnh", "theo kết luận thanh tra", "kiểm tra đột xuất tại xã",
                  "phúc tra kết quả chấm điểm"),
        negative=("đoàn vận động viên", "tổ chức giải đấu")),
    Cue("inspection_act", "activity",
        r"\b(kiểm tra|thanh tra|giám sát|khảo sát|tự kiểm tra)\b",
        1.0,
        positive=("đã kiểm tra tại", "Thanh tra tỉnh", "giám sát việc thực hiện"),
        negative=("kiểm soát dịch", "quan sát trận đấu")),
    Cue("assessment", "activity",
        r"\b(đánh giá|xếp loại|xếp hạng)\b(?! cao)",
        0.5,
        positive=("đánh giá kết quả", "xếp loại mức độ"),
        negative=("được đánh giá cao",)),
    Cue("work_visit", "activity",
        r"\blàm việc (với|tại)\b(?=.{0,40}\b(ubnd|ủy ban|huyện|xã|phường|sở|phòng|cơ quan)\b)",
        1.0,
        positive=("làm việc với UBND huyện",),
        negative=("làm việc với đối tác nước ngoài",)),
    # unit: an administrative unit or its staff
    Cue("people_committee", "unit",
        r"\b(ubnd|hđnd|ủy ban nhân dân|hội đồng nhân dân|mttq|mặt trận tổ quốc)\b",
        1.5,
        positive=("UBND xã Tam Hòa", "Ủy ban nhân dân huyện", "Đoàn giám sát HĐND tỉnh"),
        negative=("ủy ban olympic",)),
    Cue("named_agency", "unit", rf"{_UNIT_NAME}",
        1.0,
        positive=("tại Sở Nội vụ", "Phòng Tư pháp huyện", "Văn phòng Ủy ban", "Bộ phận Tiếp nhận và Trả kết quả"),
        negative=("các cơ sở kinh doanh", "phòng khám tư nhân", "Thanh tra tỉnh"),
        case_sensitive=True),
    Cue("local_level", "unit",
        r"\b(xã(?! hội| giao| luận)|phường|thị trấn|huyện|thị xã|cấp (xã|huyện|tỉnh|sở)|địa phương)\b",
        0.5,
        positive=("UBND các xã", "cấp huyện"),
        negative=("xã hội", "xã giao", "bình luận xã luận")),
    Cue("public_body", "unit",
        r"\b(cơ quan (hành chính|nhà nước|chuyên môn)|đơn vị (trực thuộc|sự nghiệp)|"
        r"cán bộ,? công chức|công chức|viên chức|trụ sở)\b",
        1.0,
        positive=("cán bộ, công chức", "cơ quan hành chính nhà nước", "trụ sở làm việc"),
        negative=("cán bộ y tế",)),
    # reform: the topics of administrative-reform inspections
    Cue("reform_programme", "reform",
        r"\b(cải cách hành chính|cchc|par[ -]?index|sipas|chỉ số hài lòng|sự hài lòng của (người dân|tổ chức)|"
        r"chính quyền điện tử|dịch vụ công( trực tuyến)?|(phục vụ )?hành chính công)\b",
        2.0,
        positive=("công tác cải cách hành chính", "chỉ số PAR INDEX", "dịch vụ công trực tuyến",
                  "Trung tâm Phục vụ hành chính công"),
        negative=("cải cách giáo dục",)),
    Cue("discipline", "reform",
        r"\b(kỷ luật,? kỷ cương|kỷ cương hành chính|công vụ|văn hóa công sở|quy chế làm việc|"
        r"nội quy cơ quan|lề lối làm việc|giờ hành chính|giờ làm việc|thời gian làm việc|"
        r"giờ giấc|đeo thẻ|thẻ công chức|thẻ cán bộ|đi muộn|về sớm|phiền hà|sách nhiễu)\b",
        2.0,
        positive=("kỷ luật, kỷ cương hành chính", "thực thi công vụ", "chưa đeo thẻ công chức"),
        negative=("kỷ luật đội bóng",)),
    Cue("administrative_procedure", "reform",
        r"\b(thủ tục hành chính|tthc|một cửa(?! hàng| sổ| ra vào)|tiếp nhận và trả kết quả|trả kết quả|tiếp công dân|"
        r"tiếp dân|khiếu nại,? tố cáo|đơn thư|phiếu hẹn|hồ sơ (trễ|quá) hạn|(trễ|quá) hạn|"
        r"niêm yết công khai|niêm yết (các |đầy đủ )?thủ tục|văn thư|lưu trữ hồ sơ|công tác lưu trữ|"
        r"giải quyết (đúng|trước|trễ|quá) hạn|hồ sơ trực tuyến|số hóa hồ sơ)\b",
        2.0,
        positive=("bộ phận một cửa", "giải quyết TTHC", "hồ sơ trễ hạn", "công tác tiếp công dân",
                  "tỷ lệ giải quyết đúng hạn"),
        negative=("cổ phiếu niêm yết", "mở một cửa hàng", "chỉ có một cửa ra vào")),
    Cue("public_finance", "reform",
        r"\b(ngân sách|thu,? chi|dự toán|quyết toán|chi thường xuyên|chi sai|tài sản công|"
        r"chi tiêu nội bộ|tự chủ tài chính|thực hành tiết kiệm|chống lãng phí|"
        r"mua sắm (tài sản|trang thiết bị))\b",
        1.0,
        positive=("thu, chi ngân sách", "quy chế chi tiêu nội bộ", "thực hành tiết kiệm, chống lãng phí"),
        negative=("chi phí sản xuất",)),
    Cue("personnel", "reform",
        r"\b(tuyển dụng|bổ nhiệm|thi tuyển|xét tuyển|biên chế|vị trí việc làm|điều động|luân chuyển|"
        r"xử lý kỷ luật|kiểm điểm trách nhiệm)\b",
        1.0,
        positive=("tuyển dụng công chức", "bổ nhiệm lại", "vị trí việc làm", "kiến nghị xử lý kỷ luật"),
        negative=()),
)

# Finding words come from the taxonomy's polarity cues, not from a second list.
FINDING_CUE_WEIGHT = 0.25


@dataclass(frozen=True)
class RelevanceConfig:
    """The thresholds of the decision (part of the version every stored result records).

    Attributes:
        document_threshold: the score a stretch of passages reaches (its title
            counted `title_weight` times) to report an inspection.
        density_minimum: the score per 1,000 characters of the stretch it
            reaches too: an inspection report talks about the inspection
            throughout, a story that mentions one in passing does not.
        density_floor: texts shorter than this many characters count as this
            long (a two-line item is judged on its score, not its density).
        reform_minimum: the reform-topic evidence the stretch has at least (one
            strong reform cue): an inspection of anything else (a hospital's
            drugs, a firm's accounts) gives no finding of the taxonomy.
        title_weight: how many times the title's evidence counts.
        context: passages not about administration that may lie between two
            passages of one stretch (a report's list items rarely repeat who
            was inspected).
        margin: passages before and after a stretch that are relevant with it
            (a closing remark; the first lines of the next story on a page are not).
        group_cap: the most one cue counts in one passage (repetition is not more evidence).
        finding_cap: the most the finding words count in one passage.
    """

    document_threshold: float = 8.0
    density_minimum: float = 5.0
    density_floor: int = 1000
    reform_minimum: float = 2.0
    title_weight: float = 3.0
    context: int = 3
    margin: int = 1
    group_cap: int = 3
    finding_cap: float = 1.0

    @property
    def version(self) -> str:
        return f"{RELEVANCE_VERSION}+{settings_version(self)}"


@dataclass(frozen=True)
class PassageScore:
    """The evidence of one passage (a line of the text)."""

    span: Span
    groups: dict[str, float]
    score: float  # weighted: a title counts `title_weight` times
    core: bool
    relevant: bool = False


@dataclass(frozen=True)
class Stretch:
    """Consecutive passages about one subject: passages about administration, with short gaps between."""

    first: int  # index of its first passage about administration
    last: int  # index of its last passage about administration
    score: float
    reform: float
    chars: int
    core: bool

    def density(self, floor: int) -> float:
        """Score per 1,000 characters (a text shorter than `floor` counts as `floor` long)."""
        return 1000 * self.score / max(self.chars, floor)

    def reports_inspection(self, config: RelevanceConfig) -> bool:
        return (self.core and self.reform >= config.reform_minimum
                and self.score >= config.document_threshold
                and self.density(config.density_floor) >= config.density_minimum)


@dataclass
class Relevance:
    """The decision for one document: its topic, how sure, and its relevant passages."""

    topic: Topic
    confidence: float
    score: float  # the best stretch's score
    passages: list[PassageScore] = field(default_factory=list)
    version: str = RELEVANCE_VERSION

    def relevant_spans(self) -> list[Span]:
        """(start, end) of the relevant passages, in text order."""
        return [p.span for p in self.passages if p.relevant]

    def covers(self, span: Span) -> bool:
        """Whether `span` starts in a relevant passage."""
        return any(p.span[0] <= span[0] < p.span[1] for p in self.passages if p.relevant)


@lru_cache(maxsize=1)
def compiled_cues() -> tuple[tuple[Cue, re.Pattern[str]], ...]:
    """The cue table compiled, with the taxonomy's polarity cues as the finding group."""
    words = sorted({w.lower() for cues in load_taxonomy().polarities.values() for w in cues}, key=len, reverse=True)
    finding = Cue("taxonomy_polarity", "finding", r"\b(" + "|".join(map(re.escape, words)) + r")\b",
                  FINDING_CUE_WEIGHT)
    return tuple((cue, re.compile(cue.pattern)) for cue in (*CUES, finding))


def find_cues(text: str) -> list[tuple[int, Cue]]:
    """(offset, cue) of every cue match in `text`, cue by cue."""
    lowered = text.lower()
    return [
        (match.start(), cue)
        for cue, pattern in compiled_cues()
        for match in pattern.finditer(text if cue.case_sensitive else lowered)
    ]


def _evidence(hits: Iterable[Cue], config: RelevanceConfig) -> dict[str, float]:
    """Weighted cue counts per group (each cue counted at most `group_cap` times)."""
    counts = Counter(hits)
    evidence = dict.fromkeys(GROUPS, 0.0)
    for cue, count in counts.items():
        evidence[cue.group] += cue.weight * min(count, config.group_cap)
    evidence["finding"] = min(evidence["finding"], config.finding_cap)
    return evidence


def group_evidence(text: str, *, config: RelevanceConfig | None = None) -> dict[str, float]:
    """Weighted cue counts per group in `text`, one passage."""
    return _evidence((cue for _, cue in find_cues(text)), config or RelevanceConfig())


def passage_score(evidence: dict[str, float]) -> tuple[float, bool]:
    """(score, core) of a passage from its group evidence.

    Core: an activity beside a unit or a reform topic. Finding words count only
    beside a core passage or a reform topic; a passage that is not core counts
    half, and one with no activity, unit or reform evidence scores nothing.
    """
    activity, unit, reform, finding = (evidence[g] for g in GROUPS)
    core = activity > 0 and (unit > 0 or reform > 0)
    score = activity + unit + reform
    if core or reform > 0:
        score += finding
    if not core:
        score /= 2
    return score, core


def score_passages(text: str, lines: Iterable[Line], *, config: RelevanceConfig) -> list[PassageScore]:
    """The evidence of every passage: the title, heading and body lines of the text.

    The text is scanned once per cue and each match given to its passage.
    """
    scored = [ln for ln in lines if ln.kind in SCORED_KINDS and ln.start < ln.end]
    starts = [ln.start for ln in scored]
    hits: list[list[Cue]] = [[] for _ in scored]
    for offset, cue in find_cues(text):
        i = bisect_right(starts, offset) - 1
        if i >= 0 and offset < scored[i].end:
            hits[i].append(cue)
    passages = []
    for line, cues in zip(scored, hits, strict=True):
        evidence = _evidence(cues, config)
        score, core = passage_score(evidence)
        if line.kind == "title":
            score *= config.title_weight
        passages.append(PassageScore(span=(line.start, line.end), groups=evidence, score=score, core=core))
    return passages


def find_stretches(passages: list[PassageScore], *, context: int) -> list[Stretch]:
    """Group the passages about administration into stretches (at most `context` passages between two)."""
    stretches: list[Stretch] = []
    chain: list[int] = []
    for i in [i for i, p in enumerate(passages) if _on_subject(p)] + [len(passages) + context + 1]:
        if chain and i - chain[-1] > context + 1:
            inside = passages[chain[0]:chain[-1] + 1]
            stretches.append(Stretch(
                first=chain[0], last=chain[-1], score=sum(p.score for p in inside),
                reform=sum(p.groups["reform"] for p in inside),
                chars=sum(p.span[1] - p.span[0] for p in inside), core=any(p.core for p in inside),
            ))
            chain = []
        chain.append(i)
    return stretches


def _on_subject(passage: PassageScore) -> bool:
    """A passage about administration: an inspection, a unit or a reform topic (not a bare 'kiểm tra')."""
    return passage.core or passage.groups["unit"] > 0 or passage.groups["reform"] > 0


def judge(text: str, lines: Iterable[Line], *, config: RelevanceConfig | None = None) -> Relevance:
    """Decide the topic of a document and the relevance of each of its passages.

    The document reports an inspection when one of its stretches does; the
    passages of those stretches, with `margin` passages on either side, are
    the relevant ones.
    """
    config = config or RelevanceConfig()
    passages = score_passages(text, lines, config=config)
    stretches = find_stretches(passages, context=config.context)
    reporting = [s for s in stretches if s.reports_inspection(config)]
    relevant = {
        i for s in reporting
        for i in range(max(s.first - config.margin, 0), min(s.last + config.margin + 1, len(passages)))
    }
    best = max(reporting or stretches, key=lambda s: _likelihood(s, config), default=None)
    likelihood = _likelihood(best, config) if best else 0.0
    return Relevance(
        topic="inspection" if reporting else "other",
        confidence=round(likelihood if reporting else 1 - likelihood, 4),
        score=round(best.score, 3) if best else 0.0,
        passages=[
            PassageScore(p.span, p.groups, p.score, p.core, relevant=i in relevant)
            for i, p in enumerate(passages)
        ],
        version=config.version,
    )


def _likelihood(stretch: Stretch, config: RelevanceConfig) -> float:
    """How clearly a stretch reports an inspection: 0.5 at a threshold, towards 1 above all of them.

    The least clear of its score and its density decides; a stretch without a
    core passage or reform evidence stays below 0.5.
    """

    def above(value: float, threshold: float) -> float:
        return 1 / (1 + math.exp(-4 * (value - threshold) / threshold))

    likelihood = min(above(stretch.score, config.document_threshold),
                     above(stretch.density(config.density_floor), config.density_minimum))
    if not (stretch.core and stretch.reform >= config.reform_minimum):
        likelihood = min(likelihood, 0.25)
    return likelihood
