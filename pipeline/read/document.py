"""What every reader returns: text blocks with their provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipeline.contract import Source, StageError

BlockPart = Literal["body", "table", "header", "footer", "title", "caption"]


class ReadError(Exception):
    """A file that cannot be read; the message is shown to the clerk as is.

    `read_document` attaches the file's `Source` (with its sha256) as
    `.source` so the failure can be recorded against the file.
    """

    source: Source | None = None


@dataclass
class TextBlock:
    """A run of text from one place in the source file.

    `page` is 1-based for paged formats (PDF), else None. `part` tells the
    normaliser whether the block is mined (body, table) or kept apart
    (header, footer, title, caption).
    """

    text: str
    page: int | None = None
    part: BlockPart = "body"
    ocr: bool = False


@dataclass
class RawDocument:
    """A decoded file: its source record, its blocks, and metadata the format gave."""

    source: Source
    blocks: list[TextBlock] = field(default_factory=list)
    title: str | None = None
    published: str | None = None
    publisher: str | None = None
    errors: list[StageError] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        """True when some pages or parts failed but others were read."""
        return bool(self.errors)
