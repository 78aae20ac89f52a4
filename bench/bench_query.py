"""Latency of the analysts' workbench over a findings database of realistic size, SQLite and PostgreSQL.

Builds (once, cached) a findings database of N findings (default 1,000,000: 50,000 documents,
10,000 units over the 63 provinces; seeded, so the same arguments give the same database), then
times the six commonest requests of the web workbench, N repetitions each with parameters drawn
from realistic pools, and prints p50/p95/max in milliseconds:

1. the findings page with facets, 1-2 filters among province/category/polarity/year/unit level
   (the unfiltered landing page among them);
2. a free-text search (folded or with diacritics: 'tre hen', 'trễ hẹn', 'dong thap', ...);
3. a unit's page; 4. a document's page;
5. the overview (limitations by category and year), with and without a province;
6. a CSV export of 10,000 rows (what `/findings.csv` streams: `iter_findings` + `csv_chunks`, cut at 10,000).

Requests 1-5 go through the web app (`create_app` with FastAPI's TestClient: SQL and rendering)
when pipeline/web/app.py imports, else through the query functions; 6 always calls the functions.
"cold" clears the facet/count cache (`pipeline.query.budget.CACHE`) before every request, which is
what a first visitor after a new ingest gets; "warm" repeats the same requests with the cache filled.
The timing runs in one process pinned to one core (os.sched_setaffinity), the target being
p95 <= 150 ms per page cold on SQLite. PostgreSQL runs on a throwaway cluster started with the
Debian binaries (as the tests do), unless --pg-url names one.

    .venv/bin/python bench/bench_query.py [--findings 1000000] [--repeat 30] [--db sqlite|postgresql|both]
        [--pg-findings N] [--pg-url URL] [--cache /tmp/findings-bench] [--seed 7] [--requests filtered,text,...]
        [--functions]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Engine, create_engine, event, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.query.browse import facet_counts, findings_page, iter_findings, select_findings  # noqa: E402
from pipeline.query.budget import BACKGROUND, CACHE  # noqa: E402
from pipeline.query.export import csv_chunks  # noqa: E402
from pipeline.query.findings import FindingFilter  # noqa: E402
from pipeline.query.overview import overview  # noqa: E402
from pipeline.store.database import load_document, open_database, refresh_statistics  # noqa: E402
from pipeline.store.facets import DocumentFacts, index_rows  # noqa: E402
from pipeline.store.schema import (  # noqa: E402
    create_search_index,
    date_bounds,
    document_units,
    documents,
    finding_facts,
    finding_scope,
    finding_search,
    finding_units,
    findings,
    fold,
    legal_refs,
    unit_key,
    units,
)
from pipeline.taxonomy import load_taxonomy  # noqa: E402

PROVINCES = (
    "Hà Nội", "Thành phố Hồ Chí Minh", "Thanh Hóa", "Nghệ An", "Đồng Nai", "Bình Dương", "Hải Phòng",
    "An Giang", "Đồng Tháp", "Hải Dương", "Thái Bình", "Kiên Giang", "Nam Định", "Bắc Giang", "Tiền Giang",
    "Long An", "Gia Lai", "Đắk Lắk", "Quảng Nam", "Bình Định", "Lâm Đồng", "Bắc Ninh", "Hà Tĩnh", "Phú Thọ",
    "Quảng Ninh", "Sơn La", "Cà Mau", "Bến Tre", "Vĩnh Phúc", "Sóc Trăng", "Thừa Thiên Huế", "Cần Thơ",
    "Tây Ninh", "Bà Rịa - Vũng Tàu", "Khánh Hòa", "Quảng Ngãi", "Bình Thuận", "Trà Vinh", "Vĩnh Long",
    "Thái Nguyên", "Bạc Liêu", "Hưng Yên", "Hậu Giang", "Ninh Bình", "Hà Nam", "Đà Nẵng", "Hòa Bình",
    "Quảng Bình", "Lạng Sơn", "Tuyên Quang", "Phú Yên", "Yên Bái", "Quảng Trị", "Lào Cai", "Bình Phước",
    "Hà Giang", "Cao Bằng", "Ninh Thuận", "Điện Biên", "Đắk Nông", "Kon Tum", "Lai Châu", "Bắc Kạn",
)
SYLLABLES = (
    "Tân", "Phú", "An", "Bình", "Hòa", "Thạnh", "Long", "Mỹ", "Đông", "Tây", "Phước", "Hưng", "Lợi", "Thới",
    "Vĩnh", "Xuân", "Trung", "Hiệp", "Thuận", "Lộc", "Sơn", "Hải", "Quang", "Minh", "Thành", "Nghĩa", "Đức",
    "Hội", "Yên", "Cẩm", "Kim", "Hồng", "Thanh", "Tiến", "Quảng", "Hà", "Phong", "Lạc", "Thủy", "Khánh",
)
DEPARTMENTS = ("Nội vụ", "Tư pháp", "Tài chính", "Giáo dục và Đào tạo", "Y tế", "Xây dựng", "Công Thương",
               "Tài nguyên và Môi trường", "Nông nghiệp và Phát triển nông thôn", "Lao động - Thương binh và Xã hội",
               "Văn hóa, Thể thao và Du lịch", "Giao thông vận tải", "Kế hoạch và Đầu tư", "Thông tin và Truyền thông")
CATEGORY_ORDER = ("giai_quyet_ho_so", "niem_yet_cong_khai", "mot_cua", "ung_dung_cntt", "ke_hoach_cchc",
                  "tiep_cong_dan", "luu_tru_ho_so", "the_trang_phuc", "gio_giac_lam_viec", "co_so_vat_chat",
                  "chat_luong_can_bo", "van_ban_phap_quy", "quy_che_noi_bo", "tac_phong_ung_xu",
                  "phan_cong_nhiem_vu", "tai_chinh", "khac")
CATEGORY_PHRASES = {
    "ke_hoach_cchc": "xây dựng kế hoạch cải cách hành chính", "quy_che_noi_bo": "quy chế làm việc nội bộ",
    "van_ban_phap_quy": "ban hành văn bản quy phạm pháp luật",
    "niem_yet_cong_khai": "niêm yết công khai thủ tục hành chính", "mot_cua": "bộ phận một cửa",
    "giai_quyet_ho_so": "giải quyết hồ sơ thủ tục hành chính", "tiep_cong_dan": "tiếp công dân",
    "phan_cong_nhiem_vu": "phân công nhiệm vụ cán bộ, công chức", "gio_giac_lam_viec": "chấp hành giờ giấc làm việc",
    "the_trang_phuc": "đeo thẻ công chức, trang phục công sở", "tac_phong_ung_xu": "tác phong, thái độ ứng xử",
    "chat_luong_can_bo": "trình độ chuyên môn của cán bộ, công chức", "luu_tru_ho_so": "lưu trữ hồ sơ",
    "tai_chinh": "thu phí, lệ phí và quản lý tài chính", "co_so_vat_chat": "cơ sở vật chất, trang thiết bị",
    "ung_dung_cntt": "ứng dụng công nghệ thông tin, dịch vụ công trực tuyến", "khac": "công tác văn thư",
}
GENERIC = {
    "limitation": ("{U} chưa thực hiện tốt công tác {C}.", "Việc {C} tại {U} còn hạn chế, chưa đúng quy định.",
                   "Còn {n} trường hợp chưa đúng quy định về {C} tại {U}.",
                   "{U} chưa ban hành đầy đủ quy định về {C}.", "Công tác {C} của {U} còn chậm, chưa kịp thời."),
    "strength": ("{U} đã thực hiện tốt công tác {C}.", "Công tác {C} tại {U} được quan tâm, thực hiện nghiêm túc.",
                 "{U} cơ bản thực hiện đúng quy định về {C}."),
    "recommendation": ("Đề nghị {U} khắc phục những hạn chế về {C}.",
                       "Đề nghị Chủ tịch {U} chỉ đạo chấn chỉnh công tác {C} trong thời gian tới.",
                       "{U} cần tăng cường kiểm tra, giám sát việc {C}."),
}
SPECIFIC = {
    ("giai_quyet_ho_so", "limitation"): (
        "{U} còn {n} hồ sơ giải quyết trễ hẹn so với quy định.",
        "Tỷ lệ hồ sơ trễ hẹn tại {U} là {p}%, chưa có văn bản xin lỗi người dân.",
        "Một số hồ sơ tiếp nhận qua bộ phận một cửa của {U} chưa được cập nhật vào sổ theo dõi.",
        "Hồ sơ đất đai tại {U} còn trễ hẹn nhiều, có hồ sơ trễ hẹn trên {n} ngày."),
    ("giai_quyet_ho_so", "strength"): ("{U} đã giải quyết {n} hồ sơ, 100% đúng hẹn và trước hẹn.",),
    ("giai_quyet_ho_so", "recommendation"): (
        "Đề nghị {U} khắc phục tình trạng hồ sơ trễ hẹn, thực hiện xin lỗi người dân theo quy định.",),
    ("niem_yet_cong_khai", "limitation"): (
        "{U} chưa niêm yết công khai đầy đủ thủ tục hành chính tại bộ phận một cửa.",
        "Một số thủ tục hành chính niêm yết tại {U} đã hết hiệu lực, chưa cập nhật kịp thời.",
        "{U} chưa niêm yết công khai số điện thoại đường dây nóng, hộp thư góp ý."),
    ("niem_yet_cong_khai", "strength"): ("{U} niêm yết công khai đầy đủ, đúng quy định các thủ tục hành chính.",),
    ("niem_yet_cong_khai", "recommendation"): (
        "Đề nghị {U} rà soát, niêm yết công khai đầy đủ thủ tục hành chính.",),
    ("mot_cua", "limitation"): (
        "Bộ phận một cửa của {U} chưa bố trí đủ trang thiết bị theo quy định.",
        "Bộ phận một cửa {U} chưa có công chức trực thường xuyên."),
    ("mot_cua", "strength"): ("Bộ phận một cửa của {U} được bố trí khang trang, thuận tiện cho người dân.",),
    ("ung_dung_cntt", "limitation"): (
        "Tỷ lệ hồ sơ trực tuyến tại {U} chỉ đạt {p}%.",
        "{U} chưa cập nhật hồ sơ lên hệ thống một cửa điện tử."),
    ("tiep_cong_dan", "limitation"): ("{U} chưa bố trí lịch tiếp công dân định kỳ.",),
    ("gio_giac_lam_viec", "limitation"): ("Một số cán bộ {U} đi làm muộn, về sớm.",),
    ("the_trang_phuc", "limitation"): ("Công chức tại bộ phận một cửa {U} chưa đeo thẻ khi làm việc.",),
    ("luu_tru_ho_so", "limitation"): ("Hồ sơ lưu trữ tại {U} chưa được sắp xếp khoa học, còn thất lạc.",),
}
LEGAL_KINDS = (("Chỉ thị", "CT-TTg"), ("Nghị định", "NĐ-CP"), ("Quyết định", "QĐ-TTg"), ("Kế hoạch", "KH-UBND"))
TEXT_QUERIES = ("tre hen", "trễ hẹn", "niem yet", "niêm yết công khai", "dong thap", "một cửa", "ho so",
                "hồ sơ trễ", "mot cua dien tu", "xin loi", "dat dai", "thẻ công chức", "tiep cong dan",
                "ha noi", "truc tuyen", "chưa niêm yết", "đi làm muộn", "lưu trữ")
CSV_ROWS = 10_000


def zipf_weights(count: int, exponent: float = 1.0) -> list[float]:
    return [1 / (rank**exponent) for rank in range(1, count + 1)]


@dataclass
class Plan:
    """The sizes of the database for N findings."""

    findings: int
    seed: int

    @property
    def documents(self) -> int:
        return max(10, self.findings // 20)

    @property
    def units(self) -> int:
        return max(300, self.findings // 100)


@dataclass
class UnitSpec:
    id: int
    name: str
    level: str
    parent: str | None
    province: str
    weight: float
    current_name: str | None = None
    current_province: str | None = None


@dataclass
class Batch:
    """Rows for each table, for a run of documents."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    def count(self, table: str) -> int:
        return len(self.rows.get(table, []))


ORDER = (units, documents, document_units, findings, finding_units, legal_refs, finding_facts, finding_scope,
         finding_search)


def make_units(plan: Plan, rng: random.Random) -> list[UnitSpec]:
    """Province units, departments, districts, their offices and communes, ~plan.units in all."""
    made: list[UnitSpec] = []
    keys: set[str] = set()

    def add(name: str, level: str, parent: str | None, province: str) -> None:
        key = unit_key(name, parent, province)
        if key in keys:
            return
        keys.add(key)
        made.append(UnitSpec(len(made) + 1, name, level, parent, province, rng.paretovariate(1.3)))

    shares = [w**0.5 for w in zipf_weights(len(PROVINCES))]
    total = sum(shares)
    for province, share in zip(PROVINCES, shares, strict=True):
        budget = max(6, round(plan.units * share / total))
        add(f"tỉnh {province}", "tinh", None, province)
        for department in DEPARTMENTS[: max(2, budget // 14)]:
            add(f"Sở {department}", "so", f"UBND tỉnh {province}", province)
        districts = max(1, budget // 11)
        for _ in range(districts):
            kind = rng.choices(("huyện", "thị xã", "thành phố"), (85, 10, 5))[0]
            level = {"huyện": "huyen", "thị xã": "thi_xa", "thành phố": "thanh_pho"}[kind]
            district = f"{kind} {rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}"
            add(district, level, f"tỉnh {province}", province)
            for office in ("Nội vụ", "Tư pháp")[: 1 + (budget > 60)]:
                add(f"Phòng {office}", "phong", district, province)
            for _ in range(max(1, (budget * 8 // 10) // districts)):
                kind = rng.choices(("xã", "phường", "thị trấn"), (80, 15, 5))[0]
                level = {"xã": "xa", "phường": "phuong", "thị trấn": "thi_tran"}[kind]
                add(f"{kind} {rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}", level, district, province)
    return made


def legal_pool(rng: random.Random) -> list[tuple[str, str]]:
    pool: list[tuple[str, str]] = []
    seen = set()
    while len(pool) < 300:
        kind, suffix = rng.choices(LEGAL_KINDS, (20, 35, 30, 15))[0]
        number = f"{rng.randint(1, 2500)}/{rng.randint(2011, 2025)}/{suffix}" if kind == "Nghị định" or \
            rng.random() < 0.5 else f"{rng.randint(1, 300)}/{suffix}"
        if number not in seen:
            seen.add(number)
            pool.append((kind, number))
    return pool


def generate(plan: Plan, dialect: str, chunk_documents: int = 2000) -> Iterator[Batch]:
    """Batches of rows, the units first, then `chunk_documents` documents at a time (ids assigned here)."""
    rng = random.Random(plan.seed)
    unit_list = make_units(plan, rng)
    first = Batch()
    for u in unit_list:
        first.add("units", {"id": u.id, "key": unit_key(u.name, u.parent, u.province), "name": u.name,
                            "level": u.level, "parent": u.parent, "province": u.province, "admin_code": None,
                            "current_name": None, "current_province": None,
                            "search_name": f"{fold(u.name)}\n{fold(None)}"})
    yield first
    by_province: dict[str, list[UnitSpec]] = {}
    for u in unit_list:
        by_province.setdefault(u.province, []).append(u)
    inspectable = {p: [u for u in us if u.level != "tinh"] for p, us in by_province.items()}
    interior = {p: [u.weight for u in us] for p, us in inspectable.items()}
    interior_cum = {p: list(_cumulative(ws)) for p, ws in interior.items()}
    home_office = {p: next((u for u in us if u.name == "Sở Nội vụ"), None) for p, us in by_province.items()}
    province_weights = list(_cumulative(zipf_weights(len(PROVINCES))))
    categories = [c for c in CATEGORY_ORDER if c in load_taxonomy().category_codes]
    category_cum = list(_cumulative(zipf_weights(len(categories), 0.9)))
    laws = legal_pool(rng)
    law_cum = list(_cumulative(zipf_weights(len(laws), 1.1)))
    years = list(range(2015, 2027))
    year_cum = list(_cumulative([(y - 2014) ** 1.3 for y in years]))
    finding_id = 0
    per_document = plan.findings / plan.documents
    batch = Batch()
    for document_id in range(1, plan.documents + 1):
        province = rng.choices(PROVINCES, cum_weights=province_weights)[0]
        pool = inspectable[province]
        inspected: list[UnitSpec] = []
        for _ in range(rng.choices((1, 2, 3), (60, 30, 10))[0]):
            unit = rng.choices(pool, cum_weights=interior_cum[province])[0]
            if unit not in inspected:
                inspected.append(unit)
        year = rng.choices(years, cum_weights=year_cum)[0]
        shape = rng.random()
        if shape < 0.02:
            published = None
        elif shape < 0.12:
            published = f"{year}-{rng.randint(1, 12):02d}"
        else:
            published = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        bounds = date_bounds(published)
        names = ", ".join(u.name for u in inspected)
        title = rng.choice(("Báo cáo kết quả kiểm tra công tác cải cách hành chính tại {} năm {}",
                            "Thông báo kết luận kiểm tra cải cách hành chính đối với {} năm {}",
                            "Báo cáo kiểm tra việc thực hiện thủ tục hành chính tại {} năm {}")).format(names, year)
        count = max(1, min(80, round(rng.gammavariate(2.0, per_document / 2.0))))
        mentioned: list[UnitSpec] = []
        sentences: list[tuple[str, str, str, list[UnitSpec]]] = []
        for _ in range(count):
            polarity = rng.choices(("limitation", "strength", "recommendation"), (45, 35, 20))[0]
            category = rng.choices(categories, cum_weights=category_cum)[0]
            own: list[UnitSpec] = []
            if rng.random() < 0.25:
                if len(inspected) > 1 and rng.random() < 0.7:
                    own = rng.sample(inspected, rng.choice((1, 1, 1, 2)))
                else:
                    other = rng.choices(pool, cum_weights=interior_cum[province])[0]
                    own = [other]
                    if other not in inspected and other not in mentioned:
                        mentioned.append(other)
            subject = own[0].name if own else (inspected[0].name if rng.random() < 0.5 else "đơn vị")
            template = rng.choice(SPECIFIC.get((category, polarity), ()) + GENERIC[polarity])
            sentence = template.format(U=subject, C=CATEGORY_PHRASES[category], n=rng.randint(2, 60),
                                       p=rng.randint(5, 95))
            sentences.append((sentence[0].upper() + sentence[1:], polarity, category, own))
        indexes = rng.choices(range(len(laws)), cum_weights=law_cum, k=rng.randint(2, 6))
        refs = [laws[i] for i in sorted(set(indexes))]
        basis = "Căn cứ " + "; ".join(f"{kind} số {number}" for kind, number in refs) + "."
        parts = [title, basis]
        position = len(title) + 2 + len(basis) + 2
        spans = []
        for index, (sentence, *_rest) in enumerate(sentences):
            spans.append((position, position + len(sentence)))
            position += len(sentence) + (2 if index % 5 == 4 else 1)
        paragraphs = [" ".join(s for s, *_r in sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
        body = "\n\n".join([*parts, *paragraphs])
        batch.add("documents", {
            "id": document_id, "sha256": rng.getrandbits(256).to_bytes(32, "big").hex(),
            "path": f"archive/{province}/{year}/bao-cao-{document_id:06d}.txt", "format": "txt",
            "encoding": "utf-8", "pages": None, "ocr": False, "size_bytes": len(body.encode()), "title": title,
            "published": published, "published_confidence": 0.9 if published else None, "issued": None,
            "publisher": f"Sở Nội vụ tỉnh {province}", "kind": "report", "topic": "inspection",
            "topic_confidence": 0.95, "text": body, "text_chars": len(body), "status": "ok", "errors": [],
            "versions": {}, "dated": published, "dated_start": bounds[0] if bounds else None,
            "dated_end": bounds[1] if bounds else None, "ingested_at": datetime(2026, 1, 5, tzinfo=UTC),
        })
        links = [(u, "inspected") for u in inspected] + [(u, "mentioned") for u in mentioned]
        if home_office[province] is not None and home_office[province] not in inspected:
            links.append((home_office[province], "inspector"))
        for ordinal, (unit, role) in enumerate(links):
            start = title.find(unit.name)
            mentions = [[start, start + len(unit.name)]] if start >= 0 else []
            batch.add("document_units", {"document_id": document_id, "unit_id": unit.id, "role": role,
                                         "ordinal": ordinal, "mentions": mentions, "pages": None})
        start = len(title) + 2 + len("Căn cứ ")
        for ordinal, (kind, number) in enumerate(refs):
            cited = f"{kind} số {number}"
            batch.add("legal_refs", {"document_id": document_id, "ordinal": ordinal, "kind": kind,
                                     "number": number, "date": None, "issuer": None, "text": cited,
                                     "span_start": start, "span_end": start + len(cited), "page": None})
            start += len(cited) + 2
        stored, named = [], {}
        for ordinal, ((sentence, polarity, category, own), (s, e)) in enumerate(zip(sentences, spans, strict=True)):
            finding_id += 1
            row = {"id": finding_id, "document_id": document_id, "ordinal": ordinal, "polarity": polarity,
                   "category": category, "text": sentence, "span_start": s, "span_end": e,
                   "confidence": round(min(1.0, 0.3 + 0.7 * rng.betavariate(3, 1.5)), 3),
                   "needs_review": rng.random() < 0.08, "polarity_source": "rule", "quantity": None,
                   "page": None, "dismissed": rng.random() < 0.003}
            batch.add("findings", row)
            stored.append(SimpleNamespace(**row))
            for position_, unit in enumerate(own):
                batch.add("finding_units", {"finding_id": finding_id, "unit_id": unit.id, "ordinal": position_})
            if own:
                named[finding_id] = [unit.id for unit in own]
        # The facet and search rows, by the store's own derivation.
        facts, scope, search = index_rows(
            dialect, DocumentFacts(document_id, title, bounds[0] if bounds else None, bounds[1] if bounds else None),
            stored, named, [unit.id for unit in inspected], {u.id: u for u in (*inspected, *mentioned)})
        for table, rows in (("finding_facts", facts), ("finding_scope", scope), ("finding_search", search)):
            batch.rows.setdefault(table, []).extend(rows)
        if document_id % chunk_documents == 0 or document_id == plan.documents:
            yield batch
            batch = Batch()


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def load(engine: Engine, plan: Plan, *, label: str) -> dict[str, int]:
    """Insert every batch (one transaction per batch); returns the rows per table."""
    counts: dict[str, int] = {}
    started = time.perf_counter()
    for number, batch in enumerate(generate(plan, engine.dialect.name)):
        with engine.begin() as conn:
            for table in ORDER:
                rows = batch.rows.get(table.name)
                if rows:
                    conn.execute(insert(table), rows)
                    counts[table.name] = counts.get(table.name, 0) + len(rows)
        if number % 5 == 0:
            done = counts.get("findings", 0)
            print(f"  {label}: {done:,} findings after {time.perf_counter() - started:.0f} s", flush=True)
    return counts


def build_sqlite(path: Path, plan: Plan) -> None:
    """The SQLite database at `path`, schema by `open_database`, rows bulk-inserted without journal."""
    partial = path.with_suffix(".building")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite:///{partial}"
    open_database(url).dispose()
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _fast(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -1500000", "temp_store = MEMORY"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    load(engine, plan, label="sqlite")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode = WAL")
    engine.dispose()
    partial.rename(path)


def build_postgres(url: str, plan: Plan) -> None:
    """The rows into the PostgreSQL database at `url`; the GIN index is made after the load, then ANALYZE."""
    engine = open_database(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_finding_search_body_tsv")
    load(engine, plan, label="postgresql")
    with engine.begin() as conn:
        conn.exec_driver_sql("SET maintenance_work_mem = '1GB'")
        create_search_index(conn)
        for table in (documents, units, findings, document_units, legal_refs):
            conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                 f"(SELECT max(id) FROM {table.name}))")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


# ---------------------------------------------------------------------------------------------- requests


@dataclass
class Pools:
    provinces: list[str]
    province_cum: list[float]
    categories: list[str]
    years: list[int]
    levels: list[str]
    units: list[int]
    documents: list[str]


def pools(engine: Engine, rng: random.Random, size: int) -> Pools:
    """Parameters drawn from what the database holds: busy provinces and units more often, as analysts do."""
    with engine.connect() as conn:
        provinces = conn.execute(select(finding_scope.c.province, text("count(*) AS n"))
                                 .group_by(finding_scope.c.province).order_by(text("n DESC"))).all()
        years = sorted(y for y in conn.scalars(select(finding_facts.c.year).distinct()) if y is not None)
        levels = sorted(conn.scalars(select(units.c.level).distinct()))
        top = conn.scalar(select(text("max(id)")).select_from(findings)) or 1
        document_count = conn.scalar(select(text("max(id)")).select_from(documents)) or 1
        picked = [rng.randint(1, top) for _ in range(size)]
        busy = list(conn.scalars(select(finding_scope.c.unit_id).where(finding_scope.c.finding_id.in_(picked))))
        quiet = list(conn.scalars(select(document_units.c.unit_id).where(
            document_units.c.document_id.in_([rng.randint(1, document_count) for _ in range(size)]))))
        shas = list(conn.scalars(select(documents.c.sha256).where(
            documents.c.id.in_([rng.randint(1, document_count) for _ in range(size)]))))
    named = [(p, n) for p, n in provinces if p]
    return Pools(provinces=[p for p, _ in named], province_cum=list(_cumulative([n for _, n in named])),
                 categories=list(load_taxonomy().category_codes), years=years, levels=levels,
                 units=busy[: size // 2 + 1] + quiet[: size // 2 + 1], documents=shas)


def random_filter(rng: random.Random, p: Pools) -> dict[str, Any]:
    """0 (the landing page, one time in six), 1 or 2 filters among province/category/polarity/year/level."""
    if rng.random() < 1 / 6:
        return {}
    chosen = rng.sample(("province", "category", "polarity", "year", "level"), rng.choice((1, 1, 2)))
    values: dict[str, Any] = {}
    for name in chosen:
        if name == "province":
            values[name] = rng.choices(p.provinces, cum_weights=p.province_cum)[0]
        elif name == "category":
            values[name] = rng.choice(p.categories)
        elif name == "polarity":
            values[name] = rng.choice(("limitation", "strength", "recommendation"))
        elif name == "year":
            values[name] = rng.choice(p.years[-6:])
        else:
            values[name] = rng.choice(("xa", "xa", "huyen", "phuong", "so", "phong"))
    return values


@dataclass
class Request:
    name: str
    label: str
    calls: list[tuple[str, Callable[[], Any]]]  # (what, call) per repetition


PARAMETER = {"text": "q"}


def requests(engine: Engine, rng: random.Random, p: Pools, repeat: int, client: Any) -> list[Request]:
    def page_call(values: dict[str, Any], page: int) -> Callable[[], Any]:
        if client is not None:
            query = {PARAMETER.get(k, k): v for k, v in values.items()} | ({"page": page} if page > 1 else {})
            url = "/findings" + (f"?{urlencode(query)}" if query else "")
            return lambda: _ok(client.get(url))
        return lambda: findings_page(engine, FindingFilter(**values), page=page, per_page=50)

    def unit_call(unit_id: int) -> Callable[[], Any]:
        if client is not None:
            return lambda: _ok(client.get(f"/units/{unit_id}"))

        def direct() -> Any:
            filt = FindingFilter(unit_id=unit_id)
            return select_findings(engine, filt, limit=100), facet_counts(engine, filt)

        return direct

    def document_call(sha: str) -> Callable[[], Any]:
        if client is not None:
            return lambda: _ok(client.get(f"/documents/{sha}"))
        return lambda: load_document(engine, sha)

    def overview_call(province: str | None) -> Callable[[], Any]:
        if client is not None:
            return lambda: _ok(client.get("/" + (f"?{urlencode({'province': province})}" if province else "")))
        return lambda: overview(engine, FindingFilter(province=province))

    def csv_call(values: dict[str, Any]) -> Callable[[], Any]:
        def export() -> int:  # what /findings.csv streams, cut at CSV_ROWS
            return sum(len(chunk) for chunk in csv_chunks(iter_findings(engine, FindingFilter(**values),
                                                                         limit=CSV_ROWS)))

        return export

    made = [Request("filtered", "findings page + facets (0-2 filters)", []),
            Request("text", "text search page", []), Request("unit", "unit page", []),
            Request("document", "document page", []), Request("overview", "overview (all / one province)", []),
            Request("csv", f"CSV export, {CSV_ROWS:,} rows (functions)", [])]
    for _ in range(repeat):
        values = random_filter(rng, p)
        page = 1 if rng.random() < 0.7 else rng.randint(2, 5)
        made[0].calls.append((_describe(values, page), page_call(values, page)))
        words = rng.choice(TEXT_QUERIES)
        extra = random_filter(rng, p) if rng.random() < 0.2 else {}
        made[1].calls.append((_describe({"text": words, **extra}, 1), page_call({"text": words, **extra}, 1)))
        unit_id = rng.choice(p.units)
        made[2].calls.append((f"unit {unit_id}", unit_call(unit_id)))
        sha = rng.choice(p.documents)
        made[3].calls.append((f"document {sha[:10]}", document_call(sha)))
        province = None if rng.random() < 0.4 else rng.choices(p.provinces, cum_weights=p.province_cum)[0]
        made[4].calls.append((f"province={province}", overview_call(province)))
        values = random_filter(rng, p)
        made[5].calls.append((_describe(values, 1), csv_call(values)))
    return made


def _ok(response: Any) -> Any:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.url}: HTTP {response.status_code}: {response.text[:300]}")
    return response


def _describe(values: dict[str, Any], page: int) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in values.items()) or "no filter"
    return shown + (f", page {page}" if page > 1 else "")


@dataclass
class Timing:
    samples: list[float]
    slowest: str
    pending: int = 0  # facets or overview tables left to the background, over all requests

    def line(self) -> str:
        ordered = sorted(self.samples)
        rank = max(0, math.ceil(0.95 * len(ordered)) - 1)
        return f"{statistics.median(ordered):8.1f} {ordered[rank]:8.1f} {ordered[-1]:8.1f}"


def _pending(result: Any) -> int:
    """How many parts a page left to the background ("Đang đếm…" in HTML, `pending` otherwise)."""
    if hasattr(result, "text") and isinstance(result.text, str):
        return result.text.count("Đang đếm…")
    if hasattr(result, "facets"):
        return sum(f.pending for f in result.facets)
    return len(getattr(result, "pending", []) or [])


def time_calls(calls: list[tuple[str, Callable[[], Any]]], *, cold: bool) -> Timing:
    """Each call timed; between calls (untimed) the background finishes what a page left to it."""
    samples, slowest, pending = [], ("", -1.0), 0
    for what, call in calls:
        BACKGROUND.wait()
        if cold:
            CACHE.clear()
        started = time.perf_counter()
        result = call()
        elapsed = (time.perf_counter() - started) * 1000
        samples.append(elapsed)
        pending += _pending(result)
        if elapsed > slowest[1]:
            slowest = (what, elapsed)
    BACKGROUND.wait()
    return Timing(samples, f"{slowest[0]} ({slowest[1]:.0f} ms)", pending)


def bench(engine: Engine, label: str, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed + 1)
    client = None
    if not args.functions:
        try:
            from fastapi.testclient import TestClient

            from pipeline.web.app import create_app

            client = TestClient(create_app(engine, token=""))
            BACKGROUND.wait()  # the app's warm-up, not part of any request
        except Exception as exc:  # noqa: BLE001 - the app is optional: time the functions then
            print(f"  (web app unavailable: {type(exc).__name__}: {exc}; timing the query functions)")
    wanted = set(args.requests.split(",")) if args.requests else None
    made = [r for r in requests(engine, rng, pools(engine, rng, 4 * args.repeat), args.repeat, client)
            if wanted is None or r.name in wanted]
    previous = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(previous)})
    via = "through the web app (TestClient: SQL + rendering)" if client is not None else "query functions"
    print(f"\n{label}: {args.repeat} requests each, {via}; pinned to one core (sched_setaffinity {{"
          f"{min(previous)}}}); ms")
    print(f"  {'request':<40} {'cold p50':>8} {'p95':>8} {'max':>8}   {'warm p50':>8} {'p95':>8} {'max':>8}")
    try:
        for request in made:
            request.calls[0][1]()  # first use: templates compiled, connections opened
            cold = time_calls(request.calls, cold=True)
            for _what, call in request.calls:  # fill the cache as earlier visitors would have
                call()
                BACKGROUND.wait()
            warm = time_calls(request.calls, cold=False)
            print(f"  {request.label:<40} {cold.line()}   {warm.line()}", flush=True)
            print(f"  {'':<40} slowest cold: {cold.slowest}; left to the background: {cold.pending} parts cold, "
                  f"{warm.pending} warm", flush=True)
    finally:
        os.sched_setaffinity(0, previous)
        if client is not None:
            client.close()


def schema_tag() -> str:
    """A short digest of the tables and indexes (full-text ones too), so a cached file with others is not reused."""
    from sqlalchemy.schema import CreateIndex, CreateTable

    from pipeline.store.schema import _SEARCH_INDEX_DDL, metadata

    statements = [str(CreateTable(t)) for t in metadata.sorted_tables]
    statements += sorted(str(CreateIndex(i)) for t in metadata.sorted_tables for i in t.indexes)
    statements += [ddl for dialect in sorted(_SEARCH_INDEX_DDL) for ddl in _SEARCH_INDEX_DDL[dialect]]
    return hashlib.sha1("".join(statements).encode()).hexdigest()[:8]


def size_of(path: Path) -> str:
    return f"{path.stat().st_size / 2**20:,.0f} MiB"


def run_sqlite(args: argparse.Namespace) -> None:
    plan = Plan(args.findings, args.seed)
    cache = Path(args.cache).expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"findings-s{plan.seed}-n{plan.findings}-{schema_tag()}.db"
    if path.exists():
        print(f"SQLite: cached database {path} ({size_of(path)})")
    else:
        started = time.perf_counter()
        print(f"SQLite: building {path}: {plan.findings:,} findings, {plan.documents:,} documents, "
              f"~{plan.units:,} units", flush=True)
        build_sqlite(path, plan)
        print(f"SQLite: built in {time.perf_counter() - started:.0f} s, {size_of(path)}")
    engine = open_database(f"sqlite:///{path}")
    started = time.perf_counter()
    refresh_statistics(engine)  # as `findings ingest` does at the end of a run
    print(f"SQLite: planner statistics refreshed in {time.perf_counter() - started:.1f} s")
    describe(engine)
    bench(engine, f"SQLite ({plan.findings:,} findings)", args)
    engine.dispose()


def run_postgres(args: argparse.Namespace) -> None:
    plan = Plan(args.pg_findings or args.findings, args.seed)
    if args.pg_url:
        engine = open_database(args.pg_url)
        with engine.connect() as conn:
            empty = not conn.scalar(select(text("count(*)")).select_from(documents))
        if empty:
            _build_pg(args.pg_url, plan)
        bench(engine, f"PostgreSQL ({args.pg_url})", args)
        engine.dispose()
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres_server import SERVER_USER, PostgresCluster, _free_port, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        print("PostgreSQL: no server binaries (scripts/start-postgres.sh installs them); skipped")
        return
    as_root = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="findings-bench-pg-"))
    if as_root:
        shutil.chown(root, user=SERVER_USER, group=SERVER_USER)
    cluster = PostgresCluster(bin_dir=bin_dir, root=root, port=_free_port(), as_root=as_root)
    try:
        cluster.start()
        cluster.create_database("findings")
        url = cluster.url("findings")
        _build_pg(url, plan)
        engine = open_database(url)
        with engine.connect() as conn:
            size = conn.scalar(text("SELECT pg_database_size(current_database())"))
        print(f"PostgreSQL: database size {size / 2**20:,.0f} MiB "
              f"(server {bin_dir.parent.name}, default settings but fsync off)")
        describe(engine)
        bench(engine, f"PostgreSQL ({plan.findings:,} findings)", args)
        engine.dispose()
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def _build_pg(url: str, plan: Plan) -> None:
    started = time.perf_counter()
    print(f"PostgreSQL: building {plan.findings:,} findings, {plan.documents:,} documents", flush=True)
    build_postgres(url, plan)
    print(f"PostgreSQL: built in {time.perf_counter() - started:.0f} s")


def describe(engine: Engine) -> None:
    with engine.connect() as conn:
        counts = {t.name: conn.scalar(select(text("count(*)")).select_from(t))
                  for t in (documents, units, findings, finding_units, finding_scope, legal_refs)}
    print("  rows: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=1_000_000, help="findings (documents = N/20, units = N/100)")
    parser.add_argument("--pg-findings", type=int, help="findings for PostgreSQL (default: --findings)")
    parser.add_argument("--repeat", type=int, default=30, help="requests of each kind (default 30)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", help="an existing PostgreSQL database (filled when empty)")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "findings-bench"),
                        help="folder of the built SQLite files (default /tmp/findings-bench)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", help="only these: filtered,text,unit,document,overview,csv")
    parser.add_argument("--functions", action="store_true", help="time the query functions, not the web app")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; timing pinned to one core")
    if args.db in ("sqlite", "both"):
        run_sqlite(args)
    if args.db in ("postgresql", "both"):
        run_postgres(args)


if __name__ == "__main__":
    main()
