"""Find the files to process under the paths a user gives."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pipeline.read import file_format


def discover_files(paths: Iterable[Path], *, include_unsupported: bool = False) -> list[Path]:
    """Files named directly, plus every supported file under each folder, sorted.

    Hidden files and folders are skipped. A file named directly is always
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
                if include_unsupported or file_format(candidate) is not None:
                    found.add(candidate)
        else:
            found.add(path)
    return sorted(found)
