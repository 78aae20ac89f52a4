"""HTML pages saved from news sites: title, article text, date, publisher.

The article is the element whose paragraphs carry the most text with the
fewest links (a text-density heuristic); navigation, menus, footers,
comment forms and related-article lists are dropped first. No network.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlparse

from pipeline.read.document import BlockPart, ReadError, TextBlock
from pipeline.read.text import decode_text

_DROP_TAGS = (
    "script", "style", "noscript", "iframe", "svg", "nav", "header", "footer", "aside",
    "form", "button", "select", "input", "textarea", "template", "menu",
)
_NEGATIVE = re.compile(
    r"comment|related|relate|lien-?quan|tin-?khac|other-?news|menu|nav|footer|sidebar|"
    r"share|social|breadcrumb|advert|banner|\bads?\b|tags?\b|widget|popup|login|subscribe|"
    r"binh-?luan|most-?read|xem-?nhieu|toolbar|header|copyright|cookie",
    re.I,
)
_POSITIVE = re.compile(r"article|content|detail|post|entry|story|body|main|chi-?tiet|noi-?dung",
                       re.I)
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption",
               "tr", "div", "td"}
_DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate",
    "publishdate", "publish-date", "date", "dc.date.issued", "dc.date", "dcterms.created",
    "article.published", "itemprop:datepublished", "sailthru.date", "parsely-pub-date",
)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")


@dataclass
class HtmlPage:
    """What a saved news page gives."""

    blocks: list[TextBlock] = field(default_factory=list)
    title: str | None = None
    published: str | None = None
    publisher: str | None = None
    encoding: str | None = None


def _decode(data: bytes, charset: str | None = None) -> tuple[str, str]:
    """Decode with `charset` (what a web archive declares), else the page's own, else detect."""
    if charset is None:
        match = re.search(r"charset=[\"']?([\w-]+)", data[:4096].decode("ascii", "replace"))
        charset = match.group(1) if match else None
    declared = charset.lower() if charset else None
    if declared and declared.replace("_", "-") not in ("utf-8", "utf8"):
        try:
            # Windows-1258 keeps tone marks apart from their letters: compose them.
            return unicodedata.normalize("NFC", data.decode(declared)), declared
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _meta(tree, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            for node in tree.xpath(f"//meta[translate(@{attr},'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"
                                   f"'abcdefghijklmnopqrstuvwxyz')='{name}']"):
                content = _clean(node.get("content"))
                if content:
                    return content
    return None


def iso_date(value: str | None) -> str | None:
    """ISO date (YYYY-MM-DD) from '2017-08-25T10:00+07:00' or '25/08/2017' forms."""
    if not value:
        return None
    match = _ISO.search(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DMY.search(value)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1900 < year < 2200):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _json_ld_dates(tree) -> str | None:
    for node in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(node.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if "datePublished" in item:
                    return str(item["datePublished"])
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return None


def _published(tree) -> str | None:
    for value in (_meta(tree, *_DATE_META), _json_ld_dates(tree)):
        if iso_date(value):
            return iso_date(value)
    for node in tree.xpath("//time[@datetime]|//*[@itemprop='datePublished']"):
        found = iso_date(node.get("datetime") or node.get("content") or node.text_content())
        if found:
            return found
    xpath = ("//*[contains(translate(@class,'DATEIMPUBLSH','dateimpublsh'),'date') or "
             "contains(translate(@class,'DATEIMPUBLSH','dateimpublsh'),'time') or "
             "contains(translate(@class,'DATEIMPUBLSH','dateimpublsh'),'publish')]")
    for node in tree.xpath(xpath)[:20]:
        text = _clean(node.text_content())
        if len(text) < 80:
            found = iso_date(text)
            if found:
                return found
    return None


# Browsers mark a page saved with "Webpage, Complete" with the address it came from.
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)


def _publisher(tree, saved_from: str | None) -> str | None:
    name = _meta(tree, "og:site_name", "application-name", "publisher", "dc.publisher")
    if name:
        return name
    for url in (
        _meta(tree, "og:url"),
        *(node.get("href") for node in tree.xpath("//link[@rel='canonical']")),
        *(node.get("href") for node in tree.xpath("//base[@href]")),
        saved_from,
    ):
        host = urlparse(url or "").hostname
        if host:
            return host.removeprefix("www.")
    return None


def _title(tree) -> str | None:
    title = _meta(tree, "og:title", "twitter:title", "title")
    if not title:
        headings = tree.xpath("//h1")
        title = _clean(headings[0].text_content()) if headings else None
    if not title:
        nodes = tree.xpath("//title")
        title = _clean(nodes[0].text_content()) if nodes else None
    return title or None


_DATELINE = re.compile(r"date|time|publish|ngay-?dang", re.I)


def _strip_chrome(tree) -> None:
    """Drop navigation, forms, comment and related-article boxes, and the dateline.

    The date is read before this (`_published`); its line is not article text.
    """
    for node in tree.xpath("//*[@class or @id]"):
        marker = f"{node.get('class', '')} {node.get('id', '')}"
        if _DATELINE.search(marker) and len(_clean(node.text_content())) < 80:
            node.drop_tree()
    for node in tree.xpath("//" + "|//".join(_DROP_TAGS)):
        if node.getparent() is not None and node.tag != "html":
            node.drop_tree()
    for node in tree.xpath("//*[@class or @id or @role]"):
        marker = " ".join(filter(None, (node.get("class"), node.get("id"), node.get("role"))))
        if node.tag in ("html", "body") or not _NEGATIVE.search(marker):
            continue
        if _POSITIVE.search(marker) and not re.search(r"comment|related|relate|lien-?quan",
                                                      marker, re.I):
            continue
        if node.getparent() is not None:
            node.drop_tree()


def _link_density(node) -> float:
    text = len(_clean(node.text_content())) or 1
    links = sum(len(_clean(a.text_content())) for a in node.xpath(".//a"))
    return links / text


def _best_container(tree):
    scores: dict = {}
    for paragraph in tree.xpath("//p|//div[not(.//div) and not(.//p)]|//td[not(.//p)]"):
        text = _clean(paragraph.text_content())
        if len(text) < 25:
            continue
        score = 1 + text.count(",") + min(len(text) // 100, 3)
        parent = paragraph.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0) + score
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + score / 2
    if not scores:
        return tree.find(".//body") if tree.find(".//body") is not None else tree
    for node in list(scores):
        marker = f"{node.get('class', '')} {node.get('id', '')}"
        bonus = 1.25 if _POSITIVE.search(marker) else 1.0
        scores[node] *= bonus * (1 - _link_density(node))
    return max(scores, key=lambda node: scores[node])


def _container_blocks(container) -> list[TextBlock]:
    blocks: list[TextBlock] = []

    def walk(node) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "tr":
            cells = [_clean(c.text_content()) for c in node.xpath("./td|./th")]
            if any(cells):
                blocks.append(TextBlock(text=" | ".join(cells), part="table"))
            return
        has_block_children = any(
            isinstance(child.tag, str) and child.tag in _BLOCK_TAGS | {"table", "ul", "ol",
                                                                       "section", "article",
                                                                       "figure"}
            for child in node
        )
        if tag in _BLOCK_TAGS and not has_block_children:
            text = _clean(node.text_content())
            if text and _link_density(node) < 0.8:
                part: BlockPart = "body"
                if tag == "figcaption" or "caption" in (node.get("class") or ""):
                    part = "caption"
                elif tag in ("h1",):
                    part = "title"
                blocks.append(TextBlock(text=text, part=part))
            return
        if tag and not has_block_children and tag not in ("br",):
            text = _clean(node.text_content())
            if text and tag not in ("a", "span", "strong", "em", "b", "i", "img"):
                blocks.append(TextBlock(text=text))
                return
        for child in node:
            walk(child)
        tail = _clean(node.tail) if node is not container else ""
        if tail:
            blocks.append(TextBlock(text=tail))

    walk(container)
    return blocks


def read_html(data: bytes, *, charset: str | None = None, url: str | None = None) -> HtmlPage:
    """Read a saved HTML page into title, article blocks, date and publisher.

    `charset` and `url` are what a container (a web archive) says of the page;
    a page saved on its own may name its address in a "saved from url" mark.
    """
    import lxml.html

    text, encoding = _decode(data, charset)
    if url is None:
        mark = _SAVED_FROM.search(text[:4096])
        url = mark.group(1) if mark else None
    try:
        tree = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml.etree.ParserError and friends
        raise ReadError("the HTML file is empty or not a web page") from exc
    page = HtmlPage(encoding=encoding)
    page.title = _title(tree)
    page.published = _published(tree)
    page.publisher = _publisher(tree, url)
    _strip_chrome(tree)
    page.blocks = _container_blocks(_best_container(tree))
    if page.title and not any(b.text == page.title for b in page.blocks):
        page.blocks.insert(0, TextBlock(text=page.title, part="title"))
    if not any(b.part in ("body", "table") for b in page.blocks):
        raise ReadError("the web page contains no article text")
    return page
