"""What every reader returns: text blocks with their provenance."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pipeline.contract import Source, StageError

BlockPart = Literal["body", "table", "header", "footer", "title", "caption"]

# Readers wrap tracked (unaccepted) deletions in these private-use marks while
# they build a block's text; `take_deletion_marks` turns them into spans.
DELETION_START = "\ue000"
DELETION_END = "\ue001"
_DELETION = re.compile(f"{DELETION_START}([^{DELETION_END}]*){DELETION_END}")


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
    (header, footer, title, caption). `deleted` holds the spans of `text`
    that are tracked deletions: read, because the file holds them and Word
    shows them struck through, but never mined.
    """

    text: str
    page: int | None = None
    part: BlockPart = "body"
    ocr: bool = False
    deleted: list[tuple[int, int]] = field(default_factory=list)


def take_deletion_marks(block: TextBlock) -> TextBlock:
    """Remove deletion marks from `block.text`, recording the spans they enclosed."""
    if DELETION_START not in block.text:
        return block
    pieces: list[str] = []
    position = end = 0
    for match in _DELETION.finditer(block.text):
        pieces.append(block.text[end:match.start()])
        position += match.start() - end
        deleted = match.group(1)
        if deleted:
            block.deleted.append((position, position + len(deleted)))
            pieces.append(deleted)
            position += len(deleted)
        end = match.end()
    pieces.append(block.text[end:])
    block.text = "".join(pieces)
    return block


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
