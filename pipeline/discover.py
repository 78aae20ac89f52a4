"""Find the files to process under the paths a user gives, and say why others are left out."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.paths import display_path
from pipeline.read import SUPPORTED_SUFFIXES, file_format

# Why a file found is not processed: one definition each, used by the summary.
SKIP_UNSUPPORTED = "not a document type findings reads"
SKIP_NOT_REGULAR = "not a regular file (a device, pipe or socket)"
SKIP_BROKEN_LINK = "a symbolic link that leads nowhere (broken, or a loop)"
SKIP_LINK_LOOP = "a symbolic link back to a folder already searched (a link loop)"
SKIP_UNREADABLE_FOLDER = "a folder that cannot be opened"


@dataclass
class Discovery:
    """The files to process, and every other entry found with the reason it is skipped."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (display path, reason)


def discover(paths: Iterable[Path], *, include_unsupported: bool = False) -> Discovery:
    """Files named directly, plus every supported file under each folder, sorted.

    Hidden files and folders are left out, and so is the `<name>_files` folder
    a browser writes beside a page saved as "Webpage, Complete" (its frames,
    adverts and scripts are not documents). A regular file named directly is
    always returned (an unsupported one then fails with a clear message);
    `include_unsupported` also returns unsupported files found in folders.
    Everything else found (unsupported types, pipes, broken links, link loops,
    folders that cannot be opened) is listed in `skipped` with its reason.
    """
    found: set[Path] = set()
    skipped: list[tuple[str, str]] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            _walk(path, found, skipped, include_unsupported=include_unsupported)
        elif path.is_file():
            found.add(path)
        elif path.is_symlink() or not path.exists():
            skipped.append((display_path(path), SKIP_BROKEN_LINK if path.is_symlink() else "does not exist"))
        else:
            skipped.append((display_path(path), SKIP_NOT_REGULAR))
    return Discovery(files=sorted(found), skipped=skipped)


def discover_files(paths: Iterable[Path], *, include_unsupported: bool = False) -> list[Path]:
    """The files `discover` returns, without the skipped entries."""
    return discover(paths, include_unsupported=include_unsupported).files


def _walk(root: Path, found: set[Path], skipped: list[tuple[str, str]], *, include_unsupported: bool) -> None:
    """Every file under `root`, following links to folders once each (loops are reported)."""
    searched: set[tuple[int, int]] = set()
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            status = folder.stat()
            entries = list(os.scandir(folder))
        except OSError as exc:
            skipped.append((display_path(folder), f"{SKIP_UNREADABLE_FOLDER} ({exc.strerror or exc})"))
            continue
        identity = (status.st_dev, status.st_ino)
        if identity in searched:
            skipped.append((display_path(folder), SKIP_LINK_LOOP))
            continue
        searched.add(identity)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                is_dir, is_file = entry.is_dir(), entry.is_file()
            except OSError:
                is_dir = is_file = False
            if is_dir:
                if not _is_page_resources(path):
                    pending.append(path)
            elif is_file:
                if include_unsupported or file_format(path) is not None:
                    found.add(path)
                else:
                    skipped.append((display_path(path), SKIP_UNSUPPORTED))
            elif entry.is_symlink():
                skipped.append((display_path(path), SKIP_BROKEN_LINK))
            else:
                skipped.append((display_path(path), SKIP_NOT_REGULAR))


_PAGE_SUFFIXES = (*(s for s, fmt in SUPPORTED_SUFFIXES.items() if fmt == "html"), ".shtml", ".xhtml", ".php", ".aspx")


def _is_page_resources(folder: Path) -> bool:
    """A browser's resource folder: 'X_files' beside a saved page 'X.html'."""
    if not folder.name.endswith("_files"):
        return False
    stem = folder.name[: -len("_files")]
    return any((folder.parent / f"{stem}{suffix}").is_file() for suffix in _PAGE_SUFFIXES)
