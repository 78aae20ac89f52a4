"""Find the files to process under the paths a user gives."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pipeline.read import file_format


def discover_files(paths: Iterable[Path], *, include_unsupported: bool = False) -> list[Path]:
    """Files named directly, plus every supported file under each folder, sorted.

    Hidden files and folders are skipped, and so is the `<name>_files` folder
    a browser writes beside a page saved as "Webpage, Complete" (its
    frames, adverts and scripts are not documents). A file named directly is always
    returned (an unsupported one then fails with a clear message);
    `include_unsupported` also returns unsupported files found in folders.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            for candidate in path.rglob("*"):
                relative = candidate.relative_to(path)
                if any(part.startswith(".") for part in relative.parts) or not candidate.is_file():
                    continue
                if any(_is_page_resources(path / Path(*relative.parts[:n]))
                       for n in range(1, len(relative.parts))):
                    continue
                if include_unsupported or file_format(candidate) is not None:
                    found.add(candidate)
        else:
            found.add(path)
    return sorted(found)


_PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".php", ".aspx")


def _is_page_resources(folder: Path) -> bool:
    """A browser's resource folder: 'X_files' beside a saved page 'X.html'."""
    if not folder.name.endswith("_files"):
        return False
    stem = folder.name[: -len("_files")]
    return any((folder.parent / f"{stem}{suffix}").is_file() for suffix in _PAGE_SUFFIXES)
