"""Web archives (.mht, .mhtml): a page saved by a browser as one MIME file.

Chromium's "Webpage, Single File" and Internet Explorer's "Web Archive"
store the page's HTML as the root part of a `multipart/related` message,
with its images and style sheets as further parts. The HTML part is read by
the HTML reader, with the charset and the address the archive records.
"""

from __future__ import annotations

import email
import email.policy
from email.message import Message

from pipeline.read.document import ReadError
from pipeline.read.html import HtmlPage, read_html


def read_mhtml(data: bytes) -> HtmlPage:
    """Read a web archive: the root HTML part as a saved page."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    part = _root_html(message)
    if part is None:
        raise ReadError(
            "the web archive contains no web page (no HTML part); save the page again "
            "from the browser"
        )
    html = part.get_payload(decode=True) or b""
    if not html.strip():
        raise ReadError("the web archive's page is empty")
    url = (
        message.get("Snapshot-Content-Location")
        or part.get("Content-Location")
        or message.get("Content-Location")
    )
    return read_html(html, charset=part.get_content_charset(), url=url)


def _root_html(message: Message) -> Message | None:
    """The part holding the page: the `start` part, else the first HTML part."""
    if not message.is_multipart():
        return message if message.get_content_type() == "text/html" else None
    start = message.get_param("start")
    parts = [p for p in message.walk() if not p.is_multipart()]
    if isinstance(start, str):
        for part in parts:
            if part.get("Content-ID", "").strip() == start.strip():
                return part
    return next((p for p in parts if p.get_content_type() == "text/html"), None)
