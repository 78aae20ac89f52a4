"""Generated test files for the readers (no binary blobs in the repository).

Every fixture is written by code from Unicode Vietnamese text: DOCX with
python-docx, PDFs with reportlab and an embedded TTF found on the machine,
scanned pages by rendering text with Pillow, legacy bytes with the inverse
TCVN3/VNI tables.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import textwrap
import time
import unicodedata
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest

from pipeline.read.legacy_encodings import legacy_str_to_bytes, unicode_to_tcvn3, unicode_to_vni

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("FINDINGS_SHARED", ROOT.parent / "shared")) / "data"
LEGACY = DATA / "viparse-legacy-gov"

PARAGRAPHS = [
    "Ủy ban nhân dân huyện Tương Dương kiểm tra công tác cải cách hành chính.",
    "Đoàn kiểm tra đã làm việc tại xã Tam Quang và xã Xá Lượng ngày 5 tháng 6 năm 2018.",
    "Một số thủ tục hành chính chưa niêm yết đầy đủ về các lĩnh vực.",
    "Đề nghị Chủ tịch UBND xã chỉ đạo khắc phục những tồn tại, hạn chế nêu trên.",
]
TCVN3_SENTENCE = "Quyết định của Thủ tướng Chính phủ về việc thành lập đoàn kiểm tra"
VNI_SENTENCE = "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập - Tự do - Hạnh phúc"


def require_tool(name: str, hint: str) -> str:
    """Path of a system tool; missing -> fail under CI, skip locally."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed ({hint}; run scripts/install-system-deps.sh)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def require_data(path: Path) -> Path:
    """A file of the shared corpora; missing -> fail under CI, skip locally."""
    if not path.exists():
        message = f"shared test data missing: {path}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@lru_cache(maxsize=1)
def vietnamese_ttf() -> str:
    """A TTF font with Vietnamese glyphs (DejaVu Sans, found with fc-list)."""
    candidates = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"]
    if shutil.which("fc-list"):
        listed = subprocess.run(
            ["fc-list", ":lang=vi", "file"], capture_output=True, text=True, check=False
        ).stdout
        candidates += sorted(line.split(":")[0].strip() for line in listed.splitlines())
    for candidate in candidates:
        if candidate.endswith(".ttf") and Path(candidate).exists():
            return candidate
    pytest.fail("no TrueType font with Vietnamese glyphs found (install fonts-dejavu-core)")


# --- text encodings -------------------------------------------------------


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: base letters with vowel marks precomposed, tones combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        marks = "".join(c for c in decomposed if c in tones)
        out += base.encode("cp1258", errors="replace") + marks.encode("cp1258", errors="replace")
    return bytes(out)


def tcvn3_bytes(text: str) -> bytes:
    return legacy_str_to_bytes(unicode_to_tcvn3(text))


def vni_bytes(text: str) -> bytes:
    return legacy_str_to_bytes(unicode_to_vni(text))


# --- DOCX -----------------------------------------------------------------


def make_docx(path: Path) -> Path:
    """A DOCX with header/footer, paragraphs, a table, a .VnTime run and a VNI-Times run."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "UBND TỈNH NGHỆ AN"
    section.footer.paragraphs[0].text = "Trang chân: Sở Nội vụ"
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = FIRST_PAGE_HEADER
    document.add_paragraph(PARAGRAPHS[0])
    table = document.add_table(rows=2, cols=3)
    for row, values in zip(table.rows, [("STT", "Đơn vị", "Kết quả"),
                                         ("1", "xã Tam Quang", "Đạt")], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    paragraph = document.add_paragraph("Căn cứ: ")
    legacy = paragraph.add_run(unicode_to_tcvn3(TCVN3_SENTENCE))
    legacy.font.name = ".VnTime"
    vni = document.add_paragraph().add_run(unicode_to_vni(VNI_SENTENCE))
    vni.font.name = "VNI-Times"
    heading = document.add_paragraph().add_run(unicode_to_tcvn3("báo cáo kết quả"))
    heading.font.name = ".VnTimeH"
    for text in PARAGRAPHS[1:]:
        document.add_paragraph(text)
    _add_tracked_deletion(document.paragraphs[-1], DELETED_TEXT)
    revised = document.add_paragraph(REVISED[0])
    _add_tracked_deletion(revised, unicode_to_tcvn3(REVISED[1]), font=".VnTime")
    _add_tracked_insertion(revised, REVISED[2])
    document.save(path)
    return path


FIRST_PAGE_HEADER = "Trang đầu: Văn phòng UBND tỉnh"
DELETED_TEXT = "ĐOẠN VĂN ĐÃ BỊ XÓA"
# A paragraph with tracked changes: kept text, a deletion (in a .VnTime run), an insertion.
REVISED = ("Kết luận: ", "xã Tam Quang chưa niêm yết thủ tục ", "xã Tam Quang đã niêm yết thủ tục")
_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _add_tracked_deletion(paragraph, text: str, *, font: str | None = None) -> None:
    """Append a tracked deletion (`w:del` holding `w:delText`) to a paragraph."""
    from docx.oxml import parse_xml

    fonts = f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}"/></w:rPr>' if font else ""
    paragraph._p.append(parse_xml(
        f'<w:del {_W_NS} w:id="1" w:author="x" w:date="2018-06-05T00:00:00Z"><w:r>{fonts}'
        f'<w:delText xml:space="preserve">{text}</w:delText></w:r></w:del>'
    ))


def _add_tracked_insertion(paragraph, text: str) -> None:
    """Append a tracked insertion (`w:ins`) to a paragraph."""
    from docx.oxml import parse_xml

    paragraph._p.append(parse_xml(
        f'<w:ins {_W_NS} w:id="2" w:author="x" w:date="2018-06-05T00:00:00Z"><w:r>'
        f'<w:t xml:space="preserve">{text}</w:t></w:r></w:ins>'
    ))


def make_docx_with_text_boxes(path: Path, labels: list[str]) -> Path:
    """A DOCX with a paragraph and one VML text box per label (a small diagram)."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph(PARAGRAPHS[0])
    anchor = document.add_paragraph()
    for index, label in enumerate(labels):
        anchor._p.append(parse_xml(
            f'<w:r {_W_NS} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
            f'<v:shape id="box{index}" type="#_x0000_t202" '
            f'style="position:absolute;margin-left:{20 + 120 * index}pt;margin-top:0;'
            'width:100pt;height:30pt"><v:textbox><w:txbxContent><w:p><w:r>'
            f"<w:t>{label}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape>"
            "</w:pict></w:r>"
        ))
    document.add_paragraph(PARAGRAPHS[1])
    document.save(path)
    return path


def make_zip_bomb(path: Path, *, member_bytes: int) -> Path:
    """A 'DOCX' whose document part unpacks to `member_bytes` of zeros."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(member_bytes // len(chunk)):
                member.write(chunk)
    return path


def make_nested_tables_docx(path: Path, *, depth: int) -> Path:
    """A DOCX whose body holds a table nested `depth` tables deep, one labelled cell per level."""
    import io

    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Biên bản kiểm tra công vụ tại UBND xã Tam Quang.")
    document.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as original:
        parts = {info.filename: original.read(info.filename) for info in original.infolist()}
    inner = "<w:p><w:r><w:t>Ô trong cùng</w:t></w:r></w:p>"
    for level in range(depth):
        inner = (f"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Ô tầng {level}</w:t></w:r></w:p>{inner}"
                 "</w:tc></w:tr></w:tbl><w:p/>")
    body = parts["word/document.xml"].decode("utf-8")
    parts["word/document.xml"] = body.replace("<w:sectPr", inner + "<w:sectPr", 1).encode("utf-8")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


# --- PDF ------------------------------------------------------------------


def _canvas(target, **kwargs):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "VietSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("VietSans", vietnamese_ttf()))
    return canvas.Canvas(str(target), pagesize=(595, 842), **kwargs)


def make_text_pdf(path: Path, *, pages: int = 3, encrypt: str | None = None) -> Path:
    """Pages of Vietnamese text with a running header and page numbers (embedded TTF)."""
    pdf = _canvas(path, encrypt=encrypt)
    for number in range(1, pages + 1):
        pdf.setFont("VietSans", 9)
        pdf.drawString(60, 800, "BÁO CÁO KIỂM TRA CẢI CÁCH HÀNH CHÍNH NĂM 2018")
        pdf.drawString(290, 30, str(number))
        pdf.setFont("VietSans", 11)
        y = 740
        for paragraph in PARAGRAPHS:
            for line in textwrap.wrap(paragraph, 70):
                pdf.drawString(60, y, line)
                y -= 16
            y -= 14
        pdf.drawString(60, y, f"Nội dung riêng của trang {number}.")
        pdf.showPage()
    pdf.save()
    return path


def make_damaged_pdf(path: Path) -> Path:
    """A 3-page text PDF whose page 2 points its content at a font object, not a stream."""
    make_text_pdf(path, pages=3)
    data = path.read_bytes()
    refs = re.findall(rb"/Contents (\d+) 0 R", data)
    assert len(refs) == 3
    broken = b"/Contents 2 0 R".ljust(len(b"/Contents " + refs[1] + b" 0 R"))
    path.write_bytes(data.replace(b"/Contents " + refs[1] + b" 0 R", broken))
    return path


def make_two_column_pdf(path: Path) -> Path:
    """One page: a full-width title, then two columns of numbered lines."""
    pdf = _canvas(path)
    pdf.setFont("VietSans", 14)
    pdf.drawString(60, 790, "KẾT QUẢ KIỂM TRA CÔNG TÁC CẢI CÁCH HÀNH CHÍNH TẠI CÁC XÃ")
    pdf.setFont("VietSans", 10)
    for i in range(25):
        y = 750 - i * 14
        pdf.drawString(50, y, f"Trái {i + 1:02d}: xã Tam Quang niêm yết đủ")
        pdf.drawString(320, y, f"Phải {i + 1:02d}: xã Xá Lượng còn hạn chế")
    pdf.showPage()
    pdf.save()
    return path


def render_page_image(lines: list[str], *, dpi: int = 200):
    """A white A4 page image with the lines drawn in a Vietnamese TTF (a 'scan')."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(vietnamese_ttf(), size=int(dpi * 0.17))
    y = int(dpi * 0.8)
    for line in lines:
        draw.text((int(dpi * 0.8), y), line, font=font, fill=0)
        y += int(dpi * 0.3)
    return image


SCAN_LINES = [
    "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
    "Số: 138/QĐ-UBND",
    "QUYẾT ĐỊNH",
    "Về việc kiểm tra công tác cải cách hành chính",
    "Đoàn kiểm tra làm việc tại xã Tam Quang.",
    "Một số thủ tục hành chính chưa niêm yết đầy đủ.",
]


def make_scanned_pdf(path: Path, *, with_text_page: bool = False) -> Path:
    """An image-only PDF page (optionally after a page with a text layer)."""
    from reportlab.lib.utils import ImageReader

    image = render_page_image(SCAN_LINES)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    pdf = _canvas(path)
    if with_text_page:
        pdf.setFont("VietSans", 11)
        for i, paragraph in enumerate(PARAGRAPHS):
            pdf.drawString(60, 760 - 20 * i, paragraph[:80])
        pdf.showPage()
    pdf.drawImage(ImageReader(buffer), 0, 0, width=595, height=842)
    pdf.showPage()
    pdf.save()
    return path


# --- HTML -----------------------------------------------------------------

NEWS_HTML = """<!DOCTYPE html>
<html lang="vi"><head>
<meta charset="utf-8">
<title>Kiểm tra đột xuất cải cách hành chính - Báo Nghệ An</title>
<meta property="og:title" content="Tổ công tác kiểm tra bất ngờ việc thực hiện cải cách hành chính">
<meta property="og:site_name" content="Baonghean.vn">
<meta property="article:published_time" content="2017-08-25T09:30:00+07:00">
</head><body>
<header class="site-header"><nav class="menu"><ul><li><a href="/">Trang chủ</a></li>
<li><a href="/thoi-su">Thời sự</a></li><li><a href="/kinh-te">Kinh tế</a></li></ul></nav></header>
<div class="breadcrumb"><a href="/">Trang chủ</a> / <a href="/thoi-su">Thời sự</a></div>
<div class="main-content"><article class="article-detail">
<h1>Tổ công tác kiểm tra bất ngờ việc thực hiện cải cách hành chính</h1>
<div class="article-date">Thứ Sáu, 25/08/2017 09:30</div>
<p>(Baonghean.vn) - Ngày 24/8, đoàn kiểm tra của UBND tỉnh đã kiểm tra đột xuất công tác
cải cách hành chính tại huyện Tương Dương, xã Tam Quang và xã Xá Lượng.</p>
<p>Qua kiểm tra, một số thủ tục hành chính chưa niêm yết đầy đủ về các lĩnh vực, việc
tiếp nhận hồ sơ còn chậm, một số cán bộ chưa đeo thẻ công chức.</p>
<p>Đoàn đề nghị UBND huyện chỉ đạo các xã khắc phục ngay những tồn tại, hạn chế nêu trên,
đồng thời báo cáo kết quả trước ngày 15/9.</p>
<figure><img src="a.jpg"><figcaption>Đoàn kiểm tra làm việc tại xã Tam Quang.</figcaption></figure>
</article>
<div class="related-news"><h3>Tin liên quan</h3><ul>
<li><a href="/a">Nghệ An công bố chỉ số cải cách hành chính năm 2016, nhiều huyện tăng hạng</a></li>
<li><a href="/b">Tương Dương đẩy mạnh ứng dụng công nghệ thông tin trong quản lý, điều hành</a></li>
</ul></div>
<div id="comments" class="comment-box"><form><textarea>Ý kiến của bạn</textarea>
<button>Gửi bình luận</button></form><p>Bạn đọc Nguyễn Văn A: Cần kiểm tra thường xuyên hơn,
không chỉ đột xuất, để cán bộ xã có ý thức trách nhiệm.</p></div>
</div>
<footer class="footer"><p>Cơ quan chủ quản: Tỉnh ủy Nghệ An. Giấy phép số 123/GP-BTTTT,
địa chỉ 15 Nguyễn Thị Minh Khai, TP Vinh.</p></footer>
</body></html>
"""

# The same page as a news site serves it today: the date is written by a script
# (so only a browser's copy has it) and the article is spread over printed pages.
NEWS_HTML_SCRIPTED = (
    NEWS_HTML
    .replace('<meta property="article:published_time" content="2017-08-25T09:30:00+07:00">\n',
             "<style>.article-detail p { margin-bottom: 420px; }</style>\n")
    .replace('<div class="article-date">Thứ Sáu, 25/08/2017 09:30</div>',
             '<div class="article-date" id="date"></div><script>'
             "document.getElementById('date').textContent = 'Thứ Sáu, 25/08/2017 09:30';"
             "</script>")
)


# --- guard helpers (module level so a spawned worker can import them) -----


def slow_reader(path, *, limits=None, progress=None):
    """A reader that never finishes in time (stands in for a hung pdfplumber)."""
    time.sleep(60)


def crashing_reader(path, *, limits=None, progress=None):
    """A reader whose process dies (stands in for a segfault in a parser)."""
    os._exit(3)


def pid_reader(path, *, limits=None, progress=None):
    """A reader that answers with its process id as the title."""
    from pipeline.contract import Source
    from pipeline.read.document import RawDocument

    return RawDocument(source=Source(path=str(path), sha256="", format="txt"), title=str(os.getpid()))


def memory_hungry_reader(path, *, limits=None, progress=None):
    """A reader that tries to hold twice the memory it is allowed (a hostile file)."""
    hoard = bytearray(2 * limits.max_memory_bytes)
    return hoard


def ocr_announcing_reader(path, *, limits=None, progress=None):
    """Announces 1 page of OCR, then takes longer than the base time limit."""
    progress(1)
    time.sleep(1.5)
    return pid_reader(path)


# --- scoring --------------------------------------------------------------


def cer(text: str, truth: str) -> float:
    """Character error rate, case-insensitive, NFC, runs of whitespace as one space."""
    from rapidfuzz.distance import Levenshtein

    def norm(value: str) -> str:
        return " ".join(unicodedata.normalize("NFC", value).lower().split())

    a, b = norm(text), norm(truth)
    return Levenshtein.distance(a, b) / max(1, len(b))


def document_text(raw) -> str:
    """Blocks as the ground truth lays them out (table cells tab-separated)."""
    return "\n".join(block.text.replace(" | ", "\t") for block in raw.blocks)
