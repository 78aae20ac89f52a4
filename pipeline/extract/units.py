"""Administrative units: find mentions, expand lists, canonicalise, give roles.

Two tables describe how Vietnamese administrative texts name units and what
they say about them:

- `UNIT_RULES`: each kind of name ('xã Tam Hòa', 'Sở GD&ĐT', 'Bộ phận một
  cửa UBND huyện Đô Lương', 'Chi cục Thuế', 'Trường THCS Lê Lợi') is a rule
  with a priority, the level it produces and its positive and negative
  examples. Where two rules claim overlapping text, the higher priority wins
  (an institution 'Trạm Y tế xã A' is not also the commune it serves).
- `ROLE_RULES`: the cues around a mention that make its unit `inspected`
  ('kiểm tra tại X', 'X chưa niêm yết ...') or the `inspector` ('đoàn kiểm
  tra do X chủ trì', 'Thanh tra X').

`ABBREVIATIONS` is the one table of department subjects and their short
forms (GD&ĐT, LĐ-TB&XH, TN&MT ...). Person names are never units: a unit
needs a level word, a known head word or a known name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from pipeline.contract import UNIT_LEVELS, Span, Unit, UnitRole
from pipeline.extract.gazetteer import COMMUNE_LEVELS, DISTRICT_LEVELS, Gazetteer

UNITS_VERSION = "units.v2"

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
    "tx.": ("thi_xa", "thị xã"),
    "tx": ("thi_xa", "thị xã"),
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
    # 'thị xã (TX) Hoàng Mai' repeats the level's short form; 'TP.Vinh' needs no space
    rf"(?:[ \t]*\([{_UPPER}]{{2,4}}\))?(?:[ \t]*:)?(?:[ \t]+|(?<=\.))(?P<name>{_PLACE_NAME})"
)
_LIST_ITEM = re.compile(
    rf"\s*(?:,\s*và\b|,|;|\bvà\b)\s*(?!(?i:{_ADMIN_WORD})\b)(?P<name>{_PLACE_NAME})(?! [{_UPPER}])"
)
_PAREN_PARENT = re.compile(
    rf"\s*\((?:huyện\s+|thị xã\s+|TX\.?\s*|TP\.?\s*|thành phố\s+)?(?P<name>{_PLACE_NAME})\)"
)
_COMMA_PARENT = re.compile(
    rf"\s*,\s*(?P<level>(?i:huyện|quận|thị xã|thành phố)|TP\.?|TX\.?)\s*(?P<name>{_PLACE_NAME})"
)

# One table of department subjects: heads that take it, canonical subject, the
# ways texts write it. A variant's parts may be joined by nothing, a space, '-',
# '&', ',' or 'và' ('LĐ-TB&XH', 'LĐTB&XH', 'Lao động, Thương binh và Xã hội').
SO, PHONG = ("Sở",), ("Phòng",)
BOTH = ("Sở", "Phòng")
ABBREVIATIONS: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = (
    (BOTH, "Nội vụ", ("nội vụ", "nv")),
    (BOTH, "Tư pháp", ("tư pháp",)),
    (SO, "Kế hoạch và Đầu tư", ("kế hoạch và đầu tư", "kh&đt")),
    (SO, "Tài chính", ("tài chính",)),
    (PHONG, "Tài chính - Kế hoạch", ("tài chính - kế hoạch", "tc-kh")),
    (SO, "Công thương", ("công thương", "công nghiệp")),
    (BOTH, "Nông nghiệp và Phát triển nông thôn",
     ("nông nghiệp và phát triển nông thôn", "nn&ptnt", "nông nghiệp")),
    (SO, "Nông nghiệp và Môi trường", ("nông nghiệp và môi trường", "nn&mt")),
    (SO, "Giao thông vận tải", ("giao thông vận tải", "gtvt")),
    (SO, "Xây dựng", ("xây dựng",)),
    (BOTH, "Tài nguyên và Môi trường", ("tài nguyên và môi trường", "tn&mt", "tài nguyên")),
    (SO, "Thông tin và Truyền thông", ("thông tin và truyền thông", "tt&tt")),
    (BOTH, "Lao động - Thương binh và Xã hội", ("lao động - thương binh và xã hội", "lđ-tb&xh", "lao động")),
    (SO, "Văn hóa, Thể thao và Du lịch", ("văn hóa, thể thao và du lịch", "vh-tt&dl")),
    (SO, "Văn hóa và Thể thao", ("văn hóa và thể thao", "vh&tt")),
    (SO, "Du lịch", ("du lịch",)),
    (SO, "Khoa học và Công nghệ", ("khoa học và công nghệ", "kh&cn")),
    (BOTH, "Giáo dục và Đào tạo", ("giáo dục và đào tạo", "gd&đt")),
    (PHONG, "Giáo dục và Đào tạo", ("giáo dục",)),
    (BOTH, "Y tế", ("y tế",)),
    (SO, "Ngoại vụ", ("ngoại vụ",)),
    (SO, "Dân tộc và Tôn giáo", ("dân tộc và tôn giáo",)),
    (PHONG, "Văn hóa và Thông tin", ("văn hóa và thông tin", "vh&tt")),
    (PHONG, "Văn hóa, Khoa học và Thông tin", ("văn hóa, khoa học và thông tin",)),
    (PHONG, "Kinh tế", ("kinh tế",)),
    (PHONG, "Kinh tế và Hạ tầng", ("kinh tế và hạ tầng", "kt&ht")),
    (PHONG, "Quản lý đô thị", ("quản lý đô thị", "qlđt")),
    (PHONG, "Dân tộc", ("dân tộc",)),
    (PHONG, "Nội vụ - Lao động", ("nội vụ - lao động",)),
)
_JOIN = r"(?:\s*(?:[-–&,/]|\bvà\b)\s*|\s*)"


def _variant_pattern(variant: str) -> str:
    parts = [p for p in re.split(r"[\s\-–&,/]+", variant) if p and p != "và"]
    return _JOIN.join(re.escape(p) for p in parts) + r"(?![\w&])"


_SUBJECTS: dict[str, list[tuple[str, re.Pattern]]] = {
    head: [
        (subject, re.compile("|".join(_variant_pattern(v) for v in variants), re.IGNORECASE))
        for heads, subject, variants in ABBREVIATIONS if head in heads
    ]
    for head in BOTH
}


def expand_subject(head: str, text: str, start: int) -> tuple[str, int] | None:
    """The department subject written at `start` ('GD-ĐT' -> 'Giáo dục và Đào tạo') and its end."""
    best: tuple[str, int] | None = None
    for subject, pattern in _SUBJECTS[head]:
        m = pattern.match(text, start)
        if m and (best is None or m.end() > best[1]):
            best = (subject, m.end())
    return best


def _words_key(text: str) -> str:
    """Case and punctuation dropped: the text writes a canonical name in full."""
    return " ".join(re.sub(r"[-–,&]", " ", text.lower()).split())


@dataclass
class UnitMention:
    """A unit named in the text, before merging into `Unit`s."""

    level: str
    name: str
    span: Span
    parent: str | None = None
    in_list: bool = False
    key: str = ""
    rule: str = ""
    owner: UnitMention | None = None  # an office's own unit named inside it ('Bộ phận một cửa xã A')

    def __post_init__(self) -> None:
        self.key = self.key or self.name

    @property
    def owner_span(self) -> Span | None:
        return self.owner.span if self.owner else None


def _admin_name(level: str, name: str) -> str:
    prefix = next(p for lvl, p in ADMIN_LEVELS.values() if lvl == level)
    return f"{prefix} {name}"


def bare_name(name: str) -> str:
    """'thị trấn Hòa Bình' -> 'Hòa Bình'."""
    for _, prefix in sorted(ADMIN_LEVELS.values(), key=lambda v: -len(v[1])):
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


def _person_cut(text: str, start: int, name: str) -> str | None:
    """The place part of a name that runs into a person's ('Hải Phòng Lê Khắc' after 'Phó Chủ tịch')."""
    words = name.split()
    if not _PERSON_ROLE_BEFORE.search(text[max(0, start - 40) : start]):
        return name
    for i, word in enumerate(words):
        if word in _SURNAMES and len(words) - i >= 2 and (i > 0 or len(words) >= 3):
            return " ".join(words[:i]) or None
    return name


# --- unit rules -------------------------------------------------------------------------------


def _admin_at(text: str, m: re.Match) -> list[UnitMention]:
    """One level-word match and the list it opens ('các xã: A, B và thị trấn C')."""
    level, _ = ADMIN_LEVELS[m.group("level").lower()]
    name = m.group("name")
    if level in ("huyen", "thi_xa", "thanh_pho", "tinh") and name[0].isdigit():
        return []
    start, end = m.start("level"), m.end("name")
    cut = _person_cut(text, start, name)
    if not cut:
        return []  # 'Phó Chủ tịch UBND huyện Trần Văn A' names a person, not a district
    if cut != name:
        name, end = cut, m.start("name") + len(cut)
    parent = None
    paren = _PAREN_PARENT.match(text, end)
    comma = _COMMA_PARENT.match(text, end)
    if level in COMMUNE_LEVELS and paren:
        parent = f"huyện {paren.group('name')}"
    elif level in COMMUNE_LEVELS and comma:
        parent = _admin_name(ADMIN_LEVELS[comma.group("level").lower()][0], comma.group("name"))
    if level in ("thi_tran", "phuong") and re.search(r"xã\s*(,|và|/)\s*$", text[max(0, start - 8) : start]):
        level = "xa"  # 'tại 4 xã, thị trấn: A, B, C' lists communes; a town is named 'thị trấn D'
    found = [UnitMention(level, _admin_name(level, name), (start, end), parent, rule="admin_unit")]
    pos = end
    while item := _LIST_ITEM.match(text, pos):
        item_name = item.group("name")
        if item_name[0].isdigit() and level not in ("phuong", "quan") or _NOT_A_PLACE.match(text, item.start("name")):
            break
        found.append(UnitMention(level, _admin_name(level, item_name), item.span("name"), parent,
                                 in_list=True, rule="admin_unit"))
        pos = item.end("name")
    return found


def find_admin_units(text: str) -> Iterator[UnitMention]:
    """'xã Tam Hòa', 'UBND huyện Đô Lương', 'TP. Vinh', 'các xã: A, B và thị trấn C'."""
    for m in _ADMIN.finditer(text):
        yield from _admin_at(text, m)


_AGENCY_HEAD = re.compile(
    r"(?<!\w)(?:(?P<head>Sở|Phòng)|(?P<plural>[Cc]ác (?P<plural_head>sở|phòng)(?:,? (?:ban,? )?ngành)?\s*:?))\s+(?=\S)"
)
_AGENCY_FALLBACK = re.compile(
    rf"({_CAP_WORD}(?:\s(?:[{_LOWER}]+|{_CAP_WORD})){{0,3}}?)"
    r"(?=\s+(?:đã|và|của|tại|trong|về|được|có|thực hiện|huyện|tỉnh|thành phố|như|thuộc|chưa|còn|không)\b"
    r"|[,.;:()\n]|$)"
)
_AGENCY_NEXT = re.compile(r"\s*(?:,\s*và|,|;|và)\s*(?!Sở\b|Phòng\b)")
_OFFICE_DISTRICT = re.compile(
    rf"\s+(?P<level>huyện|quận|thị xã|thành phố)(?![\w ]*\s(?:ủy)\b)(?:\s+(?P<name>{_PLACE_NAME}))?"
)


def _agency(text: str, head: str, start: int, name_start: int, *, listed: bool) -> UnitMention | None:
    known = expand_subject(head, text, name_start)
    if known:
        subject, end = known
        canonical = f"{head} {subject}"
        written = re.sub(r"\s+", " ", text[start:end]) if not listed else canonical
        # The text's own wording when it writes the name in full ('Sở Lao động, Thương binh và Xã hội').
        written = written.replace("–", "-")
        name = written if _words_key(written) == _words_key(canonical) else canonical
        key = canonical
    elif listed:
        return None
    else:
        fallback = _AGENCY_FALLBACK.match(text, name_start)
        if not fallback:
            return None
        end = fallback.end(1)
        name = key = f"{head} {fallback.group(1)}"
    level = "so" if head == "Sở" else "phong"
    parent = None
    district = _OFFICE_DISTRICT.match(text, end) if head == "Phòng" else None
    if district:
        level_code = ADMIN_LEVELS[district.group("level").lower()][0]
        if district.group("name"):
            parent = _admin_name(level_code, district.group("name"))
            end = district.end()
        else:
            parent = "?" + level_code
    if parent and not parent.startswith("?"):
        name, key = f"{name} {parent}", f"{key} {parent}"
    return UnitMention(level, name, (start, end), parent, key=key, rule="agency", in_list=listed)


def find_agencies(text: str) -> Iterator[UnitMention]:
    """'Sở Tư pháp', 'Sở GD-ĐT', 'Phòng TN&MT huyện X', 'các sở: Tư pháp, Y tế', 'Sở Y tế, Nông nghiệp và PTNT'."""
    for m in _AGENCY_HEAD.finditer(text):
        head = m.group("head") or m.group("plural_head").capitalize()
        first = _agency(text, head, m.start() if m.group("head") else m.end(), m.end(),
                        listed=bool(m.group("plural")))
        if first is None:
            continue
        yield first
        pos = first.span[1]
        while (sep := _AGENCY_NEXT.match(text, pos)) and (
            item := _agency(text, head, sep.end(), sep.end(), listed=True)
        ):
            yield item
            pos = item.span[1]


_DESK = re.compile(
    r"(?<!\w)(?P<kind>[Bb]ộ phận\s*[“\"']?\s*(?:[Mm]ột cửa|[Tt]iếp nhận và (?:[Hh]oàn )?[Tt]rả kết quả)"
    r"(?: hồ sơ)?\s*[”\"']?|[Tt]rung tâm\s+(?:[Pp]hục vụ\s+)?[Hh]ành chính công)"
    r"\s*(?:\([^)\n]{1,20}\)\s*)?(?:của\s+)?(?:(?:UBND|Ủy ban nhân dân)\s+)?"
)
_BARE_LEVEL = re.compile(r"(?P<level>huyện|thị xã|thành phố|quận|tỉnh)(?![\w ]?[\w])")
_DESK_NEXT = re.compile(r"\s*(?:,\s*và|,|và)\s*(?:(?:UBND|Ủy ban nhân dân)\s+)?")


def _desk_kind(raw: str) -> str:
    kind = re.sub(r"[“”\"']", "", raw)
    kind = re.sub(r"\s+", " ", kind).strip()
    return kind[0].upper() + kind[1:]


def find_service_desks(text: str) -> Iterator[UnitMention]:
    """One-stop desks and public-service centres of a unit.

    'Bộ phận một cửa UBND xã A', 'Bộ phận Tiếp nhận và Trả kết quả xã A và xã B',
    'Trung tâm Phục vụ hành chính công tỉnh', 'bộ phận “một cửa” của thị xã'.
    """
    for m in _DESK.finditer(text):
        kind = _desk_kind(m.group("kind"))
        owners: list[UnitMention] = []
        pos = m.end()
        while admin := _ADMIN.match(text, pos):
            items = _admin_at(text, admin)
            if not items or owners and items[0].level != owners[0].level:
                break
            owners += items
            pos = items[-1].span[1]
            comma = _COMMA_PARENT.match(text, pos)
            if comma:
                pos = comma.end()
            sep = _DESK_NEXT.match(text, pos)
            if not sep:
                break
            pos = sep.end()
        if owners:
            for owner in owners:
                name = f"{kind} {owner.name}"
                yield UnitMention("co_quan", name, (m.start(), owner.span[1]), owner.name, key=name.lower(),
                                  rule="service_desk", owner=owner)
            continue
        agency = _AGENCY_HEAD.match(text, m.end())
        if agency and agency.group("head"):
            office = _agency(text, agency.group("head"), m.end(), agency.end(), listed=False)
            if office:
                name = f"{kind} {office.key}"
                yield UnitMention("co_quan", name, (m.start(), office.span[1]), key=name.lower(),
                                  rule="service_desk", owner=office)
            continue
        if bare := _BARE_LEVEL.match(text, m.end()):
            level = ADMIN_LEVELS[bare.group("level")][0]
            if level == "tinh":
                name = f"{kind} tỉnh"
                yield UnitMention("co_quan", name, (m.start(), bare.end()), key=name.lower(), rule="service_desk")
            else:
                name = f"{kind} {bare.group('level')}"
                yield UnitMention("co_quan", name, (m.start(), bare.end()), parent="?" + level,
                                  key=name.lower(), rule="service_desk")


_INSTITUTION_HEAD = (
    r"Chi cục|Trung tâm|Ban [Qq]uản lý|Bệnh viện|Văn phòng|Trạm|Hạt|Kho bạc Nhà nước|Ban [Qq]uản lý dự án"
)
_NAME_STOP = frozenset(  # function words and level words end an institution's name
    "thuộc của tại đã đang sẽ được có vắng không chưa còn cũng về trong với do để đến theo là nhằm cho từ "  # noqa: SIM905
    "khi này đó trên các những một vào ra như bị mới vừa luôn cùng gồm và hoặc nhưng đi "
    "tỉnh huyện quận xã phường sở phòng ủy ubnd hđnd ban đoàn".split()
)
_INSTITUTION = re.compile(
    # 'Chi cục trưởng', 'Trung tâm phó' are a person's title, not a unit
    rf"(?<![\w])(?P<head>{_INSTITUTION_HEAD})(?!\s+(?:trưởng|phó)\b)\s+"
    rf"(?P<name>(?:[{_UPPER}{_LOWER}][\w&\-]*)(?:[ \t]+(?:[{_UPPER}{_LOWER}][\w&\-]*)){{0,7}})"
)
_ALIAS = re.compile(rf"\s*\((?P<abbr>[{_UPPER}][{_UPPER}&\-]{{1,9}})\)")


def _institution_words(head_start: int, text: str, raw: str) -> list[str]:
    words: list[str] = []
    for word in raw.split():
        if word in _NAME_STOP and not (word == "và" and words):
            break
        if word == "và":
            words.append(word)
            continue
        if word[0].islower() and not words and _sentence_initial(text, head_start):
            break  # 'Trung tâm' opening a sentence is a common noun unless a name follows
        words.append(word)
        if len(word) > 1 and word.isupper():
            break  # 'Chi cục QLTT': an abbreviation is the whole name
    while words and words[-1].lower() == "và":
        words.pop()
    return words


def _sentence_initial(text: str, pos: int) -> bool:
    before = text[max(0, pos - 10) : pos].rstrip(" \t")
    return not before or before[-1] in ".!?:\n"


def find_institutions(text: str) -> Iterator[UnitMention]:
    """'Chi cục Quản lý thị trường (QLTT)', 'Trung tâm Phát triển quỹ đất', 'Ban Quản lý Khu kinh tế X',
    'Bệnh viện Đa khoa huyện X', 'Văn phòng Đăng ký đất đai - Chi nhánh X', 'Văn phòng HĐND và UBND huyện X'.
    """
    for m in _INSTITUTION.finditer(text):
        head = m.group("head")
        if head == "Văn phòng":
            office = _office_of(text, m)
            if office is not None:
                yield office
                continue
        words = _institution_words(m.start(), text, m.group("name"))
        if not words:
            continue
        end = m.start("name") + re.match(rf"\S+(?:[ \t]+\S+){{{len(words) - 1}}}", m.group("name")).end()
        name = f"{head} {' '.join(words)}"
        level = "ban" if head.startswith("Ban") else "co_quan"
        owner = None
        branch = _BRANCH.match(text, end)
        admin = _ADMIN.match(text, end + 1) if text[end : end + 1] == " " else None
        if branch:
            name = f"{name} - Chi nhánh {branch.group('name')}"
            end = branch.end()
        elif admin and admin.group("plural") is None and (items := _admin_at(text, admin)):
            name, owner, end = f"{name} {items[0].name}", items[0], items[0].span[1]
        elif bare := _PROVINCE_OR_DISTRICT.match(text, end):
            name, end = f"{name} {bare.group(1)}", bare.end()
        key = name.lower()
        yield UnitMention(level, name, (m.start(), end), key=key, rule="institution", owner=owner)
        if alias := _ALIAS.match(text, end):
            # 'Chi cục Quản lý thị trường (QLTT)': later 'Chi cục QLTT' is the same unit
            alias_name = f"{head} {alias.group('abbr')}"
            yield UnitMention(level, alias_name, alias.span("abbr"), key=f"alias:{alias_name.lower()}={key}",
                              rule="institution_alias")


_BRANCH = re.compile(rf"\s*[-–]\s*Chi nhánh\s+(?P<name>{_PLACE_NAME})")
_PROVINCE_OR_DISTRICT = re.compile(r" (tỉnh|huyện)(?![\w])")
_OFFICE_OWNER = re.compile(r"\s+(?:(?P<council>HĐND và UBND|UBND|HĐND)\s+|(?=Sở\s))")


def _office_of(text: str, m: re.Match) -> UnitMention | None:
    """'Văn phòng HĐND và UBND huyện X', 'Văn phòng Sở X': the office of a named unit."""
    owner = _OFFICE_OWNER.match(text, m.end("head"))
    if owner is None:
        return None
    council = f"{owner.group('council')} " if owner.group("council") else ""
    admin = _ADMIN.match(text, owner.end())
    if admin and (items := _admin_at(text, admin)):
        unit, owned = items[0].name, items[0]
    else:
        agency_head = _AGENCY_HEAD.match(text, owner.end())
        agency = (_agency(text, "Sở", owner.end(), agency_head.end(), listed=True)
                  if agency_head and agency_head.group("head") == "Sở" else None)
        if agency is None and agency_head and not council:
            # 'công chức Văn phòng Sở dùng máy tính': the office of the department the text is about
            return UnitMention("co_quan", "Văn phòng Sở", (m.start(), owner.end() + 2), key="văn phòng sở",
                               rule="institution")
        if agency is None:
            return None
        unit, owned = agency.key, agency
    name = f"Văn phòng {council}{unit}"
    return UnitMention("co_quan", name, (m.start(), owned.span[1]), key=name.lower(), rule="institution",
                       owner=owned)


_SCHOOL = re.compile(
    rf"(?<!\w)[Tt]rường\s+(?P<type>Tiểu học và THCS|TH&THCS|TH và THCS|PTDTBT\s+(?:TH|THCS|TH&THCS)|"
    rf"PTDTNT|Tiểu học|Mầm non|Mẫu giáo|THCS|THPT|TH|MN|PTCS|Trung học cơ sở|Trung học phổ thông)"
    rf"\s+(?:số\s+\d+\s+)?(?P<name>{_PLACE_NAME})"
)


def find_schools(text: str) -> Iterator[UnitMention]:
    """'Trường THCS Lê Lợi', 'trường Mầm non Hoa Sen'."""
    for m in _SCHOOL.finditer(text):
        yield UnitMention("truong", f"trường {m.group('type')} {m.group('name')}", m.span(), rule="school")


_SECTOR_UNIT = re.compile(
    rf"(?<!\w)(?P<kind>Trạm [Yy] tế|Công an|Ban Chỉ huy Quân sự)\s+"
    rf"(?P<level>xã|phường|thị trấn|huyện|quận|thị xã|thành phố)(?:\s+(?P<name>{_PLACE_NAME}))?"
)
# Provincial institutions named by their province: 'Thư viện tỉnh', 'Trung tâm Văn hóa tỉnh'.
_PROVINCIAL_BODY = re.compile(
    r"(?<!\w)(?P<name>(?:Thư viện|Bảo tàng|Nhà hát|Trung tâm(?: [A-ZĐ][^\s,.;:()]*| [a-zđà-ỹ]+){1,5}?) tỉnh)"
    rf"(?!\s*[{_UPPER}])"
)


def find_sector_units(text: str) -> Iterator[UnitMention]:
    """Health stations, police, military commands of a commune or district; provincial institutions.

    'Công an huyện' without a name takes its district later (`_fill_district_parents`).
    """
    for m in _SECTOR_UNIT.finditer(text):
        kind = m.group("kind")
        kind = "Trạm Y tế" if kind.lower().startswith("trạm") else kind
        level, _ = ADMIN_LEVELS[m.group("level")]
        if m.group("name"):
            name = f"{kind} {_admin_name(level, m.group('name'))}"
            yield UnitMention("co_quan", name, m.span(), key=name, rule="sector_unit")
        elif level in DISTRICT_LEVELS:
            name = f"{kind} {_admin_name(level, '').strip()}"
            yield UnitMention("co_quan", name, m.span(), parent="?" + level, key=name, rule="sector_unit")
    for m in _PROVINCIAL_BODY.finditer(text):
        yield UnitMention("co_quan", m.group("name"), m.span("name"), key=m.group("name"), rule="sector_unit")


@dataclass(frozen=True)
class UnitRule:
    """How texts name one kind of unit.

    Attributes:
        name: the rule's name, recorded on each mention it finds.
        priority: where two rules claim overlapping text, the higher wins.
        levels: the `UNIT_LEVELS` codes it produces.
        find: text -> mentions.
        absorbs: whether a unit named inside its span (the commune of 'Trạm Y tế xã A') is dropped.
        examples: text -> the canonical names it must find, in order.
        negatives: texts in which it must find nothing.
    """

    name: str
    priority: int
    levels: tuple[str, ...]
    find: Callable[[str], Iterable[UnitMention]]
    absorbs: bool
    examples: tuple[tuple[str, tuple[str, ...]], ...]
    negatives: tuple[str, ...]


UNIT_RULES: tuple[UnitRule, ...] = (
    UnitRule(
        "service_desk", 50, ("co_quan",), find_service_desks, absorbs=False,
        examples=(
            ("tại Bộ phận một cửa UBND xã Nghĩa Hưng", ("Bộ phận một cửa xã Nghĩa Hưng",)),
            ("Bộ phận Tiếp nhận và Trả kết quả xã Diễn Kỷ và xã Diễn Tháp, huyện Diễn Châu",
             ("Bộ phận Tiếp nhận và Trả kết quả xã Diễn Kỷ", "Bộ phận Tiếp nhận và Trả kết quả xã Diễn Tháp")),
            ("bộ phận “một cửa” của huyện Quỳnh Lưu", ("Bộ phận một cửa huyện Quỳnh Lưu",)),
            ("Trung tâm Phục vụ hành chính công tỉnh", ("Trung tâm Phục vụ hành chính công tỉnh",)),
            ("Trung tâm Hành chính công huyện Lương Tài", ("Trung tâm Hành chính công huyện Lương Tài",)),
            ("tại Bộ phận một cửa Sở Tư pháp", ("Bộ phận một cửa Sở Tư pháp",)),
        ),
        negatives=("thực hiện cơ chế một cửa, một cửa liên thông", "bộ phận chuyên môn",
                   "Bộ phận một cửa đông người"),
    ),
    UnitRule(
        "sector_unit", 40, ("co_quan",), find_sector_units, absorbs=True,
        examples=(
            ("Trạm y tế xã Ia Ko", ("Trạm Y tế xã Ia Ko",)),
            ("Thư viện tỉnh", ("Thư viện tỉnh",)),
            ("Công an huyện", ("Công an huyện",)),
        ),
        negatives=("trạm y tế", "công an"),
    ),
    UnitRule(
        "school", 40, ("truong",), find_schools, absorbs=True,
        examples=(("trường THCS Lê Lợi", ("trường THCS Lê Lợi",)),
                  ("Trường Mầm non Hoa Sen", ("trường Mầm non Hoa Sen",))),
        negatives=("nhà trường", "trường hợp Lê Văn", "Trường THCS"),
    ),
    UnitRule(
        "institution", 30, ("co_quan", "ban"), find_institutions, absorbs=False,
        examples=(
            ("kiểm tra Chi cục Thuế tỉnh", ("Chi cục Thuế tỉnh",)),
            ("Chi cục Kiểm lâm thuộc Sở", ("Chi cục Kiểm lâm",)),
            ("Chi cục Trồng trọt và Bảo vệ thực vật đã", ("Chi cục Trồng trọt và Bảo vệ thực vật",)),
            ("đến Trung tâm phát triển cụm công nghiệp vắng 3 người",
             ("Trung tâm phát triển cụm công nghiệp",)),
            ("Bệnh viện Đa khoa huyện Yên Thành", ("Bệnh viện Đa khoa huyện Yên Thành",)),
            ("Văn phòng Đăng ký đất đai - Chi nhánh Thanh Chương",
             ("Văn phòng Đăng ký đất đai - Chi nhánh Thanh Chương",)),
            ("Văn phòng HĐND và UBND huyện Nam Đàn", ("Văn phòng HĐND và UBND huyện Nam Đàn",)),
            ("1 công chức Văn phòng Sở dùng máy tính", ("Văn phòng Sở",)),
            ("Ban Quản lý Khu kinh tế Đông Nam", ("Ban Quản lý Khu kinh tế Đông Nam",)),
        ),
        negatives=("Chi cục", "Trung tâm đã", "Trung tâm tỉnh", "Văn phòng làm việc"),
    ),
    UnitRule(
        "agency", 20, ("so", "phong"), find_agencies, absorbs=False,
        examples=(
            ("Sở GD-ĐT", ("Sở Giáo dục và Đào tạo",)),
            ("Sở GD&ĐT", ("Sở Giáo dục và Đào tạo",)),
            ("Sở LĐ-TB&XH", ("Sở Lao động - Thương binh và Xã hội",)),
            ("Sở LĐTB&XH", ("Sở Lao động - Thương binh và Xã hội",)),
            ("Sở NN&PTNT", ("Sở Nông nghiệp và Phát triển nông thôn",)),
            ("Sở TN&MT", ("Sở Tài nguyên và Môi trường",)),
            ("Sở TN-MT", ("Sở Tài nguyên và Môi trường",)),
            ("Sở Tài nguyên môi trường", ("Sở Tài nguyên và Môi trường",)),
            ("Sở KH&ĐT", ("Sở Kế hoạch và Đầu tư",)),
            ("Sở VH-TT&DL", ("Sở Văn hóa, Thể thao và Du lịch",)),
            ("Sở TT&TT", ("Sở Thông tin và Truyền thông",)),
            ("Sở Lao động, Thương binh và Xã hội", ("Sở Lao động, Thương binh và Xã hội",)),
            ("Phòng TN&MT huyện Quế Phong", ("Phòng Tài nguyên và Môi trường huyện Quế Phong",)),
            ("Phòng LĐ-TB&XH", ("Phòng Lao động - Thương binh và Xã hội",)),
            ("các sở: Tư pháp, GD&ĐT và Y tế", ("Sở Tư pháp", "Sở Giáo dục và Đào tạo", "Sở Y tế")),
            ("Sở Xây dựng, Y tế, Nông nghiệp và PTNT",
             ("Sở Xây dựng", "Sở Y tế", "Sở Nông nghiệp và Phát triển nông thôn")),
            ("kiểm tra Sở Tư pháp, Sở Văn hóa Thể thao và Du lịch.", ("Sở Tư pháp", "Sở Văn hóa Thể thao và Du lịch")),
        ),
        negatives=("Sở", "sở, ngành", "Phòng họp", "các sở, ngành đã"),
    ),
    UnitRule(
        "admin_unit", 10, ("tinh", "thanh_pho", "huyen", "quan", "thi_xa", "xa", "phuong", "thi_tran"),
        find_admin_units, absorbs=False,
        examples=(
            ("tại các xã: Đức Lạng, Đức Đồng, Tân Hương và thị trấn Đức Thọ.",
             ("xã Đức Lạng", "xã Đức Đồng", "xã Tân Hương", "thị trấn Đức Thọ")),
            ("UBND huyện Hương Khê và Ủy ban nhân dân xã Hương Trạch", ("huyện Hương Khê", "xã Hương Trạch")),
            ("TP. Hà Tĩnh", ("thành phố Hà Tĩnh",)),
            ("TP.Vinh", ("thành phố Vinh",)),
            ("UBND TX Cửa Lò", ("thị xã Cửa Lò",)),
            ("thị xã (TX) Hoàng Mai", ("thị xã Hoàng Mai",)),
            ("các xã Nghi Lộc, Nghi Xuân, Thị trấn Quán Hành", ("xã Nghi Lộc", "xã Nghi Xuân", "thị trấn Quán Hành")),
            ("Phó Chủ tịch UBND thành phố Vinh Nguyễn Văn Hải", ("thành phố Vinh",)),
        ),
        negatives=("Ảnh: Lê Thanh", "nhiệm kỳ 2016 - 2021", "Hồng Vân (Tân Kỳ)", "các xã, thị trấn đã ban hành",
                   "UBND tỉnh", "Huyện ủy Can Lộc", "Chủ tịch UBND huyện cho biết",
                   "Phó Chủ tịch UBND huyện Trần Đình Khôi phát biểu"),
    ),
)
assert all(level in UNIT_LEVELS for rule in UNIT_RULES for level in rule.levels)
_BY_NAME = {rule.name: rule for rule in UNIT_RULES}


def _rule_of(mention: UnitMention) -> UnitRule:
    return _BY_NAME[mention.rule.removesuffix("_alias")]


def _may_share(m: UnitMention, k: UnitMention) -> bool:
    """Whether `m` may stand next to the already kept `k`."""
    if m.span[1] <= k.span[0] or k.span[1] <= m.span[0]:
        return True
    if k.owner_span and k.owner_span[0] <= m.span[0] and m.span[1] <= k.owner_span[1]:
        return True  # the unit an office belongs to ('xã A' in 'Bộ phận một cửa xã A')
    inside = k.span[0] <= m.span[0] and m.span[1] <= k.span[1] and m.span != k.span
    return inside and not _rule_of(k).absorbs


def _resolve_overlaps(mentions: list[UnitMention]) -> list[UnitMention]:
    """Higher-priority rules (then longer mentions) win overlapping text."""
    ranked = sorted(mentions, key=lambda m: (-_rule_of(m).priority, m.span[0] - m.span[1], m.span[0]))
    kept: list[UnitMention] = []
    for m in ranked:
        if all(_may_share(m, k) for k in kept):
            kept.append(m)
    return kept


def find_unit_mentions(text: str) -> list[UnitMention]:
    """Every unit mention of every rule, lists expanded, overlaps resolved, in text order."""
    found = [m for rule in UNIT_RULES for m in rule.find(text)]
    return sorted(_resolve_overlaps(found), key=lambda u: u.span)


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
        offset = start + line.index(stripped)
        if m := _HEADER_LEVEL.match(stripped):
            level, _ = ADMIN_LEVELS[m.group("level").lower()]
            name = " ".join(w.capitalize() for w in m.group("name").split())
            issuer = UnitMention(level, _admin_name(level, name), (offset + m.start(), offset + m.end()),
                                 rule="admin_unit")
        elif stripped.startswith(("SỞ ", "PHÒNG ")):
            head = "Sở" if stripped.startswith("SỞ") else "Phòng"
            known = expand_subject(head, stripped, len(head) + 1)
            if known:
                name = f"{head} {known[0]}"
                issuer = UnitMention("so" if head == "Sở" else "phong", name, (offset, offset + known[1]),
                                     key=name, rule="agency")
    return issuer


# --- role rules -------------------------------------------------------------------------------

_VERB = r"(?:kiểm tra|làm việc|khảo sát|thanh tra|giám sát)"
_ASSESSMENT = r"(?:chưa|còn|không|chậm|trễ hạn|vi phạm|sai sót|hạn chế|tồn tại|tốt|hiệu quả|nghiêm túc|điển hình)"
_CLAUSE_START = (
    r"(?:^|[,;:(\n]|\b(?:Riêng|Tuy nhiên|Ngoài ra|Đồng thời|Trong đó|Theo đó|Bên cạnh đó|Qua kiểm tra"
    r"|Kết quả kiểm tra cho thấy|Kết quả cho thấy|cho thấy)\b,?)\s*$"
)


@dataclass(frozen=True)
class RoleRule:
    """A cue around a mention that gives its unit a role.

    Attributes:
        name: the rule's name.
        role: the role it gives.
        priority: the first matching rule, highest priority first, decides a mention's role.
        before: must match at the end of the clause text before the mention (None: any).
        after: must match right after the mention (None: any).
        unless: the mention takes no role from this rule when this matches the text before it.
        examples: texts with the unit in [brackets] that must take this rule.
        negatives: texts with the unit in [brackets] that must not.
    """

    name: str
    role: UnitRole
    priority: int
    before: re.Pattern | None
    after: re.Pattern | None
    unless: re.Pattern | None
    examples: tuple[str, ...]
    negatives: tuple[str, ...]


def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


# Titles of a body's head: 'Phó Giám đốc Sở X', 'Chủ tịch UBND huyện X'.
_HEAD_TITLE = r"(?:giám đốc|chủ tịch|chánh thanh tra|chánh văn phòng|trưởng phòng|trưởng ban|thủ trưởng)"
# A counted group whose members a parenthesis then names: 'tại 03 cơ quan chuyên môn (', '07/14 xã, thị trấn ('.
_COUNTED_GROUP = r"\b\d+(?:/\d+)?\s+[^\d().;\n]{1,40}\(\s*"
# An open parenthesis glosses the unit before it ('(thuộc tỉnh X)', '(huyện Y)') unless it follows a
# count and enumerates ('tại 03 cơ quan (A, B)'): blocked when the digit-free run before '(' is long
# or starts at the clause start or at another parenthesis.
_GLOSS_PAREN = r"(?:(?:^|[^\d()])[^\d()]{40,}|(?:^|[()])[^\d()]{0,40})\([^()]*$"
# Verbs that a new subject takes, ending a list: '..., Sở Nội vụ thông báo', '..., UBND huyện chỉ đạo'.
_OWN_VERB = (r"(?:thông báo|kết luận|đề nghị|yêu cầu|báo cáo|ban hành|chủ trì|chỉ đạo|giao|cho biết|tổ chức|"
             r"hướng dẫn|ghi nhận|đánh giá|gửi|phối hợp|thành lập)\b")


ROLE_RULES: tuple[RoleRule, ...] = (
    RoleRule(
        "leads_the_team", "inspector", 90,
        before=_rx(r"\b(?:đoàn|tổ)\s+(?:kiểm tra|thanh tra|giám sát|công tác|liên ngành)[^.;\n]{0,40}?\b(?:do|của)\s*$"),
        after=None, unless=None,
        examples=("đoàn kiểm tra liên ngành do [Sở Nội vụ] chủ trì tại UBND huyện Yên Thành",
                  "Tổ kiểm tra của [Sở Nội vụ] đã làm việc"),
        negatives=("đoàn đã kiểm tra tại [Sở Nội vụ]",),
    ),
    RoleRule(
        "its_head_leads", "inspector", 85,
        # The head of a body leads the team or concludes: 'do Phó Giám đốc Sở X (Nguyễn Văn A) làm trưởng đoàn'.
        before=_rx(rf"\b(?:phó\s+)?{_HEAD_TITLE}\s*$"),
        after=_rx(r"[,\s]*(?:[^\s.;,]+\s+){0,4}?(?:làm\s+(?:trưởng đoàn|tổ trưởng|trưởng ban)|chủ trì|"
                  r"kết luận\s*(?:như sau|:))"),
        unless=None,
        examples=("Đoàn kiểm tra do đồng chí Lê Văn An, Phó Giám đốc [Sở Nội vụ], làm trưởng đoàn",
                  "Đoàn do Phó Giám đốc [Sở Tư pháp] Trần Thị Bình làm trưởng đoàn đã kiểm tra",
                  "Giám đốc [Sở Nội vụ] kết luận như sau:"),
        negatives=("Phó Chủ tịch UBND [xã Tam Hòa] cho biết", "Giám đốc [Sở Y tế] tiếp đoàn"),
    ),
    RoleRule(
        "orders_the_inspection", "inspector", 82,
        # 'Căn cứ Kế hoạch số 96/KH-SNV của Sở X về kiểm tra ...': the body whose plan or directive
        # the inspection carries out.
        before=_rx(r"\b(?:căn cứ|thực hiện|theo)\b[^.\n]{0,300}?\b(?:kế hoạch|quyết định|công văn|chỉ thị|văn bản)\b"
                   r"[^;\n]{0,60}?\bcủa\s*$"),
        after=_rx(r"[^;.\n]{0,40}?\bvề\s+(?:việc\s+)?[^;.\n]{0,40}?\b(?:kiểm tra|thanh tra|giám sát)\b"),
        unless=None,
        examples=("Căn cứ Kế hoạch số 96/KH-SNV ngày 15/3/2023 của [Sở Nội vụ] về kiểm tra công tác CCHC",
                  "Thực hiện Công văn số 12/SNV ngày 2/4/2021 của [Sở Nội vụ] tỉnh Lào Cai về việc tăng cường "
                  "kiểm tra CCHC"),
        negatives=("Thực hiện Kế hoạch số 5/KH-UBND của [UBND xã Tam Hòa] về cải cách hành chính",),
    ),
    RoleRule(
        "receives_the_report", "inspector", 81,
        # 'khắc phục ... và báo cáo kết quả về Sở X': results of remedies go back to the inspecting body.
        before=_rx(r"\b(?:báo cáo|gửi)\b[^.;\n]{0,40}?\s(?:về|lên)\s*$"),
        after=None, unless=None,
        examples=("khắc phục các tồn tại và báo cáo kết quả về [Sở Nội vụ] trước ngày 30/11",),
        negatives=("kiểm tra việc báo cáo tại [xã Tam Hòa]",),
    ),
    RoleRule(
        "inspecting_body", "inspector", 80,
        before=re.compile(r"(?:\b[Tt]hanh tra|\b[Bb]an [Pp]háp chế(?: HĐND)?|\b[Đđ]oàn giám sát(?: của)?|"
                          r"\b[Kk]ết luận(?: thanh tra)?(?: số \S+)?(?: ngày \S+)? của(?: [Tt]hanh tra)?)\s*$"),
        after=None, unless=None,
        examples=("theo Kết luận số 12/KL-TTr của [Sở Y tế]", "huyện Tuyên Hóa vừa bị Thanh tra [tỉnh Quảng Bình] nhắc nhở"),
        negatives=("đoàn thanh tra tại [xã Hưng Lộc]",),
    ),
    RoleRule(
        "acts_as_inspector", "inspector", 70,
        before=None,
        after=_rx(r"\s*(?:\([^)\n]{0,30}\)\s*)?(?:[\w.]+\s+){0,2}?(?:vừa\s+|đã\s+)?(?:có\s+|ban hành\s+)?"
                  r"(?:kết luận thanh tra|chủ trì|làm trưởng đoàn|thành lập (?:đoàn|tổ))"),
        unless=None,
        examples=("[Sở Nội vụ] vừa có kết luận thanh tra về tuyển dụng", "[Sở Nội vụ] chủ trì đoàn kiểm tra"),
        negatives=("[Sở Nội vụ] đã ban hành kế hoạch",),
    ),
    RoleRule(
        "inspects_others", "inspector", 65,
        # 'Phòng Tư pháp huyện tăng cường hướng dẫn, kiểm tra UBND các xã': its verb is to inspect others.
        before=None,
        after=_rx(r"(?:\s+(?:huyện|tỉnh|thị xã|thành phố|quận))?\s+(?:(?:tăng cường|thường xuyên|định kỳ|phối hợp)\s+)*"
                  r"(?:hướng dẫn,?\s+)?(?:kiểm tra|thanh tra|giám sát)\s+(?:UBND|các|việc)\b"),
        unless=None,
        examples=("[Phòng Tư pháp] huyện tăng cường hướng dẫn, kiểm tra UBND các xã, thị trấn",),
        negatives=("[UBND xã Tam Hòa] tăng cường công tác kiểm tra",),
    ),
    RoleRule(
        "object_of_inspection", "inspected", 60,
        before=_rx(rf"\b(?:{_VERB}|đến)\b[^.;\n]{{0,160}}?\b(?:tại|đối với|với|ở|đến)\s*:?\s*$"),
        after=None, unless=None,
        examples=("Đoàn đã kiểm tra đột xuất tại [xã Hưng Lộc]", "đoàn làm việc với [huyện Con Cuông]",
                  "Qua kiểm tra ở 3 [xã Hưng Lộc]", "giám sát tại [phường Bến Thủy]"),
        negatives=("Quyết định của [UBND tỉnh Nghệ An]", "đoàn kiểm tra [tỉnh Nghệ An] gồm"),
    ),
    RoleRule(
        "direct_object", "inspected", 55,
        before=re.compile(r"(?<![Đđ]oàn )(?<![Tt]ổ )(?<!quả )\b(?:[Kk]iểm tra|[Tt]hanh tra|[Gg]iám sát|[Kk]hảo sát)"
                          r"(?:\s+(?:đột xuất|trực tiếp|ngẫu nhiên|thực tế|công vụ))*\s*$|\bđến\s*$"),
        after=None, unless=None,
        examples=("Chủ tịch UBND tỉnh kiểm tra đột xuất [Sở Tư pháp]", "Chủ tịch tỉnh bất ngờ đến [UBND xã Nghi Phong]"),
        negatives=("Đoàn kiểm tra [tỉnh Nghệ An] làm việc",),
    ),
    RoleRule(
        "enumerated_after_count", "inspected", 58,
        # 'kiểm tra tại 03 cơ quan chuyên môn (Phòng A, Phòng B) và 07/14 xã, thị trấn (các xã C, D)':
        # a parenthesis after a counted group enumerates the group (its later items are `listed_after_inspection`).
        before=_rx(rf"\b{_VERB}\b[^.\n]{{0,200}}?\b(?:tại|đối với|ở|gồm)\b[^.\n]*?{_COUNTED_GROUP}$"),
        after=None, unless=None,
        examples=("tự kiểm tra tại 03 cơ quan chuyên môn ([Phòng Tư pháp], Phòng Y tế)",
                  "kiểm tra tại 2 cơ quan (Phòng Y tế) và 05/12 xã, thị trấn (các [xã Cam An])"),
        negatives=("kiểm tra tại UBND huyện Nghi Lộc ([tỉnh Nghệ An])",),
    ),
    RoleRule(
        "listed_after_inspection", "inspected", 50,
        before=_rx(rf"\b{_VERB}\b[^.\n]{{0,200}}?\b(?:tại|đối với|ở|đến|gồm)\b[^.\n]*(?:[,;:]\s*(?:và\s+)?|\s(?:và|cùng|cùng với)\s*)$"),
        # A new subject with its own verb ends the list: '... tại UBND huyện A năm 2023, [Sở X] thông báo'.
        after=_rx(rf"(?!\s*(?:\([^)\n]{{0,40}}\)\s*)?(?:(?:đã|sẽ|vừa|cũng|đang)\s+)?{_OWN_VERB})"),
        unless=re.compile(rf"\b(?:của|do|thuộc)\s+[^,;:]{{0,40}}$|{_GLOSS_PAREN}"),
        examples=("kiểm tra tại UBND huyện Nghi Lộc, Phòng Tư pháp và [UBND xã Nghi Lâm]",
                  "làm việc tại 2 xã gồm: Chi cục Thuế; [xã Nghi Thạch]",
                  "kiểm tra tại 03 cơ quan chuyên môn (Phòng Tư pháp, [Phòng Y tế]) và 02 xã"),
        negatives=("kiểm tra tại UBND huyện Nghi Lộc (thuộc [tỉnh Nghệ An])",
                   "kiểm tra tại UBND huyện Tam Đảo năm 2023, [Sở Nội vụ] thông báo để các đơn vị biết",
                   "kiểm tra tại xã Tam Hòa, [UBND huyện] đã chỉ đạo khắc phục"),
    ),
    RoleRule(
        "listed_in_assessment", "inspected", 45,
        before=_rx(rf"\b{_ASSESSMENT}\b[^.\n]{{0,160}}?\b(?:như|gồm|là|tại)\s*:?\s*(?:[^.\n]*[,;]\s*(?:và\s+)?)?$"),
        after=None, unless=re.compile(r"\b(?:của|do|thuộc)\s+[^,;:]{0,40}$"),
        examples=("các đơn vị thực hiện chưa đảm bảo như: [UBND huyện Hương Sơn]",
                  "còn chậm như: Sở Y tế, [Sở Tư pháp]"),
        negatives=("theo quy định của [UBND tỉnh]",),
    ),
    RoleRule(
        "assessed_subject", "inspected", 40,
        before=re.compile(_CLAUSE_START),
        after=_rx(r"\s*(?:\([^)\n]{0,40}\)\s*)?(?:cũng\s+|vẫn\s+)?(?:chưa|còn\s+(?:để|chậm|thiếu|nhiều|tồn|hạn chế|sai)"
                  r"|không\s+(?:thực hiện|cập nhật|đảm bảo|niêm yết|công khai|bố trí|mở|có)|thực hiện (?:chưa|không)"
                  r"|vắng|đã thực hiện (?:tốt|nghiêm|đúng)|để xảy ra|bổ nhiệm|tuyển dụng (?:không|sai|chưa))\b"),
        unless=None,
        examples=("[UBND xã Nghi Phong] chưa niêm yết thủ tục", "Về tuyển dụng, [Sở Y tế] không cập nhật hồ sơ",
                  "Tại thời điểm kiểm tra, [Chi cục Kiểm lâm] vắng 5 người"),
        negatives=("[Sở Nội vụ] đã ban hành kế hoạch", "theo báo cáo của [UBND tỉnh] chưa"),
    ),
    RoleRule(
        "scene_of_findings", "inspected", 30,
        before=_rx(r"^\s*(?:riêng\s+)?(?:tại|ở)\s*$"),
        after=re.compile(r"\s*(?:\([^)\n]{0,40}\))?\s*,"),
        unless=None,
        examples=("Tại [phường Hưng Bình] (thành phố Vinh), đoàn phát hiện nhiều sai sót",),
        negatives=("Tại [phường Hưng Bình] có 3 người",),
    ),
)
_ROLE_RULES_BY_PRIORITY = sorted(ROLE_RULES, key=lambda r: -r.priority)
_OWNER_FILLER = re.compile(r"(?:\s*(?:UBND|\(UBND\)|Ủy ban nhân dân|các|một số|trụ sở|\d+|[“\"']))+\s*$")


def mention_role(text: str, span: Span, clause_start: int = 0) -> RoleRule | None:
    """The role rule whose cue surrounds the mention at `span`, if any."""
    before = text[max(clause_start, span[0] - 600) : span[0]]
    before = _OWNER_FILLER.sub("", before)
    for rule in _ROLE_RULES_BY_PRIORITY:
        if rule.before is not None and not rule.before.search(before):
            continue
        if rule.after is not None and not rule.after.match(text, span[1]):
            continue
        if rule.unless is not None and rule.unless.search(before):
            continue
        return rule
    return None


_INSPECTOR = re.compile(
    r"(?<!\w)(?:[Đđ]oàn|[Tt]ổ)\s+(?:kiểm tra|công tác|liên ngành|thanh tra|giám sát)"
    r"[^.;:\n]{0,140}?(?=\s+(?:đã|đặt ra|tiến hành|đến|làm việc|đánh giá|chỉ ra|đề nghị|"
    r"kiến nghị|yêu cầu|cũng|ghi nhận|nhận thấy|do|gồm|tại|vào|việc|đột xuất|thực hiện|liền|vừa|sẽ|xác định|"
    r"phát hiện|nêu|chấn chỉnh|để)\b|[.;:,\n(]|\s+kiểm tra\b)"
)


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


# --- merging into units -----------------------------------------------------------------------

_TITLE_SUBJECT = re.compile(rf"^(?P<name>{_PLACE_NAME})\s*:")
_PLACE_LIST = re.compile(
    r"(?i:các|những|\d+)\s+(?:địa phương|huyện, thị xã, thành phố|huyện, thành phố|huyện, thị xã)\s*(?:gồm)?\s*:\s*"
)
_BARE_ITEM = re.compile(rf"\s*(?:,\s*và|,|;|và)\s*(?P<name>{_PLACE_NAME})")


def find_listed_districts(text: str, gazetteer: Gazetteer, province: str | None) -> list[UnitMention]:
    """'các địa phương: A, B và C': bare district names.

    The list's first name must be a district the gazetteer knows; a later name it does not
    know (a district created or renamed after its data) takes the level the known names
    share, when at least half of them are known.
    """
    found = []
    for m in _PLACE_LIST.finditer(text):
        pos = m.end()
        first = re.match(_PLACE_NAME, text[pos:])
        spans = [(pos, pos + first.end())] if first else []
        while spans and (item := _BARE_ITEM.match(text, spans[-1][1])):
            spans.append(item.span("name"))
        levels = [gazetteer.district_level_of(text[start:end], province=province) for start, end in spans]
        known = {level for level in levels if level}
        if not levels or levels[0] is None:
            continue
        shared = known.pop() if len(known) == 1 and 2 * levels.count(None) <= len(levels) else None
        for (start, end), level in zip(spans, levels, strict=True):
            level = level or shared
            if level is None:
                break
            name = text[start:end]
            found.append(UnitMention(level, _admin_name(level, name), (start, end), in_list=True, rule="admin_unit"))
    return found


def _longer_known_name(text: str, level: str, bare: str, end: int, gazetteer: Gazetteer) -> tuple[str, int]:
    """'Châu' + ' thành' -> 'Châu Thành' when the gazetteer knows the longer name and not the shorter."""
    if bare[0].isdigit() or gazetteer.name_status(level, bare) == "exact":
        return bare, end
    extended = bare
    for _ in range(2):
        nxt = _LOWER_SYLLABLE.match(text, end)
        if not nxt:
            break
        candidate = f"{extended} {nxt.group(1).capitalize()}"
        status = gazetteer.name_status(level, candidate)
        if status is None:
            break
        end, extended = nxt.end(), candidate
        if status == "exact":
            break
    return extended, end


_LOWER_SYLLABLE = re.compile(rf" ([{_LOWER}]+)(?![\w])")


def _extend_lowercase_tails(text: str, mentions: list[UnitMention], gazetteer: Gazetteer) -> None:
    """Names written with sloppy casing ('huyện Châu thành', 'bộ phận một cửa huyện Châu thành')."""
    for m in mentions:
        admin = m.owner if m.owner is not None else m
        if admin.rule != "admin_unit" or admin.level == "tinh" or admin.in_list or admin.span[1] != m.span[1]:
            continue
        bare = bare_name(admin.name)
        extended, end = _longer_known_name(text, admin.level, bare, admin.span[1], gazetteer)
        if extended == bare:
            continue
        old = admin.name
        admin.name = admin.key = _admin_name(admin.level, extended)
        admin.span = (admin.span[0], end)
        if m is not admin:
            m.name = m.name[: len(m.name) - len(old)] + admin.name
            m.key = m.name.lower()
            m.parent = admin.name
            m.span = (m.span[0], end)


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
    _extend_lowercase_tails(text, mentions, gazetteer)
    province = province_hint or _province_from_mentions(mentions)
    taken = [m.span for m in mentions]
    mentions += [m for m in find_listed_districts(text, gazetteer, province)
                 if not any(s[0] < m.span[1] and m.span[0] < s[1] for s in taken)]
    inspectors = find_inspectors(text)
    inspector_spans = [span for _, span in inspectors]
    mentions = _drop_parent_list_items(mentions)
    mentions.extend(_bare_mentions(text, mentions))
    mentions.sort(key=lambda u: u.span)
    aliases = {m.key.split("=", 1)[0]: m.key.split("=", 1)[1] for m in mentions if m.key.startswith("alias:")}
    by_alias = {a.removeprefix("alias:"): full for a, full in aliases.items()}

    units: dict[str, Unit] = {}
    votes: dict[str, dict[str, int]] = {}
    for m in mentions:
        key = m.key.split("=", 1)[1] if m.key.startswith("alias:") else by_alias.get(m.key.lower(), m.key)
        unit = units.get(key)
        if unit is None:
            unit = units[key] = Unit(name=m.name, level=m.level, role="mentioned")
            votes[key] = {"inspected": 0, "inspector": 0}
        unit.mentions.append(m.span)
        if m.parent and not m.parent.startswith("?") and unit.parent is None:
            unit.parent = m.parent
        if any(s[0] <= m.span[0] < s[1] for s in inspector_spans):
            continue  # 'Đoàn kiểm tra liên ngành của tỉnh X' names who inspects, not the unit inspected
        sentence = next((s for s in sentences if s[0] <= m.span[0] < s[1]), (0, len(text)))
        rule = mention_role(text, m.span, sentence[0])
        if rule is not None:
            votes[key][rule.role] += 1
        elif any(s[0] <= m.span[0] < s[1] for s in subject_spans):
            votes[key]["inspected"] += 1
    for key, unit in units.items():
        inspected, inspector = votes[key]["inspected"], votes[key]["inspector"]
        if inspected and inspected >= inspector:
            unit.role = "inspected"
        elif inspector:
            unit.role = "inspector"

    if issuer and self_assessment and issuer.key in units and _assesses_itself(units[issuer.key], units):
        units[issuer.key].role = "inspected"
    _fill_district_parents(units, mentions)
    _desks_share_their_role(units, mentions)
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


def _assesses_itself(issuer: Unit, units: dict[str, Unit]) -> bool:
    """Whether a self-assessment's issuer is the unit assessed.

    'UBND xã A: Báo cáo kết quả tự kiểm tra' assesses xã A (and a district's report assesses the
    district along with the communes it inspected). A department or office that reports the
    units a team inspected ('Phòng Nội vụ báo cáo: Tổ tự kiểm tra của huyện đã kiểm tra tại xã
    B, xã C') writes for its government, as the body in charge of the reform, and is not
    itself assessed. The issuer's own desks and offices are still the issuer.
    """
    return issuer.level not in ("so", "phong") or not any(
        unit.role == "inspected" and unit is not issuer and not unit.name.endswith(" " + issuer.name)
        for unit in units.values()
    )


def _drop_parent_list_items(mentions: list[UnitMention]) -> list[UnitMention]:
    """A list item that names a known district is its parent, not a commune ('xã A, Tương Dương')."""
    district_names = {bare_name(m.name) for m in mentions if m.level in DISTRICT_LEVELS}

    def names_a_district(m: UnitMention | None) -> bool:
        return m is not None and m.in_list and m.level in COMMUNE_LEVELS and bare_name(m.name) in district_names

    kept: list[UnitMention] = []
    for m in mentions:
        if names_a_district(m):
            if kept and kept[-1].level in COMMUNE_LEVELS and kept[-1].parent is None:
                kept[-1].parent = f"huyện {bare_name(m.name)}"
            continue
        if not names_a_district(m.owner):
            kept.append(m)
    return kept


def _desks_share_their_role(units: dict[str, Unit], mentions: list[UnitMention]) -> None:
    """Inspecting a unit's one-stop desk inspects the unit: 'kiểm tra bộ phận một cửa xã A' -> xã A."""
    desks = [units[m.key] for m in mentions if m.rule == "service_desk" and m.key in units]
    for desk in desks:
        if desk.role != "inspected":
            continue
        for unit in units.values():
            if unit.role == "mentioned" and unit.level in DISTRICT_LEVELS + COMMUNE_LEVELS \
                    and desk.name.endswith(" " + unit.name):
                unit.role = "inspected"


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
                extra.append(UnitMention(model.level, model.name, span, model.parent, rule="admin_unit"))
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
        if m.key not in units:
            continue
        unnamed_district = bool(m.parent and m.parent.startswith("?"))
        if m.level != "phong" and not (m.level == "co_quan" and unnamed_district):
            continue
        unit = units[m.key]
        if m.level == "phong" and len(m.name) > len(unit.name) and not unit.parent:
            unit.name = m.name
        if unit.parent or (m.parent and not unnamed_district):
            continue
        wanted = m.parent[1:] if unnamed_district else None
        before = [d for d in districts if d.span[0] < m.span[0] and (wanted is None or d.level == wanted)]
        before = before or [d for d in districts if wanted is None or d.level == wanted]
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
