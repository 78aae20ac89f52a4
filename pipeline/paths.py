"""File paths as text that every database, log and terminal accepts."""

from __future__ import annotations

import codecs
import os
from pathlib import Path


def display_path(path: str | os.PathLike[str]) -> str:
    """`path` as valid Unicode text: name bytes that are not UTF-8 are written as `\\xNN`.

    Old archive disks hold names in legacy code pages (a byte 0xff in a name).
    Python keeps such bytes as lone surrogates, which no database or UTF-8
    terminal accepts; the file itself is still opened with the original path.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def real_path(shown: str) -> Path:
    """The file a path recorded by `display_path` names (`\\xNN` read back as bytes where needed)."""
    path = Path(shown)
    if path.exists() or "\\x" not in shown:
        return path
    try:
        raw = codecs.escape_decode(shown.encode("utf-8"))[0]
    except ValueError:
        return path
    return Path(os.fsdecode(raw))
