"""File paths as text that every database, log and terminal accepts."""

from __future__ import annotations

import os


def display_path(path: str | os.PathLike[str]) -> str:
    """`path` as valid Unicode text: name bytes that are not UTF-8 are written as `\\xNN`.

    Old archive disks hold names in legacy code pages (a byte 0xff in a name).
    Python keeps such bytes as lone surrogates, which no database or UTF-8
    terminal accepts; the file itself is still opened with the original path.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")
