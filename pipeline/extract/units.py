"""Administrative units: find mentions, expand lists, canonicalise, give roles.

A mention is a level word followed by a capitalised name ('xã Tam Hòa',
'UBND huyện Đô Lương', 'Sở Tư pháp', 'trường THCS Lê Lợi'). Lists share
their level ('các xã: A, B và thị trấn C'). A bare name that some other
mention already names ('kiểm tra tại Tam Hòa') is a mention of that unit.
Person names are never units: a unit needs a level word or a known name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.contract import Span, Unit
from pipeline.extract.gazetteer import COMMUNE_LEVELS, DISTRICT_LEVELS, Gazetteer

UNITS_VERSION = "units.v1"

_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_LOWER = "a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
# A capitalised syllable: 'Tam', 'Đắk', 'H'Mông', two-capital 'AL' (xã AL Bá); never a run
# of capitals such as 'UBND'. Names join syllables by one space, never a line break.
_CAP_WORD = (
    rf"[{_UPPER}](?:(?<=[A-Z])[A-Z](?![{_UPPER}{_LOWER}])|[{_LOWER}]*(?:['’][{_UPPER}]?[{_LOWER}]+)?)"
    rf"(?:-[{_UPPER}{_LOWER}][{_LOWER}]*)?(?![{_UPPER}{_LOWER}\d])"
)
_PLACE_NAME = rf"(?:{_CAP_WORD}(?: {_CAP_WORD}){{0,3}}|\d{{1,2}}(?!\d|/))"
# What follows a list's last place name when the list has ended: an institution or a person.
_NOT_A_PLACE = re.compile(
    r"(UBND|HĐND|Ủy|Chủ|Phó|Đoàn|Tổ|Sở|Phòng|Ban|Trạm|Trường|Công an|Bộ phận|Thực hiện|Văn phòng|"
    r"Trung tâm|Chi nhánh|Chi cục|Hội|Đội|Bệnh viện|Thư viện|Nhà văn hóa|Kho bạc|Bưu điện|Ngân hàng|"
    r"Hạt|Đài|Cán bộ|Công chức|Lãnh đạo|Qua|Tại|Theo|Tuy|Đồng chí|Ông|Bà|TP|TT|TX)\b"
)
_SURNAMES = frozenset(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Đoàn Lương "  # noqa: SIM905
    "Mai Cao Tạ Lâm Hà Tô Chu Lưu Vương Quách Thái Triệu Kiều Tăng Lò Lục Nông".split()
)
_PERSON_ROLE_BEFORE = re.compile(
    r"(chủ tịch|phó|trưởng|giám đốc|bí thư|đồng chí|ông|bà|thường trực)[^.;:\n]{0,25}$", re.IGNORECASE
)

ADMIN_LEVELS = {  # level word -> (level code, canonical prefix)
    "thị trấn": ("thi_tran", "thị trấn"),
    "thị xã": ("thi_xa", "thị xã"),
    "thành phố": ("thanh_pho", "thành phố"),
    "tp.": ("thanh_pho", "thành phố"),
    "tp": ("thanh_pho", "thành phố"),
    "tt.": ("thi_tran", "thị trấn"),
    "xã": ("xa", "xã"),
    "phường": ("phuong", "phường"),
    "huyện": ("huyen", "huyện"),
    "quận": ("quan", "quận"),
    "tỉnh": ("tinh", "tỉnh"),
}
_ADMIN_WORD = "|".join(sorted((re.escape(w) for w in ADMIN_LEVELS), key=len, reverse=True))
_ADMIN = re.compile(
    rf"(?<![\w.])(?P<plural>(?i:các|những|\d+)\s+)?(?P<level>(?i:{_ADMIN_WORD}))"
    rf"(?:[ \t]*:)?[ \t]+(?P<name>{_PLACE_NAME})"
)
_LIST_ITEM = re.compile(
    rf"\s*(?:,\s*và\b|,|;|\bvà\b)\s*(?P<name>{_PLACE_NAME})(?!\s*(?i:{_ADMIN_WORD})\b)"
)
_PAREN_PARENT = re.compile(rf"\s*\((?:huyện\s+|thị xã\s+|TP\.?\s*|thành phố\s+)?(?P<name>{_PLACE_NAME})\)")
_COMMA_PARENT = re.compile(
    rf"\s*,\s*(?P<level>(?i:huyện|quận|thị xã|thành phố)|TP\.?)\s+(?P<name>{_PLACE_NAME})"
)

AGENCIES = {  # canonical name -> variants (folded by `_agency_key`)
    "Sở Nội vụ": ["nội vụ", "nv"],
    "Sở Tư pháp": ["tư pháp"],
    "Sở Kế hoạch và Đầu tư": ["kế hoạch và đầu tư", "kh&đt", "khđt"],
    "Sở Tài chính": ["tài chính"],
    "Sở Công thương": ["công thương", "công nghiệp"],
    "Sở Nông nghiệp và Phát triển nông thôn": ["nông nghiệp và phát triển nông thôn", "nn&ptnt", "nnptnt"],
    "Sở Nông nghiệp và Môi trường": ["nông nghiệp và môi trường"],
    "Sở Giao thông vận tải": ["giao thông vận tải", "giao thông - vận tải", "gtvt"],
    "Sở Xây dựng": ["xây dựng"],
    "Sở Tài nguyên và Môi trường": ["tài nguyên và môi trường", "tn&mt", "tnmt"],
    "Sở Thông tin và Truyền thông": ["thông tin và truyền thông", "tt&tt", "tttt"],
    "Sở Lao động - Thương binh và Xã hội": ["lao động - thương binh và xã hội", "lao động thương binh và xã hội", "lđ-tb&xh", "lđtbxh"],
    "Sở Văn hóa, Thể thao và Du lịch": ["văn hóa, thể thao và du lịch", "văn hóa thể thao và du lịch", "vhttdl", "vh-tt-dl", "vhtt&dl"],
    "Sở Văn hóa và Thể thao": ["văn hóa và thể thao"],
    "Sở Du lịch": ["du lịch"],
    "Sở Khoa học và Công nghệ": ["khoa học và công nghệ", "kh&cn", "khcn"],
    "Sở Giáo dục và Đào tạo": ["giáo dục và đào tạo", "gd&đt", "gdđt"],
    "Sở Y tế": ["y tế"],
    "Sở Ngoại vụ": ["ngoại vụ"],
    "Sở Dân tộc và Tôn giáo": ["dân tộc và tôn giáo"],
}
OFFICES = {
    "Phòng Nội vụ": ["nội vụ", "nv"],
    "Phòng Tư pháp": ["tư pháp"],
    "Phòng Tài chính - Kế hoạch": ["tài chính - kế hoạch", "tài chính kế hoạch", "tc-kh", "tckh"],
    "Phòng Tài nguyên và Môi trường": ["tài nguyên và môi trường", "tn&mt", "tnmt"],
    "Phòng Lao động - Thương binh và Xã hội": ["lao động - thương binh và xã hội", "lđ-tb&xh", "lđtbxh"],
    "Phòng Văn hóa và Thông tin": ["văn hóa và thông tin", "văn hóa - thông tin", "vh&tt", "vhtt"],
    "Phòng Văn hóa, Khoa học và Thông tin": ["văn hóa, khoa học và thông tin"],
    "Phòng Giáo dục và Đào tạo": ["giáo dục và đào tạo", "gd&đt", "gdđt", "giáo dục"],
    "Phòng Y tế": ["y tế"],
    "Phòng Kinh tế": ["kinh tế"],
    "Phòng Kinh tế và Hạ tầng": ["kinh tế và hạ tầng", "kt&ht", "kinh tế - hạ tầng"],
    "Phòng Quản lý đô thị": ["quản lý đô thị", "qlđt"],
    "Phòng Nông nghiệp và Phát triển nông thôn": ["nông nghiệp và phát triển nông thôn", "nn&ptnt", "nông nghiệp"],
    "Phòng Dân tộc": ["dân tộc"],
    "Phòng Nội vụ - Lao động": ["nội vụ - lao động"],
}
_AGENCY_START = re.compile(r"(?<!\w)(Sở|Phòng)\s+(?=\S)")
_AGENCY_FALLBACK = re.compile(
    rf"({_CAP_WORD}(?:\s(?:[{_LOWER}]+|{_CAP_WORD})){{0,3}}?)"
    r"(?=\s+(?:đã|và|của|tại|trong|về|được|có|thực hiện|huyện|tỉnh|thành phố)\b|[,.;:()\n]|$)"
)
_SCHOOL = re.compile(
    rf"(?<!\w)[Tt]rường\s+(?P<type>Tiểu học và THCS|TH&THCS|TH và THCS|PTDTBT\s+(?:TH|THCS|TH&THCS)|"
    rf"PTDTNT|Tiểu học|Mầm non|Mẫu giáo|THCS|THPT|TH|MN|PTCS|Trung học cơ sở|Trung học phổ thông)"
    rf"\s+(?:số\s+\d+\s+)?(?P<name>{_PLACE_NAME})"
)
_INSPECTOR = re.compile(
    r"(?<!\w)(?:[Đđ]oàn|[Tt]ổ)\s+(?:kiểm tra|công tác|liên ngành|thanh tra|giám sát)"
    r"[^.;:\n]{0,140}?(?=\s+(?:đã|đặt ra|tiến hành|đến|làm việc|đánh giá|chỉ ra|đề nghị|"
    r"kiến nghị|yêu cầu|cũng|ghi nhận|nhận thấy|do|gồm|tại|vào|việc|đột xuất|thực hiện)\b|"
    r"[.;:,\n(]|\s+kiểm tra\b)"
)
_INSPECTION_TARGET = re.compile(
    r"(kiểm tra|làm việc|khảo sát|thanh tra|giám sát)[^.;\n]{0,160}?\b(tại|đối với|với|ở|đến)\s*$",
    re.IGNORECASE,
)
_TITLE_SUBJECT = re.compile(rf"^(?P<name>{_PLACE_NAME})\s*:")


@dataclass
class UnitMention:
    """A unit named in the text, before merging into `Unit`s."""

    level: str
    name: str
    span: Span
    parent: str | None = None
    in_list: bool = False
    key: str = ""

    def __post_init__(self) -> None:
        self.key = self.key or self.name


def _admin_name(level: str, name: str) -> str:
    prefix = next(p for lvl, p in ADMIN_LEVELS.values() if lvl == level)
    return f"{prefix} {name}"


def bare_name(name: str) -> str:
    """'thị trấn Hòa Bình' -> 'Hòa Bình'."""
    for _, prefix in sorted(ADMIN_LEVELS.values(), key=lambda v: -len(v[1])):
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


def _agency_key(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace(",", "").replace("–", "-")).strip()


def _match_agency(text: str, start: int, table: dict[str, list[str]]) -> tuple[str, int] | None:
    """The longest known agency name at `start`, and where it ends."""
    window = text[start : start + 60]
    lowered = window.lower()
    best: tuple[str, int] | None = None
    for canonical, variants in table.items():
        for variant in variants:
            pattern = r"\s*".join(re.escape(part) for part in variant.replace(",", " ,").split())
            pattern = pattern.replace(r"\s*,", r"\s*,?")
            m = re.match(rf"{pattern}(?![\w&])", lowered)
            if m and (best is None or m.end() > best[1]):
                best = (canonical, m.end())
    if best is None:
        return None
    return best[0], start + best[1]


def find_unit_mentions(text: str) -> list[UnitMention]:
    """Every unit mention with a level word, lists expanded, in text order."""
    mentions: list[UnitMention] = []
    for m in _ADMIN.finditer(text):
        level, _ = ADMIN_LEVELS[m.group("level").lower()]
        name = m.group("name")
        if level in ("huyen", "quan", "thi_xa", "thanh_pho", "tinh") and name[0].isdigit() and level != "quan":
            continue
        start, end = m.start("level"), m.end("name")
        if _is_person(text, start, name):
            continue  # 'Phó Chủ tịch UBND huyện Trần Văn A' names a person, not a district
        parent = None
        paren = _PAREN_PARENT.match(text, end)
        comma = _COMMA_PARENT.match(text, end)
        if level in COMMUNE_LEVELS and paren:
            parent = f"huyện {paren.group('name')}"
        elif level in COMMUNE_LEVELS + ("truong",) and comma:
            parent = _admin_name(ADMIN_LEVELS[comma.group("level").lower()][0], comma.group("name"))
        if level in ("thi_tran", "phuong") and re.search(r"xã\s*(,|và|/)\s*$", text[max(0, start - 8) : start]):
            level = "xa"  # 'tại 4 xã, thị trấn: A, B, C' lists communes; a town is named 'thị trấn D'
        mentions.append(UnitMention(level, _admin_name(level, name), (start, end), parent))
        pos = end
        while True:
            item = _LIST_ITEM.match(text, pos)
            if not item or item.group("name")[0].isdigit() and level not in ("phuong", "quan"):
                break
            item_name = item.group("name")
            if _NOT_A_PLACE.match(text, item.start("name")):
                break
            mentions.append(
                UnitMention(level, _admin_name(level, item_name), item.span("name"), parent, in_list=True)
            )
            pos = item.end("name")
    mentions.extend(_find_agencies(text))
    sector = _find_sector_units(text)
    # 'Trạm Y tế xã A' is the station, not also the commune it serves.
    mentions = [m for m in mentions if not any(s.span[0] <= m.span[0] < s.span[1] for s in sector)]
    mentions.extend(sector)
    for m in _SCHOOL.finditer(text):
        mentions.append(UnitMention("truong", f"trường {m.group('type')} {m.group('name')}", m.span()))
    mentions.sort(key=lambda u: u.span)
    return mentions


_HEADER_LEVEL = re.compile(
    r"^(?:(?:ỦY BAN NHÂN DÂN|UBND)\s+)?(?P<level>XÃ|PHƯỜNG|THỊ TRẤN|HUYỆN|QUẬN|THỊ XÃ|THÀNH PHỐ|TP\.?)\s+"
    r"(?P<name>[^\n]{2,40})$"
)
_HEADER_STOP = re.compile(r"^(CỘNG HÒA|Độc lập|Số\s*:|BÁO CÁO|THÔNG BÁO|QUYẾT ĐỊNH|KẾ HOẠCH)")


def find_header_issuer(text: str) -> UnitMention | None:
    """The issuing unit in a formal document's header ('ỦY BAN NHÂN DÂN / XÃ THANH ĐỨC', 'SỞ NỘI VỤ')."""
    issuer: UnitMention | None = None
    pos = 0
    for line in text.split("\n")[:8]:
        start, pos = pos, pos + len(line) + 1
        stripped = line.strip()
        if _HEADER_STOP.match(stripped):
            break
        if not stripped or stripped != stripped.upper():
            continue
        if m := _HEADER_LEVEL.match(stripped):
            level, _ = ADMIN_LEVELS[m.group("level").lower()]
            name = " ".join(w.capitalize() for w in m.group("name").split())
            offset = start + line.index(stripped)
            issuer = UnitMention(level, _admin_name(level, name), (offset + m.start(), offset + m.end()))
        elif stripped.startswith(("SỞ ", "PHÒNG ")):
            kind = "Sở" if stripped.startswith("SỞ") else "Phòng"
            lowered = stripped.lower()
            known = _match_agency(lowered, len(kind) + 1, AGENCIES if kind == "Sở" else OFFICES)
            if known:
                offset = start + line.index(stripped)
                issuer = UnitMention("so" if kind == "Sở" else "phong", known[0], (offset, offset + known[1]),
                                     key=known[0])
    return issuer


def _is_person(text: str, start: int, name: str) -> bool:
    words = name.split()
    return (len(words) >= 3 and words[0] in _SURNAMES
            and bool(_PERSON_ROLE_BEFORE.search(text[max(0, start - 40) : start])))


_SECTOR_UNIT = re.compile(
    rf"(?<!\w)(?P<kind>Trạm [Yy] tế|Công an|Ban Chỉ huy Quân sự)\s+"
    rf"(?P<level>xã|phường|thị trấn|huyện|quận|thị xã|thành phố)(?:\s+(?P<name>{_PLACE_NAME}))?"
)
# Provincial institutions named by their province: 'Thư viện tỉnh', 'Trung tâm Văn hóa tỉnh'.
_PROVINCIAL_BODY = re.compile(
    r"(?<!\w)(?P<name>(?:Thư viện|Bảo tàng|Nhà hát|Trung tâm(?: [A-ZĐ][^\s,.;:()]*| [a-zđà-ỹ]+){1,5}?) tỉnh)"
    rf"(?!\s*[{_UPPER}])"
)


def _find_sector_units(text: str) -> list[UnitMention]:
    """Health stations, police, military commands of a commune or district; provincial institutions.

    'Công an huyện' without a name takes its district later (`_fill_district_parents`).
    """
    found = []
    for m in _SECTOR_UNIT.finditer(text):
        kind = m.group("kind")
        kind = "Trạm Y tế" if kind.lower().startswith("trạm") else kind
        level, _ = ADMIN_LEVELS[m.group("level")]
        if m.group("name"):
            name = f"{kind} {_admin_name(level, m.group('name'))}"
            found.append(UnitMention("co_quan", name, (m.start(), m.end()), key=name))
        elif level in DISTRICT_LEVELS:
            name = f"{kind} {_admin_name(level, '').strip()}"
            found.append(UnitMention("co_quan", name, (m.start(), m.end()), parent="?" + level, key=name))
    for m in _PROVINCIAL_BODY.finditer(text):
        found.append(UnitMention("co_quan", m.group("name"), m.span("name"), key=m.group("name")))
    return found


def _find_agencies(text: str) -> list[UnitMention]:
    found = []
    for m in _AGENCY_START.finditer(text):
        kind = m.group(1)
        table = AGENCIES if kind == "Sở" else OFFICES
        known = _match_agency(text, m.end(), table)
        if known:
            key, end = known
        else:
            fallback = _AGENCY_FALLBACK.match(text, m.end())
            if not fallback:
                continue
            end = fallback.end(1)
            key = f"{kind} {fallback.group(1)}"
        level = "so" if kind == "Sở" else "phong"
        parent_match = _COMMA_PARENT.match(text, end) or re.match(
            rf"\s+(?P<level>huyện|quận|thị xã|thành phố)(?![\w ]*\s(?:ủy)\b)(?:\s+(?P<name>{_PLACE_NAME}))?",
            text[end:],
        )
        parent = None
        if kind == "Phòng" and parent_match is not None and parent_match.re is not _COMMA_PARENT:
            level_code = ADMIN_LEVELS[parent_match.group("level").lower()][0]
            if parent_match.group("name"):
                parent = _admin_name(level_code, parent_match.group("name"))
                end += parent_match.end()
            else:
                parent = "?" + level_code
        # The name keeps the text's own wording; the key merges its variants.
        name = re.sub(r"\s+", " ", text[m.start():end])
        if parent and not parent.startswith("?"):
            key = f"{key} {parent}"
        found.append(UnitMention(level, name, (m.start(), end), parent, key=key))
    return found


def find_inspectors(text: str) -> list[tuple[str, Span]]:
    """'Đoàn kiểm tra liên ngành tỉnh ...', 'Tổ kiểm tra công vụ huyện ...' phrases."""
    found: dict[str, Span] = {}
    for m in _INSPECTOR.finditer(text):
        phrase = re.sub(r"\s+", " ", m.group()).strip(" ,")
        phrase = phrase[0].upper() + phrase[1:]
        found.setdefault(phrase, m.span())
    # 'Đoàn kiểm tra' alone or a shorter form of a fuller phrase adds nothing.
    return [
        (phrase, span) for phrase, span in found.items()
        if len(phrase.split()) > 2 and not any(o != phrase and o.startswith(phrase) for o in found)
    ]


def _inspection_target(text: str, span: Span, sentence: Span) -> bool:
    """True when the unit is what a 'kiểm tra ... tại' clause is about."""
    before = text[sentence[0] : span[0]]
    before = re.sub(r"(UBND|Ủy ban nhân dân|HĐND|các|một số|\d+)\s*$", "", before.rstrip()).rstrip(" :")
    if _INSPECTION_TARGET.search(before):
        return True
    # a unit later in a list that a 'kiểm tra ... tại' opened
    return bool(re.search(r"(kiểm tra|làm việc)[^.;\n]{0,160}?\b(tại|đối với)\b[^.;\n]*$", before,
                          re.IGNORECASE)) and not re.search(r"\b(của|do)\s", before[-60:])


def build_units(
    text: str,
    *,
    sentences: list[Span],
    gazetteer: Gazetteer,
    title: str | None = None,
    province_hint: str | None = None,
    subject_spans: list[Span] = (),  # type: ignore[assignment]
    self_assessment: bool = False,
    skip_spans: list[Span] = (),  # type: ignore[assignment]
) -> list[Unit]:
    """Merge mentions into canonical units with roles, parents and gazetteer data.

    In a self-assessment ('Báo cáo kết quả tự kiểm tra') the unit in the
    header, the one that issues the report, is the unit assessed.
    """
    mentions = [m for m in find_unit_mentions(text)
                if not any(s[0] <= m.span[0] < s[1] for s in skip_spans)]  # site chrome, bylines
    issuer = find_header_issuer(text)
    if issuer and not any(m.span[0] < issuer.span[1] and issuer.span[0] < m.span[1] for m in mentions):
        mentions.append(issuer)
    inspectors = find_inspectors(text)
    inspector_spans = [span for _, span in inspectors]
    district_names = {bare_name(m.name) for m in mentions if m.level in DISTRICT_LEVELS}

    # A list item that names a known district is its parent, not a commune.
    kept: list[UnitMention] = []
    for m in mentions:
        bare = bare_name(m.name) if m.level in COMMUNE_LEVELS else None
        if m.in_list and bare in district_names:
            if kept and kept[-1].level in COMMUNE_LEVELS and kept[-1].parent is None:
                kept[-1].parent = f"huyện {bare}"
            continue
        kept.append(m)
    mentions = kept
    mentions.extend(_bare_mentions(text, mentions))
    mentions.sort(key=lambda u: u.span)

    province = province_hint or _province_from_mentions(mentions)
    units: dict[str, Unit] = {}
    for m in mentions:
        unit = units.get(m.key)
        if unit is None:
            unit = units[m.key] = Unit(name=m.name, level=m.level, role="mentioned")
        unit.mentions.append(m.span)
        if m.parent and not m.parent.startswith("?") and unit.parent is None:
            unit.parent = m.parent
        in_inspector = any(s[0] <= m.span[0] < s[1] for s in inspector_spans)
        sentence = next((s for s in sentences if s[0] <= m.span[0] < s[1]), (0, len(text)))
        if not in_inspector and _inspection_target(text, m.span, sentence):
            unit.role = "inspected"
        if not in_inspector and any(s[0] <= m.span[0] < s[1] for s in subject_spans):
            unit.role = "inspected"

    if issuer and self_assessment and issuer.key in units:
        units[issuer.key].role = "inspected"
    _fill_district_parents(units, mentions)
    if title and (subject := _TITLE_SUBJECT.match(title)):
        for unit in units.values():
            if unit.level in DISTRICT_LEVELS + COMMUNE_LEVELS and bare_name(unit.name) == subject.group("name"):
                unit.role = "inspected"
    _resolve(units, mentions, gazetteer, province)
    result = list(units.values())
    for phrase, span in inspectors:
        if not any(u.name == phrase for u in result):
            result.append(Unit(name=phrase, level="khac", role="inspector", mentions=[span],
                               province=province))
    return result


def _bare_mentions(text: str, mentions: list[UnitMention]) -> list[UnitMention]:
    """Mentions of a known commune or district by its bare name ('tại Tam Hòa')."""
    taken = [m.span for m in mentions]
    extra = []
    names = {bare_name(m.name): m for m in mentions
             if m.level in COMMUNE_LEVELS + DISTRICT_LEVELS and not bare_name(m.name).isdigit()}
    for bare, model in names.items():
        for hit in re.finditer(rf"(?<!\w){re.escape(bare)}(?!\w)", text):
            span = hit.span()
            if any(s[0] <= span[0] < s[1] for s in taken):
                continue
            before = text[max(0, span[0] - 25) : span[0]]
            if re.search(r"(tại|đối với|kiểm tra|và|,)\s*$", before) and model.level in COMMUNE_LEVELS:
                extra.append(UnitMention(model.level, model.name, span, model.parent))
                taken.append(span)
    return extra


def _province_from_mentions(mentions: list[UnitMention]) -> str | None:
    provinces = {bare_name(m.name) for m in mentions if m.level == "tinh"}
    cities = {bare_name(m.name) for m in mentions if m.level == "thanh_pho"}
    if len(provinces) == 1:
        return provinces.pop()
    big_cities = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"}
    named = cities & big_cities
    return named.pop() if len(named) == 1 else None


_TRAILING_LEVEL = re.compile(r"\s+(huyện|quận|thị xã|thành phố)$")


def _fill_district_parents(units: dict[str, Unit], mentions: list[UnitMention]) -> None:
    """District bodies take the district named nearest before them.

    'Phòng Tư pháp', 'Phòng GD&ĐT huyện' and 'Công an huyện' (no name) are
    named '<body> huyện X'; a Phòng keeps the fullest wording the text uses.
    """
    districts = [m for m in mentions if m.level in DISTRICT_LEVELS]
    for m in mentions:
        unnamed_district = bool(m.parent and m.parent.startswith("?"))
        if m.level != "phong" and not (m.level == "co_quan" and unnamed_district):
            continue
        unit = units[m.key]
        if m.level == "phong" and len(m.name) > len(unit.name) and not unit.parent:
            unit.name = m.name
        if unit.parent or (m.parent and not unnamed_district):
            continue
        before = [d for d in districts if d.span[0] < m.span[0]] or districts
        if before:
            unit.parent = before[-1].name
    for unit in units.values():
        if unit.level in ("phong", "co_quan") and unit.parent and not unit.name.endswith(unit.parent):
            unit.name = f"{_TRAILING_LEVEL.sub('', unit.name)} {unit.parent}"


def _resolve(
    units: dict[str, Unit], mentions: list[UnitMention], gazetteer: Gazetteer, province: str | None
) -> None:
    """Parents from context and the gazetteer; province, code and today's unit."""
    districts = [m for m in mentions if m.level in DISTRICT_LEVELS]
    for unit in units.values():
        bare = bare_name(unit.name) if " " in unit.name else unit.name
        if unit.level in COMMUNE_LEVELS:
            candidates = [unit.parent] if unit.parent else []
            first = min(unit.mentions)[0]
            candidates += [d.name for d in reversed(districts) if d.span[0] < first]
            candidates += [d.name for d in districts if d.span[0] >= first]
            resolution = None
            for candidate in dict.fromkeys(candidates):
                resolution = gazetteer.resolve_commune(
                    unit.level, bare, district=bare_name(candidate), province=province
                )
                if resolution:
                    break
            if resolution is None and province:
                resolution = gazetteer.resolve_commune(unit.level, bare, province=province)
            if resolution:
                unit.parent = unit.parent or resolution.parent
                _apply(unit, resolution)
            else:
                unit.province = province
        elif unit.level in DISTRICT_LEVELS:
            resolution = gazetteer.resolve_district(unit.level, bare, province=province)
            if resolution:
                _apply(unit, resolution)
                unit.parent = unit.parent or resolution.parent
            else:
                unit.province = province
        elif unit.level == "tinh":
            unit.province = bare
        else:
            unit.province = province


def _apply(unit: Unit, resolution) -> None:
    unit.province = resolution.province
    unit.admin_code = resolution.admin_code
    unit.current_name = resolution.current_name
    unit.current_province = resolution.current_province
